"""The look book: which shots, how the contact sheet is laid out, and the command's bad-input errors."""

from __future__ import annotations

import numpy as np

from lunarviz.render import lookbook
from lunarviz.render.camera import PRESET_NAMES


def test_shots_cover_every_camera_within_the_flight(demo_traj):
    shots = lookbook.shots(demo_traj)
    assert {s.camera for s in shots} == set(PRESET_NAMES)
    assert all(demo_traj.start_et_s <= s.et_s <= demo_traj.end_et_s for s in shots)
    assert len({lookbook.frame_name(s) for s in shots}) == len(shots)


def test_contact_sheet_places_every_frame_in_its_row_with_a_label():
    shots = [lookbook.Shot(cam, m, 0.0) for cam in ("chase", "site") for m in ("a", "b", "c")]
    colours = [(200, 30 * i, 40) for i in range(len(shots))]
    frames = [np.full((90, 160, 3), c, np.uint8) for c in colours]
    sheet = lookbook.contact_sheet(frames, shots, "title", tile_w=160)
    pad, label_h, head = 12, 26, 44
    assert sheet.shape == (head + 2 * (90 + label_h + pad) + pad, pad + 3 * (160 + pad), 3)
    for i, c in enumerate(colours):
        r, k = divmod(i, 3)
        y = head + r * (90 + label_h + pad) + label_h + 45
        x = pad + k * (160 + pad) + 80
        assert tuple(sheet[y, x]) == c
        label = sheet[head + r * (90 + label_h + pad) + 4: head + r * (90 + label_h + pad) + 22,
                      pad + k * (160 + pad): pad + k * (160 + pad) + 160]
        assert (label.max(axis=2) > 150).sum() > 20  # text drawn in the label row


def test_lookbook_command_rejects_bad_output_before_rendering(capsys, tmp_path):
    from lunarviz.cli import main

    assert main(["lookbook", "resilience", "-o", "sheet.jpg"]) == 2
    assert "sheet.jpg" in capsys.readouterr().err
    assert main(["lookbook", "resilience", "-o", "sheet.png", "--tile-width", "10"]) == 2
    assert "--tile-width 10" in capsys.readouterr().err
    sheet = str(tmp_path / "sheet.png")
    assert main(["lookbook", "resilience", "-o", sheet, "--frames", str(tmp_path / "no" / "shots")]) == 2
    assert "no/shots" in capsys.readouterr().err and not (tmp_path / "no").exists()
    (tmp_path / "file").write_text("")
    assert main(["lookbook", "resilience", "-o", sheet, "--frames", str(tmp_path / "file")]) == 2
    assert "is a file; expected a folder" in capsys.readouterr().err
