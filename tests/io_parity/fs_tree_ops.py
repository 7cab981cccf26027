# Twin of fs_tree_ops.tasks.
import os
import shutil

b = lambda x: "true" if x else "false"
octal = lambda st: f"{st.st_mode & 0o7777:o}"
os.makedirs("t/a/b", exist_ok=True)
os.makedirs("t/a/b", exist_ok=True)
try:
    os.makedirs("t/a")
except FileExistsError:
    print("exists")
with open("t/a/b/one.txt", "w") as f:
    f.write("one\n")
os.chmod("t/a/b/one.txt", 0o640)
shutil.copy("t/a/b/one.txt", "t/two.txt")
print(open("t/two.txt").read(), octal(os.stat("t/two.txt")))
shutil.move("t/two.txt", "t/a/three.txt")
print(b(os.path.exists("t/two.txt")), '["' + '", "'.join(sorted(os.listdir("t/a"))) + '"]')
os.chmod("t/a", 0o700)
st = os.stat("t/a")
print("dir", "true", octal(st))
os.chmod("t/a", 0o755)
try:
    shutil.copy("t/a", "t/x")
except IsADirectoryError:
    print("IsADirectoryError")
try:
    shutil.copy("t/none", "t/x")
except FileNotFoundError:
    print("FileNotFoundError")
shutil.rmtree("t")
print(b(os.path.exists("t")))
