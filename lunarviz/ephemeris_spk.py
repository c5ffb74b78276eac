"""Write a trajectory as a SPICE SPK (type 13, Hermite, unequal time steps).

NOTE for the lead: this is the only module besides :mod:`lunarviz.ephemeris`
that touches spiceypy (imported inside the function). It is kept separate so
the ephemeris helper's file is not edited concurrently; move
:func:`write_spk_type13` into ``ephemeris.py`` when convenient.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .errors import LunarvizError


def write_spk_type13(path: str | os.PathLike, naif_id: int, et_s: np.ndarray, pos_m: np.ndarray,
                     vel_mps: np.ndarray, *, center: int = 301, frame: str = "J2000",
                     segment_id: str = "lunarviz trajectory", degree: int = 7,
                     more_segments: tuple = ()) -> None:
    """Write states (m, m/s, relative to ``center`` in ``frame``) to a new SPK at ``path``.

    ``more_segments``: further ``(et_s, pos_m, vel_mps)`` blocks written as extra
    segments (later segments take precedence where they overlap), e.g. to keep a
    velocity discontinuity (a touchdown) out of one Hermite segment.
    SPICE refuses to overwrite, so ``path`` must not exist (use
    :func:`lunarviz.fileio.atomic_output` and remove the placeholder first).
    """
    import spiceypy
    from spiceypy.utils.exceptions import SpiceyError

    from .ephemeris import ensure_kernels

    ensure_kernels()
    blocks = []
    for et_b, p_b, v_b in ((et_s, pos_m, vel_mps),) + tuple(more_segments):
        et = np.array(et_b, dtype=float, copy=True, order="C")
        states = np.array(np.hstack([p_b, v_b]) / 1000.0, dtype=float, copy=True, order="C")
        if et.ndim != 1 or states.shape != (et.size, 6) or et.size < 2:
            raise LunarvizError("SPK: need >= 2 states with matching shapes")
        if not np.all(np.diff(et) > 0):
            raise LunarvizError("SPK: epochs must be strictly increasing")
        blocks.append((et, states))
    p = Path(path)
    handle = None
    written = False
    try:
        handle = spiceypy.spkopn(str(p), "lunarviz", 4096)
        for et, states in blocks:
            deg = min(int(degree), 2 * et.size - 1)
            deg -= 1 - deg % 2  # odd
            spiceypy.spkw13(handle, int(naif_id), int(center), frame, float(et[0]), float(et[-1]),
                            segment_id[:40], deg, int(et.size), states, et)
        written = True
    except SpiceyError as exc:
        msg = " ".join(str(exc).split())[:200]
        raise LunarvizError(f"{p}: could not write SPK: {msg}") from None
    finally:
        if handle is not None:
            if written:
                spiceypy.spkcls(handle)
            else:
                try:
                    spiceypy.dafcls(handle)
                except SpiceyError:
                    spiceypy.reset()
