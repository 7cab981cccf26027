import asyncio

# asyncio.wait: ALL_COMPLETED, FIRST_COMPLETED, FIRST_EXCEPTION and a
# timeout (nothing is cancelled on timeout); results as [done, pending]
# listed in creation order; cancelling the waiter leaves the tasks alone;
# coroutines and empty lists are refused.


async def job(name, secs, fail=False):
    await asyncio.sleep(secs)
    if fail:
        raise ValueError(name)
    return name


tasks = []


def names(fs):
    return " ".join(t.get_name() for t in sorted(fs, key=tasks.index)) or "-"


def spawn(name, secs, fail=False):
    t = asyncio.create_task(job(name, secs, fail), name=name)
    tasks.append(t)
    return t


async def main():
    ts = [spawn("a", 0.3), spawn("b", 0.1), spawn("c", 0.2)]
    done, pending = await asyncio.wait(ts)
    print("all:", names(done), "|", names(pending))

    ts = [spawn("d", 0.3), spawn("e", 0.1), spawn("f", 0.2)]
    done, pending = await asyncio.wait(ts, return_when=asyncio.FIRST_COMPLETED)
    print("first:", names(done), "|", names(pending))
    done, pending = await asyncio.wait(pending, return_when="FIRST_COMPLETED")
    print("next:", names(done), "|", names(pending))
    await asyncio.wait(pending)

    ts = [spawn("g", 0.1), spawn("h", 0.2, fail=True), spawn("i", 0.3), spawn("j", 0.4)]
    done, pending = await asyncio.wait(ts, return_when=asyncio.FIRST_EXCEPTION)
    print("first exception:", names(done), "|", names(pending))
    for t in ts:
        if t.done() and t.exception():
            print("error in", t.get_name(), type(t.exception()).__name__)
    done, pending = await asyncio.wait(pending, timeout=0.15)
    print("timeout:", names(done), "|", names(pending))
    print("pending not cancelled:", " ".join(str(t.cancelled()).lower() for t in pending))
    await asyncio.wait(pending)

    ts = [spawn("k", 0.1), spawn("l", 0.2)]
    done, pending = await asyncio.wait(ts, return_when=asyncio.FIRST_EXCEPTION)
    print("no exception:", names(done), "|", names(pending))

    t = spawn("m", 0.2)
    w = asyncio.create_task(asyncio.wait([t]))
    await asyncio.sleep(0.1)
    w.cancel()
    try:
        await w
    except asyncio.CancelledError:
        print("waiter cancelled; task cancelled?", str(t.cancelled()).lower())
    print("task still ends with", await t)

    done, pending = await asyncio.wait([t, t], timeout=0)
    print("done already:", names(done), "|", names(pending))

    try:
        await asyncio.wait([])
    except ValueError:
        print("empty: ValueError")
    c = job("n", 0)
    try:
        await asyncio.wait([c])
    except TypeError:
        print("coroutine: TypeError")
    c.close()
    try:
        await asyncio.wait([t], return_when="SOMETIMES")
    except ValueError:
        print("bad return_when: ValueError")


asyncio.run(main())
