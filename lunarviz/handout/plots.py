"""The handout's plots: true vs believed altitude and the speeds over the powered descent, with the
what-if (a working rangefinder) dashed; drawn with matplotlib (Agg) as a PNG for the PDF.

Colours: :mod:`lunarviz.palette` (the viewer's colour-blind-safe set); believed dotted and the
what-if dashed as in the viewer, so the lines also stay apart on a black-and-white printer; the
yellow descent rate gets a dark edge on paper.
"""

from __future__ import annotations

import io
import math

import numpy as np

from .. import palette, units
from ..i18n import _
from .content import plot_window

#: seconds before touchdown of the zoomed column
ZOOM_S = 120.0
TRUE_COLOR, BELIEVED_COLOR, WHATIF_COLOR, RATE_COLOR = (
    palette.rgb01(c) for c in (palette.TRUE, palette.BELIEVED, palette.WHATIF, palette.DESCENT_RATE))


def _fonts(faces) -> list[str]:
    """Register the faces with matplotlib; returns their family names (main first, then fallbacks)."""
    from matplotlib import font_manager

    names = []
    for f in faces:
        font_manager.fontManager.addfont(str(f.regular))
        names.append(font_manager.FontProperties(fname=str(f.regular)).get_name())
    return names


def _x(traj, et) -> np.ndarray:
    t0 = traj.planned_touchdown_et_s if math.isfinite(traj.planned_touchdown_et_s) else traj.start_et_s
    return (np.asarray(et, dtype=float) - t0) / 60.0


def _span(traj, t0: float, t1: float) -> slice:
    return slice(int(np.searchsorted(traj.et_s, t0)), int(np.searchsorted(traj.et_s, t1)) + 1)


def windows(traj) -> list[tuple[float, float]]:
    """The plots' ET spans: the powered descent and, when it is longer, its last
    :data:`ZOOM_S` seconds (where believed and true altitude part or meet)."""
    t0, t1 = plot_window(traj)
    td = traj.event("touchdown")
    end = td.et_s if td is not None else t1
    if end - t0 > 2 * ZOOM_S:
        return [(t0, t1), (end - ZOOM_S, t1)]
    return [(t0, t1)]


def plot_png(traj, ghost, faces, *, width_in: float = 7.0, dpi: int = 200) -> bytes:
    """Altitude (top) and speed (bottom) over each of :func:`windows` (columns) as PNG bytes."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    spans = windows(traj)
    fig = Figure(figsize=(width_in, width_in * 0.62), dpi=dpi, layout="constrained")
    fig.set_facecolor("white")
    with matplotlib.rc_context({"font.family": _fonts(faces), "font.size": 8}):
        axes = np.asarray(fig.subplots(2, len(spans), sharex="col", squeeze=False))
        planned = math.isfinite(traj.planned_touchdown_et_s)
        for col, (t0, t1) in enumerate(spans):
            _altitude_panel(axes[0, col], traj, ghost, t0, t1)
            _speed_panel(axes[1, col], traj, ghost, t0, t1)
            axes[1, col].set_xlabel(_("minutes from the planned touchdown") if planned
                                       else _("minutes from the start"))
            for ax in axes[:, col]:
                ax.grid(True, alpha=0.3)
                ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:,.0f}"))
                if col == len(spans) - 1:
                    ax.legend(loc="upper right", fontsize=7, frameon=True)
        if len(spans) > 1:
            axes[0, 1].set_title(_("the last {n} seconds").format(n=int(ZOOM_S)), fontsize=8)
            axes[0, 0].set_title(_("the powered descent"), fontsize=8)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
    return buf.getvalue()


def _altitude_panel(ax, traj, ghost, t0, t1) -> None:
    s = _span(traj, t0, t1)
    x = _x(traj, traj.et_s[s])
    ax.plot(x, units.convert(traj.alt_m[s], "altitude_plot"), color=TRUE_COLOR, lw=1.8, label=_("true altitude"))
    ax.plot(x, units.convert(traj.est_alt_m[s], "altitude_plot"), color=BELIEVED_COLOR, lw=2.0, ls=(0, (1, 1.2)),
            label=_("what the lander believed"))
    if ghost is not None:
        g = _span(ghost, t0, t1)
        ax.plot(_x(ghost, ghost.et_s[g]), units.convert(ghost.alt_m[g], "altitude_plot"), color=WHATIF_COLOR,
                lw=1.6, ls=(0, (4, 2)), label=_("what-if: rangefinder working"))
    ax.set_ylabel(_("Altitude ({unit})").format(unit=units.unit("altitude_plot")))
    ax.set_ylim(bottom=0)


def _speed_panel(ax, traj, ghost, t0, t1) -> None:
    s = _span(traj, t0, t1)
    x = _x(traj, traj.et_s[s])
    speed = np.linalg.norm(traj.vel_mps[s], axis=1)
    ax.plot(x, units.convert(speed, "speed"), color=TRUE_COLOR, lw=1.8, label=_("speed"))
    from matplotlib import patheffects

    edge = [patheffects.Stroke(linewidth=2.6, foreground="#3a3a3a"), patheffects.Normal()]
    ax.plot(x, -units.convert(traj.vertical_speed_mps()[s], "speed"), color=RATE_COLOR, lw=1.6, ls=(0, (6, 2)),
            label=_("descent rate"), path_effects=edge)
    if ghost is not None:
        g = _span(ghost, t0, t1)
        ax.plot(_x(ghost, ghost.et_s[g]), units.convert(np.linalg.norm(ghost.vel_mps[g], axis=1), "speed"),
                color=WHATIF_COLOR, lw=1.6, ls=(0, (4, 2)), label=_("what-if: speed"))
    ax.set_ylabel(_("Speed ({unit})").format(unit=units.unit("speed")))
    ax.set_ylim(bottom=0)
