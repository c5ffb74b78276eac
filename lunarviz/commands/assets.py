"""``lunarviz assets list|fetch|verify``: the embedded data files and optional downloads."""

from __future__ import annotations

import argparse
import sys

from ..i18n import _


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "assets",
        help=_("list, download or verify data files (textures, stars, lander, kernels)"),
        description=_("List, download or verify lunarviz's data files. Embedded files work offline; "
        "optional high-resolution files are downloaded into the user cache "
        "($LUNARVIZ_CACHE, or a mirror given by $LUNARVIZ_DATA_MIRROR)."),
    )
    sub = p.add_subparsers(dest="assets_command", metavar="ACTION")
    sub.required = True
    pl = sub.add_parser("list", help=_("list known assets and where they are"),
                        description=_("List every known data file and its state (embedded, downloaded "
                                    "into the user cache, or not), with the two folders."))
    pl.set_defaults(func=_list)
    pf = sub.add_parser("fetch", help=_("download optional assets into the cache (SHA-256 checked)"),
                        description=_("Download optional assets (e.g. high-resolution textures) into the "
                                    "user cache and check each against its SHA-256 pinned in this release."))
    pf.add_argument("names", nargs="+", metavar="NAME", help=_("asset names from `lunarviz assets list`"))
    pf.add_argument("--no-verify", action="store_true",
                    help=_("allow assets whose SHA-256 is not pinned in this release; "
                         "the downloaded file's hash is then pinned in the cache"))
    pf.add_argument("--progress", action="store_true", help=_("show a progress bar"))
    pf.set_defaults(func=_fetch)
    pv = sub.add_parser("verify", help=_("check every embedded file against its recorded SHA-256"),
                        description=_("Check every embedded data file (textures, stars, lander, kernels) "
                                    "against the SHA-256 recorded in assets/registry.txt; exit 1 if any "
                                    "is missing or differs."))
    pv.set_defaults(func=_verify)
    p.set_defaults(func=lambda args: (p.print_help(), 0)[1])


def _list(args: argparse.Namespace) -> int:
    from lunarviz import assets

    print(_("embedded: {path}").format(path=assets.assets_dir()))
    print(_("cache:    {path}").format(path=assets.cache_dir()))
    for line in assets.describe():
        print(line)
    return 0


def _fetch(args: argparse.Namespace) -> int:
    from lunarviz import assets

    for name in args.names:
        path = assets.fetch(name, allow_unverified=args.no_verify, progressbar=args.progress)
        print(f"{name}: {path} (sha256 {assets.sha256_of(path)})")
    return 0


def _verify(args: argparse.Namespace) -> int:
    from lunarviz import assets

    results = assets.verify()
    bad = [r for r in results if r.status != "ok"]
    for r in results:
        print(f"{r.status:13s} {r.relpath}" + (f"  {r.detail}" if r.detail else ""))
    if bad:
        print(_("lunarviz assets verify: {bad} of {n} files failed (folder {path}); reinstall lunarviz or "
                "restore the files").format(bad=len(bad), n=len(results), path=assets.assets_dir()), file=sys.stderr)
        return 1
    print(_("all {n} embedded files match their recorded SHA-256").format(n=len(results)))
    return 0
