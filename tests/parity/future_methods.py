import asyncio

# A bare future: the 3.11 docs' set_after example, then every method,
# including the error and cancellation paths and done-callback order.


async def set_after(fut, delay, value):
    await asyncio.sleep(delay)
    fut.set_result(value)


async def fail_after(fut, delay):
    await asyncio.sleep(delay)
    fut.set_exception(ValueError("bad value"))


def p(*args):
    """print, spelling bools and None as tasks does."""
    print(*["nil" if a is None else str(a).lower() if isinstance(a, bool) else a for a in args])


def show(f):
    if f.cancelled():
        print("callback: cancelled")
    elif f.exception() is not None:
        print("callback: error", type(f.exception()).__name__)
    else:
        print("callback: result", f.result())


async def main():
    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    fut.add_done_callback(show)
    loop.create_task(set_after(fut, 0.1, "... world"))
    print("hello ...")
    print(await fut)
    p(fut.done(), fut.cancelled(), fut.result(), fut.exception())
    try:
        fut.set_result("again")
    except asyncio.InvalidStateError:
        print("set twice: InvalidStateError")

    bad = loop.create_future()
    bad.add_done_callback(show)
    loop.create_task(fail_after(bad, 0.1))
    try:
        await bad
    except ValueError as e:
        print("awaited error:", e)
    print(type(bad.exception()).__name__)

    pending = loop.create_future()
    try:
        pending.result()
    except asyncio.InvalidStateError:
        print("result of pending: InvalidStateError")
    pending.add_done_callback(show)

    async def waiter():
        try:
            await pending
        except asyncio.CancelledError:
            print("waiter cancelled")
            raise

    w = asyncio.create_task(waiter())
    await asyncio.sleep(0)
    p(pending.cancel(), pending.cancel())
    await asyncio.sleep(0)
    p(pending.cancelled(), w.done())
    await asyncio.sleep(0)
    p(w.cancelled())


asyncio.run(main())
