import asyncio

# Done callbacks and awaiting tasks are woken in registration order, all soon after completion.


async def job():
    await asyncio.sleep(0.05)
    print("job finishing")
    return 5


async def waiter(t, name):
    v = await t
    print(f"{name} resumed with {v}")


async def main():
    t = asyncio.create_task(job())
    t.add_done_callback(lambda task: print(f"callback 1 sees {task.result()}"))
    w = asyncio.create_task(waiter(t, "waiter"))
    await asyncio.sleep(0)
    t.add_done_callback(lambda task: print("callback 2"))
    await w
    print("main done")


asyncio.run(main())
