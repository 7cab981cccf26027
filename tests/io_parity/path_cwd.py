# Twin of path_cwd.tasks.
import os.path

b = lambda x: "true" if x else "false"
here = os.getcwd()
print(b(os.path.isabs(here)), b(os.path.abspath("a/../b") == os.path.join(here, "b")))
print(os.path.abspath("/x/./y"), b(os.path.abspath(".") == here))
print(b(os.path.relpath("x", "..") == os.path.join(os.path.basename(here), "x")))
print(b(os.path.relpath(here, "/") == here.lstrip("/")), os.path.relpath("/", here).split("/")[0])
print(os.path.relpath(os.path.join(here, "a/b"), "a"), os.path.relpath("a", os.path.join(here, "c")))
