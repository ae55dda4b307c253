"""The districts' outlines for a map: a GeoJSON FeatureCollection (such as the ONS local
authority district boundaries, generalised), each feature naming its district's code in a
property. Features of districts the project does not list (a national file holds every district)
are passed over; a listed district without one, or a geometry that is not a polygon of numbers,
is refused, naming it."""

from __future__ import annotations

import json
import math
from pathlib import Path

from pcpbook.contracts.problems import Problem

Ring = tuple[tuple[float, float], ...]


def read_outlines(path: Path, code_key: str, codes: list[str], problems: list[Problem]) -> dict[str, tuple[Ring, ...]]:
    """Each listed district's outer rings (a multipolygon has several; holes are not drawn)."""
    try:
        collection = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(Problem(str(path), None, None, "no such file: the boundaries that areas.yaml names"))
        return {}
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        problems.append(Problem(str(path), getattr(exc, "lineno", None), None, f"not readable GeoJSON: {exc}"))
        return {}
    features = collection.get("features") if isinstance(collection, dict) else None
    if not isinstance(features, list):
        problems.append(Problem(str(path), None, "features", "expected a GeoJSON FeatureCollection"))
        return {}
    outlines: dict[str, tuple[Ring, ...]] = {}
    for number, feature in enumerate(features, start=1):
        code = ((feature or {}).get("properties") or {}).get(code_key) if isinstance(feature, dict) else None
        if code in codes:
            rings = _rings(feature.get("geometry"))
            if rings is None:
                problems.append(Problem(str(path), None, "geometry", f"feature {number} ({code}): expected a Polygon or "
                                        "MultiPolygon of longitude, latitude (or easting, northing) pairs"))
            else:
                outlines[code] = rings
    missing = [code for code in codes if code not in outlines]
    if missing and not problems:
        problems.append(Problem(str(path), None, code_key, f"no outline for district {missing[0]}"
                                + (f" and {len(missing) - 1} more" if len(missing) > 1 else "")))
    return outlines


def _rings(geometry) -> tuple[Ring, ...] | None:
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        return None
    polygons = [geometry.get("coordinates")] if geometry["type"] == "Polygon" else geometry.get("coordinates")
    try:
        rings = tuple(tuple((float(x), float(y)) for x, y, *_ in polygon[0]) for polygon in polygons)
    except (TypeError, ValueError, IndexError):
        return None
    if not rings or any(len(ring) < 3 or not all(math.isfinite(v) for point in ring for v in point) for ring in rings):
        return None
    return rings
