# Twin of str_fast_paths.tasks.
words = ["straße", "ǅemal", "ABC", "abc", "MiXeD 1", ""]
for w in words:
    print(w.upper(), w.lower(), len(w), len(w), str(w) == w and "true" or "false")
print(" \t pad \n".strip() + "|", "x".strip(), "".strip() + "|")


def show(xs):
    return "[" + ", ".join('"' + x + '"' for x in xs) + "]"


print(show("a,b,,c".split(",")), show("a--b----c".split("--")), show("é,ü".split(",")), show(" a  b ".split()), show("".split(",")))
print("-".join(["a", "b", "c"]), "".join([]), ", ".join(["x"]), "é".join(["a", "b"]))
print("hello".replace("l", "L"), "hello".replace("z", "y"), "aaa".replace("a", ""), "ab".replace("", "-"))
b = lambda x: "true" if x else "false"
print(b("hello".startswith("he")), b("hello".endswith("lo")), b("ell" in "hello"), b("" in "hello"))
for n in [0, 7, -7, 10, -10, 1234567890, 9223372036854775807, -9223372036854775807 - 1]:
    print(f"{n}|{n}{n}|[{n}]", str(n), b(int(str(n)) == n))
s = "text"
print(f"{s}{s}", f"{s}!", f"{1.5}", "true", "nil", '[1, "a"]', f"{s:>6}")
print(int("  42 "), int(3.9), int(True), str(1.0), "[1]", len([1, 2]), len({"a": 1}))
for f, kind in [(lambda: "a".split(""), "ValueError"), (lambda: ",".join([1, 2]), "TypeError"),
                (lambda: "a".replace(1, "b"), "TypeError"), (lambda: "a".startswith(1), "TypeError"),
                (lambda: int("x"), "ValueError"), (lambda: len(5), "TypeError")]:
    try:
        f()
    except Exception as e:
        print(type(e).__name__)
