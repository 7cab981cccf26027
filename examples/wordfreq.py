# The CPython twin of wordfreq.tasks: a module that is also a program.
import re
import sys


def words(text):
    return re.findall("[a-z]+", text.lower())


def top_words(text, n):
    counts = {}
    for w in words(text):
        counts[w] = counts.get(w, 0) + 1
    pairs = sorted(counts.items(), key=lambda p: (-p[1], p[0]))
    return pairs[:n]


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        text = f.read()
    for word, count in top_words(text, 5):
        print(f"{count:>3} {word}")
