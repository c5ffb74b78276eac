"""The optional-download path, against a local HTTP server on 127.0.0.1 (never the internet)."""

import hashlib
import http.server
import threading
from functools import partial

import pytest

from lunarviz import assets
from lunarviz.assets import AssetEntry
from lunarviz.cli import main
from lunarviz.errors import AssetError


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "www"
    root.mkdir()
    payload = bytes(range(256)) * 64
    (root / "dem_small.tif").write_bytes(payload)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", payload
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv(assets.ENV_CACHE, str(tmp_path / "cache"))
    monkeypatch.delenv(assets.ENV_MIRROR, raising=False)
    monkeypatch.delenv(assets.ENV_OFFLINE, raising=False)
    return tmp_path / "cache"


def entries(url, sha):
    e = AssetEntry("dem_small", "test/dem_small.tif", "test file", embedded=False, url=url, sha256=sha)
    return {"dem_small": e}


def test_download_with_pinned_hash(server, cache):
    base, payload = server
    sha = hashlib.sha256(payload).hexdigest()
    path = assets.fetch("dem_small", entries=entries(f"{base}/dem_small.tif", sha))
    assert path == cache / "test" / "dem_small.tif"
    assert path.read_bytes() == payload


def test_download_with_wrong_hash_is_refused(server, cache):
    base, _ = server
    with pytest.raises(AssetError, match="failed its SHA-256 check"):
        assets.fetch("dem_small", entries=entries(f"{base}/dem_small.tif", "0" * 64))


def test_unknown_hash_needs_opt_in_then_is_pinned(server, cache):
    base, payload = server
    reg = entries(f"{base}/dem_small.tif", None)
    with pytest.raises(AssetError, match="--no-verify"):
        assets.fetch("dem_small", entries=reg)
    path = assets.fetch("dem_small", entries=reg, allow_unverified=True)
    assert path.read_bytes() == payload
    assert assets._read_pins()["test/dem_small.tif"] == hashlib.sha256(payload).hexdigest()


def test_mirror_and_offline(server, cache, monkeypatch):
    base, payload = server
    reg = entries("http://unreachable.invalid/dem_small.tif", hashlib.sha256(payload).hexdigest())
    monkeypatch.setenv(assets.ENV_MIRROR, base)
    assert assets.fetch("dem_small", entries=reg).read_bytes() == payload
    monkeypatch.setenv(assets.ENV_OFFLINE, "1")
    with pytest.raises(AssetError, match="downloads are disabled"):
        assets.fetch("dem_small", entries=reg)


def test_missing_file_on_server_is_explained(server, cache):
    base, _ = server
    with pytest.raises(AssetError, match="download of 'dem_small' failed"):
        assets.fetch("dem_small", entries=entries(f"{base}/absent.tif", "0" * 64))


def test_cli_fetch_through_mirror(server, cache, monkeypatch, capsys):
    """`lunarviz assets fetch NAME --no-verify` of a real optional entry, served by the local mirror."""
    base, payload = server
    root_file = "ldem_16.tif"
    # serve the payload under the optional entry's file name
    import urllib.request

    www = cache.parent / "www"
    (www / root_file).write_bytes(payload)
    monkeypatch.setenv(assets.ENV_MIRROR, base)
    assert main(["assets", "fetch", "moon_dem_cgi_16ppd"]) == 2          # hash unknown: refused
    assert "--no-verify" in capsys.readouterr().err
    assert main(["assets", "fetch", "moon_dem_cgi_16ppd", "--no-verify"]) == 0
    assert (cache / "cgi_moon_kit" / root_file).read_bytes() == payload
    # now pinned: asset_path finds and checks it; corruption is detected
    assert assets.asset_path("moon_dem_cgi_16ppd").read_bytes() == payload
    (cache / "cgi_moon_kit" / root_file).write_bytes(payload[:-1])
    with pytest.raises(AssetError, match="SHA-256 mismatch"):
        assets.asset_path("moon_dem_cgi_16ppd")
    del urllib
