import asyncio

# wait_for on a task: on timeout the task itself ends up cancelled; TimeoutError is a normal
# error (a catch-all handler catches it).


def yes_no(b):
    return "yes" if b else "no"


async def slow():
    try:
        await asyncio.sleep(0.4)
    except asyncio.CancelledError:
        print("slow sees CancelledError")
        raise


async def main():
    t = asyncio.create_task(slow())
    try:
        await asyncio.wait_for(t, 0.1)
    except Exception as e:
        print(f"caught {type(e).__name__}")
    print("task cancelled:", yes_no(t.cancelled()))
    print("task done:", yes_no(t.done()))


asyncio.run(main())
