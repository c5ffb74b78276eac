"""``lunarviz handout SCENE -o lesson.pdf``: a printable classroom handout of a flight."""

from __future__ import annotations

from . import add_scene_argument

DESCRIPTION = ("Fly SCENE and write a printable handout: the mission in one paragraph, stills at the key moments, "
               "true vs believed altitude and speed, the event timeline, the what-if with a working rangefinder, "
               "the lesson's questions with space to answer, and the sources.")


def register(subparsers) -> None:
    from ..handout import STILL_SIZE
    from ..handout.pdf import PAPERS

    # conflict_handler: a --lang that every command gets from lunarviz.cli takes the place of this one
    p = subparsers.add_parser("handout", help="write a printable classroom handout of a scenario (PDF)",
                              description=DESCRIPTION, conflict_handler="resolve")
    p.add_argument("-o", "--output", required=True, metavar="OUT.pdf", help="output PDF file")
    add_scene_argument(p)
    p.add_argument("--paper", choices=tuple(PAPERS), default="a4", help="paper size [a4]")
    p.add_argument("--lang", default=None, metavar="LANG",
                   help="language of the handout (en, ja, es, he) [$LUNARVIZ_LANG, else the system locale]")
    p.add_argument("--still-size", default=f"{STILL_SIZE[0]}x{STILL_SIZE[1]}", metavar="WxH",
                   help=f"size the stills are rendered at [{STILL_SIZE[0]}x{STILL_SIZE[1]}]")
    p.add_argument("--quality", choices=("high", "draft"), default="high", help="mesh/texture detail [high]")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..fileio import check_writable
    from ..handout import HandoutSettings, build_handout, check_pdf_path
    from ..handout.fonts import font_files
    from ..i18n import language, set_language
    from ..render.offscreen import check_headless, parse_size
    from ..scenario import resolve
    from .flights import load_flight

    lang = set_language(args.lang) if getattr(args, "lang", None) else language()
    scene = resolve(args.scene)
    size = parse_size(args.still_size)
    check_pdf_path(args.output)
    check_writable(args.output)
    font_files(lang)  # a missing font fails before the flight
    check_headless()
    traj = load_flight(scene)
    build_handout(traj, args.output, HandoutSettings(paper=args.paper, still_size=size, quality=args.quality))
    print(f"wrote {args.output} ({args.paper}, {lang})")
    return 0
