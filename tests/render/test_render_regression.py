"""Image regression for a handful of views, with tolerances.

Baselines live in ``tests/render/baseline/``. After an intended visual
change, regenerate them with ``LUNARVIZ_UPDATE_BASELINES=1 pytest tests/render``
and look at the new PNGs before committing them.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from render_helpers import render

BASELINE = Path(__file__).parent / "baseline"
#: mean absolute difference allowed over the whole frame (8-bit levels)
MEAN_TOL = 2.0
#: fraction of pixels allowed to differ by more than 24 levels (edges, star points)
OUTLIER_FRAC = 0.01

VIEWS = [
    ("chase", -60.0),
    ("chase", -400.0),
    ("orbit", -600.0),
    ("site", -30.0),
    ("down", -120.0),
]


@pytest.mark.parametrize("camera,dt", VIEWS)
def test_view_matches_baseline(scene_small, camera, dt):
    from PIL import Image

    h = scene_small
    img, _ = render(h, h.traj.planned_touchdown_et_s + dt, camera)
    path = BASELINE / f"{camera}{int(dt):+d}.png"
    if os.environ.get("LUNARVIZ_UPDATE_BASELINES") or not path.exists():
        if not os.environ.get("LUNARVIZ_UPDATE_BASELINES"):
            pytest.fail(f"missing baseline {path}; create it with LUNARVIZ_UPDATE_BASELINES=1")
        BASELINE.mkdir(exist_ok=True)
        Image.fromarray(img).save(path)
    ref = np.asarray(Image.open(path).convert("RGB"))
    assert ref.shape == img.shape
    d = np.abs(ref.astype(int) - img.astype(int)).max(axis=2)
    assert d.mean() < MEAN_TOL, f"{path.name}: mean difference {d.mean():.2f}"
    assert (d > 24).mean() < OUTLIER_FRAC, f"{path.name}: {100 * (d > 24).mean():.2f} % of pixels differ"
