"""``lunarviz lookbook``: every camera preset at the key moments of a scene, on one contact sheet."""

from __future__ import annotations

from ..i18n import _
from . import add_scene_argument


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "lookbook",
        help=_("render each camera at the key moments of a scene into one labelled contact sheet (PNG)"),
        description=_("Render the money shots of SCENE -- every camera preset (chase, orbit, site, earthrise, "
                    "down) at its key moments -- and lay them out, labelled, on one contact sheet."),
    )
    add_scene_argument(p)
    p.add_argument("-o", "--output", required=True, metavar="SHEET.png", help=_("output PNG file"))
    p.add_argument("--size", default="1920x1080", metavar="WxH", help=_("size each shot is rendered at [1920x1080]"))
    p.add_argument("--tile-width", type=int, default=640, metavar="PX", help=_("width of a tile on the sheet [640]"))
    p.add_argument("--frames", metavar="DIR", help=_("also write every shot at full size into DIR"))
    p.add_argument("--quality", choices=("high", "draft"), default="high", help=_("mesh/texture detail [high]"))
    p.set_defaults(func=run)


def run(args) -> int:
    from pathlib import Path

    from ..errors import RenderError
    from ..fileio import check_writable
    from ..render import lookbook
    from ..render.offscreen import check_headless, parse_size
    from ..render.still import check_png_path, write_png
    from ..scenario import resolve
    from .flights import load_flight

    scene = resolve(args.scene)
    size = parse_size(args.size)
    check_png_path(args.output)
    if not 160 <= args.tile_width <= 3840:
        raise RenderError(f"--tile-width {args.tile_width}: expected 160..3840 pixels")
    if args.frames:  # an existing folder, or a new one whose parent exists
        check_writable(args.frames, folder=True)
    check_headless()
    traj = load_flight(scene)
    shot_list = lookbook.shots(traj)
    frames = lookbook.render_frames(traj, shot_list, size=size, quality=args.quality)
    title = (traj.scenario.title if traj.scenario is not None else None) or str(args.scene)
    write_png(lookbook.contact_sheet(frames, shot_list, title, args.tile_width), args.output)
    if args.frames:
        Path(args.frames).mkdir(exist_ok=True)
        for s, img in zip(shot_list, frames, strict=True):
            write_png(img, Path(args.frames) / lookbook.frame_name(s))
    print(_("wrote {out} ({n} shots at {w}x{h})").format(out=args.output, n=len(shot_list), w=size[0], h=size[1]))
    return 0
