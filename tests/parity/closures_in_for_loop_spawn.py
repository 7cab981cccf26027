import asyncio

# Each for-loop iteration has its own loop variable, so tasks made in a loop see their own value
# (Python needs default arguments to get the same effect).


async def main():
    tasks = []
    for i in range(3):
        async def body(i=i):
            await asyncio.sleep(0)
            print(f"task sees {i}")
            return i * 10

        tasks.append(asyncio.create_task(body()))
    for name in ["ann", "bob"]:
        def greeter(name=name):
            return f"hi {name}"

        async def later(g=greeter):
            await asyncio.sleep(0.05)
            print(g())

        tasks.append(asyncio.create_task(later()))
    print("loops finished")
    for t in tasks:
        r = await t
        if r is not None:
            print(f"result {r}")


asyncio.run(main())
