import numpy as np
import pytest

from lunarviz.trajectory import (
    Event,
    Trajectory,
    quat_from_matrix,
    quat_rotate,
    quat_slerp,
    quat_to_matrix,
)

MM = 1e-3  # metre tolerance names


def circular_traj(n=61, dt=10.0, r=1_837_400.0, omega=1e-3):
    t = np.arange(n) * dt
    ang = omega * t
    pos = np.c_[r * np.cos(ang), r * np.sin(ang), np.zeros(n)]
    vel = np.c_[-r * omega * np.sin(ang), r * omega * np.cos(ang), np.zeros(n)]
    q = np.tile([1.0, 0, 0, 0], (n, 1))
    return Trajectory(
        et_s=t, pos_m=pos, vel_mps=vel, quat_wxyz=q, mass_kg=np.linspace(1000, 900, n),
        throttle=np.zeros(n), phase=np.zeros(n, int), phase_names=("coast",),
        alt_m=np.full(n, 100e3), est_alt_m=np.full(n, 100e3), lrf_valid=np.zeros(n, bool),
        events=(Event("b", 20.0, pos[2], vel[2]), Event("a", 10.0, pos[1], vel[1])),
        dry_mass_kg=400.0,
    ), r, omega


def test_arrays_are_read_only_and_events_sorted():
    traj, *_ = circular_traj()
    with pytest.raises(ValueError):
        traj.pos_m[0, 0] = 1.0
    assert traj.event_names() == ["a", "b"]
    assert traj.event("b").et_s == 20.0
    assert traj.event("missing") is None


def test_hermite_interpolation_follows_circle_between_samples():
    traj, r, omega = circular_traj()
    for et in np.linspace(0, 600, 997):
        s = traj.at(et)
        exact = np.array([r * np.cos(omega * et), r * np.sin(omega * et), 0])
        # chord error of linear interpolation here would be ~ r*(omega*dt)^2/8 = 23 m
        assert np.linalg.norm(s.pos_m - exact) < 0.05
        assert abs(s.speed_mps - r * omega) < 0.01 * r * omega


def test_scalars_and_clamping():
    traj, *_ = circular_traj()
    s = traj.at(5.0)
    assert s.mass_kg == pytest.approx(1000 - 100 / 60 * 0.5)
    assert s.propellant_fraction == pytest.approx((s.mass_kg - 400) / 600)
    assert traj.at(-100).et_s == traj.start_et_s
    assert traj.at(1e9).et_s == traj.end_et_s


def test_rejects_bad_shapes():
    traj, *_ = circular_traj()
    with pytest.raises(ValueError, match="strictly increasing"):
        Trajectory(**{**traj.__dict__, "et_s": np.zeros(len(traj))})
    with pytest.raises(ValueError, match="pos_m"):
        Trajectory(**{**traj.__dict__, "pos_m": np.zeros((3, 3))})


def test_quaternion_helpers_agree():
    rng = np.random.default_rng(1)
    for _ in range(50):
        q = rng.normal(size=4)
        q /= np.linalg.norm(q)
        if q[0] < 0:
            q = -q
        m = quat_to_matrix(q)
        assert np.allclose(m @ m.T, np.eye(3), atol=1e-12)
        assert np.allclose(quat_from_matrix(m), q, atol=1e-9)
        v = rng.normal(size=3)
        assert np.allclose(quat_rotate(q, v), m @ v, atol=1e-12)
    a, b = np.array([1.0, 0, 0, 0]), np.array([np.cos(0.5), 0, 0, np.sin(0.5)])
    mid = quat_slerp(a, b, 0.5)
    assert np.allclose(mid, [np.cos(0.25), 0, 0, np.sin(0.25)])


def test_atomic_output_renames_on_success_and_cleans_up_on_error(tmp_path):
    import os

    from lunarviz.fileio import atomic_output

    target = tmp_path / "out.txt"
    with atomic_output(target) as tmp:
        assert tmp.parent == tmp_path and tmp != target
        tmp.write_text("done")
    assert target.read_text() == "done"
    assert oct(os.stat(target).st_mode & 0o777) == oct(0o666 & ~_umask())
    with pytest.raises(RuntimeError):
        with atomic_output(tmp_path / "bad.txt") as tmp:
            tmp.write_text("half")
            raise RuntimeError("boom")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def _umask():
    import os

    m = os.umask(0)
    os.umask(m)
    return m
