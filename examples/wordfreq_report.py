# The CPython twin of wordfreq_report.tasks: `import wordfreq` does not
# run its `if __name__ == "__main__"` part.
import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the examples

import wordfreq  # noqa: E402

for file in ["app.log", "sales.csv"]:
    with open(file) as f:
        top = wordfreq.top_words(f.read(), 3)
    print(file, "->", ", ".join(f"{w} ({c})" for w, c in top))
print("is_main here:", str(__name__ == "__main__").lower())
