"""CPython's side of run.py's P1/P2: compile() of a big source file (its
bytecode, nothing run), as `tasks check` parses and compiles one."""

import sys

with open(sys.argv[1], encoding="utf-8") as f:
    compile(f.read(), sys.argv[1], "exec")
