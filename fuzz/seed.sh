#!/usr/bin/env bash
# Seeds both targets' corpora with every script of the golden corpus and
# the examples (run from anywhere; libFuzzer adds what it finds beside them).
set -euo pipefail
cd "$(dirname "$0")"
for target in parse_check run_virtual; do
    mkdir -p "corpus/$target"
    find ../tests/golden ../tests/parity ../examples -name '*.tasks' -print0 |
        while IFS= read -r -d '' f; do
            cp "$f" "corpus/$target/$(echo "$f" | tr '/.' '__')"
        done
done
echo "seeded: $(ls corpus/parse_check | wc -l) scripts per target"
