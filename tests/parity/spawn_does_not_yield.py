import asyncio

# spawn returns at once; the spawner keeps running until it waits on something.


def yes_no(b):
    return "yes" if b else "no"


async def child():
    print("child runs")
    return 1


def busy():
    total = 0
    for i in range(1000):
        total += i
    return total


async def main():
    t = asyncio.create_task(child())
    for i in range(3):
        print(f"main still running {i}")
    print(f"busy work {busy()}")
    print("child done before await:", yes_no(t.done()))
    v = await t
    print(f"after await {v}")
    print("child done after await:", yes_no(t.done()))


asyncio.run(main())
