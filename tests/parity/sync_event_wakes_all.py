import asyncio

# event.set() wakes every waiter, in the order they started waiting; set() itself does not
# yield, and waiting on an already-set event returns without yielding.


def yes_no(b):
    return "yes" if b else "no"


async def waiter(name, ev):
    print(f"{name} waiting")
    await ev.wait()
    print(f"{name} woke")


async def noisy():
    print("noisy runs")


async def main():
    ev = asyncio.Event()
    ts = []
    for name in ["w1", "w2", "w3"]:
        ts.append(asyncio.create_task(waiter(name, ev)))
    await asyncio.sleep(0.05)
    print("setting, is_set before:", yes_no(ev.is_set()))
    ev.set()
    print("set returned, is_set:", yes_no(ev.is_set()))
    for t in ts:
        await t
    asyncio.create_task(noisy())
    await ev.wait()
    print("wait on a set event did not yield")
    await asyncio.sleep(0)
    print("end")


asyncio.run(main())
