"""The one palette: the colours that tell the story's curves and markers apart, on screen and on paper.

Core module (no Qt, no VTK). Colours are ``(r, g, b)`` in 0..255, from the
Okabe-Ito set (Okabe & Ito 2008, "Color Universal Design"), chosen so that
every pair of lines sharing a plot stays apart (CIELAB ΔE >= 20) for normal
vision and under simulated deuteranopia and protanopia (Machado et al. 2009);
``tests/core/test_palette.py`` checks it. Line styles differ as well
(believed: dotted, what-if: dashed), so no pair relies on colour alone.
"""

from __future__ import annotations

__all__ = ["TRUE", "BELIEVED", "DESCENT_RATE", "WHATIF", "CURSOR", "PUBLISHED", "REJECTED", "rgb01", "html",
           "PLOT_LINE_GROUPS"]

#: the true flight (altitude, speed): sky blue
TRUE = (86, 180, 233)
#: what the lander believed (its altitude estimate): orange
BELIEVED = (230, 159, 0)
#: the descent rate beside the speed: yellow
DESCENT_RATE = (240, 228, 66)
#: the what-if flight: reddish purple, in the plots and as the 3D ghost
WHATIF = (204, 121, 167)
#: the playhead: white
CURSOR = (255, 255, 255)
#: published values (the scenario's ``[[record]]``): gold markers
PUBLISHED = (255, 215, 110)
#: rangefinder ranges the lander rejected: vermillion markers
REJECTED = (213, 94, 0)

#: the colours drawn together on one plot (altitude; speed; the markers)
PLOT_LINE_GROUPS = ((TRUE, BELIEVED, WHATIF, CURSOR), (TRUE, DESCENT_RATE, WHATIF, CURSOR), (PUBLISHED, REJECTED))


def html(colour: tuple[int, int, int]) -> str:
    """A palette colour as HTML and Qt style sheets write it (``#rrggbb``)."""
    return "#{:02x}{:02x}{:02x}".format(*colour)


def rgb01(colour: tuple[int, int, int]) -> tuple[float, float, float]:
    """A palette colour as VTK wants it (0..1)."""
    return tuple(c / 255.0 for c in colour)
