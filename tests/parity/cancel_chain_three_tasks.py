import asyncio

# A awaits B awaits C: cancelling A cancels B and C; they unwind C, B, A, one round apart
# (watch the spinner).


def yes_no(b):
    return "yes" if b else "no"


async def node(name, child):
    try:
        if child is None:
            await asyncio.sleep(0.3)
        else:
            await child
    finally:
        print(f"{name} finally")


async def spinner():
    for i in range(6):
        print(f"spin {i}")
        await asyncio.sleep(0)


async def main():
    c = asyncio.create_task(node("C", None))
    b = asyncio.create_task(node("B", c))
    a = asyncio.create_task(node("A", b))
    await asyncio.sleep(0.05)
    s = asyncio.create_task(spinner())
    a.cancel()
    await asyncio.sleep(0)
    try:
        await a
    except asyncio.CancelledError:
        print("main: A cancelled")
    await s
    print(f"cancelled: A={yes_no(a.cancelled())} B={yes_no(b.cancelled())} C={yes_no(c.cancelled())}")


asyncio.run(main())
