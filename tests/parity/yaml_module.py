# yaml.parse / parse_all against PyYAML's safe_load / safe_load_all on
# documents where YAML 1.1 and 1.2 agree (printed as JSON, which both
# write alike; bytes as hex), and yaml.stringify's text, which PyYAML
# reads back as the same value.
import json, yaml

def text(v):
    if isinstance(v, bytes):
        return v.hex()
    raise TypeError(v)

docs = [
    "name: app\nversion: 1.5\nport: 8080\ndebug: false\nnothing: ~\nalso: null\nempty:\n",
    "# a comment\nservers:\n  - host: a.example\n    ports: [80, 443]\n  - host: b.example\n    ports: []\nflow: {x: 1, 'y z': \"two\\tthree\"}\n",
    "literal: |\n  line 1\n    indented\n  line 3\nfolded: >\n  one\n  two\n\n  para\nstrip: |-\n  no newline\nkeep: |+\n  kept\n\nlast: end\n",
    "base: &base\n  image: app\n  env: {A: 1}\nweb:\n  <<: *base\n  port: 80\nworker:\n  <<: [*base, {extra: true, image: other}]\n  image: worker\nsame: *base\n",
    "numbers: [0, -7, 3.25, -0.5, 1.5e+3, .inf, -.inf, 0x1F]\nstrings: ['0', \"true\", 'it''s', \"\\u00e9\\n\"]\nforced: !!str 42\nbin: !!binary aGVsbG8gd29ybGQ=\n",
    "- a\n- - nested\n  - list\n- key: value\n  other: [1, {deep: [x]}]\n",
    "plain text\n",
    "",
]
for d in docs:
    print(json.dumps(yaml.safe_load(d), default=text))

print(json.dumps(list(yaml.safe_load_all("a: 1\n---\n- b\n...\n---\nc\n"))))

values = [
    {"name": "app", "n": 3, "ratio": 0.25, "big": 1e+20, "on": True, "none": None},
    {"looks": ["1_000", "2024-01-02", "yes", "no", "on", "null", "~", "12:30", "+1", ".5", "0x10", ""]},
    {"text": "two\nlines\n", "quote": "say \"hi\": now", "colon": "a: b", "hash": "# no", "lead": " x", "uni": "é"},
    [[1, 2], {"a": [], "b": {}}, [], b"\x00\xff"],
]
expected = [
    'name: app\nn: 3\nratio: 0.25\nbig: 1.0e+20\n"on": true\nnone: null\n',
    'looks:\n  - "1_000"\n  - "2024-01-02"\n  - "yes"\n  - "no"\n  - "on"\n  - "null"\n  - "~"\n  - "12:30"\n  - "+1"\n  - ".5"\n  - "0x10"\n  - ""\n',
    'text: |\n  two\n  lines\nquote: "say \\"hi\\": now"\ncolon: "a: b"\nhash: "# no"\nlead: " x"\nuni: é\n',
    '- - 1\n  - 2\n- a: []\n  b: {}\n- []\n- !!binary AP8=\n',
]
for v, t in zip(values, expected):
    assert yaml.safe_load(t) == v, (t, yaml.safe_load(t))
    print(t, end="")
    print(json.dumps(yaml.safe_load(t), default=text))
