# Indexing, slicing, operators, `in`, iteration, hex, decode and map keys.
def yes(x):
    return 1 if x else 0

b = b"\x00hello\xff"
print(b[0], b[1], b[-1], b[-2], b[1:6], b[::-1], b[::2], b[5:1:-1], b[100:], b[-3:])
print(b"ab" + b"cd", b"ab" * 3, 2 * b"x", b"ab" * 0, yes(b"ab" == b"ab"), yes(b"ab" != b"ac"))
print(yes(b"ab" < b"b"), yes(b"ab" < b"ab\x00"), yes(b"\xff" > b"\x00\xff"), yes(b"" < b"\x00"))
print(yes(104 in b), yes(255 in b), yes(7 in b), yes(b"ell" in b), yes(b"" in b), yes(b"xyz" in b))
print([c for c in b"hi!"], sorted([b"b", b"ab", b"a", b""]), min(b"zz", b"za"), max([b"a", b"b"]))
print(b.hex(), b"".hex(), b"\xde\xad\xbe\xef".hex(":"), bytes.fromhex("de ad BE ef"), bytes.fromhex(""))
print(yes(bytes.fromhex(b.hex()) == b), len(b), len(b""), yes(b""), yes(b"\x00"))
print(b"abcabc".find(b"c"), b"abc".find(b"z"), b"abcabc".count(b"bc"), b"abc".count(b""))
print(yes(b"abc".startswith(b"ab")), yes(b"abc".endswith(b"bc")), yes(b"abc".endswith(b"b")))
m = {b"k": 1, "k": 2}
m[b"k"] = 3
print(m[b"k"], m["k"], len(m), yes(b"k" in m), yes("k" in m), yes(b"z" in m))
s = "naïve café ✓ 😀"
e = s.encode()
print(e, len(e), yes(e.decode() == s), e.decode("utf-8"), yes(s.encode("utf-8") == e))
print(b"caf\xe9".decode("latin-1"), "café".encode("latin-1"), b"plain".decode("ascii"))
bad = b"ok\xff\xfe\xe2\x82 \xf0\x80end\xe2\x82"
print(bad.decode("utf-8", "replace"), bad.decode("utf-8", "ignore"), bad.decode(errors="replace"))
print(b"a\x80b".decode("ascii", "replace"), b"a\x80b".decode("ascii", "ignore"))
print(bytes([0, 127, 128, 255]), bytes(range(65, 70)), bytes(b"copy"), bytes())
