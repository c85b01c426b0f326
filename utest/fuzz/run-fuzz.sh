#!/bin/sh
# make fuzz: build every libFuzzer harness utest/fuzz/srs_fuzz_<name>.c with clang (ASan + UBSan),
# run it over utest/fuzz/corpus/<name>/ (seeds and every crash ever found, which run first as
# regression inputs), then fuzz for FUZZ_SECONDS (default 30). Fails on any crash, leak or timeout.
# FUZZ_ONLY=<name> runs one harness.
set -u
cd "$(dirname "$0")/../.." || exit 1
SECS=${FUZZ_SECONDS:-30}
OUT=objs/fuzz
CC=${FUZZ_CC:-clang}
mkdir -p "$OUT/lib" "$OUT/artifacts"
export LSAN_OPTIONS="suppressions=$(pwd)/utest/lsan.supp:print_suppressions=0"

CFLAGS="-g -O1 -fno-omit-frame-pointer -std=c11 -D_GNU_SOURCE -DSRS_FUZZ -Wall -Wextra \
-fsanitize=address,undefined -fno-sanitize-recover=undefined \
-Isrc/core -Isrc/kernel -Isrc/protocol -Isrc/app $(pkg-config --cflags libcjson hiredis)"
LIBS="-l:libst.a $(pkg-config --libs libssl libcrypto libsrtp2 libcjson hiredis) -lm -Wl,-z,noexecstack"

# The product's code, built once with coverage for the fuzzer.
objs=""
for src in src/core/*.c src/kernel/*.c src/protocol/*.c src/app/*.c; do
    obj="$OUT/lib/$(basename "$src" .c).o"
    if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ -n "$(find src -name '*.h' -newer "$obj" | head -1)" ]; then
        $CC $CFLAGS -fsanitize=fuzzer-no-link -c "$src" -o "$obj" || exit 1
    fi
    objs="$objs $obj"
done

failed=0
passed=0
for harness in utest/fuzz/srs_fuzz_*.c; do
    name=$(basename "$harness" .c); name=${name#srs_fuzz_}
    [ -n "${FUZZ_ONLY:-}" ] && [ "$FUZZ_ONLY" != "$name" ] && continue
    bin="$OUT/fuzz_$name"
    $CC $CFLAGS -fsanitize=fuzzer "$harness" $objs -o "$bin" $LIBS || exit 1
    work="$OUT/corpus/$name"
    mkdir -p "$work" "utest/fuzz/corpus/$name"
    echo "== fuzz $name for ${SECS}s"
    if "$bin" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -print_final_stats=0 \
        -artifact_prefix="$OUT/artifacts/$name-" "$work" "utest/fuzz/corpus/$name" >"$OUT/$name.log" 2>&1; then
        passed=$((passed + 1))
        tail -1 "$OUT/$name.log"
    else
        failed=$((failed + 1))
        tail -40 "$OUT/$name.log"
        echo "fuzz $name FAILED: keep the input named above in utest/fuzz/corpus/$name/ once fixed"
    fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" = 0 ]
