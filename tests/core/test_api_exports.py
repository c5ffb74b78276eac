"""The API's exports and what-ifs: one implementation shared with ``lunarviz fly`` and ``render``."""

from __future__ import annotations

import csv

import numpy as np
import pytest

import lunarviz
from lunarviz.errors import LunarvizError, ScenarioError


@pytest.fixture(scope="module")
def traj():
    return lunarviz.fly("resilience")


def test_to_csv_is_fly_csv(traj, tmp_path):
    from lunarviz.cli import main

    traj.to_csv(tmp_path / "api.csv")
    assert main(["fly", "resilience", "--csv", str(tmp_path / "cli.csv")]) == 0
    assert (tmp_path / "api.csv").read_bytes() == (tmp_path / "cli.csv").read_bytes()


def test_to_dataframe_matches_the_csv(traj, tmp_path):
    traj.to_csv(tmp_path / "t.csv")
    with open(tmp_path / "t.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    df = traj.to_dataframe()
    assert len(df) == len(rows) and list(df.columns) == list(rows[0])
    assert df["alt_m"].dtype == float and df["lrf_valid"].dtype == bool
    np.testing.assert_allclose(df["est_alt_m"], [float(r["est_alt_m"]) for r in rows])
    assert df["utc"].iloc[-1] == rows[-1]["utc"]


def test_to_spk_writes_a_kernel(traj, tmp_path):
    traj.to_spk(tmp_path / "r.bsp")
    assert (tmp_path / "r.bsp").stat().st_size > 10_000
    assert not list(tmp_path.glob(".*"))


def test_replace_is_the_viewers_what_if():
    from lunarviz.app.whatif_model import apply_changes

    sc = lunarviz.load("resilience")
    assert sc.replace(lrf_valid_below_m=8000.0, propellant_kg=300.0) == apply_changes(
        sc, {"lrf_valid_below_m": 8000.0, "propellant_kg": 300.0})
    assert sc.replace(title="other").title == "other" and sc.title != "other"
    planned = lunarviz.fly(sc.replace(lrf_valid_below_m=10_000.0))
    flown = lunarviz.fly(sc)
    assert planned.event("touchdown").speed_mps < 5.0 < flown.event("touchdown").speed_mps


@pytest.mark.parametrize("changes,match", [({"fuel": 1}, r"replace\(fuel=\.\.\.\): unknown key"),
                                           ({"propellant_kg": -5.0}, "propellant_kg = -5.0")])
def test_replace_refuses_bad_changes_in_one_line(changes, match):
    with pytest.raises(ScenarioError, match=match) as exc:
        lunarviz.load("resilience").replace(**changes)
    assert "\n" not in str(exc.value)


def test_monte_carlo_is_fly_dispersions():
    from lunarviz.physics import montecarlo

    a = lunarviz.monte_carlo("resilience", 8, seed=3)
    b = montecarlo.run(lunarviz.load("resilience"), 8, seed=3)
    assert a.to_dict() == b.to_dict()
    with pytest.raises(LunarvizError, match="n = 0"):
        lunarviz.monte_carlo("resilience", 0)


def test_time_specs_and_et_seconds_agree(traj):
    from lunarviz.render.timespec import parse_time_spec

    et = traj.event("touchdown").et_s - 20.0
    assert parse_time_spec("touchdown-20s", traj) == pytest.approx(et)
    assert parse_time_spec(et, traj) == et


@pytest.mark.parametrize("options,match", [({"codec": "gif"}, "invalid choice: 'gif'"),
                                           ({"frobnicate": 1}, "unrecognized arguments: --frobnicate")])
def test_render_options_are_the_clis(traj, tmp_path, options, match):
    with pytest.raises(LunarvizError, match=match) as exc:
        lunarviz.render(traj, tmp_path / "x.mp4", **options)
    assert "\n" not in str(exc.value) and not list(tmp_path.iterdir())


def test_render_maps_api_options_to_cli_arguments(tmp_path):
    from lunarviz.api import _render_args

    args = _render_args(tmp_path / "o.mp4", {"size": (640, 360), "hud": False, "start": 8.0e8,
                                             "end": "touchdown", "antialias": None})
    assert (args.size, args.no_hud, args.start, args.end, args.antialias, args.no_progress) == (
        "640x360", True, 8.0e8, "touchdown", "none", True)


def test_lunarviz_render_stays_the_function_after_the_render_package_is_imported(tmp_path):
    import lunarviz.render.scene

    with pytest.raises(LunarvizError, match="invalid choice"):
        lunarviz.render(object(), tmp_path / "x.mp4", codec="gif")
