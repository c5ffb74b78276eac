"""Render a video for the viewer in a separate process (no Qt here).

The viewer pickles a job (the trajectory it shows -- what-if runs included --
and the ``render_video`` options) and starts ``python -m
lunarviz.app.export_worker JOB.pkl``. This process renders with
:func:`lunarviz.render.video.render_video` off-screen and prints one line per
frame, ``FRAME k N``, which the viewer turns into its progress bar. SIGTERM
(the dialog's Cancel) raises ``KeyboardInterrupt`` inside the render loop, so
``render_video`` removes its temporary file and nothing half-written remains.

Exit status: 0 done, 2 a user error (one line on stderr), 130 cancelled.
"""

from __future__ import annotations

import copyreg
import pickle
import signal
import sys
import types


def _mappingproxy(d: dict) -> types.MappingProxyType:
    return types.MappingProxyType(d)


def _reduce_mappingproxy(m):
    return _mappingproxy, (dict(m),)


def write_job(path, traj, **options) -> None:
    """Pickle a render job; scenarios hold read-only ``MappingProxyType`` tables, pickled as dicts."""
    with open(path, "wb") as f:
        pickler = pickle.Pickler(f, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.dispatch_table = copyreg.dispatch_table.copy()
        pickler.dispatch_table[types.MappingProxyType] = _reduce_mappingproxy
        pickler.dump({"traj": traj, "options": options})


def _on_term(_signum, _frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m lunarviz.app.export_worker JOB.pkl", file=sys.stderr)
        return 2
    from lunarviz.errors import LunarvizError

    signal.signal(signal.SIGTERM, _on_term)
    try:
        with open(argv[0], "rb") as f:
            job = pickle.load(f)
        from lunarviz.render.offscreen import check_headless
        from lunarviz.render.video import frame_times, render_video

        check_headless()
        opts = dict(job["options"])
        traj = job["traj"]
        n = len(frame_times(opts["start_et_s"], opts["end_et_s"], opts.get("fps", 30.0), opts.get("speed", 1.0)))
        print(f"FRAMES {n}", flush=True)

        def on_frame(k, _img):
            print(f"FRAME {k + 1} {n}", flush=True)

        stats = render_video(traj, opts.pop("out"), progress=False, on_frame=on_frame, **opts)
        print(f"DONE {stats.frames} {stats.seconds:.2f}", flush=True)
        return 0
    except LunarvizError as exc:
        print(str(exc), file=sys.stderr, flush=True)
        return 2
    except KeyboardInterrupt:
        print("cancelled", file=sys.stderr, flush=True)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
