#!/usr/bin/env bash
# Builds everything and runs the whole test suite: unit tests, OSGi integration tests on real swtpm
# and QEMU, the Felix distribution test and the console's UI tests under Xvfb.
# Results: */target/surefire-reports, screenshots under tests/*/target/screenshots.
set -uo pipefail
cd "$(dirname "$0")/.."

xvfb_pid=""
if [ -z "${DISPLAY:-}" ]; then
    # a display of our own, not shared with whatever else runs on the machine
    for n in $(seq 90 120); do
        [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ] || { display=":$n"; break; }
    done
    Xvfb "$display" -screen 0 1600x1000x24 -nolisten tcp >/tmp/vtpm-xvfb.log 2>&1 &
    xvfb_pid=$!
    export DISPLAY="$display"
    for _ in $(seq 1 100); do [ -e "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done
fi
trap '[ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null' EXIT

start=$(date +%s)
./mvnw -B -ntp clean verify "$@" 2>&1 | tee target-build.log | grep -v -E 'Resolving MavenDependencyRoots|osgi.platform|does not match a valid id pattern|is invalid, transitive dependencies'
status=${PIPESTATUS[0]}
mkdir -p target && mv target-build.log target/build.log

echo
echo "== test summary =="
for report in $(ls -d tests/*/target/surefire-reports 2>/dev/null); do
    module=${report%/target/surefire-reports}
    totals=$(cat "$report"/*.txt 2>/dev/null | grep -E '^Tests run:' | awk -F'[:,]' '{r+=$2; f+=$4; e+=$6; s+=$8} END {printf "%d run, %d failed, %d errors, %d skipped", r, f, e, s}')
    echo "  ${module#tests/}: $totals"
done
echo "  time: $(( $(date +%s) - start )) s; log: target/build.log"
cat tests/*/target/surefire-reports/*.txt 2>/dev/null | grep -E '^Tests run:' \
    | awk -F'[:,]' '{r+=$2; f+=$4+$6; s+=$8} END {printf "tests: %d passed, %d failed, %d skipped\n", r-f-s, f, s}'
exit "$status"
