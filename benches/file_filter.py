# I/O workload (c'): stdin_filter's loop over the same ~200 MB CSV, read
# from the file named on the command line (run.py passes the path).
import sys

matched = 0
total = 0
rows = 0
with open(sys.argv[1]) as f:
    for line in f:
        rows += 1
        fields = line.rstrip("\n").split(",")
        if fields[2].endswith("3"):
            matched += 1
            total += int(fields[0])
print(f"stdin_filter rows={rows} matched={matched} total={total}")
