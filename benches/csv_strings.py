# Twin of csv_strings.tasks.
import sys

n = int(sys.argv[1])
if n == 0:
    n = 200000
rows = []
for i in range(n):
    rows.append(f"{i},name{i % 100}, city_{i % 37} ,{i * 7 % 1000}")
text = "\n".join(rows)
totals = {}
count = 0
longest = ""
for line in text.split("\n"):
    f = line.split(",")
    city = f[2].strip().upper().replace("_", "-")
    amount = int(f[3])
    totals[city] = totals.get(city, 0) + amount
    label = f[1] + ":" + city
    if len(label) > len(longest):
        longest = label
    count += 1
keys = sorted(totals)
print(f"csv_strings n={n} rows={count} cities={len(keys)} first={keys[0]}:{totals[keys[0]]} sum={sum(totals.values())} longest={longest}")
