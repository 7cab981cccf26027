# The CPython twin of log_grep.tasks, with argparse.
import argparse
import asyncio

parser = argparse.ArgumentParser(description="Print the log lines that match a pattern.")
parser.add_argument("pattern", help="text to look for")
parser.add_argument("files", nargs="+", help="log files to read")
parser.add_argument("-i", "--ignore-case", action="store_true", help="match either case")
parser.add_argument(
    "-l",
    "--level",
    action="append",
    choices=["DEBUG", "INFO", "WARN", "ERROR"],
    help="only lines of this level (repeatable)",
)
parser.add_argument("-n", "--max-count", type=int, default=0, help="stop after N matches in a file")
parser.add_argument("-c", "--count", action="store_true", help="print only how many lines match")


def matches(line, opts):
    words = line.split(" ", 3)
    if opts.level and words[2] not in opts.level:
        return False
    if opts.ignore_case:
        return opts.pattern.lower() in line.lower()
    return opts.pattern in line


async def main():
    opts = parser.parse_args()
    for file in opts.files:
        found = 0
        with open(file) as f:
            lines = f.read().splitlines()
        for n, line in enumerate(lines, 1):
            if opts.max_count > 0 and found == opts.max_count:
                break
            if matches(line, opts):
                found += 1
                if not opts.count:
                    print(f"{file}:{n}: {line}")
        if opts.count:
            print(f"{file}: {found}")


asyncio.run(main())
