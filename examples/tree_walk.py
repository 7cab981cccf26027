# The CPython twin of tree_walk.tasks. os.walk(followlinks=True) would go
# round the loop until the path is too long (an OSError), so the walk is
# written by hand: it remembers the folders it is inside by (device,
# inode) and does not go into one of them again.
import os
import shutil
import tempfile


def walk(folder, depth, inside):
    for name in sorted(os.listdir(folder)):
        p = os.path.join(folder, name)
        kind = "dir" if os.path.isdir(p) else "file"
        yield p, depth, kind, os.path.islink(p)
        if kind == "dir":
            st = os.stat(p)
            here = (st.st_dev, st.st_ino)
            if here not in inside:
                yield from walk(p, depth + 1, inside | {here})


root = tempfile.mkdtemp(dir=".", prefix=".tree-")
try:
    os.makedirs(os.path.join(root, "docs"))
    os.makedirs(os.path.join(root, "src"))
    for name, text in [("README", "top\n"), ("docs/guide.md", "# guide\n"), ("src/main.tasks", "print(1)\n")]:
        with open(os.path.join(root, name), "w") as f:
            f.write(text)
    os.symlink("..", os.path.join(root, "docs", "up"))
    os.symlink("../docs", os.path.join(root, "src", "lib"))

    files = 0
    top = os.stat(root)
    for p, depth, kind, is_link in walk(root, 1, {(top.st_dev, top.st_ino)}):
        link = " (link)" if is_link else ""
        print(f"{'  ' * (depth - 1)}{os.path.relpath(p, root)} {kind}{link}")
        if kind == "file":
            files += 1
    print(files, "files")
finally:
    shutil.rmtree(root)
