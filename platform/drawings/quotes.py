"""Quote inputs kept as plain JSON in the database, and read back as the core's types."""

from __future__ import annotations

from typing import Any

from quoting.model import BendFeature, PartFeatures

# The quantity breaks of an instant quote: a prototype, a small lot, a production lot.
DEFAULT_QUANTITIES = (1, 10, 100)


def features_from_json(data: dict[str, Any]) -> PartFeatures:
    return PartFeatures(
        cut_length_mm=data["cut_length_mm"],
        pierce_count=data["pierce_count"],
        net_area_mm2=data["net_area_mm2"],
        size_mm=tuple(data["size_mm"]),  # type: ignore[arg-type]
        segments=tuple(tuple(s) for s in data["segments"]),  # type: ignore[misc]
        bend_count=data.get("bend_count", 0),
        findings=tuple(data.get("findings", ())),
        holes_mm=tuple(data.get("holes_mm", ())),
        slots_mm=tuple(tuple(s) for s in data.get("slots_mm", ())),  # type: ignore[misc]
        bends=tuple(BendFeature(**b) for b in data.get("bends", ())),
    )
