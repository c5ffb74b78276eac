"""Run slow work (loading and flying scenarios) off the UI thread.

A :class:`JobRunner` owns one worker thread; ``submit(kind, fn, *args)``
returns a job id at once, and ``finished(job_id, kind, result, error)`` is
delivered later on the UI thread through a queued Qt signal. A newer job of
the same kind makes older results of that kind stale (``is_current``), so a
slow what-if never overwrites a newer one.
"""

from __future__ import annotations

import concurrent.futures as cf
import itertools
import traceback

from PySide6 import QtCore


class JobRunner(QtCore.QObject):
    finished = QtCore.Signal(int, str, object, object)   # job id, kind, result, (exc, traceback text) or None
    _done = QtCore.Signal(int, str, object, object)

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = cf.ThreadPoolExecutor(max_workers=1, thread_name_prefix="lunarviz-job")
        self._ids = itertools.count(1)
        self._latest: dict[str, int] = {}
        self._running: dict[int, cf.Future] = {}
        self._closed = False
        # emitted from the worker thread, delivered on this object's (UI) thread
        self._done.connect(self._deliver, QtCore.Qt.ConnectionType.QueuedConnection)

    def submit(self, kind: str, fn, *args, **kwargs) -> int:
        job_id = next(self._ids)
        self._latest[kind] = job_id

        def work():
            try:
                result, error = fn(*args, **kwargs), None
            except BaseException as exc:  # noqa: BLE001 - reported to the UI, never raised there
                result, error = None, (exc, traceback.format_exc())
            if self._closed:
                return  # the window is gone; nobody to tell
            try:
                self._done.emit(job_id, kind, result, error)
            except RuntimeError:  # the runner was deleted meanwhile
                pass

        self._running[job_id] = self._pool.submit(work)
        return job_id

    def is_current(self, job_id: int, kind: str) -> bool:
        return self._latest.get(kind) == job_id

    def forget(self, kind: str) -> None:
        """Make results of jobs of ``kind`` still running stale (they will not be reported)."""
        self._latest.pop(kind, None)

    def busy(self, kind: str | None = None) -> bool:
        if kind is None:
            return bool(self._running)
        jid = self._latest.get(kind)
        return jid in self._running

    def _deliver(self, job_id: int, kind: str, result, error) -> None:
        self._running.pop(job_id, None)
        self.finished.emit(job_id, kind, result, error)

    def wait(self, timeout_s: float | None = None) -> None:
        """Block until submitted jobs finish (for tests and shutdown)."""
        cf.wait(list(self._running.values()), timeout=timeout_s)

    def shutdown(self, *, wait: bool = False) -> None:
        """Stop taking jobs; a job still running finishes in the background, unreported."""
        self._closed = True
        self._pool.shutdown(wait=wait, cancel_futures=True)
