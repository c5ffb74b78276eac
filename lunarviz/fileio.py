"""Safe output files: write under a temporary name, rename on success."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import LunarvizError


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike, *, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it to ``path`` on success.

    On any exception (including ``KeyboardInterrupt``) the temporary file is
    removed and ``path`` is left untouched, so no half-written output remains.
    ``suffix`` defaults to the target's suffix so that tools that pick a format
    from the extension (imageio, PIL) still work on the temporary name.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise LunarvizError(f"{target}: output folder {folder} does not exist")
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{target.stem}.partial-",
        suffix=target.suffix if suffix is None else suffix,
        dir=folder,
    )
    os.close(fd)
    tmp = Path(tmp_name)
    # mkstemp makes the file private (0600); give it the permissions a plain
    # open() would, so a render or export is readable like any other file
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
