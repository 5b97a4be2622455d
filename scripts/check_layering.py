#!/usr/bin/env python3
"""Fails on an #include in src/ that breaks the module arrows of design.md.

Each folder of src/ is a module. A module may include its own headers and the public headers
of the modules ALLOWED names for it; never another module's detail/ helpers, and never a
backend (BACKENDS) outside its own module and src/app, where the real objects are built.
Prints one line per offending include (file:line: why) and exits 1 if there is any.
"""
import pathlib
import re
import sys

# Arrows point toward core. Adding one is a design decision: change design.md with it.
DOMAIN = {"store", "cluster", "identity", "rules", "reputation", "confirm", "exec", "monitor",
          "analytics", "alerts", "metrics"}
ALLOWED = {
    "core": set(),
    "store": {"core"},
    "cluster": {"core", "store", "identity", "rules", "metrics"},
    "identity": {"core", "store"},
    "rules": {"core", "store"},
    "reputation": {"core", "store"},
    "confirm": {"core", "store", "reputation"},
    "exec": {"core", "store", "confirm", "monitor"},
    "monitor": {"core"},
    "analytics": {"core", "store"},
    "alerts": {"core", "store", "analytics"},
    "metrics": {"core"},
    "http": {"core"},
    "api": {"core", "http"} | DOMAIN,
    "rls": {"core", "http"} | DOMAIN,
    "app": {"core", "http", "api", "rls", "cli"} | DOMAIN,
    "cli": {"core", "exec", "http"},
}
# Arrows that reach only some headers of their target: rls writes the RateLimit fields as the
# HTTP API does, and knows nothing else of HTTP.
ONLY = {("rls", "http"): {"ratelimit_fields.h"}}
# Implementations that only their own module and src/app may name.
BACKENDS = ("store/sqlite/", "store/postgres/", "store/journal/", "cluster/redis/")

INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/([^"]+)"')


def problems(src: pathlib.Path):
    for path in sorted(src.rglob("*")):
        if path.suffix not in (".h", ".cc"):
            continue
        module = path.relative_to(src).parts[0]
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            match = INCLUDE.match(line)
            if not match or match.group(1) not in ALLOWED:
                continue  # a system or third-party header
            target, rest = match.group(1), match.group(2)
            where = f"{path}:{number}"
            if module not in ALLOWED:
                yield f"{where}: src/{module} is not a module of design.md's layout"
            elif target != module and target not in ALLOWED[module]:
                yield f"{where}: {module} may not depend on {target} ({target}/{rest})"
            elif (module, target) in ONLY and rest not in ONLY[(module, target)]:
                yield f"{where}: {module} may include only {sorted(ONLY[(module, target)])} of {target}"
            elif target != module and (rest.startswith("detail/") or "/detail/" in rest):
                yield f"{where}: {target}/{rest} is private to {target}"
            elif (target != module and module != "app"
                  and any(f"{target}/{rest}".startswith(b) for b in BACKENDS)):
                yield f"{where}: {module} may not name the backend {target}/{rest}"


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "src")
    found = list(problems(root))
    for line in found:
        print(line)
    if found:
        print(f"layering: {len(found)} include(s) break the module arrows (scripts/check_layering.py)")
        return 1
    print("layering: every include follows the module arrows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
