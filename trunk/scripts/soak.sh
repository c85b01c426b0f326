#!/bin/bash
# Soak: srs-proxy under 300 WHEP players + 1 RTMP publisher + 50 HTTP-FLV players, from
# srs-mock-origin, for a long time; RSS, fds, coroutines and live sessions sampled every 10 s,
# plotted into trunk/doc/soak.svg and summarised in trunk/doc/soak.md. All flat is the goal.
#
#   trunk/scripts/soak.sh [-d SECONDS] [-n WHEP_PLAYERS] [-f FLV_PLAYERS]   (default 1800, 300, 50)
#
# Run after ./configure && make. Everything binds 127.0.0.1 and stops when the script ends.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=1800 N=300 FLV=50 INTERVAL=10
while getopts "d:n:f:i:" o; do
    case $o in d) DURATION=$OPTARG ;; n) N=$OPTARG ;; f) FLV=$OPTARG ;; i) INTERVAL=$OPTARG ;; *) exit 2 ;; esac
done

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
P_RTMP=$(free_port) P_HTTP=$(free_port) P_API=$(free_port) P_RTC=$(free_port) P_SRT=$(free_port)
P_SYS=$(free_port) P_PPROF=$(free_port)
O_RTMP=$(free_port) O_HTTP=$(free_port) O_API=$(free_port) O_RTC=$(free_port)

ffmpeg -v error -y -f lavfi -i testsrc2=size=768x320:rate=25 -f lavfi -i sine=frequency=440 -t 30 \
    -c:v libx264 -profile:v baseline -g 50 -bf 0 -pix_fmt yuv420p -b:v 180k -c:a aac -b:a 32k \
    -f flv "$work/source.flv"

env PROXY_RTMP_SERVER=127.0.0.1:$P_RTMP PROXY_HTTP_SERVER=127.0.0.1:$P_HTTP PROXY_HTTP_API=127.0.0.1:$P_API \
    PROXY_WEBRTC_SERVER=127.0.0.1:$P_RTC PROXY_SRT_SERVER=127.0.0.1:$P_SRT PROXY_SYSTEM_API=127.0.0.1:$P_SYS \
    PROXY_PPROF=127.0.0.1:$P_PPROF PROXY_LOG_LEVEL=${SOAK_LOG_LEVEL:-warn} ./objs/srs-proxy > "$work/proxy.log" 2>&1 &
proxy=$!; pids+=($proxy)
sleep 0.5
./objs/srs-mock-origin -rtmp "$O_RTMP" -http "$O_HTTP" -api "$O_API" -rtc "$O_RTC" -flv "$work/source.flv" \
    -heartbeat "http://127.0.0.1:$P_SYS/api/v1/srs/register" -log warn > "$work/origin.log" 2>&1 &
pids+=($!)
sleep 1.5
./objs/srs-bench -pr "rtmp://127.0.0.1:$P_RTMP/live/livestream" -i "$work/source.flv" -log warn > "$work/pub.json" 2>/dev/null &
pids+=($!)
sleep 2
./objs/srs-bench -sr "webrtc://127.0.0.1:$P_API/live/livestream" -nn "$N" -delay 20 -log warn > "$work/rtc.json" 2> "$work/rtc.log" &
pids+=($!); loads=($!)
./objs/srs-bench -sr "http://127.0.0.1:$P_HTTP/live/livestream.flv" -nn "$FLV" -log warn > "$work/flv.json" 2> "$work/flv.log" &
pids+=($!); loads+=($!)

csv="$work/samples.csv"
echo "seconds,rss_kb,fds,coroutines,sessions" > "$csv"
start=$(date +%s)
while :; do
    now=$(date +%s); t=$((now - start))
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$proxy/status")
    fds=$(ls "/proc/$proxy/fd" | wc -l)
    cos=$(curl -s "http://127.0.0.1:$P_PPROF/debug/pprof/goroutine?debug=1" | sed -n 's/.*total \([0-9]*\).*/\1/p' | head -1)
    sess=$(curl -s "http://127.0.0.1:$P_SYS/api/v1/sessions" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["sessions"]))')
    echo "$t,$rss,$fds,${cos:-0},$sess" >> "$csv"
    echo "t=${t}s rss=${rss}KiB fds=$fds coroutines=${cos:-?} sessions=$sess" >&2
    [ "$t" -ge "$DURATION" ] && break
    sleep "$INTERVAL"
done

# The players print their summary (the last JSON line) when stopped; the publisher still runs.
kill "${loads[@]}" 2>/dev/null || true
for p in "${loads[@]}"; do wait "$p" 2>/dev/null || true; done
verdict() {
    tail -1 "$1" | python3 -c 'import json,sys; s=json.load(sys.stdin); print("%d started, %d alive at the end, %d failed; %d packets, loss %.3f%%" % (s["players_started"], s["players_alive"], s["players_failed"], s["packets"], s["loss_percent"]))' 2>/dev/null || echo "no summary"
}
rtc_verdict=$(verdict "$work/rtc.json")
flv_verdict=$(verdict "$work/flv.json")
failures=$(grep -h " failed: " "$work/rtc.log" "$work/flv.log" | head -5 || true)

python3 trunk/scripts/plot-soak.py "$csv" trunk/doc/soak.svg
cp "$csv" trunk/doc/soak-samples.csv
first=$(sed -n 4p "$csv"); last=$(tail -1 "$csv")
{
    echo "# Soak test"
    echo
    echo "Command: \`trunk/scripts/soak.sh -d $DURATION -n $N -f $FLV\` on $(date -u +%Y-%m-%d), $(nproc) cores."
    echo "srs-proxy with $N WHEP players, 1 RTMP publisher and $FLV HTTP-FLV players from srs-mock-origin,"
    echo "sampled every ${INTERVAL}s (seconds, RSS KiB, fds, coroutines, live sessions):"
    echo
    echo "- after warm-up (third sample): \`$first\`"
    echo "- at the end: \`$last\`"
    echo
    echo "srs-bench's own verdict (a player fails on a DTLS alert, consent expiry or 10 s without a packet):"
    echo
    echo "- WebRTC players: $rtc_verdict"
    echo "- HTTP-FLV players: $flv_verdict"
    [ -z "$failures" ] || { echo; echo "First failures:"; echo; echo '```'; echo "$failures"; echo '```'; }
    echo
    echo "![soak](soak.svg)"
    echo
    echo "Samples: [soak-samples.csv](soak-samples.csv)."
} > trunk/doc/soak.md
echo "wrote trunk/doc/soak.md and trunk/doc/soak.svg" >&2
