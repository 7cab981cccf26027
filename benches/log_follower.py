# CPython twin of benches/log_follower.tasks (examples/log_follower.tasks
# at size): a writer task appends N lines in batches of 1,000 (a write and
# a flush each, yielding between them); the follower reads what is there,
# sleeps 1 ms at the end, reads what was appended since (a line cut by the
# end of what was written waits for its rest), and stops at "shutdown".
import asyncio
import os
import sys

path, n = sys.argv[1], int(sys.argv[2])


async def writer():
    with open(path, "a") as out:
        for i in range(0, n, 1000):
            out.write("".join(f"request {j} status={j % 5}\n" for j in range(i, min(i + 1000, n))))
            out.flush()
            await asyncio.sleep(0)
        out.write("shutdown\n")
        out.flush()


async def follow():
    lines = errors = 0
    partial = ""
    with open(path) as log:
        while True:
            got = log.readline()
            if not got:
                await asyncio.sleep(0.001)  # at the end for now: wait for more
                continue
            if not got.endswith("\n"):
                partial += got
                continue
            line, partial = partial + got[:-1], ""
            lines += 1
            if line.endswith("status=4"):
                errors += 1
            if line == "shutdown":
                return lines, errors


async def main():
    with open(path, "w") as f:
        f.write("boot\n")
    w = asyncio.create_task(writer())
    lines, errors = await follow()
    await w
    os.remove(path)
    print(f"log_follower n={n} lines={lines} errors={errors}")


asyncio.run(main())
