"""Embedded asset hashes, lookup, failures explained, and the `lunarviz assets` command."""

import shutil
from pathlib import Path

import pytest

from lunarviz import assets
from lunarviz.cli import main
from lunarviz.errors import AssetError

REPO = Path(__file__).resolve().parents[2]


def test_every_embedded_file_matches_its_hash():
    results = assets.verify()
    bad = [r for r in results if r.status != "ok"]
    assert not bad, bad
    names = {r.relpath for r in results}
    for rel in ("moon/moon_color_full.jpg", "moon/moon_color_2k.jpg", "earth/earth_day_4k.jpg",
                "earth/earth_night_4k.jpg", "stars/stars_mag6.npy", "lander.glb"):
        assert rel in names


def test_sources_md_accounts_for_every_non_kernel_file():
    text = (assets.assets_dir() / "SOURCES.md").read_text()
    for rel in assets.read_registry():
        if not rel.startswith("kernels/"):
            assert f"`{rel}`" in text, rel


def test_embedded_assets_are_lean():
    total = sum(p.stat().st_size for p in assets.assets_dir().rglob("*") if p.is_file())
    assert total < 40e6


def test_aliases_and_pyramids():
    assert assets.asset_path("moon_color").name == "moon_color_4k.jpg"
    assert assets.texture_path("moon_color", 2048).name == "moon_color_2k.jpg"
    assert assets.texture_path("moon_color", 20000).name == "moon_color_full.jpg"
    assert assets.texture_path("earth_night", 1000).name == "earth_night_2k.jpg"
    with pytest.raises(AssetError, match="unknown asset 'nope'"):
        assets.asset_path("nope")


@pytest.fixture
def copied_assets(tmp_path, monkeypatch):
    """A copy of two small embedded files with a registry, pointed at by LUNARVIZ_ASSETS."""
    src = assets.assets_dir()
    dst = tmp_path / "assets"
    (dst / "stars").mkdir(parents=True)
    shutil.copy(src / "stars" / "stars_mag6.npy", dst / "stars")
    shutil.copy(src / "lander.glb", dst)
    reg = assets.read_registry(src)
    lines = [f"{rel} {sha} {size}" for rel, (sha, size) in reg.items() if rel in ("stars/stars_mag6.npy", "lander.glb")]
    (dst / "registry.txt").write_text("\n".join(lines) + "\n")
    monkeypatch.setenv(assets.ENV_ASSETS, str(dst))
    monkeypatch.setenv(assets.ENV_CACHE, str(tmp_path / "cache"))
    return dst


def test_verify_reports_corruption_and_cli_exits_nonzero(copied_assets, capsys):
    assert main(["assets", "verify"]) == 0
    data = bytearray((copied_assets / "lander.glb").read_bytes())
    data[100] ^= 0xFF
    (copied_assets / "lander.glb").write_bytes(bytes(data))
    (copied_assets / "extra.bin").write_bytes(b"x")
    assert main(["assets", "verify"]) == 1
    out = capsys.readouterr()
    assert "mismatch      lander.glb" in out.out
    assert "unregistered  extra.bin" in out.out
    assert "2 of 3 files failed" in out.err
    with pytest.raises(AssetError, match="SHA-256 mismatch for asset 'lander'"):
        assets.asset_path("lander")


def test_missing_embedded_file_is_explained(copied_assets):
    (copied_assets / "stars" / "stars_mag6.npy").unlink()
    with pytest.raises(AssetError, match="embedded asset 'stars_mag6' is missing"):
        assets.load_stars()
    assert main(["assets", "verify"]) == 1


def test_cache_is_used_when_embedded_copy_is_absent(copied_assets, tmp_path):
    cached = tmp_path / "cache" / "stars"
    cached.mkdir(parents=True)
    shutil.move(copied_assets / "stars" / "stars_mag6.npy", cached / "stars_mag6.npy")
    assert assets.asset_path("stars") == cached / "stars_mag6.npy"


def test_cli_list_and_unknown_fetch(capsys):
    assert main(["assets", "list"]) == 0
    out = capsys.readouterr().out
    assert "moon_color_full" in out and "hash unknown" in out
    assert main(["assets", "fetch", "bogus"]) == 2
    assert "unknown asset 'bogus'" in capsys.readouterr().err
