import asyncio

# cancel() returns true while the task is pending (even twice) and false once it is done.


def yes_no(b):
    return "yes" if b else "no"


async def sleeper():
    try:
        await asyncio.sleep(0.3)
    finally:
        print("sleeper finally (runs once)")


async def quick():
    return 1


async def main():
    t = asyncio.create_task(sleeper())
    await asyncio.sleep(0)
    print("first cancel:", yes_no(t.cancel()))
    print("second cancel:", yes_no(t.cancel()))
    try:
        await t
    except asyncio.CancelledError:
        print("sleeper cancelled")
    print("cancel after cancelled:", yes_no(t.cancel()))
    q = asyncio.create_task(quick())
    await q
    print("cancel after done:", yes_no(q.cancel()))
    print("q cancelled:", yes_no(q.cancelled()))
    print(f"q result {q.result()}")


asyncio.run(main())
