#!/bin/bash
# The WHEP forwarding benchmark: srs-proxy + srs-mock-origin (raw mode) + srs-bench players at
# several N, and the same traffic through the bare C relay (trunk/scripts/bare-relay.c) for the
# kernel's share. Writes trunk/doc/performance.md. See trunk/scripts/bench-whep.py -h.
#
#   trunk/scripts/bench-whep.sh [-n 100,300,1000,3000] [-warmup S] [-measure S] [-no-bare] [-no-write]
#
# Run after ./configure && make, on an otherwise idle machine; needs python3, strace and (for the
# CPU profile) golang-go's `go tool pprof`.
exec python3 "$(dirname "$0")/bench-whep.py" "$@"
