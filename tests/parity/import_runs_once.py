# A module's top level runs at its first import, once, in import order; a
# second importer shares its state; its async functions run on the loop
# like any other (the twin imports modlib/*.tasks).
import asyncio
import sys

sys.dont_write_bytecode = True
print("main: start")
from modlib import registry_mod as registry  # noqa: E402
from modlib import plugin_mod as plugin  # noqa: E402

print("main: imported")


async def main():
    print(registry.add(1), plugin.register(2))
    t = asyncio.create_task(registry.add_later(3, 0.02))
    print(await registry.add_later(4, 0.01))
    print(await t, registry.items)


asyncio.run(main())
