"""The translation catalogues: up to date with the sources (so nobody forgets
``scripts/update_translations.py``), complete in every language, placeholders intact."""

from __future__ import annotations

import importlib.util
import re
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from lunarviz.i18n import LANGUAGES, locale_dir

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("update_translations", ROOT / "scripts" / "update_translations.py")
update_translations = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(update_translations)

TRANSLATED = [lang for lang in LANGUAGES if lang != "en"]


def test_committed_catalogues_are_what_the_script_writes():
    stale = [str(p.relative_to(ROOT)) for p, data in update_translations.outputs().items()
             if not p.exists() or p.read_bytes() != data]
    assert not stale, f"run `python scripts/update_translations.py`: out of date: {stale}"


def test_the_template_holds_the_sources_and_the_scenes():
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in update_translations.extract() if m.id}
    assert "Play / pause" in ids  # the viewer
    assert "LANDED" in ids  # the HUD
    assert any(i.startswith("Impact: the altitude estimate was corrected too late") for i in ids)  # a caption


def _catalogue(lang):
    with update_translations.po_path(lang).open("rb") as f:
        return read_po(f, locale=lang)


def _fields(text: str) -> list[str]:
    """The ``{name}`` / ``{name:spec}`` fields of a str.format text, and its %-style ones."""
    fields = sorted(f"{{{name}{':' + spec if spec else ''}}}" for _, name, spec, _ in string.Formatter().parse(text)
                    if name is not None)
    return fields + sorted(re.findall(r"%%|%(?:\(\w+\))?[-#0+]*\d*(?:\.\d+)?[sdifgr]", text))


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_is_translated_with_its_placeholders(lang):
    missing, wrong = [], []
    for msg in _catalogue(lang):
        if not msg.id:
            continue
        ids = [msg.id] if isinstance(msg.id, str) else list(msg.id)
        strs = [msg.string] if isinstance(msg.string, str) else list(msg.string)
        if msg.fuzzy or not all(s and s.strip() for s in strs):
            missing.append(ids[0])
            continue
        want = _fields(ids[-1])
        wrong += [(ids[0], s) for s in strs if _fields(s) != want and _fields(s) != _fields(ids[0])]
    assert not missing, f"{lang}: {len(missing)} untranslated, e.g. {missing[:5]}"
    assert not wrong, f"{lang}: placeholders differ from the msgid: {wrong[:5]}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_compiled_catalogue_is_read(lang):
    import gettext

    tr = gettext.translation("lunarviz", localedir=str(locale_dir()), languages=[lang])
    assert tr.gettext("Play / pause") != "Play / pause"


def test_no_message_hides_inside_an_f_string():
    """Babel cannot see ``_()`` inside an f-string's braces: such a text would never be translated."""
    import ast

    hidden = []
    for path in sorted((ROOT / "lunarviz").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr):
                for call in ast.walk(node):
                    if (isinstance(call, ast.Call) and getattr(call.func, "id", None) in ("_", "N_", "ngettext")
                            and call.args and isinstance(call.args[0], ast.Constant)):
                        hidden.append(f"{path.relative_to(ROOT)}:{call.lineno}")
    assert not hidden, hidden


def test_a_returning_message_gets_its_kept_translation():
    """A translation whose msgid left the sources stays as a "#~" entry and is used again when it comes
    back (the lesson texts of a branch merged later are translated in advance this way)."""
    template = update_translations.extract()
    kept = _catalogue("ja").obsolete
    assert kept, "no kept translations to test with"
    key = next(iter(kept))
    template.add(kept[key].id, None, [("lunarviz/x.py", 1)])
    cat = update_translations.updated("ja", template)
    assert cat[key].string == kept[key].string and cat[key].string
    assert key not in cat.obsolete


#: letters no other catalogue's language uses: kana and CJK ideographs (ja), Hebrew letters (he)
_SCRIPT_OF = {"ja": re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]"), "he": re.compile(r"[\u0590-\u05ff]")}


@pytest.mark.parametrize("lang", TRANSLATED)
def test_no_translation_is_in_another_catalogues_script(lang):
    # a restored "#~" translation once leaked from the Japanese catalogue into the Spanish and Hebrew
    # ones (Babel's Catalog.update shared the template's messages between languages)
    others = [rx for other, rx in _SCRIPT_OF.items() if other != lang]
    wrong = [m.id for m in _catalogue(lang) if m.id and any(rx.search(str(m.string)) for rx in others)]
    assert not wrong, wrong[:5]


def test_restoring_kept_translations_keeps_each_language_its_own(tmp_path, monkeypatch):
    from babel.messages.catalog import Catalog

    template = Catalog(domain="lunarviz")
    template.add("back again")
    kept = {}
    for lang, text in (("ja", "戻った"), ("es", "de vuelta"), ("he", "חזר")):
        cat = Catalog(locale=lang, domain="lunarviz")
        cat.obsolete["back again"] = type(template["back again"])("back again", text)
        kept[lang] = cat
    monkeypatch.setattr(update_translations, "po_path", lambda lang: tmp_path / f"{lang}.po")
    for lang, cat in kept.items():
        (tmp_path / f"{lang}.po").write_bytes(update_translations._po_bytes(cat))
    got = {lang: update_translations.updated(lang, template)["back again"].string for lang in kept}
    assert got == {"ja": "戻った", "es": "de vuelta", "he": "חזר"}
