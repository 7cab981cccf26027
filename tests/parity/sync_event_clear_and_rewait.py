import asyncio

# clear() resets an event; waiters that start waiting afterwards block until the next set().


def yes_no(b):
    return "yes" if b else "no"


async def watcher(ev):
    for i in range(3):
        await ev.wait()
        print(f"watcher saw signal {i}")
        ev.clear()


async def main():
    ev = asyncio.Event()
    w = asyncio.create_task(watcher(ev))
    for i in range(3):
        await asyncio.sleep(0.05)
        print(f"signal {i}")
        ev.set()
    await w
    print("is_set at end:", yes_no(ev.is_set()))


asyncio.run(main())
