"""Extract, update and compile lunarviz's gettext catalogues (Babel).

    python scripts/update_translations.py          # write lunarviz/locale/lunarviz.pot, update and compile
    python scripts/update_translations.py --check  # exit 1 when a committed file is out of date

1. **extract** every ``_()``, ``ngettext()`` and ``N_()`` message of ``lunarviz/`` (Babel's Python
   extractor) and the texts people read in the shipped ``scenes/*.toml``: ``[story]`` ``title``,
   ``description``, every ``[story.captions]`` text, ``[site]`` ``name`` and the ``[lesson]`` texts
   (``title``, ``intro``; each step's ``prompt``, ``choices``, ``answer``, ``explain``);
2. write the template ``lunarviz/locale/lunarviz.pot``;
3. **update** ``lunarviz/locale/<lang>/LC_MESSAGES/lunarviz.po`` for every language but English
   (new messages appear untranslated; a translation whose msgid is gone is kept as a ``#~`` entry and
   used again when the msgid comes back, e.g. with a merged branch);
4. **compile** each ``.po`` to its ``.mo`` (what :mod:`lunarviz.i18n` reads).

The files carry no dates, so running the script twice changes nothing. ``tests/core/test_i18n_catalogues.py``
checks that the committed .pot, .po and .mo files are what this script would write.
"""

from __future__ import annotations

import argparse
import copy
import io
import sys
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import babel.messages.catalog
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lunarviz.i18n import DOMAIN, LANGUAGES, locale_dir  # noqa: E402 - the checkout, not an installed copy

KEYWORDS = {"_": None, "ngettext": (1, 2), "N_": None}
#: the keys of a ``[lesson]`` step whose (string or list-of-strings) values a person reads
LESSON_TEXT_KEYS = ("title", "prompt", "question", "choices", "answer", "explain", "explanation", "text",
                    "caption", "reveal_text")
#: the keys of ``[lesson]`` itself that a person reads
LESSON_KEYS = ("title", "intro")
#: a fixed date in every header: the files change only when their messages do
FIXED_DATE = datetime(2026, 1, 1, tzinfo=UTC)
# the header's "Generated-By: Babel <version>" without the version: a newer Babel writes the same files
babel.messages.catalog.VERSION = "2"


def _line_of(lines: list[str], text: str) -> int:
    first = text.split("\n")[0].split('"')[0][:40]
    for i, line in enumerate(lines, 1):
        if first and first in line and not line.lstrip().startswith("#"):
            return i
    return 1


def _lesson_texts(lesson) -> list[str]:
    out = []
    steps = lesson.get("steps", []) if isinstance(lesson, dict) else []
    for step in steps if isinstance(steps, list) else []:
        for key in LESSON_TEXT_KEYS:
            value = step.get(key) if isinstance(step, dict) else None
            values = value if isinstance(value, list) else [value]
            out += [v for v in values if isinstance(v, str) and v.strip()]
    if isinstance(lesson, dict):
        out[:0] = [lesson[k] for k in LESSON_KEYS if isinstance(lesson.get(k), str)]
    return out


def scene_messages(scenes: Path) -> list[tuple[str, int, str]]:
    """``(file, line, text)`` of every text a person reads in the scene files under ``scenes``."""
    out = []
    for path in sorted(scenes.glob("*.toml")):
        raw = path.read_text(encoding="utf-8")
        data = tomllib.loads(raw)
        story = data.get("story", {})
        texts = [story.get("title"), story.get("description"), data.get("site", {}).get("name")]
        texts += list(story.get("captions", {}).values())
        texts += _lesson_texts(data.get("lesson", {}))
        lines = raw.splitlines()
        rel = path.relative_to(ROOT).as_posix()
        out += [(rel, _line_of(lines, t), t) for t in texts if isinstance(t, str) and t.strip()]
    return out


def extract() -> Catalog:
    """The template: every message of the sources and the shipped scenes."""
    cat = Catalog(project="lunarviz", domain=DOMAIN, creation_date=FIXED_DATE, revision_date=FIXED_DATE,
                  fuzzy=False)
    pkg = ROOT / "lunarviz"
    for filename, lineno, message, comments, context in extract_from_dir(
            str(pkg), method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=("TRANSLATORS:",),
            strip_comment_tags=True):
        cat.add(message, None, [(f"lunarviz/{Path(filename).as_posix()}", lineno)], auto_comments=comments,
                context=context)
    for filename, lineno, text in scene_messages(ROOT / "scenes"):
        cat.add(text, None, [(filename, lineno)])
    return cat


def _po_bytes(cat: Catalog, **kw) -> bytes:
    buf = io.BytesIO()
    # file names without line numbers: moving a line of code must not put the catalogues out of date
    write_po(buf, cat, width=116, sort_output=False, omit_header=False, include_lineno=False, **kw)
    return buf.getvalue()


def _mo_bytes(cat: Catalog) -> bytes:
    buf = io.BytesIO()
    write_mo(buf, cat, use_fuzzy=False)
    return buf.getvalue()


def po_path(lang: str) -> Path:
    return locale_dir() / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def updated(lang: str, template: Catalog) -> Catalog:
    """The catalogue of ``lang`` brought up to date with ``template`` (a new one when it has none)."""
    path = po_path(lang)
    if path.exists():
        with path.open("rb") as f:
            cat = read_po(f, locale=lang, domain=DOMAIN)
    else:
        cat = Catalog(locale=lang, domain=DOMAIN, project="lunarviz")
    kept = dict(cat.obsolete)
    # a copy: Catalog.update shares the template's message objects, so a translation restored below
    # would otherwise reach the next language's catalogue
    cat.update(copy.deepcopy(template), no_fuzzy_matching=True, update_header_comment=False)
    # a message that comes back (or arrives with a merge) gets its kept translation again; the unused
    # ones stay as "#~" entries, as gettext keeps them
    for msg in cat:
        old = kept.pop(msg.id[0] if isinstance(msg.id, tuple) else msg.id, None)
        if msg.id and old is not None and not _filled(msg):
            msg.string = old.string
    cat.obsolete = {k: v for k, v in {**kept, **cat.obsolete}.items() if _filled(v) and k not in cat}
    cat.creation_date = cat.revision_date = FIXED_DATE
    cat.fuzzy = False
    return cat


def _filled(msg) -> bool:
    strings = [msg.string] if isinstance(msg.string, str) else list(msg.string or ())
    return bool(strings) and all(strings)


def outputs() -> dict[Path, bytes]:
    """Every file the script writes, with its content."""
    template = extract()
    files = {locale_dir() / f"{DOMAIN}.pot": _po_bytes(template)}
    for lang in LANGUAGES:
        if lang == "en":
            continue  # the msgids are English
        cat = updated(lang, template)
        files[po_path(lang)] = _po_bytes(cat)
        files[po_path(lang).with_suffix(".mo")] = _mo_bytes(cat)
    return files


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="only report the files that are out of date")
    args = ap.parse_args(argv)
    stale = []
    for path, data in outputs().items():
        if path.exists() and path.read_bytes() == data:
            continue
        stale.append(path)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.partial")
            tmp.write_bytes(data)
            tmp.replace(path)
    for path in stale:
        print(f"{'out of date' if args.check else 'wrote'}: {path.relative_to(ROOT)}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
