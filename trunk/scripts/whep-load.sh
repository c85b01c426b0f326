#!/usr/bin/env bash
# The headline workload without a real SRS: srs-proxy in front of srs-mock-origin, and srs-bench
# playing N WHEP players through the proxy (real ICE, DTLS and SRTP), on free 127.0.0.1 ports.
#
#   trunk/scripts/whep-load.sh [-n PLAYERS] [-d SECONDS] [-raw] [-flv FILE] [-O OBJS]
#       -n    players (default 300)
#       -d    run time in seconds (default 30)
#       -raw  the mock replays pre-encrypted packets (srs_mock_origin -raw): the proxy, not the
#             origin's SRTP, is the bottleneck
#       -flv  media to loop (default: made with ffmpeg when present, as SRS's 200 kbps 768x320
#             clip; without ffmpeg the players get Opus silence only)
#       -O    build directory (default objs, or $O)
#
# Builds nothing: run it after ./configure && make. Prints srs-bench's live stats (stderr) and its
# JSON summary (stdout); exits with srs-bench's status (non-zero when a player failed). Every
# process it starts is stopped when it ends, however it ends; logs stay in the printed directory.
set -euo pipefail
cd "$(dirname "$0")/../.."

N=300 DURATION=30 RAW="" FLV="" OBJS=${O:-objs}
while [ $# -gt 0 ]; do
    case $1 in
        -n) N=$2; shift 2 ;;
        -d) DURATION=$2; shift 2 ;;
        -raw) RAW=-raw; shift ;;
        -flv) FLV=$2; shift 2 ;;
        -O) OBJS=$2; shift 2 ;;
        -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option $1 (see -h)" >&2; exit 2 ;;
    esac
done
for p in srs-proxy srs-mock-origin srs-bench; do
    [ -x "$OBJS/$p" ] || { echo "$OBJS/$p is missing: run ./configure && make first" >&2; exit 2; }
done

work=$(mktemp -d /tmp/whep-load.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    echo "logs: $work" >&2
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A port nobody listens on (TCP or UDP) and that we did not hand out yet.
used=" "
free_port() {
    local p
    while :; do
        p=$(( (RANDOM * 32768 + RANDOM) % 40000 + 20000 ))
        case $used in *" $p "*) continue ;; esac
        if command -v ss > /dev/null && [ -n "$(ss -Hlatun "sport = :$p" 2>/dev/null)" ]; then continue; fi
        used="$used$p "
        echo "$p"
        return
    done
}
free_port > /dev/null # warm up RANDOM
P_RTMP=$(free_port); P_HTTP=$(free_port); P_API=$(free_port); P_RTC=$(free_port); P_SRT=$(free_port)
P_SYS=$(free_port); O_RTMP=$(free_port); O_API=$(free_port); O_RTC=$(free_port)

if [ -z "$FLV" ] && command -v ffmpeg > /dev/null; then
    FLV="$work/source.flv"
    ffmpeg -v error -y -f lavfi -i testsrc2=size=768x320:rate=25 -f lavfi -i sine=frequency=440 -t 30 \
        -c:v libx264 -profile:v baseline -g 50 -bf 0 -pix_fmt yuv420p -b:v 180k -c:a aac -b:a 32k \
        -f flv "$FLV"
fi
[ -n "$FLV" ] || echo "no ffmpeg and no -flv: the players get Opus silence only" >&2

env PROXY_RTMP_SERVER=127.0.0.1:$P_RTMP PROXY_HTTP_SERVER=127.0.0.1:$P_HTTP PROXY_HTTP_API=127.0.0.1:$P_API \
    PROXY_WEBRTC_SERVER=127.0.0.1:$P_RTC PROXY_SRT_SERVER=127.0.0.1:$P_SRT PROXY_SYSTEM_API=127.0.0.1:$P_SYS \
    PROXY_LOG_LEVEL=warn PROXY_RTC_MAX_SESSIONS_PER_IP=0 "$OBJS/srs-proxy" > "$work/proxy.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do
    (exec 3<> "/dev/tcp/127.0.0.1/$P_SYS") 2> /dev/null && break
    sleep 0.1
done

"$OBJS/srs-mock-origin" -rtmp "$O_RTMP" -api "$O_API" -rtc "$O_RTC" ${FLV:+-flv "$FLV"} $RAW -interval 1 \
    -heartbeat "http://127.0.0.1:$P_SYS/api/v1/srs/register" -log warn > "$work/origin.log" 2>&1 &
pids+=($!)
# The proxy logs nothing at warn when a heartbeat is fine: wait for the origin's API, then one
# heartbeat interval.
for _ in $(seq 50); do
    (exec 3<> "/dev/tcp/127.0.0.1/$O_API") 2> /dev/null && break
    sleep 0.1
done
sleep 1.5

echo "proxy: WHEP http://127.0.0.1:$P_API/rtc/v1/whep/?app=live&stream=livestream, UDP $P_RTC;" \
     "origin: API $O_API, UDP $O_RTC${RAW:+ (raw)}; $N players for ${DURATION}s" >&2
set +e
"$OBJS/srs-bench" -sr "whep://127.0.0.1:$P_API/rtc/v1/whep/?app=live&stream=livestream" -nn "$N" \
    -duration "$DURATION" -delay 10 -log warn
status=$?
set -e
exit $status
