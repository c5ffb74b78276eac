"""The ``lunarviz`` command line as a new user meets it: values that start with '-',
misspelt scene names, every --help, the default scene."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import pytest

from lunarviz import scenario
from lunarviz.cli import _VALUE_LIKE, build_parser, main

SHIPPED = scenario.shipped_scenes()


def _all_parsers(parser: argparse.ArgumentParser, path: tuple[str, ...] = ("lunarviz",)):
    """(path, parser) for the parser and every subcommand and sub-subcommand under it."""
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _all_parsers(sub, (*path, name))


PARSERS = list(_all_parsers(build_parser()))


def test_the_walk_reaches_every_command():
    names = {" ".join(p) for p, _ in PARSERS}
    assert {"lunarviz ephem", "lunarviz fly", "lunarviz still", "lunarviz render", "lunarviz view",
            "lunarviz assets", "lunarviz assets list", "lunarviz assets fetch", "lunarviz assets verify"} <= names


@pytest.mark.parametrize("path,parser", PARSERS, ids=[" ".join(p) for p, _ in PARSERS])
def test_every_help_has_a_description(path, parser):
    assert parser.description and len(parser.description.split()) >= 5, " ".join(path)
    assert "resilience.toml" not in parser.format_help()  # the default scene has one spelling: resilience


def test_the_default_scene_is_spelled_the_same_in_every_help():
    scene_helps = {}
    for path, parser in PARSERS:
        for action in parser._actions:
            if action.dest == "scene":
                scene_helps[" ".join(path)] = (action.help, action.default)
    assert set(scene_helps) == {f"lunarviz {c}" for c in ("fly", "still", "render", "lookbook", "handout", "view",
                                                          "serve")}
    assert len(set(scene_helps.values())) == 1, scene_helps
    text, default = next(iter(scene_helps.values()))
    assert default == scenario.DEFAULT_SCENE == "resilience"
    assert f"[default: {default}]" in text and all(name in text for name in SHIPPED)


def test_no_option_is_spelt_like_a_negative_number():
    # the parser takes any '-<digit>' word as a value; an option spelt so would be unreachable
    for path, parser in PARSERS:
        for option in parser._option_string_actions:
            assert not _VALUE_LIKE.match(option), (" ".join(path), option)


@pytest.mark.parametrize("argv,dest,value", [
    (["ephem", "--utc", "2024-02-22T23:00:00", "--site", "-80.13,1.44"], "site", "-80.13,1.44"),
    (["ephem", "--site", "-69.37,-32.32", "--utc", "2023-08-23T12:34:00"], "site", "-69.37,-32.32"),
    (["ephem", "--utc", "2024-02-22T23:00:00", "--site=-80.13,1.44"], "site", "-80.13,1.44"),
    (["ephem", "--utc", "2024-02-22T23:00:00", "--site", "-.5,3"], "site", "-.5,3"),
    (["render", "resilience", "-o", "v.mp4", "--start", "-60s"], "start", "-60s"),
    (["render", "-o", "v.mp4", "--end", "-1e3"], "end", "-1e3"),
    (["render", "resilience", "-o", "v.mp4", "--fps", "-5"], "fps", -5.0),
    (["still", "--at", "-30", "-o", "x.png"], "at", "-30"),
    (["view", "--at", "-30s"], "at", "-30s"),
    (["fly", "--seed", "-3"], "seed", -3),
    (["fly", "--spk-id", "-1001", "resilience"], "spk_id", -1001),
])
def test_values_that_start_with_a_minus_are_values(argv, dest, value):
    args = build_parser().parse_args(argv)
    assert getattr(args, dest) == value


def test_an_unknown_option_is_still_an_error(capsys):
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(["fly", "--sede", "3"])
    assert exc.value.code == 2
    assert "unrecognized arguments: --sede" in capsys.readouterr().err


def test_ephem_southern_site_as_typed_through_the_real_cli():
    # IM-1 (Odysseus) near Malapert A, 2024-02-22
    r = subprocess.run([sys.executable, "-m", "lunarviz", "ephem", "--utc", "2024-02-22T23:00:00",
                        "--site", "-80.13,1.44", "--json"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    sky = json.loads(r.stdout)
    assert (sky["site_lat_deg"], sky["site_lon_deg"]) == (-80.13, 1.44)
    r = subprocess.run([sys.executable, "-m", "lunarviz", "ephem", "--site", "-69.37,-32.32",
                        "--utc", "2023-08-23T12:34:00"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "69.3700 S, 32.3200 W" in r.stdout


@pytest.mark.parametrize("argv", [
    ["fly", "resilence"],
    ["fly", "resilence.toml", "--json"],
    ["still", "resilence", "--at", "touchdown", "-o", "x.png"],
    ["render", "resilence", "-o", "x.mp4"],
    ["view", "resilence"],
])
def test_a_misspelt_scene_lists_the_shipped_scenes_and_suggests_one(argv, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith(f"lunarviz {argv[0]}: error: resilence")
    assert "did you mean 'resilience'?" in err[0]
    assert all(name in err[0] for name in SHIPPED)
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_a_scene_name_far_from_any_gets_no_suggestion(capsys):
    assert main(["fly", "zzzzzz"]) == 2
    err = capsys.readouterr().err
    assert "did you mean" not in err and "shipped scenes: " + ", ".join(SHIPPED) in err


def test_shipped_names_files_and_paths_resolve():
    d = scenario.scenes_dir()
    assert scenario.resolve("resilience") == d / "resilience.toml"
    assert scenario.resolve("resilience.toml") == d / "resilience.toml"
    assert "resilience" in SHIPPED and SHIPPED == sorted(SHIPPED)
    # a path with a folder is taken as given: load() then names the missing file
    assert str(scenario.resolve("some/where/nope.toml")) == "some/where/nope.toml"
