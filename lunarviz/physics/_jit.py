"""The one switch between compiled (numba) and plain-Python physics kernels.

:func:`jit` compiles a function with ``numba.njit(cache=True)`` when numba is
installed and ``LUNARVIZ_NO_JIT`` is unset (or ``0``); otherwise it returns the
function unchanged, so the very same source runs as plain Python on floats,
tuples and numpy arrays (slower, same results to rounding).

The compiled machine code is cached on disk. numba checks only a function's own
source file for changes, not the files of the functions it calls, so the cache
lives in a folder named after a hash of every physics source file (unless the
user sets ``$NUMBA_CACHE_DIR``), under the lunarviz cache folder
(``$LUNARVIZ_CACHE``): editing any of them compiles afresh. A cache folder that
cannot be written only means compiling in each new process (~5 s), silently.
"""

from __future__ import annotations

import hashlib
import os
import sys
import warnings
from pathlib import Path

ENV_NO_JIT = "LUNARVIZ_NO_JIT"


def _no_jit() -> bool:
    return os.environ.get(ENV_NO_JIT, "").strip() not in ("", "0")


def _cache_folder() -> Path:
    here = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(here.glob("*.py")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    from ..assets import cache_dir

    return cache_dir() / "numba" / h.hexdigest()[:16]


def _import_numba():
    if _no_jit():
        return None
    if "numba" not in sys.modules and not os.environ.get("NUMBA_CACHE_DIR"):
        try:
            os.environ["NUMBA_CACHE_DIR"] = str(_cache_folder())
            # only that folder: never numba's __pycache__ next to the sources (stale callees)
            os.environ.setdefault("NUMBA_CACHE_LOCATOR_CLASSES", "UserProvidedCacheLocator")
        except OSError:  # the source folder cannot be read: numba picks its own cache
            os.environ.pop("NUMBA_CACHE_DIR", None)
    try:
        import numba
    except ImportError:
        return None
    return numba


_numba = _import_numba()

#: True when the kernels are compiled
COMPILED = _numba is not None


def jit(func):
    """``numba.njit(cache=True)`` of ``func``, or ``func`` itself without numba."""
    if _numba is None:
        return func
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return _numba.njit(cache=True)(func)
        except RuntimeError:  # no writable cache location
            return _numba.njit(func)
