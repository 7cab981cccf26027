import asyncio

# gather(..., return_errors: true) (Python: return_exceptions=True) puts errors in place.


async def ok(v, d):
    await asyncio.sleep(d)
    return v


async def bad(msg, d):
    await asyncio.sleep(d)
    raise ValueError(msg)


async def main():
    results = await asyncio.gather(
        ok(1, 0.1), bad("first", 0.05), ok(3, 0.0), bad("second", 0.15), return_exceptions=True
    )
    for i, r in enumerate(results):
        if isinstance(r, BaseException):
            print(f"{i}: error {type(r).__name__}: {r}")
        else:
            print(f"{i}: value {r}")


asyncio.run(main())
