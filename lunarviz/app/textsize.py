"""How large the viewer draws its text (Qt-free, so ``lunarviz view --help`` checks it without Qt).

Every text of the window (panels, plots, the 3D view's HUD) is drawn at the
system size x the *font scale* (``view --font-scale``, Ctrl+plus / Ctrl+minus /
Ctrl+0), and x :data:`PRESENTATION_TEXT_SCALE` more in presentation mode.
"""

from __future__ import annotations

from lunarviz.errors import LunarvizError

#: the smallest and largest font scale
FONT_SCALES = (0.75, 3.0)
#: presentation mode's panel text: this much larger again
PRESENTATION_TEXT_SCALE = 1.6
#: one Ctrl+plus / Ctrl+minus press multiplies the font scale by this
FONT_SCALE_STEP = 1.25


def check_font_scale(scale: float) -> float:
    """``scale`` if it lies in :data:`FONT_SCALES` (a one-line error otherwise)."""
    lo, hi = FONT_SCALES
    if not lo - 1e-9 <= float(scale) <= hi + 1e-9:
        raise LunarvizError(f"--font-scale {scale:g}: expected a number from {lo:g} to {hi:g}")
    return float(scale)


def clamp_font_scale(scale: float) -> float:
    """``scale`` brought into :data:`FONT_SCALES` (a key pressed once too often stops at the end)."""
    return min(max(float(scale), FONT_SCALES[0]), FONT_SCALES[1])
