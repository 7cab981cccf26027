# bytes print as Python prints them: quotes, escapes, inside lists, str().
for b in [b"", b"abc", b"'", b'"', b"'\"", b"\x00\x01\x1f\x7f\x80\xff", b"\t\n\r\\", b"a b~"]:
    print(b, repr(b), str(b), [b, b"x"], len(b))
print(bytes(range(0, 256)))
print(bytes(4), bytes([65, 66, 67]), bytes("héllo", "utf-8"), bytes("é", "latin-1"))
print("héllo wörld €".encode(), "plain".encode("ascii"), "é€".encode("ascii", "replace"), "é€".encode("latin-1", "ignore"))
z = b'x\x00'
print(f"{z}|{b'q'!r}")
