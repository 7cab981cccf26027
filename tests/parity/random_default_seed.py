# The twin seeds as `tasks run --virtual-time` does without --seed.
import random

random.seed(0)
print(random.random(), random.randint(1, 1000000), random.randrange(7))
xs = [1, 2, 3, 4, 5, 6]
random.shuffle(xs)
print(xs, random.choice(xs), random.sample(xs, 2), random.uniform(-1, 1))
