#!/usr/bin/env bash
# Counts test outcomes in the TRX files under a folder and prints "N passed, M failed[, K skipped]"
# as the last line. Exits 1 if any test failed or no TRX file was found. Plain bash + grep: CI
# machines have nothing but the .NET SDK.
set -euo pipefail
dir=${1:?usage: count-results.sh <results-dir>}

mapfile -t files < <(find "$dir" -name '*.trx' -type f 2>/dev/null | sort)
if [ "${#files[@]}" -eq 0 ]; then
    echo "no TRX files under $dir"
    echo "0 passed, 0 failed"
    exit 1
fi

# One UnitTestResult element per test; its attributes may wrap, so newlines are flattened first.
count() { cat "${files[@]}" | tr '\n' ' ' | { grep -o "<UnitTestResult [^>]*outcome=\"$1\"" || true; } | wc -l | tr -d ' '; }
passed=$(count Passed)
failed=$(( $(count Failed) + $(count Error) + $(count Timeout) + $(count Aborted) ))
skipped=$(count NotExecuted)

line="$passed passed, $failed failed"
[ "$skipped" -eq 0 ] || line="$line, $skipped skipped"
echo "$line"
[ "$failed" -eq 0 ]
