# The CPython twin of jobs_json.tasks: dataclasses, Job(**m) and asdict.
import asyncio
import json
from dataclasses import asdict, dataclass, field


@dataclass
class Job:
    name: str
    cmd: str
    timeout: int = 30
    tags: list = field(default_factory=list)


@dataclass
class Result:
    job: Job
    ok: bool
    seconds: float


config = """{"jobs": [
    {"name": "build", "cmd": "make", "tags": ["ci"]},
    {"name": "test", "cmd": "make test", "timeout": 2},
    {"name": "deploy", "cmd": "./deploy.sh", "timeout": 60, "tags": ["prod", "manual"]}
]}"""


async def run(job):
    seconds = len(job.cmd) / 4
    await asyncio.sleep(seconds / 100)
    return Result(job, seconds <= job.timeout, seconds)


async def main():
    jobs = [Job(**m) for m in json.loads(config)["jobs"]]
    results = await asyncio.gather(*(run(j) for j in jobs))
    print(json.dumps([asdict(r) for r in results], indent=2))
    first = asdict(jobs[0])
    print(json.dumps(sorted(first.keys())), first["timeout"])
    failed = [r.job.name for r in results if not r.ok]
    print(json.dumps({"failed": failed, "total": len(results)}))


asyncio.run(main())
