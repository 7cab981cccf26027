# Twin of gzip_write.tasks.
import gzip
import hashlib

f = gzip.open("out.gz", "wt")
print(f.write("alpha é\n"))
for i in range(20000):
    f.write(f"line {i}\n")
f.close()
print("true" if f.closed else "false")
with gzip.open("out.gz", "ab", compresslevel=1) as a:
    print(a.write(b"appended\n"))
lines = gzip.open("out.gz", "rt").read().split("\n")
print(len(lines) - 1, lines[0], lines[20000], lines[20001])
whole = gzip.decompress(open("out.gz", "rb").read())
expected = ("alpha é\n" + "".join(f"line {i}\n" for i in range(20000)) + "appended\n").encode()
print("true" if hashlib.sha256(whole).hexdigest() == hashlib.sha256(expected).hexdigest() else "false")
g = gzip.open("flushed.gz", "wt")
g.write("first\n")
g.flush()
try:
    for line in gzip.open("flushed.gz", "rt"):
        print(line[:-1])
except EOFError:
    print("EOFError after what was flushed")
g.close()
print(str(gzip.open("flushed.gz", "rt").read().split("\n")).replace("'", '"'))
try:
    f.write("more")
except ValueError as e:
    print(type(e).__name__, str(e).rstrip("."))
