# W4 twin of gather_tree.tasks
import asyncio
import sys


async def tree(depth):
    if depth == 0:
        return 1
    r = await asyncio.gather(tree(depth - 1), tree(depth - 1))
    return r[0] + r[1] + 1


async def main():
    n = int(sys.argv[1])
    depth = 0
    nodes = 1
    while nodes * 2 + 1 <= n + n // 2:
        nodes = nodes * 2 + 1
        depth += 1
    count = await tree(depth)
    print(f"gather_tree depth={depth} nodes={count}")


asyncio.run(main())
