"""The render cache: arrays kept on disk by key, and the terrain lighting bakes kept there (issue #12:
a farm's workers and the next command of a scene read the shadows instead of marching them again)."""

from __future__ import annotations

import os

import numpy as np
from render_helpers import SIZE

from lunarviz.render import resources, scene


def _counting(value):
    calls = []

    def compute():
        calls.append(1)
        return {"a": np.asarray(value)}

    return compute, calls


def test_arrays_are_computed_once_then_read(tmp_path):
    path = tmp_path / "thing-1.npz"
    compute, calls = _counting([1.0, 2.0])
    first = resources.cached_arrays(path, compute)
    again = resources.cached_arrays(path, compute)
    assert len(calls) == 1 and path.is_file()
    np.testing.assert_array_equal(first["a"], again["a"])
    assert not [p for p in tmp_path.iterdir() if p.name != path.name]  # no temporary file left


def test_a_damaged_file_is_computed_again_and_none_keeps_nothing(tmp_path):
    path = tmp_path / "thing-2.npz"
    path.write_bytes(b"PK\x03\x04 not a zip")
    compute, calls = _counting([3])
    assert resources.cached_arrays(path, compute)["a"].tolist() == [3]
    assert len(calls) == 1
    assert resources.cached_arrays(path, compute)["a"].tolist() == [3] and len(calls) == 1
    compute, calls = _counting([4])
    resources.cached_arrays(None, compute)
    resources.cached_arrays(None, compute)
    assert len(calls) == 2


def test_keep_leaves_the_newest_files_of_the_same_kind(tmp_path):
    (tmp_path / "other-0.npz").write_bytes(b"x")  # another kind of file: untouched
    for k in range(5):
        resources.cached_arrays(tmp_path / f"bake-{k}.npz", _counting([k])[0])
        os.utime(tmp_path / f"bake-{k}.npz", (1000 + k, 1000 + k))
    resources.cached_arrays(tmp_path / "bake-1.npz", _counting([1])[0])  # read: now the newest
    resources.cached_arrays(tmp_path / "bake-9.npz", _counting([9])[0], keep=3)
    assert sorted(p.name for p in tmp_path.glob("bake-*")) == ["bake-1.npz", "bake-4.npz", "bake-9.npz"]
    assert (tmp_path / "other-0.npz").exists()


def _build(demo_traj, demo_terrain):
    from lunarviz.render.offscreen import make_plotter

    p = make_plotter(SIZE)
    return p, scene.build(p, demo_traj, quality="draft", hud=False, terrain=demo_terrain)


def test_a_second_scene_reads_the_bake_and_gets_the_same_images(headless, demo_traj, demo_terrain, monkeypatch):
    marched = []
    real = scene._bake_images
    monkeypatch.setattr(scene, "_bake_images", lambda *a: marched.append(1) or real(*a))
    et = demo_traj.planned_touchdown_et_s - 7 * 600.0  # a Sun step no other test bakes
    sun, earth = scene._sun_dir(et), scene.earthshine(et, np.zeros(3) + 1.7e6)
    images = []
    for _ in range(2):
        p, h = _build(demo_traj, demo_terrain)
        try:
            images.append(dict(scene._bake_all(h, sun, earth)))
        finally:
            p.close()
    assert len(marched) == 1
    assert images[0].keys() == images[1].keys() and len(images[0]) >= 3
    for name, img in images[0].items():
        assert img.dtype == np.uint8 and img.max() > 0
        np.testing.assert_array_equal(img, images[1][name], err_msg=name)


def test_the_bake_key_follows_the_sun_the_light_and_the_terrain(headless, demo_traj, demo_terrain):
    import dataclasses

    p, h = _build(demo_traj, demo_terrain)
    try:
        et = demo_traj.planned_touchdown_et_s
        sun = scene._sun_dir(et)
        light = dict(intensity=1.0, ambient=0.03)
        key = scene._bake_key(h, sun, light)
        assert scene._bake_key(h, sun.copy(), dict(light)) == key
        assert scene._bake_key(h, scene._sun_dir(et + 600.0), light) != key
        assert scene._bake_key(h, sun, dict(light, ambient=0.04)) != key
        name, patch, parent = h.data["patches"][-1]
        bumped = dataclasses.replace(patch, height_m=patch.height_m + 0.01)
        h.data["patches"][-1] = (name, bumped, parent)
        assert scene._bake_key(h, sun, light) != key
    finally:
        p.close()
