# Twin of objects.tasks.
import sys

n = int(sys.argv[1])
if n == 0:
    n = 100000
people = []
for i in range(n):
    people.append({"id": i, "name": f"p{i}", "age": i % 90, "score": 0, "tags": []})
for r in range(5):
    for p in people:
        p["score"] = p["score"] + p["age"] * r
        if p["age"] > 50 and r == 2:
            p["senior"] = True
            p["tags"].append("s")
total = 0
seniors = 0
oldest = people[0]
for p in people:
    total += p["score"]
    if "senior" in p:
        seniors += 1
    if p["age"] > oldest["age"]:
        oldest = p
print(f"objects n={n} total={total} seniors={seniors} oldest={oldest['name']}")
