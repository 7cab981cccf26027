import random

for seed in [0, 1, 42, -7, 2**32 + 5, 2**63 - 1, -2**63]:
    random.seed(seed)
    print("seed", seed)
    print(random.random(), random.random())
    print([random.randint(1, 6) for _ in range(12)])
    print([random.randint(-10**12, 10**12) for _ in range(3)])
    print(random.randint(-2**63, 2**63 - 1))
    print([random.randrange(10) for _ in range(8)])
    print([random.randrange(3, 100, 7) for _ in range(5)])
    print([random.randrange(50, -50, -3) for _ in range(5)])
    print(random.choice([10, 20, 30, 40, 50]), random.choice("abcdef"), random.choice(range(1000)))
    xs = list(range(20))
    random.shuffle(xs)
    print(xs)
    print(random.sample(list(range(10)), 4), random.sample(list(range(10)), 10))
    print(random.sample(range(100000), 12))
    print(random.sample(list(range(30)), 7))
    print(random.uniform(2.5, 10.0), random.uniform(10, 2))

random.seed(5)
try:
    random.randint(5, 3)
except ValueError as e:
    print("ValueError", e)
try:
    random.randrange(0)
except ValueError as e:
    print("ValueError", e)
try:
    random.randrange(1, 10, 0)
except ValueError as e:
    print("ValueError", e)
try:
    random.randrange(10, 1, 2)
except ValueError as e:
    print("ValueError", e)
try:
    random.sample([1, 2], 3)
except ValueError as e:
    print("ValueError", e)
print(random.random())
