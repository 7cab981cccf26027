import asyncio

# A task cancelled before its first step never runs any of its body (not even finally).


def yes_no(b):
    return "yes" if b else "no"


async def victim():
    try:
        print("victim body runs (wrong)")
        await asyncio.sleep(0.1)
    finally:
        print("victim finally (wrong)")


async def main():
    t = asyncio.create_task(victim())
    r = t.cancel()
    print("cancel returned", yes_no(r))
    print("done right after cancel:", yes_no(t.done()))
    try:
        await t
        print("await returned (wrong)")
    except asyncio.CancelledError:
        print("await raised CancelledError")
    print("cancelled:", yes_no(t.cancelled()))
    print("done:", yes_no(t.done()))


asyncio.run(main())
