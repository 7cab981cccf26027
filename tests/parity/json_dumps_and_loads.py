import json

values = [
    {"a": 1, "b": [1, 2.5, None, True, False]},
    "\u00e9\n\"\\ \t \u0001 \U0001F600",
    1e16, 0.1, -0.0, 1.5e-07, 123456789012345678,
    [], {}, [[]], {"nested": {"x": [1, {"y": 2}], "z": []}},
]
for v in values:
    print(json.dumps(v))
    print(json.dumps(v, indent=2))
print(json.dumps(json.loads('{"k": [1, 2.0, "s", null, true], "u": "\\u00e9\\ud83d\\ude00"}')))
