# Baseline twin of startup.tasks: interpreter start-up, import asyncio, an
# empty asyncio.run, shutdown.
import asyncio


async def main():
    print("startup")


asyncio.run(main())
