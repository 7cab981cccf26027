# A precision far past a double's digits is produced in full, like CPython.
cells = [
    f"{1.5:.70000f}",
    f"{1.5:.70000e}",
    f"{1.5:.70000%}",
    f"{1.5:.70000g}",
    f"{1.5:#.70000g}",
    f"{1.5:.70000}",
    f"{-1e300:.70000f}",
    f"{5e-324:.1100f}",
    f"{5e-324:.1100e}",
    f"{2.0 / 3.0:.800e}",
    f"{1:.70000f}",
    f"{1.5:>70000}",
]
for s in cells:
    print(len(s), s[:24], s[-24:])
