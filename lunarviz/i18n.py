"""The one place text is translated: gettext catalogues, the chosen language, its direction and fonts.

Core module (no Qt, no VTK). Every string a person reads goes through
:func:`_` (or :func:`ngettext` for counts); a string defined at import time
(a table, a constant) is marked with :func:`N_` and translated where it is
shown. The catalogues are gettext ``.po`` files under
``lunarviz/locale/<lang>/LC_MESSAGES/lunarviz.po``, kept with Babel
(``scripts/update_translations.py`` extracts, updates and compiles them to the
``.mo`` files read here).

The language is, in order: :func:`set_language` (the CLI's ``--lang``),
``$LUNARVIZ_LANG``, the system locale (``$LC_ALL``, ``$LC_MESSAGES``,
``$LANG``), English. Only :data:`LANGUAGES` are offered; a system locale
lunarviz has no catalogue for falls back to English, an explicit ``--lang``
or ``$LUNARVIZ_LANG`` that names no shipped language is an error.
"""

from __future__ import annotations

import gettext as _gettext
import os
import re
from pathlib import Path

from .errors import LunarvizError, shown

__all__ = ["LANGUAGES", "RTL_LANGUAGES", "_", "N_", "ngettext", "set_language", "language", "is_rtl",
           "locale_dir", "DOMAIN", "HUD_FONT_FILES", "UI_FONT_FILES", "font_file", "display_text"]

#: the languages lunarviz ships complete catalogues for (ISO 639-1), English first
LANGUAGES = ("en", "ja", "es", "he")
#: the languages written right to left
RTL_LANGUAGES = frozenset({"he"})
#: the gettext domain of every catalogue
DOMAIN = "lunarviz"

#: the font files (regular, bold) of the HUD (VTK, one file per text, no fallback: a file must hold
#: the Latin letters and digits too) for the languages VTK's built-in Arial/Courier (Latin-1: English,
#: Spanish) cannot write. Noto Sans CJK (face 0 of the collection: JP) holds Latin; Noto Sans Hebrew has
#: no digits or Latin, so the Hebrew HUD uses DejaVu Sans, which holds both
HUD_FONT_FILES = {
    "ja": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
           "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
    "he": ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
}
#: the viewer's application font (Qt falls back per glyph, so a Hebrew-only font is fine)
UI_FONT_FILES = {
    "ja": "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "he": "/usr/share/fonts/truetype/noto/NotoSansHebrew-Regular.ttf",
}
#: the Debian package of each font file (scripts/install-system-deps.sh; licences in assets/SOURCES.md)
FONT_PACKAGES = {"NotoSansCJK": "fonts-noto-cjk", "NotoSansHebrew": "fonts-noto-core",
                 "DejaVuSans": "fonts-dejavu-core"}

_state: dict = {"lang": None, "tr": None}


def locale_dir() -> Path:
    """The folder holding ``<lang>/LC_MESSAGES/lunarviz.{po,mo}``."""
    return Path(__file__).resolve().parent / "locale"


def _from_environment() -> str:
    env = os.environ.get("LUNARVIZ_LANG", "").strip()
    if env:
        return _check(env, "$LUNARVIZ_LANG")
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "").strip()
        if value:
            code = value.split(".")[0].split("_")[0].split("@")[0].lower()
            return code if code in LANGUAGES else "en"
    return "en"


def _check(lang: str, where: str) -> str:
    code = lang.strip().replace("-", "_").split("_")[0].lower()
    if code not in LANGUAGES:
        raise LunarvizError(f"{where} {shown(lang)}: expected one of {', '.join(LANGUAGES)}")
    return code


def set_language(lang: str | None, where: str = "--lang") -> str:
    """Use ``lang`` (``None``: from the environment) for every string from now on; returns its code."""
    code = _check(lang, where) if lang else _from_environment()
    tr = _gettext.translation(DOMAIN, localedir=str(locale_dir()), languages=[code], fallback=True)
    _state.update(lang=code, tr=tr)
    return code


def language() -> str:
    """The language in use (chosen from the environment on first use)."""
    if _state["lang"] is None:
        set_language(None)
    return _state["lang"]


def is_rtl(lang: str | None = None) -> bool:
    """True for a language written right to left (the one in use unless given)."""
    return (lang or language()) in RTL_LANGUAGES


def _translator() -> _gettext.NullTranslations:
    if _state["tr"] is None:
        set_language(None)
    return _state["tr"]


def _(message: str) -> str:
    """``message`` in the language in use (itself when the catalogue has no translation)."""
    return _translator().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n`` in the language in use."""
    return _translator().ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for translation where it is defined; translate it with :func:`_` where shown."""
    return message


def font_file(lang: str | None = None, *, bold: bool = False, ui: bool = False) -> Path | None:
    """The font file that writes ``lang`` (the language in use unless given) in the HUD (``ui``: the
    viewer's widgets), or None where the built-in fonts do (English, Spanish). A missing file is an
    error naming the package to install."""
    lang = lang or language()
    table = UI_FONT_FILES if ui else HUD_FONT_FILES
    if lang not in table:
        return None
    path = Path(table[lang] if ui else table[lang][1 if bold else 0])
    if not path.is_file():
        package = next(v for k, v in FONT_PACKAGES.items() if path.name.startswith(k))
        raise LunarvizError(f"font {path} for --lang {lang} is missing: install the Debian package {package} "
                            f"(scripts/install-system-deps.sh)")
    return path


#: a right-to-left letter (Hebrew block; Arabic would join it here)
_RTL_LETTER = re.compile("[\u0590-\u05ff\ufb1d-\ufb4f]")
#: a run without right-to-left letters, and in it the part from the first to the last letter or digit
#: (a sign and a unit included: ``-56.2 m/s``, ``L-00:01:54``, ``20 %``)
_LTR_RUN = re.compile("[^\u0590-\u05ff\ufb1d-\ufb4f]+")
_LTR_CORE = re.compile("[+\\-\u2212]?[0-9A-Za-z].*[0-9A-Za-z%\u00b0]|[0-9A-Za-z]", re.S)
#: the explicit direction marks (a translation may hold them for Qt; VTK's fonts have no glyph for them)
_BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _embed_ltr(line: str) -> str:
    """Each left-to-right stretch of a right-to-left line (numbers with their units and signs) as one
    left-to-right embedding, so ``56.2- m/s`` reads ``-56.2 m/s``."""
    def core(run):
        m = _LTR_CORE.search(run.group())
        if m is None:
            return run.group()
        t = run.group()
        return f"{t[:m.start()]}\u202a{m.group()}\u202c{t[m.end():]}"

    return _LTR_RUN.sub(core, _BIDI_MARKS.sub("", line))


def display_text(text: str, lang: str | None = None) -> str:
    """``text`` as a renderer without bidirectional support (VTK) must draw it: in a right-to-left
    language each line holding right-to-left letters in visual order (``python-bidi``), its numbers
    and units kept left to right, the direction marks dropped; other lines and languages unchanged.
    Qt needs no such help."""
    if not text or not is_rtl(lang):
        return text
    from bidi.algorithm import get_display  # python-bidi, the Python one: it mirrors brackets (the Rust one does not)

    lines = [_BIDI_MARKS.sub("", get_display(_embed_ltr(line), base_dir="R")) if _RTL_LETTER.search(line)
             else _BIDI_MARKS.sub("", line) for line in text.split("\n")]
    return "\n".join(lines)
