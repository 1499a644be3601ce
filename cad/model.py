"""Plain data that comes out of an analysis. Every length is in mm, every area in mm²."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

SCHEMA = "kumiai.cad.analysis/1"
# The document's layout is SCHEMA; what the analysis finds in a given file changes with
# this number (stored analyses of another version are stale, not unreadable). 2: chaining
# no longer merges or joins contours that only nearly touch, cuts walks at touching
# vertices, compares thresholds off the decimal grid; minimum rectangles are canonical.
ANALYSIS_VERSION = 2

Point = tuple[float, float]


@dataclass
class Edge:
    """One cut primitive after unit conversion. `pts` is the flattened curve (N×2, mm),
    ends included; `length_mm` is measured on the true curve."""

    kind: str  # line | arc | circle | curve
    pts: np.ndarray
    length_mm: float
    layer: str = "0"
    center: Point | None = None
    radius_mm: float | None = None
    closed: bool = False  # a circle or a closed curve is a loop by itself
    color: int = 7  # ACI colour as drawn (BYLAYER resolved): tells bend lines from cuts

    @property
    def start(self) -> np.ndarray:
        return self.pts[0]

    @property
    def end(self) -> np.ndarray:
        return self.pts[-1]


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str  # info | warning | error
    message_en: str
    message_ja: str
    location: Point | None = None
    value: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Hole:
    diameter_mm: float
    center: Point
    drawn_as: str  # circle | polygon

    def as_dict(self) -> dict[str, Any]:
        return {
            "diameter_mm": round(self.diameter_mm, 4),
            "center": [round(self.center[0], 4), round(self.center[1], 4)],
            "drawn_as": self.drawn_as,
        }


@dataclass(frozen=True)
class Slot:
    width_mm: float
    length_mm: float
    center: Point

    def as_dict(self) -> dict[str, Any]:
        return {
            "width_mm": round(self.width_mm, 4),
            "length_mm": round(self.length_mm, 4),
            "center": [round(self.center[0], 4), round(self.center[1], 4)],
        }


@dataclass(frozen=True)
class Bend:
    length_mm: float
    start: Point
    end: Point
    confidence: float
    reasons: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "length_mm": round(self.length_mm, 4),
            "start": [round(self.start[0], 4), round(self.start[1], 4)],
            "end": [round(self.end[0], 4), round(self.end[1], 4)],
            "confidence": round(self.confidence, 2),
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class Part:
    index: int
    outer: np.ndarray  # closed outline polyline, mm
    inner: tuple[np.ndarray, ...]  # cut-out polylines
    bbox_mm: tuple[float, float, float, float]  # min x, min y, max x, max y
    min_rect_mm: tuple[float, float]  # sides of the minimum-area rectangle, long first
    net_area_mm2: float
    cut_length_mm: float
    pierce_count: int
    holes: tuple[Hole, ...] = ()
    slots: tuple[Slot, ...] = ()
    bends: tuple[Bend, ...] = ()
    min_inside_radius_mm: float | None = None
    smallest_feature_mm: float | None = None
    engraving_length_mm: float = 0.0
    # Every cut segment as (kind, length_mm, radius_mm or 0): motion time depends on
    # segment lengths and arc radii, not only on the total cut length.
    segments: tuple[tuple[str, float, float], ...] = ()

    @property
    def size_mm(self) -> tuple[float, float]:
        return (self.bbox_mm[2] - self.bbox_mm[0], self.bbox_mm[3] - self.bbox_mm[1])

    def hole_groups(self) -> list[dict[str, Any]]:
        groups: dict[float, int] = {}
        for h in self.holes:
            key = round(h.diameter_mm, 2)
            groups[key] = groups.get(key, 0) + 1
        return [{"diameter_mm": d, "count": n} for d, n in sorted(groups.items())]

    def as_dict(self) -> dict[str, Any]:
        r = 4
        return {
            "index": self.index,
            "bbox_mm": [round(v, r) for v in self.bbox_mm],
            "size_mm": [round(v, r) for v in self.size_mm],
            "min_rect_mm": [round(v, r) for v in self.min_rect_mm],
            "net_area_mm2": round(self.net_area_mm2, r),
            "cut_length_mm": round(self.cut_length_mm, r),
            "pierce_count": self.pierce_count,
            "holes": [h.as_dict() for h in self.holes],
            "hole_groups": self.hole_groups(),
            "slots": [s.as_dict() for s in self.slots],
            "cutouts": len(self.inner),
            "bends": [b.as_dict() for b in self.bends],
            "bend_count": len(self.bends),
            "min_inside_radius_mm": None
            if self.min_inside_radius_mm is None
            else round(self.min_inside_radius_mm, r),
            "smallest_feature_mm": None
            if self.smallest_feature_mm is None
            else round(self.smallest_feature_mm, r),
            "engraving_length_mm": round(self.engraving_length_mm, r),
        }


@dataclass(frozen=True)
class DrawingText:
    part_number: str | None
    material: str | None
    thickness_mm: float | None
    texts: tuple[str, ...]
    title: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "part_number": self.part_number,
            "title": self.title,
            "material": self.material,
            "thickness_mm": self.thickness_mm,
            "texts": list(self.texts[:50]),
        }


@dataclass(frozen=True)
class Analysis:
    source: str
    dxf_version: str
    units: dict[str, Any]
    parts: tuple[Part, ...]
    findings: tuple[Finding, ...]
    text: DrawingText
    entity_counts: dict[str, int]
    annotation_edges: tuple[np.ndarray, ...] = ()  # for pictures only
    open_edges: tuple[np.ndarray, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "analysis_version": ANALYSIS_VERSION,
            "source": self.source,
            "dxf_version": self.dxf_version,
            "units": self.units,
            "parts": [p.as_dict() for p in self.parts],
            "findings": [f.as_dict() for f in self.findings],
            "text": self.text.as_dict(),
            "entity_counts": self.entity_counts,
        }
