import asyncio

# call_soon / call_later / call_at: callbacks run in the loop's FIFO order
# among task steps, timers in deadline order; a cancelled handle never runs;
# a failing callback is reported and the loop goes on.


def cb(tag, *args):
    print("callback", tag, *args)


def failing():
    raise ValueError("callback failed")


async def task(name):
    print(name, "step 1")
    await asyncio.sleep(0)
    print(name, "step 2")


async def main():
    loop = asyncio.get_running_loop()
    t = asyncio.create_task(task("t"))
    h1 = loop.call_soon(cb, "soon-1", 1, 2)
    loop.call_soon(cb, "soon-2")
    print("cancelled before?", str(h1.cancelled()).lower())
    await asyncio.sleep(0)
    print("main after one turn")
    await t
    h = loop.call_soon(cb, "never")
    h.cancel()
    print("cancelled?", str(h.cancelled()).lower())
    start = loop.time()
    loop.call_later(0.3, cb, "later-0.3")
    loop.call_later(0.1, cb, "later-0.1")
    loop.call_at(start + 0.2, cb, "at-0.2")
    late = loop.call_later(0.15, cb, "cancelled timer")
    late.cancel()
    loop.call_soon(failing)
    loop.call_soon(cb, "after the failure")
    await asyncio.sleep(0.4)
    print("main done")


asyncio.run(main())
