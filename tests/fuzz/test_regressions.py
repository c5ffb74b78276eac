"""One regression test per class of failure issue #16 found (hangs, broken invariants, tracebacks, silent
acceptance, leftovers); the fuzz suites around it look for new ones."""

from __future__ import annotations

import errno
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from fuzzkit import BASE_TEXT, check_flight

from lunarviz import cli, fileio, physics, scenario
from lunarviz.errors import AssetError, LunarvizError, ScenarioError, shown
from lunarviz.geometry import MOON_RADIUS_M, enu_basis

SCENES = Path(__file__).resolve().parents[2] / "scenes"
RESILIENCE = (SCENES / "resilience.toml").read_text()


def _err(text: str, source: str = "x.toml") -> str:
    with pytest.raises(ScenarioError) as exc:
        scenario.loads(text, source)
    msg = str(exc.value)
    assert "\n" not in msg and msg.startswith(source)
    return msg


def _sub(old: str, new: str, text: str = BASE_TEXT) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


class Reached(Exception):
    pass


@pytest.fixture
def no_flight(monkeypatch):
    """The flight, the Monte Carlo and the viewer replaced by a sentinel: a command that gets that far
    passed every up-front check."""
    import lunarviz.commands.flights as flights
    import lunarviz.physics.montecarlo as montecarlo

    def reached(*_a, **_k):
        raise Reached

    monkeypatch.setattr(physics, "fly", reached)
    monkeypatch.setattr(montecarlo, "run", reached)
    monkeypatch.setattr(flights, "load_flight", reached)


def _one_line_exit_2(argv, capsys) -> str:
    assert cli.main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    return err[0]


# ------------------------------------------------------------------ hangs and memory: bounds and budgets up front
@pytest.mark.parametrize("old,new,what", [
    ("powered_step_s = 0.5", "powered_step_s = 1e-9", r"powered_step_s: 1e-09 s would need .* steps.*0.01..1 s"),
    ("powered_step_s = 0.5", "powered_step_s = 1e-4", r"powered_step_s: 0.0001 s would need 1.9e\+07 steps"),
    ("powered_step_s = 0.5", "powered_step_s = 2.0", r"powered_step_s: 2 s; expected 0.01..1 s"),
    ("coast_step_s = 1.0", "coast_step_s = 1e-9", r"coast_step_s: 1e-09 s would need .* steps"),
    ("min_crater_m = 20.0", "min_crater_m = 0.001", r"min_crater_m = 0.001: the terrain would hold ~.* craters "
                                                    r"\(~.* GiB\); expected at most"),
])
def test_costly_scenario_numbers_are_refused_with_the_estimate_and_the_key(old, new, what):
    t0 = time.process_time()
    assert re.search(what, _err(_sub(old, new)))
    assert time.process_time() - t0 < 5.0  # refused from an estimate, not after trying


def test_costly_command_lines_are_refused_before_the_work(no_flight, capsys):
    msg = _one_line_exit_2(["fly", "--dispersions", "200000000"], capsys)
    assert "GiB" in msg and "LUNARVIZ_MAX_RUNS" in msg
    for opt, value in (("--fps", "1e12"), ("--fps", "1e308"), ("--speed", "1e-300")):
        msg = _one_line_exit_2(["render", "resilience", "-o", "x.mp4", opt, value], capsys)
        assert msg.startswith(f"lunarviz render: error: {opt} ")


def test_frame_count_budget_names_the_estimate():
    from lunarviz.errors import RenderError
    from lunarviz.render.video import frame_times

    with pytest.raises(RenderError, match=r"would be 2.4e\+07 frames .*expected at most 500,000"):
        frame_times(0.0, 1e5, 240.0, 1.0)


# ------------------------------------------------------------------ physics invariants
_DEORBIT = "[guidance.deorbit]\nstart_utc = \"2025-06-05T12:00:00.200\"\ndelta_v_mps = 5.0\nthrottle = 0.5\n\n"


def test_an_empty_tank_never_thrusts_and_says_so():
    text = _sub("propellant_kg = 60.0", "propellant_kg = 0.0",
                _sub("[guidance.braking]", _DEORBIT + "[guidance.braking]"))
    traj = physics.fly(scenario.loads(text, "empty.toml"))
    check_flight(traj)
    assert np.all(traj.mass_kg == traj.dry_mass_kg)
    ev = {e.name: e.et_s for e in traj.events}
    assert ev["propellant_exhausted"] == ev["deorbit"] == ev["deorbit_end"]  # the burn stops at once


def test_a_tank_running_dry_mid_burn_stops_the_burn():
    text = _sub("propellant_kg = 60.0", "propellant_kg = 0.05",
                _sub("[guidance.braking]", _DEORBIT + "[guidance.braking]"))
    traj = physics.fly(scenario.loads(text, "dry.toml"))
    check_flight(traj)
    ev = {e.name: e.et_s for e in traj.events}
    assert ev["deorbit"] < ev["propellant_exhausted"] == pytest.approx(ev["deorbit_end"], abs=1e-9)


def _wall_text(width_m: float) -> str:
    """60 m up, flying west at 60 m/s into a 300 m ridge (face 300 m east of the site), far narrower than
    the 100 m terrain grid and than one 30 m step."""
    e = enu_basis(20.0, 30.0)
    u = e[2] * MOON_RADIUS_M + 600.0 * e[0]
    pos = u / np.linalg.norm(u) * (MOON_RADIUS_M + 60.0)
    vel = -60.0 * e[0] - 2.0 * e[2]
    text = _sub("offset_m = 150.0", "offset_m = 300.0", _sub("width_m = 20.0", f"width_m = {width_m}"))
    text = _sub("height_m = 200.0", "height_m = 300.0\nback_slope_m = 10.0", text)
    text = re.sub(r"pos_m = .*", f"pos_m = {[float(x) for x in pos]}", text)
    return re.sub(r"vel_mps = .*", f"vel_mps = {[float(x) for x in vel]}", text)


@pytest.mark.parametrize("width_m", [1.0, 20.0])
def test_contact_is_found_on_a_ridge_narrower_than_a_step(width_m):
    traj = physics.fly(scenario.loads(_wall_text(width_m), "wall.toml"))
    check_flight(traj)
    td = traj.event("touchdown")
    east = float((td.pos_m - enu_basis(20.0, 30.0)[2] * MOON_RADIUS_M) @ enu_basis(20.0, 30.0)[0])
    assert td.et_s - traj.start_et_s < 8.0        # at the ridge, not ~80 s later beyond it
    assert 270.0 < east < 330.0


def _east_of_site(pos_m) -> float:
    e = enu_basis(20.0, 30.0)
    return float((pos_m - e[2] * MOON_RADIUS_M) @ e[0])


def test_contact_is_found_on_a_thin_fin_between_the_grid_nodes():
    # fuzz case (5000 runs): a 3 km scarp 0.5 m wide falling back to the datum over 50 m, 200 m west of
    # the site: a fin thinner than the 100 m lookup grid, which the lander flew straight through
    text = _sub("extent_m = 4000.0", "extent_m = 500.0", _sub("relief_m = 5.0", "relief_m = 0.0"))
    text = _sub("height_m = 200.0", "height_m = 3000.0\nback_slope_m = 50.0", text)
    text = _sub("offset_m = 150.0", "offset_m = -200.0", _sub("width_m = 20.0", "width_m = 0.5", text))
    traj = physics.fly(scenario.loads(text, "fin.toml"))
    check_flight(traj)
    assert -202.0 < _east_of_site(traj.event("touchdown").pos_m) < -198.0   # on the face, not beyond


def test_contact_is_found_on_a_dem_spike_between_the_grid_nodes(tmp_path):
    # a 300 m one-pixel spike of a 10 m DEM, 250 m east of the site: between two lookup-grid nodes
    z = np.zeros((161, 161))
    z[80, 105] = 300.0
    np.save(tmp_path / "spike.npy", z)
    text = _wall_text(20.0).replace("height_m = 300.0", "height_m = 0.0")
    text = re.sub(r"\[terrain\][^[]*", f'[terrain]\nkind = "dem"\npath = "{tmp_path / "spike.npy"}"\n'
                  "dem_spacing_m = 10.0\n\n", text)
    text = re.sub(r"\[terrain.cliff\][^[]*", "", text).replace(f"{MOON_RADIUS_M + 60.0}", "x")
    e = enu_basis(20.0, 30.0)
    u = e[2] * MOON_RADIUS_M + 600.0 * e[0]
    pos = u / np.linalg.norm(u) * (MOON_RADIUS_M + 100.0)          # 100 m up: above the grid's 60 m margin
    text = re.sub(r"pos_m = .*", f"pos_m = {[float(x) for x in pos]}", text)
    traj = physics.fly(scenario.loads(text, "spike.toml"))
    check_flight(traj)
    assert 245.0 < _east_of_site(traj.event("touchdown").pos_m) < 262.0   # on the spike's east flank


def test_dispersed_starts_under_the_terrain_are_an_error_not_runs_inside_it():
    # 800 m up with a 2 km position dispersion: some of 40 Monte Carlo starts lie inside the Moon
    from lunarviz.physics import montecarlo

    sc = scenario.loads(_sub("position_m = 5.0", "position_m = 2000.0"), "wide.toml")
    with pytest.raises(ScenarioError, match=r"wide.toml: \[dispersions\] position_m: \d+ of 40 dispersed starts"):
        montecarlo.run(sc, 40, seed=1)


def test_a_coast_into_a_scarp_is_an_error_not_a_flight_through_it():
    # 500 m up over the low side, coasting west at 300 m/s for the 1 s before powered descent: into
    # the 3 km high side of a scarp (the coast's own step only knows the sphere)
    e = enu_basis(20.0, 30.0)
    u = e[2] * MOON_RADIUS_M + 400.0 * e[0]
    pos = u / np.linalg.norm(u) * (MOON_RADIUS_M + 500.0)
    text = _sub("height_m = 200.0", "height_m = 3000.0")
    text = re.sub(r"pos_m = .*", f"pos_m = {[float(x) for x in pos]}", text)
    text = re.sub(r"vel_mps = .*", f"vel_mps = {[float(x) for x in -300.0 * e[0]]}", text)
    with pytest.raises(ScenarioError, match=r"coast.txt: the coast before powered descent reaches the surface"):
        physics.fly(scenario.loads(text, "coast.txt"))


@pytest.mark.parametrize("vel,what", [
    ("[1e308, 0.0, 0.0]", "speed of at most 5000 m/s"),
    ("[899377374.0, 0.0, 0.0]", "speed of at most 5000 m/s"),   # 3 x the speed of light
])
def test_implausible_start_states_are_refused(vel, what):
    msg = _err(re.sub(r"vel_mps = .*", f"vel_mps = {vel}", BASE_TEXT))
    assert "[start.state] vel_mps" in msg and what in msg


def test_a_start_inside_the_terrain_is_refused():
    e = enu_basis(20.0, 30.0)
    pos = e[2] * (MOON_RADIUS_M + 1.0)  # the site stands on the 200 m scarp's high side
    text = re.sub(r"pos_m = .*", f"pos_m = {[float(x) for x in pos]}", BASE_TEXT)
    with pytest.raises(ScenarioError, match=r"\[start.state\] pos_m: the flight starts .* m below the terrain"):
        physics.fly(scenario.loads(text, "inside.toml"))


def test_a_non_finite_state_ends_the_flight_naming_phase_and_time(monkeypatch):
    from lunarviz.physics import flight

    real = flight.initial_state
    monkeypatch.setattr(flight, "initial_state", lambda scn, plan: (real(scn, plan)[0], np.full(3, np.nan)))
    with pytest.raises(ScenarioError, match=r"nan.toml: the flight became non-finite in phase \w+ at "
                                            r"2025-06-05T12:00:\d\d\.\d+ UTC"):
        physics.fly(scenario.loads(BASE_TEXT, "nan.toml"))


# ------------------------------------------------------------------ write failures: one line, exit 2, before the work
@pytest.mark.parametrize("argv", [
    ["fly", "{scene}", "--csv", "/sys/x.csv"], ["fly", "{scene}", "--spk", "{tmp}"],
    ["fly", "{scene}", "--csv", "/missing/dir/x.csv"],
    ["fly", "{scene}", "--dispersions", "2", "--touchdowns", "/sys/t.csv"],
    ["still", "{scene}", "--at", "touchdown", "-o", "/missing/dir/x.png"],
    ["still", "{scene}", "--at", "touchdown", "-o", "/sys/x.png"],
    ["render", "{scene}", "-o", "/sys/x.mp4"], ["render", "{scene}", "-o", "{tmp}/no/x.mp4"],
])
def test_unwritable_outputs_fail_before_flying(argv, tmp_path, no_flight, capsys):
    argv = [a.format(scene=str(Path(__file__).parent / "small.toml"), tmp=tmp_path) for a in argv]
    msg = _one_line_exit_2(argv, capsys)
    out = argv[argv.index(next(a for a in argv if a in ("--csv", "--spk", "--touchdowns", "-o"))) + 1]
    assert msg.startswith(f"lunarviz {argv[0]}: error: {out}: ")
    assert re.search(r"read-only|is a folder|does not exist", msg)


def test_a_write_failing_midway_is_one_line_naming_path_and_cause(tmp_path, monkeypatch):
    target = tmp_path / "x.csv"
    with pytest.raises(LunarvizError, match=f"^{target}: cannot write: no space left on the device$"):
        with fileio.atomic_output(target) as tmp:
            raise OSError(errno.ENOSPC, "No space left on device", str(tmp))
    assert not list(tmp_path.iterdir())
    with pytest.raises(LunarvizError, match="no space left on the device: needs ~"):
        fileio.check_writable(target, need_bytes=2**62)


def test_a_full_disk_stops_a_render_at_once(tmp_path, monkeypatch):
    import shutil

    from lunarviz.render import video

    class Usage:
        free = 1024

    monkeypatch.setattr(shutil, "disk_usage", lambda _p: Usage())
    with pytest.raises(LunarvizError, match="no space left on the device"):
        video.check_free_space(tmp_path / "x.mp4")


# ------------------------------------------------------------------ parse and decode failures: one line
def test_deep_toml_is_one_line():
    assert "nesting too deep" in _err(BASE_TEXT + "\nx = " + "[" * 500 + "]" * 500 + "\n")


def test_pds3_label_with_odd_sample_bits_is_one_line(tmp_path):
    from fuzzkit import pds3

    from lunarviz.terrain import load_dem

    for bits in ("12", "0", "lots"):
        (tmp_path / "d.img").write_bytes(pds3(32, 32, bits, "PC_REAL"))
        with pytest.raises(ScenarioError, match=r"d.img: cannot read DEM: .*SAMPLE_BITS|d.img: cannot read DEM"):
            load_dem(tmp_path / "d.img")


@pytest.mark.parametrize("old,new,key", [
    ("relief_m = 5.0", "relief_m = 5.0\ndem_spacing_m = 1e300", "dem_spacing_m = 1e300"),
    ("isp_s = 310.0", "isp_s = 1e-300", "isp_s = 1e-300: expected a number >= 50"),
])
def test_absurd_numbers_are_one_line(old, new, key):
    assert key in _err(_sub(old, new))


def test_negative_seed_is_one_line(capsys):
    assert "--seed -1: expected an integer" in _one_line_exit_2(["fly", "--seed", "-1"], capsys)


def test_a_truncated_star_catalogue_is_one_line(tmp_path):
    from lunarviz import assets

    raw = assets.asset_path("stars_mag6").read_bytes()
    (tmp_path / "s.npy").write_bytes(raw[: len(raw) // 2])
    with pytest.raises(AssetError, match="s.npy: cannot read the star catalogue"):
        assets._stars_from(tmp_path / "s.npy", None)


def test_values_are_shown_as_written_and_short():
    msg = _err(_sub("lat_deg = 20.0", "lat_deg = 1979-05-27T07:32:00"))
    assert "lat_deg = 1979-05-27T07:32:00: expected" in msg and "datetime" not in msg
    msg = _err(_sub('title = "fuzz base"', "title = " + "1" * 100_000))
    assert len(msg) < 300
    msg = _err(_sub('title = "fuzz base"', 'title = "a"\n' + "k" * 100_000 + " = 1"))
    assert len(msg) < 400
    assert shown("x" * 1000) == "'" + "x" * 76 + "..."


# ------------------------------------------------------------------ silent acceptance
@pytest.mark.parametrize("old,new,what", [
    ('planned_touchdown_utc = "2025-06-05T12:01:00"', 'planned_touchdown_utc = "2025-06-05T11:00:00"',
     "[site] planned_touchdown_utc = '2025-06-05T11:00:00.000': expected a time after [guidance.braking] start_utc"),
    ('at_utc = "2025-06-05T12:00:20"', 'at_utc = "2025-06-05T11:59:00"',
     "[faults.imu_reset] at_utc = '2025-06-05T11:59:00.000': expected a time after [start] epoch_utc"),
    ('touchdown = "Touchdown"', 'touchdown = "Touchdown"\ndeorbit = "Deorbit"',
     "[story.captions] deorbit: a caption for an event this scenario cannot have"),
])
def test_impossible_times_and_captions_are_refused(old, new, what):
    assert what in _err(_sub(old, new))


def test_a_time_outside_the_kernels_names_the_file_and_key():
    from lunarviz.physics.flight import check_coverage

    scn = scenario.loads(_sub('anchor_utc = "2025-06-05T18:15:00"', 'anchor_utc = "2099-01-01T00:00:00"',
                              RESILIENCE), "far.toml")
    with pytest.raises(ScenarioError, match=r"^far.toml: \[start.orbit\] anchor_utc = 2099-01-01T00:00:00: outside "
                                            r"the SPICE kernel coverage"):
        check_coverage(scn)


# ------------------------------------------------------------------ nothing left behind
def _writing_child(target: Path):
    """A child process half-way through writing ``target`` (it sleeps): the process and its partial file."""
    child = subprocess.Popen([sys.executable, "-c", (
        "import time; from lunarviz.fileio import atomic_output\n"
        f"with atomic_output({str(target)!r}) as t:\n"
        "    t.write_bytes(b'half'); print(t, flush=True); time.sleep(600)\n")],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": os.environ.get("PYTHONPATH", "")})
    partial = Path(child.stdout.readline().strip())
    child.stdout.close()
    return child, partial


def test_partials_of_a_killed_run_are_removed_by_the_next_run(tmp_path):
    """SIGKILL while writing leaves a ``.x.partial-PID-*`` file; the next run writing there removes it
    (its process is gone, it is older than the new process), and leaves a live process's partial alone."""
    child, partial = _writing_child(tmp_path / 'x.mp4')
    assert partial.exists() and partial.name.startswith(f".x.partial-{child.pid}-")
    child.kill()
    child.wait()
    live = tmp_path / f".y.partial-{os.getpid()}-abc.mp4"
    live.write_bytes(b"mine")
    later = subprocess.run([sys.executable, "-c", (
        "from lunarviz.fileio import atomic_output\n"
        f"with atomic_output({str(tmp_path / 'z.csv')!r}) as t: t.write_text('ok')\n")], timeout=120)
    assert later.returncode == 0
    assert not partial.exists() and live.exists() and (tmp_path / "z.csv").read_text() == "ok"


def test_the_partials_of_a_child_this_process_killed_are_removed_at_once(tmp_path):
    """The viewer's video export kills its renderer when it will not stop within 5 s (a loaded machine):
    the renderer's partial file is newer than the viewer, so it is removed by its PID, not by age."""
    from lunarviz.fileio import remove_stale_partials

    child, partial = _writing_child(tmp_path / 'x.mp4')
    mine = tmp_path / f".y.partial-{os.getpid()}-abc.mp4"
    mine.write_bytes(b"mine")
    assert remove_stale_partials(tmp_path, of_pid=child.pid) == [] and partial.exists()  # still running
    assert remove_stale_partials(tmp_path) == [] and partial.exists()  # newer than this process
    child.kill()
    child.wait()
    assert remove_stale_partials(tmp_path, of_pid=child.pid) == [partial]
    assert not partial.exists() and mine.exists()


def test_a_vanishing_crater_size_is_refused_by_its_bound(tmp_path):
    """The long fuzz run found min_crater_m = 1e-300 overflowing the crater-density law (a warning,
    not a message): the key has a lower bound."""
    from lunarviz import scenario
    from lunarviz.errors import ScenarioError

    text = (Path(__file__).parent / "small.toml").read_text().replace("min_crater_m = 20.0", "min_crater_m = 1e-300")
    with pytest.raises(ScenarioError, match=r"min_crater_m.*0\.001"):
        scenario.loads(text, str(tmp_path / "x.toml"))
