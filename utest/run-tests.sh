#!/bin/sh
# make test: the gtest unit tests (objs/utest), then the end-to-end tests (utest/e2e, pytest) that
# start the real binaries on loopback ports. Ends with one line "N passed, M failed".
# Environment: O (build directory, default objs), E2E_ARGS (extra pytest arguments).
set -u
cd "$(dirname "$0")/.." || exit 1
O=${O:-objs}
# ST keeps freed coroutine stacks in a private cache that LeakSanitizer cannot see.
export LSAN_OPTIONS="suppressions=$(pwd)/utest/lsan.supp:print_suppressions=0"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_stack_use_after_return=0:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
# Debian's python3 (with pytest and the test peers), whatever else is first on PATH.
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON=python3

passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "== unit tests: $O/utest"
"$O/utest" 2>&1 | tee "$log"
rc=$?
# The exit status of the pipeline is tee's; check gtest's own result lines.
up=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
uf=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
up=${up:-0}; uf=${uf:-0}
if [ "$up" = 0 ] && [ "$uf" = 0 ]; then uf=1; echo "unit tests did not run to the end"; fi
if grep -q 'ERROR: \(AddressSanitizer\|LeakSanitizer\)\|runtime error:' "$log"; then
    echo "sanitizer reports in the unit tests"; uf=$((uf + 1))
fi
passed=$((passed + up)); failed=$((failed + uf))

echo "== end-to-end tests: utest/e2e"
O="$O" "$PYTHON" -m pytest -q -p no:cacheprovider utest/e2e ${E2E_ARGS:-} 2>&1 | tee "$log"
ep=$(grep -Eo '[0-9]+ passed' "$log" | tail -1 | grep -Eo '[0-9]+')
ef=$(grep -Eo '[0-9]+ (failed|error|errors)' "$log" | awk '{s+=$1} END {print s+0}')
ep=${ep:-0}; ef=${ef:-0}
if [ "$ep" = 0 ] && [ "$ef" = 0 ]; then ef=1; echo "end-to-end tests did not run"; fi
passed=$((passed + ep)); failed=$((failed + ef))

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
