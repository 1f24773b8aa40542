"""Geodesy helpers against hand-computable values, with stated tolerances."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from flightmap import geodesy as g


def test_one_degree_on_equator() -> None:
    # WGS84 equatorial radius a = 6378137 m: one degree of longitude = a * pi / 180 = 111319.49 m
    assert g.distance_m((0.0, 0.0), (0.0, 1.0)) == pytest.approx(6378137 * math.pi / 180, abs=0.01)


def test_antimeridian_is_short() -> None:
    # 179.9E to 179.9W is 0.2 degrees of longitude on the equator, not 359.8.
    assert g.distance_m((0.0, 179.9), (0.0, -179.9)) == pytest.approx(0.2 * 111319.49, abs=0.5)
    assert g.distances_m([0.0], [179.9], [0.0], [-179.9])[0] == pytest.approx(22263.9, abs=0.5)


def test_near_pole_and_identical_points() -> None:
    # Meridian arc from 89.9N to the pole on WGS84: about 11.17 km (Karney; 0.1 deg near pole).
    assert g.distance_m((89.9, 0.0), (90.0, 0.0)) == pytest.approx(11169.7, abs=1.0)
    assert g.distance_m((43.0, 45.0), (43.0, 45.0)) == 0.0
    assert g.distances_m([43.0], [45.0], [43.0], [45.0])[0] == 0.0


def test_nan_rejected_by_scalar_and_propagated_by_arrays() -> None:
    with pytest.raises(ValueError, match="not finite"):
        g.distance_m((float("nan"), 0.0), (0.0, 1.0))
    with pytest.raises(ValueError, match="latitude 91"):
        g.distance_m((91.0, 0.0), (0.0, 1.0))
    out = g.distances_m([0.0, np.nan], [0.0, 0.0], [0.0, 0.0], [1.0, 1.0])
    assert out[0] == pytest.approx(111319.49, abs=0.01) and np.isnan(out[1])


def test_vectorised_matches_scalar() -> None:
    rng = np.random.default_rng(8243)
    lat1, lat2 = rng.uniform(-80, 80, 50), rng.uniform(-80, 80, 50)
    lon1, lon2 = rng.uniform(-180, 180, 50), rng.uniform(-180, 180, 50)
    vec = g.distances_m(lat1, lon1, lat2, lon2)
    scalar = [
        g.distance_m((a, b), (c, d)) for a, b, c, d in zip(lat1, lon1, lat2, lon2, strict=True)
    ]
    np.testing.assert_allclose(vec, scalar, rtol=0, atol=1e-3)  # within 1 mm


def test_bearing_destination_round_trip() -> None:
    start = (43.388302, 45.698601)
    p = g.destination(start, 337.5, 18_000.0)
    assert g.distance_m(start, p) == pytest.approx(18_000.0, abs=1e-3)
    assert g.bearing_deg(start, p) == pytest.approx(337.5, abs=1e-6)


def test_geodesic_line_follows_geodesic() -> None:
    a, b = (43.388302, 45.698601), (43.860100, 51.091999)
    pts = g.geodesic_line(a, b, spacing_m=5000.0)
    assert pts[0] == g.LatLon(*a) and pts[-1] == g.LatLon(*b)
    # Densified points lie on the geodesic, so the path length equals the geodesic length.
    assert g.path_length_m(pts) == pytest.approx(g.distance_m(a, b), abs=0.01)
    spacing = g.distances_m(
        [p.lat for p in pts[:-1]],
        [p.lon for p in pts[:-1]],
        [p.lat for p in pts[1:]],
        [p.lon for p in pts[1:]],
    )
    assert spacing.max() <= 5000.0


def test_circle_radius_and_order_helpers() -> None:
    ring = g.geodesic_circle((43.0, 45.0), 25_000.0, n=36)
    d = [g.distance_m((43.0, 45.0), p) for p in ring]
    assert min(d) == pytest.approx(25_000.0, abs=1e-3) and max(d) == pytest.approx(
        25_000.0, abs=1e-3
    )
    assert g.lonlat((43.0, 45.0)) == (45.0, 43.0)
    assert g.latlon((45.0, 43.0)) == g.LatLon(lat=43.0, lon=45.0)


def test_haversine_versus_ellipsoid() -> None:
    # On a sphere of mean radius 6371008.8 m, one degree is 6371008.8 * pi / 180 = 111195.08 m.
    assert g.haversine_m([0.0], [0.0], [0.0], [1.0])[0] == pytest.approx(111195.08, abs=0.01)


def test_geodesic_line_is_pyproj_npts() -> None:
    """geodesic_line uses geographiclib (so a case map does not import pyproj); its points are
    those of pyproj's Geod.npts to within 1e-9 degrees (0.1 mm), spacing s13 / (n + 1)."""
    from pyproj import Geod

    a, b = (40.4675, 50.0467), (43.3883, 45.6986)  # Baku GYD to Grozny, (lat, lon)
    pts = g.geodesic_line(a, b, spacing_m=5000.0)
    n = int(g.distance_m(a, b) // 5000.0)
    assert len(pts) == n + 2 and pts[0] == a and pts[-1] == b
    ref = Geod(ellps="WGS84").npts(a[1], a[0], b[1], b[0], n)
    for p, (lon, lat) in zip(pts[1:-1], ref, strict=True):
        assert abs(p.lat - lat) < 1e-9 and abs(p.lon - lon) < 1e-9
    # Equal steps: every leg of the line is the same length, to the millimetre.
    steps = [g.distance_m(p, q) for p, q in itertools.pairwise(pts)]
    assert max(steps) - min(steps) < 1e-3 and 4900.0 < steps[0] <= 5000.0
