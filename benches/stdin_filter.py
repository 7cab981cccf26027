# I/O workload (c): a line-by-line filter over a big CSV on stdin (run.py
# feeds a generated ~200 MB file): split each line, keep the rows whose
# amount ends in 3, sum a column. Memory stays flat: one line at a time.
import sys

matched = 0
total = 0
rows = 0
for line in sys.stdin:
    rows += 1
    f = line.rstrip("\n").split(",")
    if f[2].endswith("3"):
        matched += 1
        total += int(f[0])
print(f"stdin_filter rows={rows} matched={matched} total={total}")
