import asyncio

# on_done callbacks run soon after completion (through the ready queue), never inline;
# registering on an already-finished task also schedules the call for later.


def yes_no(b):
    return "yes" if b else "no"


async def quick():
    print("quick returns")
    return 3


async def victim():
    await asyncio.sleep(0.3)


async def main():
    t = asyncio.create_task(quick())
    t.add_done_callback(lambda task: print(f"early callback, result {task.result()}"))
    await asyncio.sleep(0)
    print("main resumes first")
    await asyncio.sleep(0)
    print("main after second yield")
    t.add_done_callback(lambda task: print("late callback on finished task"))
    print("registered late callback")
    await asyncio.sleep(0)
    print("main after third yield")
    v = asyncio.create_task(victim())
    v.add_done_callback(lambda task: print("victim callback, cancelled:", yes_no(task.cancelled())))
    await asyncio.sleep(0)
    v.cancel()
    try:
        await v
    except asyncio.CancelledError:
        print("main saw victim cancelled")
    await asyncio.sleep(0)
    print("end")


asyncio.run(main())
