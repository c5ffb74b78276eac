"""Render farm: one film cut into segments, rendered by worker processes or a Dask cluster, joined losslessly.

* **Segments** are whole H.264 GOPs (:data:`lunarviz.render.video.GOP_FRAMES`
  frames; the last may be shorter). Every encoder setting is fixed
  (:func:`lunarviz.render.video.encoder_args`: constant QP, closed GOPs, a fixed
  thread count), so a segment's bytes do not depend on which process wrote it and
  the joined file decodes to exactly the frames of a single-process render.
* **Engines**: ``--workers N`` runs N local processes (:class:`concurrent.futures.ProcessPoolExecutor`,
  spawned: a fresh VTK per process); ``--dask tcp://HOST:PORT`` submits the
  segments to an existing Dask ``distributed`` scheduler and ``--dask local:N``
  starts a :class:`distributed.LocalCluster` of N single-threaded worker processes.
  Dask reschedules the segments of a lost worker on another one.
* **Each worker builds the scene once** (a per-process cache keyed by the job)
  and returns a segment's encoded bytes; this process writes each segment
  atomically into a work folder ``.NAME.segments/`` beside the output (so no
  shared file system is needed) and, when all are there, joins them with one
  ffmpeg stream copy (:mod:`lunarviz.render.mux`). PNG sequences are simply moved
  into one folder.
* **Resume**: the work folder holds ``job.json`` (a fingerprint of everything
  that decides the pixels); ``--resume`` keeps the segments of the same job and
  renders only the missing ones. Without it an old work folder is cleared.
* **Threads**: each worker sets ``LP_NUM_THREADS`` (llvmpipe's render threads)
  to its share of the host's cores (cores / workers on that host) before its
  first OpenGL context, so workers do not fight over cores; ``pin_cores`` also
  pins worker *i* to core *i* (benchmarks).
"""

from __future__ import annotations

import contextlib
import copyreg
import hashlib
import json
import os
import shutil
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from types import MappingProxyType

import numpy as np

from ..errors import RenderError
from ..fileio import atomic_output
from .frames import FrameSettings
from .video import GOP_FRAMES, Finish, VideoStats, atomic_folder, atomic_layers, finish_outputs, layer_targets

#: most GOPs in one segment (a segment is the unit of retry and of resume)
MAX_SEGMENT_GOPS = 10
PROGRESS_TOPIC = "lunarviz-progress"

# a Trajectory's scenario holds read-only MappingProxyType tables: send them to workers as such
def _mappingproxy(d: dict) -> MappingProxyType:
    return MappingProxyType(d)


copyreg.pickle(MappingProxyType, lambda m: (_mappingproxy, (dict(m),)))


@dataclass(frozen=True)
class FarmJob:
    """Everything a worker needs besides the trajectory (picklable)."""

    settings: FrameSettings
    times: tuple[float, ...]
    fps: float
    codec: str
    suffix: str
    workers_per_host: dict | None = None  # host ("*": any) -> how many workers share its cores
    pin_cores: bool = False
    own_workers: bool = False  # the workers were started for this job (they may leave without clean-up)

    def key(self, traj) -> str:
        h = hashlib.sha256()
        h.update(json.dumps({"settings": asdict(self.settings), "fps": self.fps, "codec": self.codec,
                             "suffix": self.suffix}, sort_keys=True, default=str).encode())
        h.update(np.asarray(self.times, np.float64).tobytes())
        for a in (traj.et_s, traj.pos_m, traj.quat_wxyz):
            h.update(np.ascontiguousarray(a).tobytes())
        from .. import __version__

        h.update(__version__.encode())
        return h.hexdigest()[:20]


def plan_segments(n_frames: int, workers: int, step: int | None = None) -> list[tuple[int, int]]:
    """``[(k0, k1), ...]`` frame ranges of whole GOPs, about three per worker (at most 10 GOPs each),
    or of ``step`` frames (a resumed job keeps the plan it started with)."""
    if step is None:
        gops = -(-n_frames // GOP_FRAMES)
        step = int(np.clip(gops // max(1, 3 * workers), 1, MAX_SEGMENT_GOPS)) * GOP_FRAMES
    return [(k, min(k + step, n_frames)) for k in range(0, n_frames, step)]


# ------------------------------------------------------------------ worker side
_CACHE: dict = {}


def _worker_setup(job: FarmJob, index: int | None, host: str | None) -> None:
    """Once per worker process, before its first OpenGL context: llvmpipe threads and CPU affinity."""
    if job.workers_per_host is not None and "LP_NUM_THREADS" not in os.environ:
        share = job.workers_per_host.get(host, job.workers_per_host.get("*", 1))
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        os.environ["LP_NUM_THREADS"] = str(1 if job.pin_cores else max(1, cores // max(1, share)))
    if job.pin_cores and index is not None and hasattr(os, "sched_setaffinity"):
        cores = sorted(os.sched_getaffinity(0))
        core = {cores[index % len(cores)]}
        # every thread of the process (a Dask worker has its event loop and helpers besides this one)
        tids = os.listdir("/proc/self/task") if os.path.isdir("/proc/self/task") else ["0"]
        for tid in tids:
            with contextlib.suppress(OSError):
                os.sched_setaffinity(int(tid), core)


#: glibc's mallopt parameters, and the largest mmap threshold its adaptive rule reaches on 64 bits
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD, _MMAP_THRESHOLD_MAX = -1, -3, 32 * 1024 * 1024


def _undo_dask_malloc_trim() -> None:
    """Give a Dask worker back glibc's large-buffer reuse.

    Dask starts its workers with ``MALLOC_TRIM_THRESHOLD_=65536``; setting any trim threshold turns
    off glibc's adaptive mmap threshold, so every frame's multi-megabyte buffers (read-back, image
    arrays) became fresh mmaps and page faults: frames were ~25 % slower than in a pool worker. The
    thresholds are set to what the adaptive rule would reach. Nothing happens off glibc."""
    import ctypes

    if "MALLOC_TRIM_THRESHOLD_" not in os.environ:
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_MAX)
        libc.mallopt(_M_TRIM_THRESHOLD, 2 * _MMAP_THRESHOLD_MAX)
    except (OSError, AttributeError):
        pass


def _leave_fast() -> None:
    """Registered with :mod:`atexit` in a worker process started for one job: its last act once the
    pool or cluster lets it go. Tearing down VTK and every module took ~0.3 s that the farm waited
    for after the last frame; by now multiprocessing has flushed its queues and nothing else is
    left to keep."""
    import sys

    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(0)


def _source(job: FarmJob, traj, key: str):
    """The worker's FrameSource for this job (built once per process and thread)."""
    from .frames import FrameSource
    from .offscreen import check_headless

    ck = (key, threading.get_ident())
    src = _CACHE.get(ck)
    if src is None:
        check_headless()
        for old in list(_CACHE):
            _CACHE.pop(old).close()
        src = _CACHE[ck] = FrameSource(traj, job.settings)
    return src


def render_segment(job: FarmJob, traj, key: str, k0: int, k1: int, report=None) -> dict[str, list]:
    """Render frames ``k0..k1-1``; returns ``layer -> [(file name, bytes), ...]``."""
    import tempfile

    from .video import encode_frames, layer_path

    src = _source(job, traj, key)
    target = Path("segment" + job.suffix)
    outputs, result = {}, {}
    with tempfile.TemporaryDirectory(prefix="lunarviz-seg-") as tmp:
        for layer in job.settings.layers:
            path, codec = layer_path(target, job.codec, layer)
            p = Path(tmp) / path.name
            if codec == "png":
                p.mkdir()
            outputs[layer] = (p, codec)
        done = [0]

        def advance(n):
            done[0] += n
            if report is not None and (done[0] % 5 == 0 or done[0] == k1 - k0):
                report(k0, done[0])

        encode_frames(src, np.asarray(job.times[k0:k1]), outputs, job.fps, first_index=k0, advance=advance)
        for layer, (p, codec) in outputs.items():
            files = sorted(p.iterdir()) if codec == "png" else [p]
            result[layer] = [(f.name, f.read_bytes()) for f in files]
    return result


_LOCAL: dict = {}


def _local_init(payload: bytes, indices, progress) -> None:
    """A pool worker's start: ``payload`` is the pickled ``(job, traj, key)``. Bytes, so that
    starting a worker does not wait for the one before it to import lunarviz to unpickle them."""
    import atexit
    import pickle

    job, traj, key = pickle.loads(payload)
    _worker_setup(job, indices.get(), "*")
    atexit.register(_leave_fast)
    _LOCAL.update(job=job, traj=traj, key=key, q=progress)


def _local_task(k0: int, k1: int) -> dict[str, list]:
    q = _LOCAL["q"]
    return render_segment(_LOCAL["job"], _LOCAL["traj"], _LOCAL["key"], k0, k1,
                          report=lambda s, n: q.put((s, n)))


def _dask_task(payload, k0: int, k1: int) -> dict[str, list]:
    from distributed import get_worker

    job, traj, key = payload
    w = get_worker()
    if not getattr(w, "_lunarviz_setup", False):
        name = w.name if isinstance(w.name, int) else None
        _worker_setup(job, name, w.address.split("://")[-1].rsplit(":", 1)[0])
        _undo_dask_malloc_trim()
        if job.own_workers:
            import atexit

            atexit.register(_leave_fast)
        w._lunarviz_setup = True
    return render_segment(job, traj, key, k0, k1, report=lambda s, n: w.log_event(PROGRESS_TOPIC, (s, n)))


# ------------------------------------------------------------------ client side
class _Progress:
    """One bar (with ETA) over all segments; workers report (segment, frames done in it)."""

    def __init__(self, total: int, initial: int, label: str, enabled: bool):
        self.lock = threading.Lock()
        self.done: dict[int, int] = {}
        self.initial = initial
        self.bar = None
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(total=total, initial=initial, unit="frame", desc=label, dynamic_ncols=True,
                            smoothing=0.1)

    def report(self, seg: int, n: int) -> None:
        with self.lock:
            self.done[seg] = n
            if self.bar is not None:
                self.bar.n = self.initial + sum(self.done.values())
                self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class _WorkFolder:
    """``.NAME.segments/``: job.json plus one atomically written folder per finished segment."""

    def __init__(self, target: Path, key: str, resume: bool, step: int):
        self.path = target.with_name(f".{target.name}.segments")
        self.key = key
        meta = self.path / "job.json"
        old = {}
        with contextlib.suppress(OSError, ValueError):
            old = json.loads(meta.read_text())
        same = old.get("key") == key and isinstance(old.get("segment_frames"), int)
        if self.path.exists() and not (resume and same):
            shutil.rmtree(self.path)
        self.step = old["segment_frames"] if resume and same else step
        self.path.mkdir(exist_ok=True)
        if not meta.is_file():
            with atomic_output(meta) as tmp:
                tmp.write_text(json.dumps({"key": key, "segment_frames": self.step}))

    def seg_dir(self, k0: int, k1: int) -> Path:
        return self.path / f"seg_{k0:07d}_{k1:07d}"

    def have(self, k0: int, k1: int) -> bool:
        return self.seg_dir(k0, k1).is_dir()

    def store(self, k0: int, k1: int, result: dict[str, list]) -> None:
        with atomic_folder(self.seg_dir(k0, k1)) as tmp:
            for layer, files in result.items():
                d = tmp / layer
                d.mkdir()
                for name, data in files:
                    (d / name).write_bytes(data)

    def files(self, segments, layer: str) -> list[Path]:
        out = []
        for k0, k1 in segments:
            out += sorted((self.seg_dir(k0, k1) / layer).iterdir())
        return out


def parse_dask(spec: str) -> tuple[str, int | str]:
    """``local:N`` -> ("local", N); ``tcp://HOST:PORT`` (or tls://) -> ("remote", address)."""
    if spec.startswith("local:"):
        n = spec.split(":", 1)[1]
        if not n.isdigit() or int(n) < 1:
            raise RenderError(f"--dask {spec!r}: expected local:N with N >= 1 workers")
        return "local", int(n)
    if "://" in spec and spec.rsplit(":", 1)[-1].isdigit():
        return "remote", spec
    raise RenderError(f"--dask {spec!r}: expected tcp://HOST:PORT of a Dask scheduler or local:N")


def render_farm(traj, out, *, settings: FrameSettings, times: np.ndarray, fps: float, speed: float, codec: str,
                finish: Finish, workers: int | None = None, dask: str | None = None, resume: bool = False,
                progress: bool = True, pin_cores: bool = False) -> VideoStats:
    """Render ``times`` to ``out`` with ``workers`` local processes or a Dask cluster; see the module docstring."""
    target = Path(out)
    targets = layer_targets(target, codec, settings.layers)
    wall0 = time.perf_counter()
    job = FarmJob(settings, tuple(float(t) for t in times), fps, codec, target.suffix, pin_cores=pin_cores)
    key = job.key(traj)
    n_workers = workers or _dask_workers(dask)
    work = _WorkFolder(target, key, resume, plan_segments(len(times), n_workers)[0][1])
    segments = plan_segments(len(times), n_workers, work.step)
    todo = [s for s in segments if not work.have(*s)]
    if resume:
        import sys

        print(f"resuming {target.name}: {len(segments) - len(todo)} of {len(segments)} segments already "
              f"rendered", file=sys.stderr)
    bar = _Progress(len(times), sum(k1 - k0 for k0, k1 in segments if (k0, k1) not in todo),
                    f"rendering {target.name}", progress)
    try:
        if todo:
            run = _run_local if dask is None else _run_dask
            run(job, traj, key, todo, work, bar, workers=workers, dask=dask)
    finally:
        bar.close()
    with atomic_layers(targets) as tmps:
        layer_inputs = {}
        for layer, (_, c) in targets.items():
            files = work.files(segments, layer)
            if c == "png":
                for f in files:
                    os.replace(f, tmps[layer] / f.name)
            layer_inputs[layer] = files
        finish_outputs(traj, target, codec, np.asarray(times), fps, speed, finish, layer_inputs, tmps)
    from .offscreen import make_readable

    for _, (p, c) in targets.items():
        if c != "png":
            make_readable(p)
    shutil.rmtree(work.path, ignore_errors=True)
    seconds = time.perf_counter() - wall0
    return VideoStats(len(times), seconds, float("nan"), float("nan"), seconds)


def _run_local(job: FarmJob, traj, key, todo, work: _WorkFolder, bar: _Progress, *, workers, dask) -> None:
    import multiprocessing as mp
    import pickle
    import queue
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    n = max(1, min(workers, len(todo)))
    job = FarmJob(job.settings, job.times, job.fps, job.codec, job.suffix, workers_per_host={"*": n},
                  pin_cores=job.pin_cores)
    ctx = mp.get_context("spawn")
    # plain queues, handed to each worker as it is spawned (no manager process to start and stop)
    indices, q = ctx.Queue(), ctx.Queue()
    for i in range(n):
        indices.put(i)
    stop = threading.Event()

    def drain():
        while True:
            try:
                item = q.get(timeout=0.5)
            except queue.Empty:
                if stop.is_set():
                    return
                continue
            except Exception:  # noqa: BLE001 - a worker killed in the middle of a put leaves a broken message
                return
            if item is None:
                return
            bar.report(*item)

    t = threading.Thread(target=drain, daemon=True)
    t.start()
    payload = pickle.dumps((job, traj, key), protocol=pickle.HIGHEST_PROTOCOL)
    pool = ProcessPoolExecutor(max_workers=n, mp_context=ctx, initializer=_local_init,
                               initargs=(payload, indices, q))
    try:
        futs = {pool.submit(_local_task, k0, k1): (k0, k1) for k0, k1 in todo}
        pending = set(futs)
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for f in finished:
                k0, k1 = futs[f]
                work.store(k0, k1, f.result())
                bar.report(k0, k1 - k0)
    except BaseException:
        procs = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for p in procs:
            with contextlib.suppress(Exception):
                p.kill()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        stop.set()
        q.put(None)  # the drain thread ends at once, after the workers' last reports
        t.join(timeout=2)
        for mq in (indices, q):
            mq.close()
            mq.cancel_join_thread()


def _dask_workers(dask: str) -> int:
    """How many workers the cluster has (to cut the film into enough segments)."""
    kind, arg = parse_dask(dask)
    if kind == "local":
        return int(arg)
    from distributed import Client

    try:
        with Client(arg, timeout=15) as client:
            return max(1, len(client.scheduler_info()["workers"]))
    except OSError as exc:
        raise RenderError(f"--dask {arg}: cannot reach the scheduler ({exc})") from None


def _run_dask(job: FarmJob, traj, key, todo, work: _WorkFolder, bar: _Progress, *, workers, dask) -> None:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:  # pragma: no cover - a runtime dependency
        raise RenderError("--dask needs the 'distributed' package: pip install distributed") from None
    kind, arg = parse_dask(dask)
    with contextlib.ExitStack() as stack:
        if kind == "local":
            import logging

            import dask

            # no dashboard, so no use for the workers' stack sampler (a thread waking every 10 ms)
            stack.enter_context(dask.config.set({"distributed.worker.profile.enabled": False}))
            cluster = stack.enter_context(LocalCluster(n_workers=arg, threads_per_worker=1, processes=True,
                                                       dashboard_address=None, silence_logs=logging.ERROR))
            client = stack.enter_context(Client(cluster))
        else:
            try:
                client = stack.enter_context(Client(arg, timeout=15))
            except OSError as exc:
                raise RenderError(f"--dask {arg}: cannot reach the scheduler ({exc})") from None
        per_host: dict[str, int] = {}
        for info in client.scheduler_info()["workers"].values():
            host = info["host"]
            per_host[host] = per_host.get(host, 0) + 1
        if not per_host:
            raise RenderError(f"--dask {dask}: the cluster has no workers")
        job = FarmJob(job.settings, job.times, job.fps, job.codec, job.suffix, workers_per_host=per_host,
                      pin_cores=job.pin_cores, own_workers=kind == "local")
        client.subscribe_topic(PROGRESS_TOPIC, lambda ev: bar.report(*ev[1]))
        [payload] = client.scatter([(job, traj, key)], broadcast=True)
        futs = {client.submit(_dask_task, payload, k0, k1, key=f"lunarviz-{key}-{k0}", retries=2,
                              pure=False): (k0, k1) for k0, k1 in todo}
        for f in as_completed(list(futs)):
            k0, k1 = futs[f]
            work.store(k0, k1, f.result())
            f.release()  # stored here: a worker lost later need not recompute it
            bar.report(k0, k1 - k0)
        client.unsubscribe_topic(PROGRESS_TOPIC)
