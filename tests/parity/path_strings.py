# Twin of path_strings.tasks: os.path and pathlib.PurePosixPath.
import json
import os.path
from pathlib import PurePosixPath

paths = [
    "", ".", "..", "/", "//", "///", "a", "a/", "a/b", "a//b/", "/a/b.txt", "//x/y", "a/./b/../c",
    "../../up", "/../a", "a/..", "dir.d/", ".bashrc", "archive.tar.gz", "x/y.", "x/..", "no_ext/", "é/ü.ß",
]
for p in paths:
    pp = PurePosixPath(p)
    names = [os.path.basename(p), os.path.dirname(p), os.path.normpath(p)]
    pure = [pp.stem, pp.suffix, json.dumps(list(pp.parts))]
    print(json.dumps(p), "|".join(names), "|".join(pure), "true" if os.path.isabs(p) else "false")
print(os.path.join("a", "b", "c"), os.path.join("a/", "b"), os.path.join("a", "/b", "c"))
print(os.path.join("", "x"), os.path.join("a", ""), os.path.join("a"))
suffixes = [
    ["a/b.txt", ".md"], ["a/b", ".md"], ["a/b.tar.gz", ".zip"], ["x.c", ""], ["//r/x", ".y"],
    ["a//b/./c.txt", ".o"], ["..", ".x"], ["/", ".x"], ["a", "x"], ["a", "."], ["a", "./b"],
    [".", ".x"],
]
for p, s in suffixes:
    try:
        print(PurePosixPath(p).with_suffix(s))
    except ValueError:
        print("ValueError")
pairs = [
    ["a/b/c", "a/d"], ["a", "a"], ["a/b", "."], [".", "a/b"], ["../x", "a"], ["../x", "../y"],
    ["/x/y", "/x/z/w"], ["/", "/a/b"], ["/a/b", "/"], ["a/./b/", "a/b/c/.."],
]
for p, to in pairs:
    print(os.path.relpath(p, to))
try:
    os.path.relpath("", "a")
except ValueError:
    print("ValueError")
