# Methods on records as on a dataclass: they mutate self, chain, and async
# methods run as coroutines (awaited inline, or spawned as tasks that
# interleave in asyncio's order).
import asyncio
from dataclasses import dataclass, field


@dataclass
class Account:
    owner: int
    balance: int = 0
    log: list = field(default_factory=list)

    def deposit(self, amount):
        self.balance += amount
        self.log.append(amount)
        return self

    async def transfer(self, other, amount, delay):
        await asyncio.sleep(delay)
        self.balance -= amount
        other.deposit(amount)
        print("moved", amount, "from", self.owner, "to", other.owner)
        return self.balance


async def main():
    a = Account(1).deposit(100).deposit(50)
    b = Account(2)
    print(a, b)
    t1 = asyncio.create_task(a.transfer(b, 30, 0.02))
    t2 = asyncio.create_task(b.transfer(a, 5, 0.01))
    print(await a.transfer(b, 1, 0))
    print(await t1, await t2)
    print(a, b)


asyncio.run(main())
