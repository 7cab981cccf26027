import asyncio

# The create_task demo from LANGUAGE.md section 1 (delays scaled down to 0.3 s).


async def call_api(message, result=1000, delay=0.3):
    print(message)
    await asyncio.sleep(delay)
    return result


async def main():
    loop = asyncio.get_running_loop()
    start = loop.time()
    t1 = asyncio.create_task(call_api("Get stock price of GOOG...", 300))
    t2 = asyncio.create_task(call_api("Get stock price of APPL...", 400))
    print(await t1)
    print(await t2)
    print(f"It took {round(loop.time() - start, 1)} second(s) to complete.")


asyncio.run(main())
