"""Fuzzed command lines: one line and exit 2, or the work starts with every up-front check passed (issue #16).

Each case runs :func:`lunarviz.cli.main` in this process with the expensive work replaced by a sentinel
(the flight, the Monte Carlo, the window): a case ends in exit 0 (``ephem``), in exit 2 with exactly one
line on stderr, in argparse's usage error, or in the sentinel. An output path that cannot be written must
never reach the sentinel: it fails before the flight.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fuzzkit import CASES, MAX_MESSAGE_CHARS, budget
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lunarviz import cli

SCENE = str(Path(__file__).resolve().parent / "small.toml")


class Reached(Exception):
    """The command got past its checks to the expensive work."""


def _reached(*_a, **_k):
    raise Reached


_NUMBERS = ["0", "1", "-1", "30", "1e12", "1e308", "1e-300", "nan", "inf", "-inf", "2.5", "99999999999999999999",
            "x", "", "1" * 300, "0x10"]
_TIMES = ["touchdown", "touchdown-5s", "start", "powered_descent+2s", "2025-06-05T12:00:30", "nope", "", "-60s",
          "touchdown-1e300s", "2025-13-45T00:00:00"]
_SIZES = ["64x48", "320x181", "16x16", "0x0", "99999x99999", "1920x1080", "x", "1e9x1e9"]
_BAD_OUT = ["/missing/dir/x", "/sys/x"]


def _outputs(tmp: Path, ext: str) -> list[str]:
    return [str(tmp / f"out{ext}"), str(tmp / "sub" / f"out{ext}"), *(p + ext for p in _BAD_OUT), str(tmp), "/", "."]


def _options(tmp: Path) -> dict[str, dict[str, list[str] | None]]:
    scenes = [SCENE, "resilience", "no-such-scene", str(tmp / "missing.toml"), str(tmp)]
    return {
        "fly": {"scene": scenes, "--json": None, "--seed": _NUMBERS, "--dispersions": _NUMBERS,
                "--csv": _outputs(tmp, ".csv"), "--spk": _outputs(tmp, ".bsp"), "--spk-id": _NUMBERS,
                "--touchdowns": _outputs(tmp, ".csv")},
        "still": {"scene": scenes, "--at": _TIMES, "--camera": ["chase", "down", "scenario", "nope", ""],
                  "-o": _outputs(tmp, ".png") + [str(tmp / "x.jpg")], "--size": _SIZES,
                  "--quality": ["draft", "ultra"], "--no-hud": None},
        "render": {"scene": scenes, "-o": _outputs(tmp, ".mp4") + _outputs(tmp, ".mov") + [str(tmp / "frames")],
                   "--fps": _NUMBERS, "--speed": _NUMBERS, "--size": _SIZES, "--start": _TIMES, "--end": _TIMES,
                   "--codec": ["h264", "prores", "png", "vp9"], "--camera": ["chase", "orbit", "nope"],
                   "--no-progress": None},
        "ephem": {"--utc": ["2025-06-05T19:17:00", "1800-01-01T00:00:00", "2300-01-01", "x", ""],
                  "--site": ["60.5,-4.6", "-80.13,1.44", "91,0", "nan,nan", "1,2,3", "x"], "--json": None},
        "view": {"scene": scenes, "--at": _TIMES, "--camera": ["chase", "nope"], "--speed": _NUMBERS,
                 "--what-if": ["lrf_valid_below_m=3000", "x=1", "lrf_valid_below_m=nan", "=", "a" * 500],
                 "--quit-after": _NUMBERS, "--screenshot": _outputs(tmp, ".png")},
    }


@st.composite
def command_lines(draw, tmp: Path):
    opts = _options(tmp)
    cmd = draw(st.sampled_from(sorted(opts)))
    argv = [cmd]
    names = draw(st.lists(st.sampled_from(sorted(opts[cmd])), max_size=5, unique=True))
    for name in names:
        values = opts[cmd][name]
        if name == "scene":
            argv.append(draw(st.sampled_from(values)))
        elif values is None:
            argv.append(name)
        else:
            argv += [name, draw(st.sampled_from(values) | st.text(max_size=8))]
    if cmd in ("still", "render") and "-o" not in names:
        argv += ["-o", str(tmp / ("x.png" if cmd == "still" else "x.mp4"))]
    if cmd == "still" and "--at" not in names:
        argv += ["--at", "touchdown"]
    if draw(st.integers(0, 9)) == 0:
        argv.insert(draw(st.integers(1, len(argv))), draw(st.sampled_from(["--bogus", "-x", "--", "-1e9"])))
    return argv


def _unwritable(argv: list[str], tmp: Path) -> bool:
    flags = ("-o", "--csv", "--spk", "--touchdowns", "--screenshot")
    outs = [argv[i + 1] for i, a in enumerate(argv[:-1]) if a in flags]
    return any(o.startswith(tuple(_BAD_OUT)) or o in (str(tmp), "/", ".") or "/sub/" in o for o in outs)


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    import lunarviz.app.main as app_main
    import lunarviz.commands.flights as flights
    import lunarviz.physics as physics
    import lunarviz.physics.montecarlo as montecarlo

    monkeypatch.setattr(physics, "fly", _reached)
    monkeypatch.setattr(montecarlo, "run", _reached)
    monkeypatch.setattr(flights, "load_flight", _reached)
    monkeypatch.setattr(app_main, "check_display", _reached)
    monkeypatch.setenv("LUNARVIZ_OFFLINE", "1")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "frames").mkdir()
    return tmp_path


def test_fuzzed_command_lines_are_one_line_or_reach_the_work(sandbox, capsys):
    @settings(max_examples=CASES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(argv=command_lines(sandbox))
    def case(argv):
        capsys.readouterr()
        try:
            with budget():
                code = cli.main(argv)
        except Reached:
            assert not _unwritable(argv, sandbox), f"{argv}: an unwritable output reached the work"
            return
        except SystemExit as exc:  # argparse: usage line + error line
            assert exc.code == 2, argv
            err = capsys.readouterr().err.strip().splitlines()
            assert err and err[-1].startswith("lunarviz") and "error:" in err[-1], (argv, err)
            return
        out = capsys.readouterr()
        if code == 0:
            assert argv[0] == "ephem" and not out.err.strip(), (argv, out.err)
            return
        assert code == 2, (argv, code)
        lines = out.err.strip().splitlines()
        assert len(lines) == 1, (argv, lines)
        assert lines[0].startswith(f"lunarviz {argv[0]}: error: "), lines
        assert len(lines[0]) <= MAX_MESSAGE_CHARS and "Traceback" not in lines[0], lines[0][:300]
        assert "datetime.datetime(" not in lines[0]

    case()
    assert not [p for p in os.listdir(sandbox) if ".partial-" in p]
