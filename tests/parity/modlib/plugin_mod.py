# Helper of import_runs_once.py (the twin of modlib/plugin.tasks).
print("plugin: loading")
from modlib import registry_mod as registry  # noqa: E402  (already loaded: runs nothing)


def register(x):
    return registry.add(x) * 10


print("plugin: sees", registry.items)
