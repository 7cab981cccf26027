# Twin of wordcount.tasks.
import sys

n = int(sys.argv[1])
if n == 0:
    n = 300000
vocab = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu"]
words = []
x = 1
for i in range(n):
    x = (x * 1103515245 + 12345) % 2147483648
    words.append(vocab[x % len(vocab)] + str(x % 50))
text = " ".join(words)
counts = {}
for w in text.split():
    counts[w] = counts.get(w, 0) + 1
top = sorted(counts.items(), key=lambda kv: [-kv[1], kv[0]])
shown = [f"{kv[0]}={kv[1]}" for kv in top[:3]]
print(f"wordcount n={n} distinct={len(counts)} top={','.join(shown)}")
