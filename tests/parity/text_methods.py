# String methods and ord/chr as Python's str has them (pad_start/pad_end
# are rjust/ljust); results joined with "|" so both languages print alike.


def b(x):
    return "true" if x else "false"


def attempt(label, thunk):
    try:
        print(label, thunk())
    except Exception as e:
        print(label, type(e).__name__)


WORDS = ["hello world", "they're bill's friends", "ABC", "abc", "Abc", "123", "12a", "",
         " \t\n", "ÉCOLE", "straße", "٣٤", "a1!", "Hello World", "x_y-z 9q"]
for w in WORDS:
    print(f"[{w}]", b(w.isdigit()), b(w.isalpha()), b(w.isspace()), b(w.isupper()),
          b(w.islower()), w.title())

text = "a\nb\r\nc\rd\x0be\x0cf\x1cg\x85h\u2028i\n\nlast"
print("|".join(text.splitlines()), len(text.splitlines()))
print("|".join("one\ntwo\n".splitlines()), len("".splitlines()), len("\n".splitlines()))

for s, sub in [("banana", "an"), ("banana", "ana"), ("banana", ""), ("", ""), ("aaaa", "aa"),
               ("héhé", "é")]:
    print(s, sub, s.count(sub))

for s in ["", "a", "ab", "abc", "abcd", "héllo"]:
    for width in [0, 3, 5, 6, 7]:
        print(f"[{s.rjust(width, '*')}] [{s.ljust(width)}] [{s.center(width, '-')}]")

for s, sep in [("key=value=x", "="), ("novalue", "="), ("a--b", "--"), ("=x", "=")]:
    print("|".join(s.partition(sep)))

print(ord("A"), ord("é"), ord("😀"), chr(65), chr(233), chr(0x1F600), chr(0))
attempt("chr(-1)", lambda: chr(-1))
attempt("chr(0x110000)", lambda: chr(0x110000))
attempt("ord('ab')", lambda: ord("ab"))
attempt("ord('')", lambda: ord(""))
attempt("'ab'.rjust(5, '**')", lambda: "ab".rjust(5, "**"))
attempt("'ab'.partition('')", lambda: "ab".partition(""))
