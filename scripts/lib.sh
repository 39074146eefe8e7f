# shellcheck shell=bash
# Shared by ./cfs, ./lab, scripts/test and scripts/ensure-tools; sourced, not run.
# Finds or installs the tools the build needs (JDK 17+, Maven) and rebuilds a shaded jar
# only when a source or pom is newer than it. What running a built jar needs is in runtime.sh,
# which the release tarball ships too.

CFS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/runtime.sh
source "$CFS_ROOT/scripts/runtime.sh"
CFS_JDK_PACKAGE=openjdk-17-jdk-headless
CFS_MAVEN_PACKAGE=maven

# Puts a JDK 17+ first on PATH (and in JAVA_HOME, which Maven reads). Returns 1 if there is none.
cfs_select_jdk() {
    if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ] \
        && [ "$(cfs_tool_major "$JAVA_HOME/bin/javac")" -ge 17 ]; then
        PATH="$JAVA_HOME/bin:$PATH"
        export JAVA_HOME PATH
        return 0
    fi
    if command -v javac >/dev/null 2>&1 && [ "$(cfs_tool_major javac)" -ge 17 ]; then
        JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
        export JAVA_HOME
        return 0
    fi
    local candidate
    for candidate in /usr/lib/jvm/java-17-openjdk-*/bin/javac /usr/lib/jvm/*/bin/javac; do
        if [ -x "$candidate" ] && [ "$(cfs_tool_major "$candidate")" -ge 17 ]; then
            JAVA_HOME="$(dirname "$(dirname "$candidate")")"
            PATH="$JAVA_HOME/bin:$PATH"
            export JAVA_HOME PATH
            return 0
        fi
    done
    return 1
}

# Makes sure a JDK 17+ and Maven are usable, plus any Debian packages named as arguments.
# Installs what is missing with apt-get when running as root; otherwise says what to run.
cfs_ensure_tools() {
    local missing=() pkg
    cfs_select_jdk || missing+=("$CFS_JDK_PACKAGE")
    command -v mvn >/dev/null 2>&1 || missing+=("$CFS_MAVEN_PACKAGE")
    for pkg in "$@"; do
        cfs_package_installed "$pkg" || missing+=("$pkg")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    cfs_apt_install "${missing[@]}" || return 1
    if ! cfs_select_jdk; then
        echo "cfs: $CFS_JDK_PACKAGE is installed but no javac 17+ was found under /usr/lib/jvm" >&2
        return 1
    fi
    command -v mvn >/dev/null 2>&1 || { echo "cfs: maven is installed but mvn is not on PATH" >&2; return 1; }
}

# True when $1 is missing or older than any pom.xml or any file under a module's src/.
cfs_is_stale() {
    local jar="$1"
    [ -f "$jar" ] || return 0
    local newer
    newer="$(find "$CFS_ROOT" \( -name .git -o -name target -o -name node_modules \) -prune -o \
        \( -path '*/src/*' -o -name pom.xml \) -type f -newer "$jar" -print -quit)"
    [ -n "$newer" ]
}

# Runs mvn offline first (fast, works without a network once the cache is warm) and again
# online only when the offline run failed for want of something not yet downloaded.
cfs_mvn_offline_first() {
    local log="$1"
    shift
    if (cd "$CFS_ROOT" && mvn -o "$@") >"$log" 2>&1 </dev/null; then
        return 0
    fi
    if grep -q 'offline mode' "$log"; then
        (cd "$CFS_ROOT" && mvn "$@") >"$log" 2>&1 </dev/null
    else
        return 1
    fi
}

# cfs_runnable JAR MODULE: builds JAR if stale (see cfs_build_if_stale), then prints the path of
# a copy to run. Maven rewrites JAR in place, which would break JVMs still loading classes from
# it (a node started earlier); the copy is only ever replaced by rename, so a running JVM keeps
# the file it opened.
cfs_runnable() {
    local jar="$1" module="$2"
    cfs_build_if_stale "$jar" "$module" || return 1
    local run_jar
    run_jar="$(dirname "$jar")/run/$(basename "$jar")"
    if [ ! -f "$run_jar" ] || [ "$jar" -nt "$run_jar" ] || [ "$run_jar" -nt "$jar" ]; then
        mkdir -p "$(dirname "$run_jar")"
        local tmp="$run_jar.$$.tmp"
        if ! { cp -p "$jar" "$tmp" && mv -f "$tmp" "$run_jar"; }; then
            rm -f "$tmp"
            return 1
        fi
    fi
    echo "$run_jar"
}

# cfs_build_if_stale JAR MODULE: builds MODULE and what it needs (quietly; output only on
# failure) when JAR is stale. A lock keeps concurrent callers from building at the same time.
cfs_build_if_stale() {
    local jar="$1" module="$2"
    cfs_is_stale "$jar" || return 0
    local lock_fd
    exec {lock_fd}>"$CFS_ROOT/.build.lock"
    if ! flock -w 1800 "$lock_fd"; then
        echo "cfs: gave up waiting 30 min for another build of $CFS_ROOT to finish" >&2
        return 1
    fi
    if cfs_is_stale "$jar"; then
        cfs_ensure_tools || { exec {lock_fd}>&-; return 1; }
        local log marker
        log="$(mktemp "${TMPDIR:-/tmp}/cfs-build.XXXXXX")"
        marker="$(mktemp "${TMPDIR:-/tmp}/cfs-build-start.XXXXXX")"
        echo "cfs: building $module (mvn package; output shown only if it fails) ..." >&2
        if ! cfs_mvn_offline_first "$log" -q -B -Dmaven.test.skip=true -pl "$module" -am package; then
            cat "$log" >&2
            echo "cfs: build of $module failed (mvn output above)" >&2
            rm -f "$log" "$marker"
            exec {lock_fd}>&-
            return 1
        fi
        # Stamp the jar with the time the build started, so an edit made during the build
        # still counts as newer next time.
        touch -r "$marker" "$jar"
        rm -f "$log" "$marker"
    fi
    exec {lock_fd}>&-
}
