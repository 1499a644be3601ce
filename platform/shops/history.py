"""The past jobs a shop's calibration learns from, as plain `quoting.calibrate.Job`s.

A shop's own price is on the jobs it made (`maker`), and on the jobs it recorded itself
without naming another maker (its own history import); a job it recorded but another
shop made carries that shop's price, not its own. Only jobs whose drawing has one
current analysed part count (the features come from the analysis), in yen only.

This is the one place `shops` reads the drawing library's tables, by model name rather
than by import: `drawings` sits below `shops` (ARCHITECTURE.md), so this reader belongs
in `drawings` once it offers one, handing the jobs to `calibration.propose`.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Q

from quoting.calibrate import Job
from tenancy.models import Organization

from .models import CostProfileVersion

CURRENCY = "JPY"


@dataclass(frozen=True)
class History:
    jobs: list[Job]
    skipped: Counter[str]  # reason → jobs left out before the cost model sees them
    # Names the inputs of a proposal (the profile version and every job used), so an
    # adoption can check it adopts what the shop was shown.
    fingerprint: str


def calibration_history(shop: Organization, base: CostProfileVersion) -> History:
    from drawings.quotes import features_from_json

    past_job = apps.get_model("drawings", "PastJob")
    part = apps.get_model("drawings", "Part")
    rows = list(
        past_job.objects.filter(Q(maker=shop) | Q(recorded_by=shop, maker__isnull=True))
        .order_by("id")
        .values(
            "id",
            "part_number",
            "quantity",
            "unit_price",
            "currency",
            "drawing_id",
            "drawing__material",
            "drawing__thickness_mm",
        )
    )
    parts: dict[int, list[tuple[int, dict]]] = {}
    drawing_ids = {r["drawing_id"] for r in rows if r["drawing_id"] is not None}
    for p in part.objects.filter(drawing_id__in=drawing_ids, is_current=True).values(
        "id", "drawing_id", "features"
    ):
        parts.setdefault(p["drawing_id"], []).append((p["id"], p["features"]))

    jobs: list[Job] = []
    skipped: Counter[str] = Counter()
    digest = hashlib.sha256(f"profile {base.pk}\n".encode())
    for r in rows:
        found = parts.get(r["drawing_id"], [])
        if r["currency"].upper() != CURRENCY:
            skipped["currency"] += 1
        elif r["drawing_id"] is None:
            skipped["no_drawing"] += 1
        elif not found:
            skipped["not_analysed"] += 1
        elif len(found) > 1:  # which of the file's parts was made is not recorded
            skipped["several_parts"] += 1
        elif not r["drawing__material"] or not r["drawing__thickness_mm"]:
            skipped["no_material"] += 1
        else:
            part_id, features = found[0]
            try:
                parsed = features_from_json(features)
            except (KeyError, TypeError, ValueError):
                skipped["not_analysed"] += 1
                continue
            price_jpy = float(r["unit_price"]) * r["quantity"]
            jobs.append(
                Job(
                    part_id=r["part_number"],
                    material=r["drawing__material"],
                    thickness_mm=float(r["drawing__thickness_mm"]),
                    quantity=r["quantity"],
                    price_jpy=price_jpy,
                    features=parsed,
                )
            )
            digest.update(
                f"{r['id']} {part_id} {r['unit_price']} {r['quantity']} "
                f"{r['drawing__material']} {r['drawing__thickness_mm']}\n".encode()
            )
    return History(jobs, skipped, digest.hexdigest())
