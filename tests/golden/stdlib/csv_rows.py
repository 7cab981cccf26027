# csv.rows over an open file's lines, a gzip file's bytes pieces and a
# process's output, against csv.reader / DictReader on the same text.
import csv
import gzip
import json
import os
import subprocess

text = "name,note,n\nada,\"two\nlines, with é\",1\n\n\"say \"\"hi\"\"\",x,2,extra\ngrace,,3\nshort\nlast,\"q\"\"\",4"
with open("people.csv", "w", newline="", encoding="utf-8") as f:
    f.write(text)
with open("people.csv", newline="", encoding="utf-8") as f:
    for row in csv.reader(f):
        print(json.dumps(row))
with open("people.csv", newline="", encoding="utf-8") as f:
    for row in csv.DictReader(f, restkey="_rest"):
        print(json.dumps(row))

with open("people.csv.gz", "wb") as f:
    f.write(gzip.compress(text.encode()))
with gzip.open("people.csv.gz", "rt", newline="", encoding="utf-8") as g:
    n = sum(1 for _ in csv.reader(g))
print("gzip rows:", n)

out = subprocess.run(["sh", "-c", "printf 'a;b\\n\\047x;y\\047;\\047z\\n w\\047\\n'"],
                     capture_output=True).stdout.decode()
for row in csv.reader(out.splitlines(keepends=True), delimiter=";", quotechar="'"):
    print(json.dumps(row))
os.remove("people.csv")
os.remove("people.csv.gz")
