# json.loads reads what JSON lacks but Python writes (NaN, Infinity,
# -Infinity, numbers past a float's range), -0 is an int, and json.dumps
# writes those floats back; errors say what and where.
import json

for text in ["-0", "-0.0", "0", "NaN", "Infinity", "-Infinity", "1e400", "-1e400", "1e-400", "[1, -0, 2.5e400]"]:
    v = json.loads(text)
    print(text, type(v).__name__, v, json.dumps(v))
print(json.dumps([float("nan"), float("inf"), -float("inf"), 0.1, -0.0]))
print(json.dumps({"a": float("inf")}, indent=2))
for bad in ["[1,]", "{\"a\" 1}", "\"abc", "nan", "01", "[1] 2", "\n  [1,\n  x]", "\"\\q\""]:
    try:
        json.loads(bad)
    except json.JSONDecodeError as e:
        print("error:", e)
