import asyncio

# Barging: a woken getter has not taken the item yet; if another task takes it first, the
# woken getter finds the queue empty and waits again at the BACK of the getter line.


def yes_no(b):
    return "yes" if b else "no"


async def getter(name, q):
    v = await q.get()
    print(f"{name} got {v}")


async def main():
    q = asyncio.Queue()
    g1 = asyncio.create_task(getter("g1", q))
    g2 = asyncio.create_task(getter("g2", q))
    await asyncio.sleep(0)
    q.put_nowait("a")
    v = q.get_nowait()
    print(f"main barged in and took {v}")
    await asyncio.sleep(0)
    print("queue empty:", yes_no(q.empty()))
    q.put_nowait("b")
    q.put_nowait("c")
    await g1
    await g2
    print("end")


asyncio.run(main())
