import re

# re.search / match / findall / split / sub (re.replace here) over patterns
# whose syntax Python's re and the regex crate share, and the match
# object's group, groups, start and end.


def show(m):
    if m is None:
        return "nil"
    groups = "|".join("nil" if g is None else g for g in m.groups())
    g1 = m.group(1) if m.re.groups else "-"
    return f"{m.group()}@{m.start()}-{m.end()} ({groups}) g1={'nil' if g1 is None else g1}"


def items(xs):
    return "[" + ", ".join("nil" if x is None else ("(" + "|".join(x) + ")" if isinstance(x, tuple) else x) for x in xs) + "]"


CASES = [
    (r"\d+", "abc 123 def 45"),
    (r"(\w+)@(\w+)\.com", "mail bob@example.com or ann@test.com"),
    (r"^a", "ba"),
    (r"a|ab", "ab"),
    (r"(a)|(b)", "b"),
    (r"é(.)", "café!"),
    (r"(?i)hello", "say HeLLo"),
    (r"x*", "abc"),
    (r"(\d+)-(\d+)?", "10- and 3-4"),
    (r"[aeiou]{2,}", "queueing"),
    (r"(?m)^b", "a\nb"),
]
for p, t in CASES:
    print(p, "search", show(re.search(p, t)), "match", show(re.match(p, t)))
    print(p, "findall", items(re.findall(p, t)))
    print(p, "split", items(re.split(p, t)), items(re.split(p, t, maxsplit=1)))
    print(p, "sub", re.sub(p, "#", t), re.sub(p, "#", t, count=1))

m = re.search(r"(?P<year>\d{4})-(?P<month>\d\d)", "on 2024-02-29 ok")
print(m.group("year"), m.group("month"), m.start("month"), m.end(2), m.group(0))
