import asyncio

# Tasks spawned by a `finally` while asyncio.run shuts down get the loop turns of
# its cancel-all phase plus those of shutdown_asyncgens() and
# shutdown_default_executor() (two iterations each), and no more. Timers are not
# waited for.


async def late(name, n):
    for i in range(n):
        print(name, "turn", i)
        await asyncio.sleep(0)
    print(name, "done")


async def sleeper():
    print("sleeper starts")
    await asyncio.sleep(1)
    print("sleeper wakes (never)")


async def worker():
    try:
        await asyncio.sleep(10)
    finally:
        print("worker finally")
        asyncio.create_task(late("late", 8))
        asyncio.create_task(sleeper())


async def slow_cleanup():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        print("slow_cleanup cancelled")
        await asyncio.sleep(0)
        print("slow_cleanup step")
        await asyncio.sleep(0)
        raise
    finally:
        print("slow_cleanup finally")
        asyncio.create_task(late("later", 3))


async def main():
    asyncio.create_task(worker())
    asyncio.create_task(slow_cleanup())
    await asyncio.sleep(0)
    print("main ends")


asyncio.run(main())
