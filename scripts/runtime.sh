# shellcheck shell=bash
# What running cfs needs, shared by the repository's ./cfs (through scripts/lib.sh) and the release
# tarball's bin/cfs (which ships this file as lib/runtime.sh); sourced, not run. Finds a Java 17+
# and, for the mount, installs libfuse2, fuse3 and attr with apt-get when running as root.

CFS_JRE_PACKAGE=openjdk-17-jre-headless
# libfuse2 for the mount (jnr-fuse), fuse3 for fusermount3, attr for the demo's getfattr.
CFS_FUSE_PACKAGES=(libfuse2 fuse3 attr)

# Major version of the JDK tool given (java or javac), or 0 when it does not run.
cfs_tool_major() {
    local out
    out="$("$1" -version 2>&1 | head -n 1)" || { echo 0; return; }
    # "javac 17.0.15" / 'openjdk version "17.0.15" 2025-04-15' / 'java version "1.8.0_392"'
    out="$(printf '%s\n' "$out" | sed -E 's/^[^0-9]*([0-9]+)(\.([0-9]+))?.*$/\1 \3/')"
    local major="${out%% *}" minor="${out#* }"
    if [ "$major" = 1 ]; then major="$minor"; fi
    case "$major" in ''|*[!0-9]*) echo 0 ;; *) echo "$major" ;; esac
}

cfs_package_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# Installs the Debian packages named with apt-get when running as root; otherwise says what to
# run and returns 1. Output appears only if apt-get fails.
cfs_apt_install() {
    [ "$#" -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        echo "cfs: missing $*. Install with:" >&2
        echo "  sudo apt-get update && sudo apt-get install -y $*" >&2
        return 1
    fi
    echo "cfs: installing $* with apt-get ..." >&2
    local log
    log="$(mktemp "${TMPDIR:-/tmp}/cfs-apt.XXXXXX")"
    if ! { apt-get update && DEBIAN_FRONTEND=noninteractive \
            apt-get install -y --no-install-recommends "$@"; } >"$log" 2>&1 </dev/null; then
        cat "$log" >&2
        rm -f "$log"
        echo "cfs: apt-get could not install $* (output above)" >&2
        return 1
    fi
    rm -f "$log"
    hash -r
}

# Installs those of the named Debian packages that are not installed (see cfs_apt_install).
cfs_ensure_packages() {
    local missing=() pkg
    for pkg in "$@"; do
        cfs_package_installed "$pkg" || missing+=("$pkg")
    done
    cfs_apt_install "${missing[@]}"
}

# Prints the java that runs cfs: JAVA_HOME's, else the one on PATH, else one under CFS_JVM_DIR
# (default /usr/lib/jvm, where Debian's packages go), whichever is first to be 17 or newer.
# Returns 1, having printed nothing, when there is none.
cfs_java() {
    local candidate
    for candidate in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} "$(command -v java 2>/dev/null)" \
            "${CFS_JVM_DIR:-/usr/lib/jvm}"/java-17-openjdk-*/bin/java "${CFS_JVM_DIR:-/usr/lib/jvm}"/*/bin/java; do
        if [ -n "$candidate" ] && [ -x "$candidate" ] && [ "$(cfs_tool_major "$candidate")" -ge 17 ]; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

# Says on stderr which Java was found wanting and exactly what to install.
cfs_explain_no_java() {
    local found="" path
    if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
        found="JAVA_HOME=$JAVA_HOME is Java $(cfs_tool_major "$JAVA_HOME/bin/java"); "
    elif [ -n "${JAVA_HOME:-}" ]; then
        found="JAVA_HOME=$JAVA_HOME has no bin/java; "
    fi
    if path="$(command -v java 2>/dev/null)"; then
        found+="java on PATH ($path) is Java $(cfs_tool_major "$path")"
    else
        found+="no java on PATH"
    fi
    echo "cfs: needs Java 17 or newer; $found. Install it with:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y $CFS_JRE_PACKAGE" >&2
    echo "or set JAVA_HOME to a Java 17+ installation." >&2
}

# cfs_exec_jar JAR ARGS...: runs the cfs command in JAR with ARGS, replacing this shell.
# CFS_JAVA_OPTS adds JVM options (e.g. CFS_JAVA_OPTS=-Xmx1g).
cfs_exec_jar() {
    local jar="$1" java
    shift
    java="$(cfs_java)" || { cfs_explain_no_java; exit 1; }
    if [ "${1:-}" = demo ] || [ "${1:-}" = mount ]; then
        # Without these the demo skips its mount part and says why, and cfs mount names the
        # package to install; so a failure here is not the end.
        cfs_ensure_packages "${CFS_FUSE_PACKAGES[@]}" || true
    fi
    # shellcheck disable=SC2086 # CFS_JAVA_OPTS is a list of options
    exec "$java" ${CFS_JAVA_OPTS:-} -jar "$jar" "$@"
}
