#!/usr/bin/env bash
# The tree-sitter grammar's checks, run by CI: the committed parser is what
# grammar.js generates, the corpus and highlight tests pass, and every
# .tasks file in the repository that the interpreter parses (examples,
# docs' cases, golden cases that are not syntax errors) parses here with
# no error node.
set -euo pipefail
cd "$(dirname "$0")"
root=../..

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp grammar.js tree-sitter.json "$tmp"/
(cd "$tmp" && tree-sitter generate >/dev/null)
if ! cmp -s "$tmp/src/parser.c" src/parser.c; then
    echo "src/parser.c is not what grammar.js generates: run tree-sitter generate" >&2
    exit 1
fi

tree-sitter test

# Every file the interpreter accepts (`tasks check` exits 0 or 1) must parse
# here with no error node; the deliberate syntax errors among the golden
# cases (exit 2) are skipped.
tasks=${TASKS:-$root/target/release/tasks}
if [[ ! -x "$tasks" ]]; then
    echo "no tasks binary at $tasks: build it first (cargo build --release)" >&2
    exit 1
fi
files=()
while IFS= read -r f; do
    status=0
    "$tasks" check "$f" >/dev/null 2>&1 || status=$?
    if [[ $status != 2 ]]; then files+=("$f"); fi
done < <(find "$root/examples" "$root/tests/golden" "$root/tests/parity" -name '*.tasks' | sort)
echo "parsing the ${#files[@]} .tasks files the interpreter accepts"
tree-sitter parse --grammar-path . --quiet --stat "${files[@]}" 2>&1 | grep "Total parses"
