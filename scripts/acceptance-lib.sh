# shellcheck shell=bash
# Shared by scripts/acceptance-volumes and scripts/acceptance-mount; sourced, not run. Helpers for
# an acceptance run on five real `cfs node` processes: bounded waits, one report line per check,
# the figures for the final JSON line, and the hard "fidelity" tree.
#
# The sourcing script sets, before calling them: ACCEPTANCE (its name, for messages), ROOT, WORK,
# CONF, LOGS, OUT, NODES, VNODES, RING_WAIT_S, COMMAND_WAIT_S, ONLY, FAILED=0, and declares
# `declare -a NODE_PIDS=() FIG_KEYS=()` and `declare -A FIG=()`. start_ring sets PORT.

# a cfs command, ended if it outlasts COMMAND_WAIT_S
cfs() {
    timeout -k 10 "$COMMAND_WAIT_S" "$ROOT/cfs" --config "$CONF" "$@"
}

# a cfs command to run in the background: $! is then its JVM (./cfs execs java), to kill -9;
# its wait is bounded by wait_bounded
cfs_bg() {
    exec "$ROOT/cfs" --config "$CONF" "$@"
}

now() {
    date +%s.%N
}

# seconds since $1, to 0.1 s
since() {
    awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'
}

# megabytes per second for $1 bytes in $2 seconds
rate() {
    awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.1f", n / 1e6 / s; else print 0 }'
}

# fig KEY VALUE: a figure for the JSON line (numbers and true/false as they are, anything else quoted)
fig() {
    [ -n "${FIG[$1]+x}" ] || FIG_KEYS+=("$1")
    FIG[$1]="$2"
}

# the number under "KEY" in a one-line JSON object (flat numeric fields only)
jnum() {
    sed -nE "s/.*\"$1\":(-?[0-9]+(\.[0-9]+)?).*/\1/p" "$2" | tail -n 1
}

# the string under "KEY" in a one-line JSON object
jstr() {
    sed -nE "s/.*\"$1\":\"([^\"]*)\".*/\1/p" "$2" | tail -n 1
}

# report NAME OK LINE: prints one line for a check; OK is 1 for passed
report() {
    if [ "$2" = 1 ]; then
        echo "PASS $1: $3"
    else
        echo "FAIL $1: $3"
        FAILED=1
    fi
    fig "${1}_ok" "$([ "$2" = 1 ] && echo true || echo false)"
}

# shows a failed command's output (last lines)
show() {
    local f
    for f in "$@"; do
        [ -s "$f" ] && { echo "  --- $(basename "$f"):"; tail -n 20 "$f" | sed 's/^/  /'; }
    done
    return 0
}

random_file() {
    head -c "$2" /dev/urandom >"$1"
}

# waits (bounded) for background process $1; kills it after $2 s; returns its exit status
wait_bounded() {
    local pid="$1" limit="$2" start
    start="$(date +%s)"
    while kill -0 "$pid" 2>/dev/null; do
        if [ $(($(date +%s) - start)) -ge "$limit" ]; then
            echo "$ACCEPTANCE: pid $pid still running after $limit s; killing it" >&2
            kill -9 "$pid" 2>/dev/null || true
            break
        fi
        sleep 0.2
    done
    local rc=0
    wait "$pid" || rc=$?
    return "$rc"
}

# listing of a tree for comparison: path, type, mode, size (directories masked: their size
# depends on the local file system), mtime, symlink target; the fifo's line dropped
listing() {
    (cd "$1" && find . \( -type d -printf '%P %y %m - %T@ %l\n' \) -o \( ! -type p -printf '%P %y %m %s %T@ %l\n' \)) \
        | LC_ALL=C sort
}

address() {
    echo "127.0.0.$(($1 + 2)):$PORT"
}

# start_node I [ARGS...]: node I in the background, with ARGS added to its command line
start_node() {
    local i="$1" join=()
    shift
    [ "$i" -gt 0 ] && join=(--join "$(address 0)")
    CFS_JAVA_OPTS="${NODE_JAVA_OPTS:--Xmx1g}" "$ROOT/cfs" node --listen "$(address "$i")" "${join[@]}" \
        --vnodes "$VNODES" --data "$WORK/node-$i" --capacity 200G "$@" >>"$LOGS/node-$i.log" 2>&1 &
    NODE_PIDS[$i]=$!
}

# waits (bounded) until node $1's log has a line containing $2; fails if the node exits first
await_log() {
    local i="$1" text="$2" deadline=$(($(date +%s) + RING_WAIT_S))
    while [ "$(date +%s)" -lt "$deadline" ]; do
        if grep -qF "$text" "$LOGS/node-$i.log" 2>/dev/null; then
            return 0
        fi
        if ! kill -0 "${NODE_PIDS[$i]}" 2>/dev/null; then
            echo "$ACCEPTANCE: node $i ($(address "$i")) exited before logging '$text'" >&2
            show "$LOGS/node-$i.log"
            return 1
        fi
        sleep 0.5
    done
    echo "$ACCEPTANCE: node $i ($(address "$i")) did not log '$text' within $RING_WAIT_S s" >&2
    show "$LOGS/node-$i.log"
    return 1
}

# like await_log for a restarted node: only lines after the "--- restarted" mark count
await_restart() {
    local i="$1" deadline=$(($(date +%s) + RING_WAIT_S))
    while [ "$(date +%s)" -lt "$deadline" ]; do
        if sed -n '/^--- restarted/,$p' "$LOGS/node-$i.log" | grep -qF "joined ring via"; then
            return 0
        fi
        kill -0 "${NODE_PIDS[$i]}" 2>/dev/null || break
        sleep 0.5
    done
    echo "$ACCEPTANCE: restarted node $i ($(address "$i")) did not join within $RING_WAIT_S s" >&2
    show "$LOGS/node-$i.log"
    return 1
}

# waits (bounded) until a walk of the ring from node 0 closes with $1 vnodes
await_ring() {
    local want="$1" deadline=$(($(date +%s) + RING_WAIT_S))
    while [ "$(date +%s)" -lt "$deadline" ]; do
        if cfs ring --via "$(address 0)" --json >"$OUT/ring.json" 2>"$OUT/ring.err" \
            && grep -q '"closed":true' "$OUT/ring.json" && [ "$(jnum count "$OUT/ring.json")" = "$want" ]; then
            return 0
        fi
        sleep 1
    done
    echo "$ACCEPTANCE: no closed ring of $want vnodes within $RING_WAIT_S s" >&2
    show "$OUT/ring.json" "$OUT/ring.err" "$LOGS"/node-*.log
    return 1
}

# a free port on all five addresses
pick_port() {
    local p tries=0
    while [ "$tries" -lt 50 ]; do
        p=$((20000 + RANDOM % 20000))
        if ! ss -Hltn "sport = :$p" | grep -q .; then
            echo "$p"
            return 0
        fi
        tries=$((tries + 1))
    done
    echo "$ACCEPTANCE: found no free port" >&2
    return 1
}

# starts NODES nodes (node 0 first, the others joining it) and waits (bounded) for a closed ring;
# node 0 gets the arguments of the array FIRST_NODE_ARGS, if the sourcing script set one
start_ring() {
    local t i
    PORT="$(pick_port)"
    t="$(now)"
    start_node 0 ${FIRST_NODE_ARGS[@]+"${FIRST_NODE_ARGS[@]}"}
    await_log 0 "started a new ring at $(address 0)"
    for i in $(seq 1 $((NODES - 1))); do
        start_node "$i"
    done
    for i in $(seq 1 $((NODES - 1))); do
        await_log "$i" "joined ring via $(address 0)"
    done
    await_ring $((NODES * VNODES))
    echo "ring: $((NODES * VNODES)) vnodes on $NODES processes ($(address 0) .. $(address $((NODES - 1)))), closed $(since "$t") s after the first node started"
}

# make_fidelity_tree DIR SMALL_FILES BIG_BYTES: a hard tree at DIR: 12-deep nesting, SMALL_FILES
# small files of many sizes, a random file of BIG_BYTES (big.bin), empty files and directories,
# odd names (spaces, newline, UTF-8, invalid UTF-8, 255 bytes), relative, absolute and dangling
# symlinks, a hard link, an executable script (script.sh, prints "hi"), setuid, sticky and setgid
# modes, old mtimes, and a fifo (which cfs skips)
make_fidelity_tree() {
    local src="$1" SMALL_FILES="$2" BIG_BYTES="$3" i d
    mkdir -p "$src"
    # 12-deep nesting
    d="$src"
    for i in $(seq 1 12); do d="$d/level$i"; done
    mkdir -p "$d"
    echo "at the bottom" >"$d/deep.txt"
    # small files of many sizes, 100 to a directory, some past the inline limit
    local dirs=$(((SMALL_FILES + 99) / 100)) left="$SMALL_FILES" n size
    for i in $(seq 1 "$dirs"); do
        n=$((left < 100 ? left : 100))
        size=$((1 + (i * 397) % 6000))
        mkdir -p "$src/small/d$i"
        head -c $((n * size)) /dev/urandom | split -b "$size" -a 3 - "$src/small/d$i/f"
        left=$((left - n))
    done
    random_file "$src/big.bin" "$BIG_BYTES"
    : >"$src/empty"
    : >"$src/small/d1/empty too"
    mkdir -p "$src/empty-dir" "$src/small/d1/empty dir"
    echo "spaces" >"$src/name with spaces"
    echo "newline" >"$src/new"$'\n'"line"
    echo "utf-8" >"$src/ütf-8 ☃ ünïcödé"
    echo "invalid utf-8" >"$src/bad"$'\xff\xfe'"name"
    echo "long" >"$src/$(printf 'n%.0s' $(seq 1 255))"
    ln -s level1/level2 "$src/relative-link"
    ln -s /etc/hostname "$src/absolute-link"
    ln -s "does/not/exist" "$src/dangling-link"
    echo "linked" >"$src/hard-a"
    ln "$src/hard-a" "$src/hard-b"
    printf '#!/bin/sh\necho hi\n' >"$src/script.sh"
    chmod 755 "$src/script.sh"
    echo "setuid" >"$src/setuid-file"
    chmod 4755 "$src/setuid-file"
    mkdir "$src/sticky-dir" "$src/setgid-dir"
    chmod 1777 "$src/sticky-dir"
    chmod 2750 "$src/setgid-dir"
    echo "private" >"$src/private"
    chmod 600 "$src/private"
    touch -h -d '2001-02-03 04:05:06.789' "$src/absolute-link" "$src/name with spaces"
    touch -d '1999-12-31 23:59:59' "$src/empty-dir"
    mkfifo "$src/fifo"
}

# reports a check as failed if it stopped before reporting (bash abandons a top-level command
# on an expansion error), so that no check goes missing from the output
reported() {
    local name
    for name in "$@"; do
        [ -n "${FIG[${name}_ok]+x}" ] || report "$name" 0 "the check stopped before reporting (error above)"
    done
}

# true if check $1 is to run (all of them without --only)
want() {
    [ -z "$ONLY" ] || [[ ",$ONLY," == *",$1,"* ]]
}

# prints the JSON line of every figure, in the order they were first given
figures_json() {
    local json k v
    json="{"
    for k in "${FIG_KEYS[@]}"; do
        v="${FIG[$k]}"
        if [[ "$v" =~ ^-?[0-9]+(\.[0-9]+)?$ ]] || [ "$v" = true ] || [ "$v" = false ]; then
            json="$json\"$k\":$v,"
        else
            json="$json\"$k\":\"$v\","
        fi
    done
    echo "${json%,}}"
}
