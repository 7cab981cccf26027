#!/usr/bin/env python3
"""Photographs what `tasks lsp` tells an editor: the picture in docs/EDITORS.md.

    python3 editors/lsp/screenshot.py docs/images/lsp_diagnostic_hover.png

Speaks the protocol to the real server (target/release/tasks, or $TASKS_BIN),
opens a small script with a typo, and draws the two answers an editor shows:
the diagnostic (a wavy underline and its message) and the hover over a
function (its signature and comment). The page is drawn as an editor draws
them and photographed by headless Chromium. Standard library only.
"""

import html
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SOURCE = """\
# Fetches one row after a short wait.
async fn fetch_row(id) {
    await sleep(0.01)
    return f"row-{id}"
}
let rows = await gather(fetch_rwo(1), fetch_row(2))
print(rows)
"""
HOVER_AT = (5, 40)  # on the second `fetch_row`


class Server:
    def __init__(self, binary):
        self.p = subprocess.Popen([binary, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.next_id = 0
        self.notes = []

    def send(self, msg):
        body = json.dumps(msg).encode()
        self.p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.p.stdin.flush()

    def receive(self):
        length = 0
        while (line := self.p.stdout.readline().strip()):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        return json.loads(self.p.stdout.read(length))

    def request(self, method, params):
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        while True:
            msg = self.receive()
            if msg.get("id") == self.next_id:
                return msg.get("result")
            self.notes.append(msg)

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def diagnostics(self):
        while not any(n.get("method") == "textDocument/publishDiagnostics" for n in self.notes):
            self.notes.append(self.receive())
        return [n for n in self.notes if n.get("method") == "textDocument/publishDiagnostics"][-1]["params"]["diagnostics"]


def ask(binary):
    s = Server(binary)
    s.request("initialize", {"processId": os.getpid(), "rootUri": None, "capabilities": {}})
    s.notify("initialized", {})
    uri = "file:///tmp/fetch.tasks"
    s.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "tasks", "version": 1, "text": SOURCE}})
    diags = s.diagnostics()
    hover = s.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": HOVER_AT[0], "character": HOVER_AT[1]}})
    s.request("shutdown", None)
    s.notify("exit", None)
    s.p.wait(timeout=10)
    return diags, hover


KEYWORDS = r"\b(async|fn|await|return|let|spawn|if|else|for|in|while|try|catch)\b"


def code_line(text, mark=None):
    """One line, lightly coloured; `mark` = (start, end) gets the squiggle."""
    def colour(s):
        s = html.escape(s)
        s = re.sub(r"(#.*)$", r'<span class="c">\1</span>', s)
        s = re.sub(KEYWORDS, r'<span class="k">\1</span>', s)
        s = re.sub(r'(f?&quot;.*?&quot;)', r'<span class="s">\1</span>', s)
        return s
    if not mark:
        return colour(text)
    a, b = mark
    return colour(text[:a]) + f'<span class="err">{colour(text[a:b])}</span>' + colour(text[b:])


def panel(title, lines, popup_line, popup_col, popup_html, mark=None):
    rows = []
    for i, line in enumerate(lines):
        m = mark[1:] if mark and mark[0] == i else None
        rows.append(f'<div class="ln"><span class="no">{i + 1}</span>{code_line(line, m) or "&nbsp;"}</div>')
        if i == popup_line:
            rows.append(f'<div class="pop" style="margin-left: calc({popup_col}ch + 3.5ch)">{popup_html}</div>')
    return f'<section><h2>{title}</h2><div class="editor">{"".join(rows)}</div></section>'


def markdown_block(md):
    """The hover's markdown: a ```tasks block and paragraphs."""
    out = []
    for part in re.split(r"```tasks\n(.*?)\n```", md, flags=re.S):
        if not part.strip():
            continue
        out.append(part)
    code = re.search(r"```tasks\n(.*?)\n```", md, re.S)
    rest = re.sub(r"```tasks\n.*?\n```", "", md, flags=re.S).strip()
    sig = f'<pre class="sig">{code_line(code.group(1))}</pre>' if code else ""
    return sig + "".join(f"<p>{html.escape(p)}</p>" for p in rest.split("\n\n") if p)


def page(diags, hover):
    lines = SOURCE.rstrip("\n").split("\n")
    d = diags[0]
    start, end = d["range"]["start"], d["range"]["end"]
    message = d["message"].split("\n")
    diag_html = (f'<div class="head"><span class="sev">error</span> {html.escape(message[0])}</div>'
                 + "".join(f"<div>{html.escape(m)}</div>" for m in message[1:])
                 + '<div class="src">tasks</div>')
    hover_html = markdown_block(hover["contents"]["value"])
    return f"""<!doctype html><html><head><meta charset="utf-8"><style>
body {{ font-family: sans-serif; background: #f3f3f3; margin: 16px; }}
h2 {{ font-size: 14px; color: #444; margin: 14px 0 6px; font-weight: 600; }}
.editor {{ background: #fff; border: 1px solid #ddd; padding: 8px 0; font: 14px/21px monospace; }}
.ln {{ white-space: pre; }}
.no {{ display: inline-block; width: 2.5ch; margin-right: 1ch; text-align: right; color: #999; }}
.k {{ color: #0000ff; }} .s {{ color: #a31515; }} .c {{ color: #008000; }}
.err {{ text-decoration: underline wavy #e51400; text-underline-offset: 3px; }}
.pop {{ display: inline-block; white-space: normal; background: #f8f8f8; border: 1px solid #c8c8c8;
        box-shadow: 0 2px 8px rgba(0,0,0,.16); padding: 6px 10px; margin-top: 2px; margin-bottom: 2px;
        font: 13px/19px sans-serif; max-width: 620px; }}
.pop .head {{ font-weight: 600; }} .pop .sev {{ color: #e51400; }}
.pop .src {{ color: #777; font-size: 12px; margin-top: 4px; }}
.pop pre.sig {{ margin: 0 0 6px; font: 13px monospace; }}
.pop p {{ margin: 4px 0; }}
</style></head><body>
{panel("A diagnostic as you type (tasks lsp)", lines, start["line"], start["character"], diag_html, (start["line"], start["character"], end["character"]))}
{panel("Hover over a function: its signature and the comment above it", lines, HOVER_AT[0], HOVER_AT[1] - 2, hover_html)}
</body></html>"""


def main():
    out = os.path.abspath(sys.argv[1])
    binary = os.environ.get("TASKS_BIN") or os.path.join(ROOT, "target", "release", "tasks")
    diags, hover = ask(binary)
    if not diags or not hover:
        sys.exit(f"the server gave no diagnostic ({diags}) or no hover ({hover})")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "page.html")
        with open(path, "w") as f:
            f.write(page(diags, hover))
        subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        "--window-size=760,560", f"--screenshot={out}", f"file://{path}"],
                       check=True, stderr=subprocess.DEVNULL)
    print(out)


if __name__ == "__main__":
    main()
