# Bad input: the error kinds and Python's messages, which name the offset.
cases = [
    lambda: b"ab\xffc".decode(),
    lambda: b"\xe2\x82".decode(),
    lambda: b"x\xe2".decode(),
    lambda: b"\xe2\x28\xa1".decode(),
    lambda: b"\xf0\x90\x28".decode(),
    lambda: b"\xc0\x80".decode(),
    lambda: b"\xed\xa0\x80".decode(),
    lambda: b"\xf4\x90\x80\x80".decode("utf-8"),
    lambda: b"a\xff".decode("ascii"),
    lambda: "a\xe9".encode("ascii"),
    lambda: "a\u20ac".encode("latin-1"),
    lambda: "a\U0001F600".encode("ascii"),
    lambda: bytes.fromhex("abc"),
    lambda: bytes.fromhex("a b"),
    lambda: bytes.fromhex("zz"),
    lambda: bytes.fromhex("00 0g"),
    lambda: bytes(-1),
    lambda: b"a".decode("bogus"),
]
for case in cases:
    try:
        print(case())
    except Exception as e:
        print(type(e).__name__, e)
# Kinds only where the words differ (tasks names the item or the index).
for case in [lambda: bytes([1, 256]), lambda: bytes([-1]), lambda: b"abc"[3], lambda: "a" in b"a", lambda: 300 in b"a", lambda: bytes("a"), lambda: b"a" + "a"]:
    try:
        print(case())
    except Exception as e:
        print(type(e).__name__)
