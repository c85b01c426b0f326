#!/bin/sh
# SPDX-License-Identifier: MIT
# Capture the profiles of a running srs-proxy into one folder, and diff two captures.
#
#   trunk/scripts/profile.sh [-addr HOST:PORT] [-seconds N] [-trace-seconds N] [-out DIR] [-base DIR]
#   trunk/scripts/profile.sh -base BEFORE AFTER      # diff two captures already taken
#
# -addr is the proxy's PROXY_PPROF (GO_PPROF) address (default 127.0.0.1:6060); -api its
# PROXY_HTTP_API address, for /metrics (default 127.0.0.1:1985; "" skips it). A capture holds:
#   cpu.pb.gz        CPU profile of -seconds (default 30)          go tool pprof cpu.pb.gz
#   heap.pb.gz       live heap (inuse_space)                       go tool pprof heap.pb.gz
#   allocs.pb.gz     allocations since start (alloc_space)         go tool pprof allocs.pb.gz
#   goroutine.txt    coroutines grouped (debug=1); goroutine-all.txt one block each (debug=2)
#   trace.json       scheduler trace of -trace-seconds (default 2): ui.perfetto.dev
#   metrics.txt      /metrics at the end
#   *-top.txt, cpu.svg   text reports and a flame graph, when `go` (golang-go) is installed
# The profiles are symbolized by the proxy, so they stay readable after a rebuild: a capture
# before a change and one after can be compared with -base (go tool pprof -base), which writes
# *-diff.txt into the newer folder.
set -eu

ADDR=127.0.0.1:6060
API=127.0.0.1:1985
SECONDS_CPU=30
SECONDS_TRACE=2
OUT=""
BASE=""
DIR="$(cd "$(dirname "$0")" && pwd)"

usage() {
    sed -n '3,19p' "$0" | sed 's/^# \{0,1\}//'
    exit "${1:-0}"
}

while [ $# -gt 0 ]; do
    case "$1" in
        -addr) ADDR=$2; shift 2 ;;
        -api) API=$2; shift 2 ;;
        -seconds) SECONDS_CPU=$2; shift 2 ;;
        -trace-seconds) SECONDS_TRACE=$2; shift 2 ;;
        -out) OUT=$2; shift 2 ;;
        -base) BASE=$2; shift 2 ;;
        -h|--help) usage 0 ;;
        -*) echo "profile.sh: unknown option $1" >&2; usage 2 ;;
        *) OUT=$1; DIFF_ONLY=yes; shift ;;
    esac
done

have_go() { command -v go >/dev/null 2>&1; }

# Text reports and, for CPU, a flame graph; nothing without go.
report() {
    have_go || return 0
    for p in cpu heap allocs; do
        [ -s "$1/$p.pb.gz" ] || continue
        go tool pprof -top "$1/$p.pb.gz" >"$1/$p-top.txt" 2>/dev/null || true
    done
    [ -s "$1/cpu.pb.gz" ] && python3 "$DIR/flamegraph.py" -title "CPU $1" "$1/cpu.pb.gz" >"$1/cpu.svg" 2>/dev/null || true
}

diff_captures() {
    have_go || { echo "profile.sh: -base needs go tool pprof (Debian package golang-go)" >&2; exit 1; }
    for p in cpu heap allocs; do
        if [ -s "$1/$p.pb.gz" ] && [ -s "$2/$p.pb.gz" ]; then
            go tool pprof -top -base "$1/$p.pb.gz" "$2/$p.pb.gz" >"$2/$p-diff.txt" 2>/dev/null
            echo "== $p: $2/$p-diff.txt (positive: more in $2 than in $1)"
            sed -n '1,16p' "$2/$p-diff.txt"
        fi
    done
    echo "Interactive: go tool pprof -http=:8123 -base $1/cpu.pb.gz $2/cpu.pb.gz"
}

if [ "${DIFF_ONLY:-}" = yes ]; then
    [ -n "$BASE" ] || usage 2
    diff_captures "$BASE" "$OUT"
    exit 0
fi

[ -n "$OUT" ] || OUT="profiles/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
URL="http://$ADDR/debug/pprof"
fetch() { curl -sS --fail --max-time "$1" -o "$OUT/$2" "$URL/$3"; }

echo "== capture into $OUT from $URL"
echo "cpu: ${SECONDS_CPU}s"
fetch $((SECONDS_CPU + 30)) cpu.pb.gz "profile?seconds=$SECONDS_CPU" || echo "profile.sh: no CPU profile (a SANITIZER=yes build answers 501)" >&2
fetch 30 heap.pb.gz heap || echo "profile.sh: no heap profile" >&2
fetch 30 allocs.pb.gz allocs || true
fetch 30 goroutine.txt "goroutine?debug=1"
fetch 30 goroutine-all.txt "goroutine?debug=2"
echo "trace: ${SECONDS_TRACE}s"
fetch $((SECONDS_TRACE + 60)) trace.json "trace?seconds=$SECONDS_TRACE"
[ -z "$API" ] || curl -sS --max-time 10 -o "$OUT/metrics.txt" "http://$API/metrics" || true
report "$OUT"
ls -l "$OUT"
[ -z "$BASE" ] || diff_captures "$BASE" "$OUT"
