"""Fuzzed scenario files end in one clear line or in a flight that keeps the invariants (issue #16).

``LUNARVIZ_FUZZ_CASES`` scenario cases (300 in CI, ~0.05 s each): each one is loaded and, when it
loads, flown; an error must be one :class:`LunarvizError` line naming the file and a key, a flight must
satisfy :func:`fuzzkit.check_flight`, and no case may run past the hang guard. A tenth as many cases fly
three dispersed runs together (the Monte Carlo).
"""

from __future__ import annotations

import math

import numpy as np
from fuzzkit import CASES, budget, check_flight, check_message
from hypothesis import HealthCheck, given, settings
from strategies import scenario_texts

from lunarviz import physics, scenario
from lunarviz.errors import LunarvizError
from lunarviz.physics import montecarlo

SOURCE = "fuzz.toml"
_SETTINGS = dict(deadline=None, derandomize=True, database=None, print_blob=True,
                 suppress_health_check=list(HealthCheck))


def _fly_or_refuse(text: str, runs: int = 1):
    try:
        with budget():
            scn = scenario.loads(text, SOURCE)
            if runs == 1:
                return physics.fly(scn)
            return montecarlo.run(scn, runs, seed=1)
    except LunarvizError as exc:
        check_message(str(exc), SOURCE)
        return None


def test_fuzzed_scenarios_end_in_one_line_or_a_sound_flight(dem_paths):
    @settings(max_examples=CASES, **_SETTINGS)
    @given(text=scenario_texts(dem_paths))
    def case(text):
        traj = _fly_or_refuse(text)
        if traj is not None:
            check_flight(traj)

    case()


def test_fuzzed_monte_carlo_runs_keep_the_invariants(dem_paths):
    @settings(max_examples=max(10, CASES // 10), **_SETTINGS)
    @given(text=scenario_texts(dem_paths))
    def case(text):
        res = _fly_or_refuse(text, runs=3)
        if res is None:
            return
        scn = scenario.loads(text, SOURCE)
        landed = np.isfinite(res.touchdown_et_s)
        assert np.all(res.propellant_kg[landed] >= -1e-9)
        assert np.all(res.propellant_kg[landed] <= scn.vehicle.propellant_kg + 1e-9)
        assert all(math.isfinite(x) for x in res.lat_deg[landed])

    case()
