import asyncio

# gather(list) (Python: gather(*list)) over tasks made in a loop; results follow list order.


async def square(n):
    await asyncio.sleep(0.05 * (4 - n))
    print(f"square {n} ready")
    return n * n


async def main():
    tasks = []
    for n in range(1, 4):
        tasks.append(asyncio.create_task(square(n)))
    results = await asyncio.gather(*tasks)
    total = 0
    for r in results:
        print(f"got {r}")
        total += r
    print(f"total {total}")


asyncio.run(main())
