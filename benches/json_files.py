# I/O workload (b): write N small JSON files, read and parse them all, sum
# a field, write one JSON result (in a scratch folder removed at the end).
# Files go through asyncio.to_thread, as an asyncio program does file I/O.
import asyncio
import json
import os
import sys


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def read(path):
    with open(path) as f:
        return f.read()


async def main():
    n = int(sys.argv[1]) or 2000
    d = "json_files.scratch.py"
    os.makedirs(d, exist_ok=True)
    for i in range(n):
        await asyncio.to_thread(write, f"{d}/{i}.json", json.dumps({"id": i, "value": i % 7, "tags": ["a", "b"]}))
    total = 0
    for name in sorted(await asyncio.to_thread(os.listdir, d)):
        total += json.loads(await asyncio.to_thread(read, f"{d}/{name}"))["value"]
    await asyncio.to_thread(write, f"{d}/result.json", json.dumps({"files": n, "total": total}))
    result = json.loads(await asyncio.to_thread(read, f"{d}/result.json"))
    for name in os.listdir(d):
        os.remove(f"{d}/{name}")
    os.rmdir(d)
    print(f"json_files n={result['files']} total={result['total']}")


asyncio.run(main())
