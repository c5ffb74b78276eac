"""The Monte Carlo landing ellipse has a physical cross-range width (issue #11: it was "853 x 1 m")."""

from __future__ import annotations

import dataclasses

import numpy as np

from lunarviz import scenario
from lunarviz.physics.montecarlo import run_batched


def test_horizontal_knowledge_error_widens_the_cross_range_spread():
    sc = scenario.load(scenario.resolve("resilience-nominal"))
    d = sc.dispersions
    assert d.nav_horizontal_m is None and d.nav_horizontal_sigma_m == d.position_m > 0
    mc = run_batched(sc, 24, seed=3, batch=12)
    ok = np.isfinite(mc.east_m)
    # the ground track heads north, so east is cross-range: the lander lands where it *believes*
    # the site is, off by its ~position_m horizontal knowledge error
    assert 0.4 * d.position_m < float(np.std(mc.east_m[ok])) < 3.0 * d.position_m
    assert mc.sigma_axes_m(1.0)[1] > 0.4 * d.position_m
    # with perfect horizontal knowledge the guidance nulls cross-range errors (the old ~1 m ellipse)
    perfect = dataclasses.replace(sc, dispersions=dataclasses.replace(d, nav_horizontal_m=0.0))
    mc0 = run_batched(perfect, 12, seed=3, batch=12)
    assert float(np.nanstd(mc0.east_m)) < 0.2 * float(np.std(mc.east_m[ok]))
