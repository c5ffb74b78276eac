"""The plot palette stays readable with colour-vision deficiency (issue #13, accessibility).

Each pair of colours drawn together on one plot is compared in CIELAB for normal vision and under
simulated deuteranopia and protanopia (Machado, Oliveira & Fernandes 2009, severity 1.0, applied in
linear RGB)."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from lunarviz import palette

#: the smallest colour difference (CIELAB ΔE*ab) two lines of one plot may have
MIN_DELTA_E = 20.0

MACHADO = {
    "normal": np.eye(3),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
}


def _linear(rgb):
    c = np.asarray(rgb, float) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab_of_linear(lin):
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ lin
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > 0.008856, np.cbrt(t), 7.787 * t + 16.0 / 116.0)
    return np.array([116.0 * f[1] - 16.0, 500.0 * (f[0] - f[1]), 200.0 * (f[1] - f[2])])


def seen_as(rgb, vision: str) -> np.ndarray:
    """CIELAB of ``rgb`` as a viewer with ``vision`` sees it (gamut-clipped in linear RGB)."""
    return _lab_of_linear(np.clip(MACHADO[vision] @ _linear(rgb), 0.0, 1.0))


def test_the_simulation_confuses_what_deuteranopes_confuse():
    # sanity of the model: red and green nearly merge for a deuteranope, blue and yellow do not
    red, green = (220, 60, 50), (90, 160, 40)
    assert np.linalg.norm(seen_as(red, "normal") - seen_as(green, "normal")) > 60
    assert np.linalg.norm(seen_as(red, "deuteranopia") - seen_as(green, "deuteranopia")) < 25
    assert np.linalg.norm(seen_as((0, 114, 178), "deuteranopia") - seen_as((240, 228, 66), "deuteranopia")) > 60


@pytest.mark.parametrize("vision", list(MACHADO))
def test_every_pair_of_colours_on_one_plot_stays_apart(vision):
    for group in palette.PLOT_LINE_GROUPS:
        for a, b in itertools.combinations(group, 2):
            de = float(np.linalg.norm(seen_as(a, vision) - seen_as(b, vision)))
            assert de >= MIN_DELTA_E, f"{a} vs {b}: ΔE {de:.1f} for {vision}"


def test_the_viewer_and_the_3d_ghost_draw_with_the_palette():
    from lunarviz.render.ghost import GHOST_RGB

    assert GHOST_RGB == palette.rgb01(palette.WHATIF)
    text = (Path(palette.__file__).parent / "app" / "plots.py").read_text(encoding="utf-8")
    for name in ("TRUE", "BELIEVED", "DESCENT_RATE", "WHATIF", "CURSOR", "PUBLISHED", "REJECTED"):
        assert f"palette.{name}" in text, name
