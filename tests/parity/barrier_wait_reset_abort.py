import asyncio

# asyncio.Barrier: wait returns each party's arrival index once all have
# arrived (twice round, the barrier refills); reset breaks the waiters with
# BrokenBarrierError and the barrier is usable again; abort breaks it for
# good; a cancelled waiter leaves the count; parties, n_waiting, broken.


def b(x):
    return str(x).lower()


async def party(bar, name, secs, log):
    await asyncio.sleep(secs)
    try:
        i = await bar.wait()
        log.append(f"{name}:{i}")
    except asyncio.BrokenBarrierError:
        log.append(f"{name}:broken")


async def main():
    bar = asyncio.Barrier(3)
    print("parties", bar.parties, "waiting", bar.n_waiting, "broken", b(bar.broken))
    log = []
    await asyncio.gather(*(party(bar, n, s, log) for n, s in [("a", 0.2), ("b", 0.1), ("c", 0.3)]))
    print(" ".join(log))
    log = []
    await asyncio.gather(*(party(bar, n, s, log) for n, s in [("d", 0.1), ("e", 0.15), ("f", 0.2)]))
    print(" ".join(log))

    log = []
    ts = [asyncio.create_task(party(bar, n, 0.05 * (k + 1), log)) for k, n in enumerate(["g", "h"])]
    await asyncio.sleep(0.15)
    print("waiting", bar.n_waiting)
    await bar.reset()
    await asyncio.gather(*ts)
    print(" ".join(log), "broken", b(bar.broken))

    log = []
    ts = [asyncio.create_task(party(bar, n, 0.05 * (k + 1), log)) for k, n in enumerate(["i", "j", "k"])]
    await asyncio.gather(*ts)
    print("after reset:", " ".join(log))

    t = asyncio.create_task(bar.wait())
    await asyncio.sleep(0.05)
    print("waiting", bar.n_waiting)
    t.cancel()
    try:
        await t
    except asyncio.CancelledError:
        print("cancelled waiter; waiting", bar.n_waiting)

    log = []
    ts = [asyncio.create_task(party(bar, n, 0.05 * (k + 1), log)) for k, n in enumerate(["l", "m"])]
    await asyncio.sleep(0.15)
    await bar.abort()
    await asyncio.gather(*ts)
    print(" ".join(log), "broken", b(bar.broken))
    try:
        await bar.wait()
    except asyncio.BrokenBarrierError:
        print("wait on a broken barrier: BrokenBarrierError")
    try:
        asyncio.Barrier(0)
    except ValueError:
        print("barrier(0): ValueError")


asyncio.run(main())
