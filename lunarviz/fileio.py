"""Safe output files: checked before the work, written under a temporary name, renamed on success.

* :func:`check_writable`: before any work, that an output path can be written (its folder
  exists and is writable, the path is not a folder, the disk has room for an estimate);
* :func:`atomic_output`: the file is written as ``.NAME.partial-PID-XXXX.EXT`` beside the
  target and renamed when complete; on any error it is removed;
* :func:`write_error`: every failed write as one line, naming the path and the cause
  (read-only, is a folder, no space left, missing folder);
* :func:`remove_stale_partials`: partial files a killed run (SIGKILL, a power cut) left in a
  folder are removed by the next run writing there: those whose process is gone and that are
  older than the running process.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from .errors import LunarvizError

#: what a partial file's name holds after its target's name: ``.NAME.partial-PID-XXXX.EXT``
PARTIAL_MARK = ".partial-"
_PARTIAL_RE = re.compile(r"^\..+\.partial-(\d+)-[^/]*$")
#: when this process started (partial files older than it, of processes that are gone, are stale)
_STARTED = time.time()
#: room a write must leave on its disk beyond its estimate, bytes
FREE_SPACE_MARGIN = 16 * 2**20

_CAUSES = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EISDIR: "is a folder",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.ENOENT: "the folder does not exist",
    errno.ENAMETOOLONG: "the name is too long",
}


def write_error(path: str | os.PathLike, exc: BaseException | str) -> LunarvizError:
    """The one-line error for a failed write of ``path`` (an OSError or a cause in words)."""
    if isinstance(exc, OSError):
        cause = _CAUSES.get(exc.errno or -1) or (exc.strerror or str(exc))
    else:
        cause = str(exc)
    return LunarvizError(f"{path}: cannot write: {cause}")


def partial_prefix(name: str) -> str:
    """The start of the name of a partial file (or folder) of the output ``name`` in this process."""
    return f".{name}{PARTIAL_MARK}{os.getpid()}-"


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def remove_stale_partials(folder: str | os.PathLike, *, of_pid: int | None = None) -> list[Path]:
    """Remove partial files/folders (``.NAME.partial-PID-...``) that a process that is gone left in
    ``folder`` before this process started, or (``of_pid``) that the process ``of_pid``, gone now,
    left there at any time (a child this process stopped); returns what was removed."""
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for e in entries:
        m = _PARTIAL_RE.match(e.name)
        if not m or (of_pid is not None and int(m.group(1)) != of_pid):
            continue
        try:
            old = of_pid is not None or e.stat(follow_symlinks=False).st_mtime < _STARTED
        except OSError:
            continue
        if old and not _alive(int(m.group(1))):
            with contextlib.suppress(OSError):
                if e.is_dir(follow_symlinks=False):
                    shutil.rmtree(e.path)
                else:
                    os.unlink(e.path)
                removed.append(Path(e.path))
    return removed


def check_writable(path: str | os.PathLike, *, need_bytes: int = 0, folder: bool = False) -> Path:
    """Check, before any work, that ``path`` can be written (a file, or a new/empty folder with
    ``folder``): its folder exists and is writable, ``path`` is not a folder (for a file), and the
    disk has ``need_bytes`` (an estimate) free. Raises :func:`write_error`'s one line."""
    target = Path(path)
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.exists():
        raise write_error(target, f"the folder {parent} does not exist")
    if not parent.is_dir():
        raise write_error(target, f"{parent} is not a folder")
    if target.is_dir() and not folder:
        raise write_error(target, "is a folder; expected a file name")
    if folder and target.exists() and not target.is_dir():
        raise write_error(target, "is a file; expected a folder")
    try:  # the one sure test (permissions, read-only mounts, root): make a file there
        fd, probe = tempfile.mkstemp(prefix=partial_prefix(target.name) + "probe-", dir=parent)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise write_error(target, f"the folder {parent} is read-only ({_CAUSES[exc.errno]})") from None
        raise write_error(target, exc) from None
    try:
        free = shutil.disk_usage(parent).free
    except OSError:
        free = None
    if free is not None and need_bytes + FREE_SPACE_MARGIN > free:
        raise write_error(target, f"no space left on the device: needs ~{_mib(need_bytes)}, "
                                  f"{_mib(free)} free")
    return target


def _mib(n: float) -> str:
    return f"{n / 2**20:.0f} MiB" if n < 2**30 else f"{n / 2**30:.1f} GiB"


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike, *, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it to ``path`` on success.

    On any exception (including ``KeyboardInterrupt``) the temporary file is
    removed and ``path`` is left untouched, so no half-written output remains;
    an ``OSError`` while writing becomes :func:`write_error`'s one line.
    ``suffix`` defaults to the target's suffix so that tools that pick a format
    from the extension (imageio, PIL) still work on the temporary name. Stale
    partial files of earlier, killed runs in the folder are removed first.
    """
    target = check_writable(path)
    folder = target.parent if str(target.parent) else Path(".")
    remove_stale_partials(folder)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=partial_prefix(target.stem),
                                        suffix=target.suffix if suffix is None else suffix, dir=folder)
    except OSError as exc:
        raise write_error(target, exc) from None
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
    except OSError as exc:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise write_error(target, exc) from None
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
