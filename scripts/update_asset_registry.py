#!/usr/bin/env python
"""Record the SHA-256 of every file in ``assets/`` in ``assets/registry.txt``.

Run after adding or regenerating an embedded file (imagery, stars, lander,
SPICE kernels); ``lunarviz assets verify`` then checks the files against it.
Every file must also be described in ``assets/SOURCES.md``.
"""

from lunarviz.assets import verify, write_registry

if __name__ == "__main__":
    path = write_registry()
    print(f"wrote {path}")
    for r in verify():
        if r.status != "ok":
            print(f"{r.relpath}: {r.status} {r.detail}")
