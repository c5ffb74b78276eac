#!/usr/bin/env python
"""Render check stills of the embedded assets (Moon globe, Earth, landing-site terrain, lander).

Off-screen with pyvista; PNGs go to ``--out`` (default /tmp/assets_stills). This
is a look-at-it tool for asset work, not the project's renderer.

    python scripts/render_asset_stills.py [--out DIR] [--only moon,terrain,lander,landers,earth]
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import numpy as np
import pyvista as pv
from PIL import Image

from lunarviz import assets
from lunarviz.terrain import TerrainConfig, make_terrain

pv.OFF_SCREEN = True


def textured_sphere(radius: float, tex_name: str, res: int = 180) -> tuple[pv.PolyData, pv.Texture]:
    """A UV sphere whose texture coordinates come from lat/lon via assets.equirect_uv."""
    sphere = pv.Sphere(radius=radius, theta_resolution=2 * res, phi_resolution=res, start_theta=0.0,
                       end_theta=360.0)
    p = sphere.points.astype(float)
    lat = np.degrees(np.arcsin(np.clip(p[:, 2] / radius, -1, 1)))
    lon = np.degrees(np.arctan2(p[:, 1], p[:, 0]))
    uv = assets.equirect_uv(lat, lon)
    # the seam: vertices at lon = +-180 belong to both edges; pyvista's sphere has a duplicate seam column
    sphere.active_texture_coordinates = uv.astype(np.float32)
    tex = pv.read_texture(str(assets.asset_path(tex_name)))
    return sphere, tex


def moon_still(out: Path) -> None:
    r = 1737.4
    sphere, tex = textured_sphere(r, "moon_color_4k")
    pl = pv.Plotter(off_screen=True, window_size=(1024, 1024), lighting="none")
    pl.set_background("black")
    pl.add_mesh(sphere, texture=tex, ambient=0.03, diffuse=1.0, specular=0.0)
    # camera over 40 N, 10 W looking at the centre; Sun from the east-ish
    lat, lon = math.radians(35.0), math.radians(-10.0)
    cam = 3.2 * r * np.array([math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat)])
    pl.camera.position = cam.tolist()
    pl.camera.focal_point = (0, 0, 0)
    pl.camera.up = (0, 0, 1)
    pl.camera.view_angle = 40
    light = pv.Light(position=(cam + np.array([0, -2 * r, r])).tolist(), focal_point=(0, 0, 0), intensity=1.3)
    light.positional = False
    pl.add_light(light)
    pl.screenshot(out / "moon_globe.png")
    pl.close()


def orbit_still(out: Path) -> None:
    """From 100 km over Mare Frigoris looking north-west along the ground track, Sun 10 deg high in the east."""
    r = 1737.4
    sphere, tex = textured_sphere(r, "moon_color_full", res=900)
    pl = pv.Plotter(off_screen=True, window_size=(1280, 720), lighting="none")
    pl.set_background("black")
    pl.add_mesh(sphere, texture=tex, ambient=0.0, diffuse=1.0, specular=0.0)
    lat, lon = math.radians(52.0), math.radians(-8.0)
    up = np.array([math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat)])
    east = np.array([-math.sin(lon), math.cos(lon), 0.0])
    north = np.cross(up, east)
    cam = (r + 100.0) * up
    look = cam + 600.0 * north - 300.0 * east - 330.0 * up
    pl.camera.position = cam.tolist()
    pl.camera.focal_point = look.tolist()
    pl.camera.up = up.tolist()
    pl.camera.view_angle = 60
    pl.camera.clipping_range = (1.0, 5000.0)
    sun = math.cos(math.radians(10)) * east + math.sin(math.radians(10)) * up
    light = pv.Light(position=(sun * 1e6).tolist(), focal_point=(0, 0, 0), intensity=2.5)
    light.positional = False
    pl.add_light(light)
    pl.screenshot(out / "moon_orbit_100km.png")
    pl.close()


def earth_still(out: Path) -> None:
    r = 6371.0
    sphere, tex = textured_sphere(r, "earth_day_4k")
    pl = pv.Plotter(off_screen=True, window_size=(800, 800), lighting="none")
    pl.set_background("black")
    pl.add_mesh(sphere, texture=tex, ambient=0.02, diffuse=1.0)
    lat, lon = math.radians(20.0), math.radians(10.0)
    cam = 3.5 * r * np.array([math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat)])
    pl.camera.position = cam.tolist()
    pl.camera.focal_point = (0, 0, 0)
    pl.camera.up = (0, 0, 1)
    light = pv.Light(position=(cam + np.array([0, 1.5 * r, 0])).tolist(), focal_point=(0, 0, 0), intensity=1.2)
    pl.add_light(light)
    pl.screenshot(out / "earth_day.png")
    pl.close()


def terrain_mesh_polydata(mesh, origin) -> pv.PolyData:
    faces = np.hstack([np.full((len(mesh.faces), 1), 3, np.int64), mesh.faces]).ravel()
    return pv.PolyData((mesh.points_m - origin).astype(np.float64), faces)


def terrain_still(out: Path, lat0=60.5, lon0=-4.6, name="terrain_site", cliff=None, cam_alt=60.0,
                  cam_back=400.0, sun_el=10.0, sun_az=90.0, cells=128, look=None, extent_m=20000.0,
                  shadows=False) -> None:
    table = {"seed": 7, "extent_m": extent_m}
    if cliff:
        table["cliff"] = cliff
    cfg = TerrainConfig.from_mapping(table, source="stills", site_lat_deg=lat0, site_lon_deg=lon0)
    terrain = make_terrain(cfg)
    t0 = time.perf_counter()
    mesh = terrain.lod_mesh(0.0, -cam_back * 0.5, finest_spacing_m=0.5, cells_per_side=cells)
    print(f"{name}: lod mesh {len(mesh.points_m)} points {len(mesh.faces)} faces in {time.perf_counter() - t0:.2f} s")
    poly = pv.PolyData(mesh.local_m.astype(np.float64),
                       np.hstack([np.full((len(mesh.faces), 1), 3, np.int64), mesh.faces]).ravel())
    # base colour from the global map, times the local albedo detail
    img = np.asarray(Image.open(assets.asset_path("moon_color_4k")), dtype=float) / 255.0
    base = assets.sample_equirect(img, mesh.lat_deg, mesh.lon_deg)
    base = 0.5 * base + 0.5 * base.mean(axis=0)  # the 4k map is ~8 km/pixel: keep its mean tone
    rgb = np.clip(base * mesh.albedo[:, None] * 1.1, 0, 1)
    poly.point_data["rgb"] = (rgb * 255).astype(np.uint8)
    poly.compute_normals(inplace=True, split_vertices=False)
    pl = pv.Plotter(off_screen=True, window_size=(1280, 720), lighting="none")
    pl.set_background("black")
    pl.add_mesh(poly, scalars="rgb", rgb=True, ambient=0.0, diffuse=1.0, specular=0.0, smooth_shading=True)
    el, az = math.radians(sun_el), math.radians(sun_az)
    sun_dir = np.array([math.cos(el) * math.sin(az), math.cos(el) * math.cos(az), math.sin(el)])
    # a 10 deg Sun lights level ground at sin(10 deg) = 0.17: expose for it like a camera would
    light = pv.Light(position=(sun_dir * 1e5).tolist(), focal_point=(0, 0, 0),
                     intensity=min(4.0, 0.6 / max(math.sin(el), 0.05)))
    light.positional = False
    pl.add_light(light)
    cam = np.array([0.0, -cam_back, cam_alt + float(terrain.local_height_m(0.0, -cam_back))])
    pl.camera.position = cam.tolist()
    pl.camera.focal_point = (look if look is not None else [0.0, 300.0, float(terrain.local_height_m(0.0, 0.0))])
    pl.camera.up = (0, 0, 1)
    pl.camera.view_angle = 50
    pl.camera.clipping_range = (1.0, 40000.0)
    if shadows:
        pl.enable_shadows()
    pl.screenshot(out / f"{name}.png")
    pl.close()


def lander_still(out: Path, model: str = "hakuto-r") -> None:
    """One lander model (``[vehicle] model``) on a grey ground plane, seen from a 3/4 view."""
    from lunarviz.render import resources

    lm = resources.lander(model)
    poly = pv.PolyData(lm.vertices, np.c_[np.full(len(lm.faces), 3), lm.faces].ravel())
    poly.point_data["rgb"] = lm.colors
    size = max(float(np.ptp(lm.vertices[:, 0])), float(np.ptp(lm.vertices[:, 1])), lm.height_m)
    pl = pv.Plotter(off_screen=True, window_size=(800, 800))
    pl.set_background((0.05, 0.05, 0.08))
    pl.add_mesh(poly, scalars="rgb", rgb=True, specular=0.4)
    ground = pv.Plane(center=(0, 0, 0), direction=(0, 0, 1), i_size=2.4 * size, j_size=2.4 * size)
    pl.add_mesh(ground, color=(0.45, 0.45, 0.43))
    k = size / 2.5
    pl.camera.position = (4.5 * k, -5.0 * k, 2.6 * k)
    pl.camera.focal_point = (0, 0, 0.45 * lm.height_m)
    pl.camera.up = (0, 0, 1)
    pl.add_text(f"{model}: {lm.height_m:.1f} m tall, {size:.1f} m across", font_size=12)
    pl.screenshot(out / ("lander.png" if model == "hakuto-r" else f"lander-{model}.png"))
    pl.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=Path("/tmp/assets_stills"))
    ap.add_argument("--only", default="moon,orbit,earth,terrain,cliff,lander")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    only = args.only.split(",")
    if "moon" in only:
        moon_still(args.out)
    if "earth" in only:
        earth_still(args.out)
    if "orbit" in only:
        orbit_still(args.out)
    if "terrain" in only:
        terrain_still(args.out)
    if "shadows" in only:
        terrain_still(args.out, name="terrain_site_shadows", shadows=True)
    if "cliff" in only:
        terrain_still(args.out, lat0=47.581, lon0=44.094, name="terrain_cliff",
                      cliff={"height_m": 3000.0, "offset_m": -3000.0, "azimuth_deg": 0.0},
                      cam_alt=5000.0, cam_back=-12000.0, sun_el=10.0, sun_az=40.0, cells=64,
                      look=[0.0, -4000.0, 800.0], extent_m=60000.0)
    if "lander" in only:
        lander_still(args.out)
    if "landers" in only:
        from lunarviz.scenario import LANDER_MODELS

        for model in LANDER_MODELS:
            lander_still(args.out, model)


if __name__ == "__main__":
    main()
