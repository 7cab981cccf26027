# Twin of regex_heavy.tasks.
import re
import sys

n = int(sys.argv[1])
if n == 0:
    n = 50000
levels = ["INFO", "WARN", "ERROR", "DEBUG"]
by_level = {}
numbers = 0
nbytes = 0
fields = 0
for i in range(n):
    line = f"2024-01-{i % 28 + 1:02d} 12:{i % 60:02d}:00 {levels[i % 4]} user{i % 97}@host{i % 7}.example.com took {i % 1000}ms size={i * 13 % 4096}"
    m = re.search("(\\d{4})-(\\d{2})-(\\d{2}) \\S+ (\\w+) (\\w+)@", line)
    level = m.group(4)
    by_level[level] = by_level.get(level, 0) + 1
    numbers += len(re.findall("\\d+", line))
    masked = re.sub("user\\d+@", "someone@", line)
    nbytes += len(masked)
    fields += len(re.split("\\s+", masked))
print(f"regex_heavy n={n} error={by_level['ERROR']} numbers={numbers} bytes={nbytes} fields={fields}")
