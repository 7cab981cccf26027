# Twin of json_heavy.tasks.
import json
import sys

n = int(sys.argv[1])
if n == 0:
    n = 30000
total = 0
size = 0
records = []
for i in range(n):
    rec = {"id": i, "name": f"item {i}", "price": i * 0.25, "tags": ["a", "b", str(i % 5)], "meta": {"ok": i % 2 == 0, "note": None}}
    text = json.dumps(rec)
    size += len(text)
    back = json.loads(text)
    total += back["id"] + len(back["tags"])
    records.append(back)
doc = json.dumps({"records": records})
again = json.loads(doc)
oks = 0
for r in again["records"]:
    if r["meta"]["ok"]:
        oks += 1
print(f"json_heavy n={n} total={total} size={size} doc={len(doc)} oks={oks}")
