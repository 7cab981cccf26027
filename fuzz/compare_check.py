#!/usr/bin/env python3
"""Compares `tasks check` of two binaries on every `.tasks` file of the
repository, the ```tasks blocks of docs/LANGUAGE.md, and mutations of them
(a byte deleted, a token inserted, a cut, a range deleted). Use it before
merging a parser change: syntax errors must stay worded as they were, or
change on purpose. Prints how many cases differ and the first few.

    python3 fuzz/compare_check.py OLD_TASKS NEW_TASKS [COUNT [SEED]]
"""
import glob
import os
import random
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOKENS = ['{', '}', '(', ')', '[', ']', '=', ',', ':', '"', 'f"', 'fn', 'async', '\n', '.',
          'x', ';', 'if', 'else', '#', '==', '{"a": 1}', 'fn() {', 'async {', 'await', 'let',
          '+', '*', 'struct', 'for', 'in']


def sources():
    files = [f for f in glob.glob(ROOT + '/**/*.tasks', recursive=True)
             if '/target/' not in f and '/fuzz/' not in f]
    out = [(f, open(f, encoding='utf-8', errors='replace').read()) for f in sorted(files)]
    docs = open(ROOT + '/docs/LANGUAGE.md', encoding='utf-8').read()
    out += [('LANGUAGE.md block %d' % i, b)
            for i, b in enumerate(re.findall(r'```tasks\n(.*?)```', docs, re.S))]
    return out


def mutate(rng, s):
    if not s:
        return s
    i = rng.randrange(len(s) + 1)
    kind = rng.randrange(5)
    if kind == 0:
        return s[:i] + s[i + 1:]
    if kind == 1:
        return s[:i] + rng.choice(TOKENS) + s[i:]
    if kind == 2:
        return s[:i]
    if kind == 3:
        j = rng.randrange(len(s) + 1)
        return s[:min(i, j)] + s[max(i, j):]
    return s[:i] + rng.choice(TOKENS) + rng.choice(TOKENS) + s[i:]


def main():
    old, new = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
    rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
    base = sources()
    cases = list(base)
    while len(cases) < count:
        name, src = rng.choice(base)
        cases.append((name + ' (mutated)', mutate(rng, src)))
    tmp = tempfile.mkdtemp(prefix='compare-check-')

    def run(idx):
        name, src = cases[idx]
        path = os.path.join(tmp, 'case%d.tasks' % idx)
        with open(path, 'w', encoding='utf-8') as f:
            f.write(src)
        outs = []
        for binary in (old, new):
            try:
                r = subprocess.run([binary, 'check', path], capture_output=True, timeout=20)
                outs.append((r.returncode, r.stdout, r.stderr))
            except subprocess.TimeoutExpired:
                outs.append(('timeout', b'', b''))
        if outs[0] == outs[1]:
            os.unlink(path)
            return None
        return path, name, outs

    with ThreadPoolExecutor(os.cpu_count() or 2) as ex:
        diffs = [d for d in ex.map(run, range(len(cases))) if d]
    if not diffs:
        os.rmdir(tmp)
    print('%d cases, %d differ (kept in %s)' % (len(cases), len(diffs), tmp))
    for path, name, outs in diffs[:20]:
        print('=' * 20, path, '--', name)
        for tag, (code, out, err) in zip(('old', 'new'), outs):
            print('--', tag, 'status', code)
            print(err.decode(errors='replace')[-1200:] + out.decode(errors='replace')[-200:])
    return 1 if diffs else 0


if __name__ == '__main__':
    sys.exit(main())
