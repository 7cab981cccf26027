import asyncio

# Many tasks ping-pong with sleep(0); each round runs every ready task once, in queue order.


async def player(name, rounds, log):
    for i in range(rounds):
        log.append(f"{name}{i}")
        await asyncio.sleep(0)
    log.append(f"{name}!")


async def main():
    log = []
    tasks = []
    for k in range(5):
        name = "p" + str(k)
        tasks.append(asyncio.create_task(player(name, 5 - k, log)))
    rounds = 0
    while not all(t.done() for t in tasks):
        await asyncio.sleep(0)
        rounds += 1
        print(f"round {rounds}: " + " ".join(log))
        log.clear()
    print(f"finished after {rounds} rounds")


asyncio.run(main())
