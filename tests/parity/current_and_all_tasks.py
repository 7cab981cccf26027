import asyncio

# current_task() is the running task; all_tasks() holds the pending ones
# (the current task included, finished ones not).


async def worker(n):
    me = asyncio.current_task()
    print("worker", n, "is", me.get_name())
    await asyncio.sleep(0.3 * n)


async def main():
    main_task = asyncio.current_task()
    a = asyncio.create_task(worker(1), name="a")
    b = asyncio.create_task(worker(2), name="b")
    names = sorted(t.get_name() for t in asyncio.all_tasks() if t is not main_task)
    print(" ".join(names))
    if main_task in asyncio.all_tasks():
        print("main is pending")
    await a
    names = sorted(t.get_name() for t in asyncio.all_tasks() if t is not main_task)
    print(" ".join(names))
    await b
    print(len(asyncio.all_tasks()))


asyncio.run(main())
