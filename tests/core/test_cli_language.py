"""Choosing the language: --lang (before or after the subcommand), $LUNARVIZ_LANG, the system locale."""

from __future__ import annotations

import pytest

from lunarviz import i18n
from lunarviz.cli import language_argument, main


@pytest.fixture(autouse=True)
def _english_after(monkeypatch):
    for var in ("LUNARVIZ_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    yield
    i18n.set_language("en")


@pytest.mark.parametrize("argv, lang", [
    (["--lang", "ja", "still"], "ja"), (["still", "--lang=he"], "he"), (["still", "--", "--lang", "ja"], None),
    (["fly"], None),
])
def test_the_language_argument_is_found_anywhere(argv, lang):
    assert language_argument(argv) == lang


def test_help_in_spanish_before_and_after_the_subcommand(capsys):
    with pytest.raises(SystemExit):
        main(["--lang", "es", "still", "--help"])
    before = capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["still", "--lang", "es", "--help"])
    assert capsys.readouterr().out == before
    assert "uso: " in before and "archivo PNG de salida" in before


def test_the_environment_then_the_locale(monkeypatch, capsys):
    monkeypatch.setenv("LANG", "he_IL.UTF-8")
    with pytest.raises(SystemExit):
        main(["--help"])
    assert i18n.language() == "he" and i18n.is_rtl()
    monkeypatch.setenv("LUNARVIZ_LANG", "ja")
    with pytest.raises(SystemExit):
        main(["--help"])
    assert i18n.language() == "ja"
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")  # no catalogue: English
    monkeypatch.delenv("LUNARVIZ_LANG")
    with pytest.raises(SystemExit):
        main(["--help"])
    assert i18n.language() == "en" and "usage: " in capsys.readouterr().out


@pytest.mark.parametrize("argv, env", [(["--lang", "klingon", "fly"], None), (["fly"], "xx")])
def test_a_bad_language_is_one_line_and_exit_2(monkeypatch, capsys, argv, env):
    if env:
        monkeypatch.setenv("LUNARVIZ_LANG", env)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "expected one of en, ja, es, he" in err
