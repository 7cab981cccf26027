# Twin of gzip_stream.tasks.
import gzip
import hashlib

text = "".join(f"line {i} é\n" for i in range(20000))
second = "crlf\r\nlast without an ending"
with open("data.gz", "wb") as out:
    out.write(gzip.compress(text.encode()) + gzip.compress(second.encode()))
f = gzip.open("data.gz", "rt", newline="")
n = 0
last = ""
for line in f:
    n += 1
    last = line[:-1] if line.endswith("\n") else line
    last = last[:-1] if last.endswith("\r") else last
    if n == 3:
        print(repr(last).replace("'", '"'))
print(n, repr(last).replace("'", '"'))
f.close()
print("true" if f.closed else "false")
with gzip.open("data.gz", "rb") as g:
    h = hashlib.sha256()
    total = 0
    while chunk := g.read(65536):
        h.update(chunk)
        total += len(chunk)
    print(total, "true" if h.hexdigest() == hashlib.sha256((text + second).encode()).hexdigest() else "false")
print("true" if g.closed else "false")
with open("plain.gz", "wb") as out:
    out.write(b"not gzip at all")
try:
    for line in gzip.open("plain.gz", "rt"):
        pass
except Exception as e:
    print(type(e).__name__)
whole = gzip.compress(text.encode())
with open("cut.gz", "wb") as out:
    out.write(whole[: len(whole) // 2])
try:
    with gzip.open("cut.gz", "rb") as g:
        while g.read(65536):
            pass
except Exception as e:
    print(type(e).__name__)
