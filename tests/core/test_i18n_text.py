"""Right-to-left text for VTK (visual order, numbers kept left to right) and the font lookup's errors."""

from __future__ import annotations

import pytest

from lunarviz import i18n
from lunarviz.errors import LunarvizError


@pytest.mark.parametrize("logical, visual", [
    ("גובה  1016 m", "1016 m  הבוג"),                           # the number and its unit stay together
    ("אנכי  -56.2 m/s", "-56.2 m/s  יכנא"),                     # a sign stays in front
    ("הערכה  3494 m  (מה שהנחתת סבורה)", "(הרובס תתחנהש המ)  3494 m  הכרעה"),  # brackets mirrored
    ("2025-06-05 19:15:06 UTC   L-00:01:54", "2025-06-05 19:15:06 UTC   L-00:01:54"),  # no Hebrew: as is
    ("\u206614 m/s\u2069 אבד", "דבא 14 m/s"),                    # direction marks dropped (no glyph)
])
def test_hebrew_lines_in_display_order(logical, visual):
    assert i18n.display_text(logical, "he") == visual


def test_other_languages_untouched():
    assert i18n.display_text("高度  1016 m", "ja") == "高度  1016 m"
    assert i18n.display_text("גובה", "en") == "גובה"


def test_a_missing_font_names_its_package(monkeypatch, tmp_path):
    monkeypatch.setitem(i18n.HUD_FONT_FILES, "ja", (str(tmp_path / "NotoSansCJK-Regular.ttc"),) * 2)
    with pytest.raises(LunarvizError, match="install the Debian package fonts-noto-cjk"):
        i18n.font_file("ja")
    assert i18n.font_file("es") is None and i18n.font_file("en") is None
