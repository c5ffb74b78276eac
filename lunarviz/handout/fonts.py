"""The font files a handout embeds for a language (Noto, from Debian's fonts-noto-core and fonts-noto-cjk).

One lookup, :func:`font_files`; the i18n module's own font choice for the HUD can take
its place when it exists (the same files: Noto Sans, Noto Sans CJK, Noto Sans Hebrew).
A missing file is a one-line :class:`~lunarviz.errors.LunarvizError` naming the file and the
package to install (``scripts/install-system-deps.sh`` installs both).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import LunarvizError

#: folders searched for the font files, in order (``$LUNARVIZ_FONT_DIR`` first when set)
FONT_DIRS = ("/usr/share/fonts/truetype/noto", "/usr/share/fonts/opentype/noto")

#: script -> (regular file, bold file, index in a .ttc collection, Debian package)
_FILES = {
    "latin": ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf", 0, "fonts-noto-core"),
    "cjk": ("NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc", 0, "fonts-noto-cjk"),  # 0: the Japanese face
    "hebrew": ("NotoSansHebrew-Regular.ttf", "NotoSansHebrew-Bold.ttf", 0, "fonts-noto-core"),
}
#: language -> the script of its main font (others: latin)
_SCRIPT_OF = {"ja": "cjk", "he": "hebrew"}


@dataclass(frozen=True)
class FontFace:
    """One family: its regular and bold files and the face index inside a collection."""

    script: str
    regular: Path
    bold: Path
    index: int = 0


def _dirs() -> list[Path]:
    extra = os.environ.get("LUNARVIZ_FONT_DIR", "").strip()
    return ([Path(extra)] if extra else []) + [Path(d) for d in FONT_DIRS]


def _find(name: str, package: str) -> Path:
    for d in _dirs():
        p = d / name
        if p.is_file():
            return p
    raise LunarvizError(f"font {name}: not found in {', '.join(str(d) for d in _dirs())}; "
                        f"expected the Debian package {package} (scripts/install-system-deps.sh installs it)")


def face(script: str) -> FontFace:
    """The :class:`FontFace` of ``script`` (``latin``, ``cjk``, ``hebrew``)."""
    regular, bold, index, package = _FILES[script]
    return FontFace(script, _find(regular, package), _find(bold, package), index)


def font_files(lang: str) -> list[FontFace]:
    """The faces a document in ``lang`` needs: its main face first, then the fallbacks for text
    in other scripts (a Latin scenario title in a Hebrew handout, a Japanese name in an English one)."""
    main = _SCRIPT_OF.get(lang, "latin")
    order = [main] + [s for s in ("latin", "cjk") if s != main]
    return [face(s) for s in order]
