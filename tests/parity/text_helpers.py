# The str helpers Python users reach for: split with a max, lstrip/rstrip
# with characters, zfill, int with a base, divmod, join on any iterable.
# (json.dumps prints lists and strings as tasks does.)
from json import dumps
print(dumps("a,b,c,d".split(",", 2)))
print(dumps("  a b  c ".split(None, 1)))
print(dumps("  a b  c ".split()))
print(dumps("a b".split(" ", 0)))
print("xxhixx".lstrip("x"), "xxhixx".rstrip("x"), dumps("  hi  ".lstrip()), dumps("  hi  ".rstrip()))
print("42".zfill(5), "-42".zfill(5), "+7".zfill(3), "abc".zfill(2))
print(int("ff", 16), int("0xff", 16), int("0xFF", 0), int("0b101", 0), int("1_000", 10), int(" -z ", 36), int("777", 8))
print(*(list(divmod(a, b)) for a, b in [(7, 2), (-7, 2), (7, -2), (7.5, 2)]))
print("-".join(str(x) for x in range(3)), "".join({"a": 1, "b": 2}), "+".join("xyz"))
for bad in ["12", "0x", "1__0", "--5"]:
    try:
        int(bad, 2)
    except ValueError:
        print("ValueError", bad)
from shlex import quote
for s in ["plain-file.txt", "it's here", "", "a b; rm -rf /", "$HOME", "ünïcode"]:
    print(quote(s))
