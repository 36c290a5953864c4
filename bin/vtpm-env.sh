# Sourced by the bin/ scripts: where the repository and its built products are, and which Java runs them.
VTPM_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VTPM_AGENT_HOME="${VTPM_AGENT_HOME:-$VTPM_ROOT/product/agent/target/vtpm-agent}"
VTPM_CONSOLE_HOME="${VTPM_CONSOLE_HOME:-$VTPM_ROOT/product/console/target/products/org.vtpmmigrate.console.product/linux/gtk/x86_64/vtpm-console}"

# Java 17 is the baseline; a newer JDK runs the same bytecode faster (AES-GCM is about twice as fast
# on 25), so the newest JDK installed is preferred unless JAVA_HOME says otherwise.
vtpm_java() {
    if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
        echo "$JAVA_HOME/bin/java"; return
    fi
    local best="" best_major=0 dir major
    for dir in /usr/lib/jvm/*/; do
        [ -x "$dir/bin/java" ] || continue
        major=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$dir/release" 2>/dev/null)
        if [ -n "$major" ] && [ "$major" -ge 17 ] && [ "$major" -gt "$best_major" ]; then
            best="$dir/bin/java"; best_major=$major
        fi
    done
    echo "${best:-java}"
}

# Options for the chosen Java: Felix 7 still touches sun.misc.Unsafe, which JDK 24+ warns about at every start.
vtpm_java_opts() {
    local major
    major=$("$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')
    if [ "${major:-17}" -ge 23 ]; then echo "--sun-misc-unsafe-memory-access=allow"; fi
}

vtpm_require_built() {
    if [ ! -d "$1" ]; then
        echo "$(basename "$0"): $1 is missing; build first: ./mvnw -B verify -DskipTests" >&2
        exit 2
    fi
}
