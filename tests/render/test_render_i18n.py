"""Japanese and Hebrew HUD text on real pixels: the language's font file draws each letter (no tofu),
Hebrew in display order and right-aligned, sizes as in English."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from lunarviz import i18n
from lunarviz.render import scene
from lunarviz.render.offscreen import grab, make_plotter

#: letters of each language's HUD, all different
LETTERS = {"ja": "高度推進剤着陸距離計", "he": "גובהדלקמצרת"}


@pytest.fixture(autouse=True)
def _english_after():
    yield
    i18n.set_language("en")


def _glyph(text: str, font_file=None) -> np.ndarray:
    """The alpha bitmap VTK's FreeType renderer makes of ``text`` (Arial, or ``font_file``)."""
    import vtk
    from vtk.util.numpy_support import vtk_to_numpy

    prop = vtk.vtkTextProperty()
    prop.SetFontSize(40)
    if font_file is not None:
        prop.SetFontFamily(vtk.VTK_FONT_FILE)
        prop.SetFontFile(str(font_file))
    img = vtk.vtkImageData()
    dims = [0, 0]
    assert vtk.vtkTextRenderer.GetInstance().RenderString(prop, text, img, dims, 72)
    nx, ny, _nz = img.GetDimensions()
    arr = vtk_to_numpy(img.GetPointData().GetScalars()).reshape(ny, nx, -1)
    return arr[:dims[1], :dims[0], -1]  # alpha of the text's own extent


def _distinct(bitmaps) -> bool:
    keys = {b.tobytes() + bytes(str(b.shape), "ascii") for b in bitmaps}
    return len(keys) == len(bitmaps)


@pytest.mark.parametrize("lang", ["ja", "he"])
def test_each_letter_has_its_own_glyph(headless, lang):
    path = i18n.font_file(lang)
    assert path is not None and path.is_file()
    real = [_glyph(c, path) for c in LETTERS[lang]]
    assert all((g > 64).sum() > 20 for g in real)  # ink, not a blank
    assert _distinct(real)                          # every letter its own shape
    # the check has teeth: VTK's built-in font draws these letters as identical boxes (or nothing)
    tofu = [_glyph(c) for c in LETTERS[lang]]
    assert not _distinct(tofu) or all((g > 64).sum() <= 20 for g in tofu)
    # and Latin digits and units, in the same file, read too (the HUD mixes them)
    assert _distinct([_glyph(c, path) for c in "0123456789m/s%"])


@pytest.mark.parametrize("lang", ["ja", "he", "es"])
def test_the_hud_speaks_the_language(headless, demo_traj, tmp_path, lang):
    """The HUD's texts are the catalogue's, drawn with the language's font at the English sizes; the Hebrew
    telemetry ends flush right where the English block stands."""
    i18n.set_language("en")
    sizes_en, boxes_en = _hud(demo_traj, None)
    i18n.set_language(lang)
    sizes, boxes = _hud(demo_traj, tmp_path / f"hud-{lang}.png")
    assert sizes == sizes_en  # the same font sizes as in English
    h, img = boxes.pop("_h"), boxes.pop("_img")
    actor = h.hud.actors["bottom_left"]
    text = actor.GetInput()
    assert i18n._("ALT  {alt}").split("{")[0].strip() in i18n.display_text(text) or lang == "he"
    prop = actor.GetTextProperty()
    if lang in ("ja", "he"):
        assert prop.GetFontFile() == str(i18n.font_file(lang, bold=prop.GetBold()))
    else:
        assert "ALT" in text and prop.GetFontFamilyAsString() == "Courier"
    if lang == "he":
        assert "הבוג" in text  # "גובה" put in display order for VTK
        assert prop.GetJustificationAsString() == "Right"
        assert boxes["bottom_left"][0] >= boxes_en["bottom_left"][0] - 2  # not pushed off the left edge
    # the telemetry block holds ink (the backing box and its letters)
    x0, x1, y0, y1 = (int(v) for v in boxes["bottom_left"])
    region = img[img.shape[0] - y1:img.shape[0] - y0, x0:x1].astype(float).mean(axis=2)
    assert (region > 180).mean() > 0.02


def _hud(traj, save: Path | None):
    p = make_plotter((960, 540))
    try:
        h = scene.build(p, traj, quality="draft", hud=True)
        scene.update(h, traj.planned_touchdown_et_s - 30, "chase")
        img = grab(p)
        if save is not None:
            from PIL import Image

            save.parent.mkdir(parents=True, exist_ok=True)
            Image.fromarray(img).save(save)
        sizes = {k: a.GetTextProperty().GetFontSize() for k, a in h.hud.actors.items()}
        boxes = {}
        for name, actor in h.hud.actors.items():
            bb = [0.0] * 4
            actor.GetBoundingBox(h.renderer, bb)
            x, y = actor.GetPosition()
            boxes[name] = [bb[0] + x, bb[1] + x, bb[2] + y, bb[3] + y]
        boxes["_h"], boxes["_img"] = h, img
        return sizes, boxes
    finally:
        p.close()
