# csv.parse / csv.write against Python's csv.reader, csv.writer, DictReader and
# DictWriter (printed as JSON, which both write alike).
import csv, io, json

def parse(text, **kw):
    return [row for row in csv.reader(io.StringIO(text, newline=""), **kw)]

def write(rows, **kw):
    out = io.StringIO()
    w = csv.writer(out, **kw)
    for r in rows:
        w.writerow(r)
    return out.getvalue()

cases = [
    "a,b,c\n1,2,3\n",
    "a,b\r\n1,2\r\n",
    'x,"y, z","he said ""hi"""\n',
    '"multi\nline",2\n',
    "a,b\n\n\nc,d\n",
    "a,,c\n,\n",
    "no newline at end",
    "",
    "\n",
    " a , b \n",
    'a"b,c\n',
    "a,b\r\n\r\nc\r\n",
    "\r\n",
]
for c in cases:
    print(json.dumps(c), json.dumps(parse(c)))
print(json.dumps(parse("a;b;c\n1;2;3\n", delimiter=";")))
print(json.dumps(parse("'a;b';c\n", delimiter=";", quotechar="'")))
print(json.dumps((write([["a", "b"], ["1, 2", 'say "hi"'], ["line\nbreak", ""], [], [1, 2.5, None]]))))
print(json.dumps((write([["a", "b"]], delimiter=";"))))
print(json.dumps([dict(r) for r in csv.DictReader(io.StringIO("name,age\nann,31\nbob,42\n"))]))
out = io.StringIO()
w = csv.DictWriter(out, fieldnames=["name", "age"])
w.writeheader()
w.writerow({"name": "ann", "age": 31})
w.writerow({"name": "bob, jr", "age": 42})
print(json.dumps((out.getvalue())))
