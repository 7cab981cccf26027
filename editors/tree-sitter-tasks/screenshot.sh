#!/usr/bin/env bash
# Draws a .tasks file as this grammar highlights it (tree-sitter highlight
# --html, light colours for a white page) and photographs it with headless
# Chromium: the picture in docs/EDITORS.md.
#   bash editors/tree-sitter-tasks/screenshot.sh examples/create_task.tasks docs/images/highlight_create_task.png
set -euo pipefail
src=$(realpath "$1"); out=$(realpath -m "$2")
cd "$(dirname "$0")"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
tree-sitter highlight --grammar-path . --html --layout line-numbers "$src" 2>/dev/null > "$tmp/page.html"
python3 - "$tmp/page.html" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace("  </style>", """    body { background: #ffffff; margin: 16px; font-size: 15px; }
    .variable, .variable.parameter { color: #24292e; }
    .variable.parameter { text-decoration: none; font-style: italic; }
    .function.builtin { color: #6f42c1; }
    .punctuation, .punctuation.bracket, .punctuation.delimiter { color: #586069; }
  </style>""", 1)
open(p, "w").write(s)
PY
lines=$(wc -l < "$src")
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --window-size=820,$((lines * 22 + 40)) --screenshot="$out" "file://$tmp/page.html" 2>/dev/null
