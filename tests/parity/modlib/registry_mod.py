# Helper of import_runs_once.py (the twin of modlib/registry.tasks).
import asyncio

print("registry: loading")
items = []


def add(x):
    items.append(x)
    return len(items)


async def add_later(x, secs):
    await asyncio.sleep(secs)
    return add(x)


print("registry: loaded")
