# CPython twin of examples/checksum.tasks: sha256sum of the files named on
# the command line, read 1 MiB at a time and hashed as it comes. run.py
# feeds it generated files (never committed).
import hashlib
import sys

CHUNK = 1 << 20


def sha256_of(path):
    with open(path, "rb") as f:
        h = hashlib.sha256()
        while chunk := f.read(CHUNK):
            h.update(chunk)
        return h.hexdigest()


failed = 0
for path in sys.argv[1:]:
    try:
        print(f"{sha256_of(path)}  {path}")
    except OSError as e:
        print(f"checksum: {path}: {e.strerror}", file=sys.stderr)
        failed += 1
if failed:
    sys.exit(1)
