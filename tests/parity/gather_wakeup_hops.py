import asyncio

# A gather completes through its children's done callbacks: the awaiter resumes two rounds
# after the last child finishes (watch the spinner).


async def spinner(n):
    for i in range(n):
        print(f"spin {i}")
        await asyncio.sleep(0)


async def quick(name):
    print(f"{name} runs")
    return name


async def main():
    s = asyncio.create_task(spinner(6))
    r = await asyncio.gather(quick("a"), quick("b"))
    print("gather done", r[0], r[1])
    await s
    print("end")


asyncio.run(main())
