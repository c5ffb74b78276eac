"""``lunarviz lookbook``: every camera preset at the key moments of a scene, on one contact sheet."""

from __future__ import annotations

from . import add_scene_argument


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "lookbook",
        help="render each camera at the key moments of a scene into one labelled contact sheet (PNG)",
        description="Render the money shots of SCENE -- every camera preset (chase, orbit, site, earthrise, "
                    "down) at its key moments -- and lay them out, labelled, on one contact sheet.",
    )
    add_scene_argument(p)
    p.add_argument("-o", "--output", required=True, metavar="SHEET.png", help="output PNG file")
    p.add_argument("--size", default="1920x1080", metavar="WxH", help="size each shot is rendered at [1920x1080]")
    p.add_argument("--tile-width", type=int, default=640, metavar="PX", help="width of a tile on the sheet [640]")
    p.add_argument("--frames", metavar="DIR", help="also write every shot at full size into DIR")
    p.add_argument("--quality", choices=("high", "draft"), default="high", help="mesh/texture detail [high]")
    p.set_defaults(func=run)


def run(args) -> int:
    from pathlib import Path

    from ..errors import RenderError
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
    if args.frames and not Path(args.frames).is_dir():
        raise RenderError(f"--frames {args.frames}: not a folder")
    check_headless()
    traj = load_flight(scene)
    shot_list = lookbook.shots(traj)
    frames = lookbook.render_frames(traj, shot_list, size=size, quality=args.quality)
    title = (traj.scenario.title if traj.scenario is not None else None) or str(args.scene)
    write_png(lookbook.contact_sheet(frames, shot_list, title, args.tile_width), args.output)
    if args.frames:
        for s, img in zip(shot_list, frames, strict=True):
            write_png(img, Path(args.frames) / lookbook.frame_name(s))
    print(f"wrote {args.output} ({len(shot_list)} shots at {size[0]}x{size[1]})")
    return 0
