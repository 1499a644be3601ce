"""The cost model: features of a part + material + thickness + quantities → priced breaks.

Every component carries its formula and inputs, so the portal can show "why". Formulas
follow ../shared/design/QUOTING.md; numbers come from the cost profile.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .processes import CUTTING
from .processes import PROCESSES as ALL_PROCESSES
from .profile import CostProfile, interpolate

# What a quote request may add to the cutting, which every part gets.
PROCESSES = tuple(p for p in ALL_PROCESSES if p != CUTTING)
# Beardwood–Halton–Hammersley: a short tour through n points in area A is ≈ 0.7124·√(n·A).
BHH = 0.7124
STANDARD_BEND_DEG = 90  # a brake is set to the whole degree: 89.6° is a 90° bend
PUNCH_TOOL_STEP_MM = 0.1  # punch tools come in 0.1 mm steps: Ø10.02 and Ø9.98 share one


class QuoteError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(f"{code}: {message}")


@dataclass(frozen=True)
class BendFeature:
    """One bend line. `angle_deg` is how far the flange turns (90 = a right angle); None
    when nobody has said, which is priced as a standard 90° bend."""

    length_mm: float | None = None
    angle_deg: float | None = None


@dataclass(frozen=True)
class PartFeatures:
    """What the cost model needs from a drawing (all mm)."""

    cut_length_mm: float
    pierce_count: int
    net_area_mm2: float
    size_mm: tuple[float, float]  # minimum-area rectangle, long side first
    segments: tuple[tuple[str, float, float], ...]  # (kind, length_mm, radius_mm)
    bend_count: int = 0
    findings: tuple[dict[str, Any], ...] = ()
    holes_mm: tuple[float, ...] = ()  # diameters of the round holes
    slots_mm: tuple[tuple[float, float], ...] = ()  # (width, overall length) of obround slots
    bends: tuple[BendFeature, ...] = ()  # the bend lines, when known one by one

    def __post_init__(self) -> None:
        if self.bends and len(self.bends) != self.bend_count:
            raise ValueError(f"{len(self.bends)} bends described but bend_count {self.bend_count}")
        if len(self.holes_mm) + len(self.slots_mm) > max(self.pierce_count - 1, 0):
            raise ValueError("more holes and slots than inner contours (pierce_count − 1)")

    @classmethod
    def from_part(cls, part: Any, findings: list[Any] = ()) -> PartFeatures:  # type: ignore[assignment]
        return cls(
            cut_length_mm=part.cut_length_mm,
            pierce_count=part.pierce_count,
            net_area_mm2=part.net_area_mm2,
            size_mm=tuple(part.min_rect_mm),  # type: ignore[arg-type]
            segments=tuple(part.segments),
            bend_count=len(part.bends),
            findings=tuple(f.as_dict() for f in findings),
            holes_mm=tuple(h.diameter_mm for h in part.holes),
            slots_mm=tuple((s.width_mm, s.length_mm) for s in part.slots),
            # A flat pattern does not say how far each bend turns: the angle stays unknown.
            bends=tuple(BendFeature(length_mm=b.length_mm) for b in part.bends),
        )


@dataclass(frozen=True)
class QuoteRequest:
    material: str
    thickness_mm: float
    quantities: tuple[int, ...]
    processes: frozenset[str] = frozenset()
    confirmed_bends: int | None = None  # the user's count overrides the detected one
    weld_min_per_part: float = 0.0
    taps: int = 0
    inserts: int = 0


@dataclass(frozen=True)
class Component:
    name: str
    cost_jpy: float
    formula: str
    inputs: dict[str, float]

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "cost_jpy": round(self.cost_jpy, 2),
            "formula": self.formula,
            "inputs": {k: round(v, 6) for k, v in self.inputs.items()},
        }


@dataclass(frozen=True)
class Break:
    quantity: int
    unit_price_jpy: float
    total_price_jpy: float
    components: tuple[Component, ...]
    machine_minutes: dict[str, float]
    lead_time_days: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "quantity": self.quantity,
            "unit_price_jpy": round(self.unit_price_jpy, 0),
            "total_price_jpy": round(self.total_price_jpy, 0),
            "components": [c.as_dict() for c in self.components],
            "machine_minutes": {k: round(v, 2) for k, v in self.machine_minutes.items()},
            "lead_time_days": self.lead_time_days,
        }


@dataclass(frozen=True)
class Quote:
    profile: str
    profile_version: int
    material: str
    thickness_mm: float
    sheet_mm: tuple[float, float]
    parts_per_sheet: int
    per_part: dict[str, float]
    breaks: tuple[Break, ...]
    findings: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        return {
            "profile": self.profile,
            "profile_version": self.profile_version,
            "material": self.material,
            "thickness_mm": self.thickness_mm,
            "sheet_mm": list(self.sheet_mm),
            "parts_per_sheet": self.parts_per_sheet,
            "per_part": {k: round(v, 4) for k, v in self.per_part.items()},
            "breaks": [b.as_dict() for b in self.breaks],
            "findings": list(self.findings),
        }


# -- physics and bookkeeping -------------------------------------------------------------
def segment_time_s(length_mm: float, v_mm_s: float, a_mm_s2: float) -> float:
    """Trapezoidal motion from rest to rest: t = L/v + v/a when L ≥ v²/a, else 2·√(L/a)."""
    if length_mm <= 0:
        return 0.0
    if length_mm >= v_mm_s * v_mm_s / a_mm_s2:
        return length_mm / v_mm_s + v_mm_s / a_mm_s2
    return 2.0 * math.sqrt(length_mm / a_mm_s2)


def learning_average(quantity: int, rate: float, plateau: int) -> float:
    """Average time multiplier over units 1…Q on a learning curve (90 % ⇒ b = −0.152)
    that stops falling at unit `plateau` (steady state: price lists go flat there)."""
    b = math.log2(rate)
    head = min(quantity, plateau)
    learned = float(np.sum(np.arange(1, head + 1, dtype=float) ** b))
    steady = (quantity - head) * float(plateau) ** b
    return (learned + steady) / quantity


@dataclass(frozen=True)
class BrakePlan:
    """The bends the brake makes and what makes them slower than the standard bend."""

    bends: int
    non_standard_angle: int  # bends not at 90° (to the degree)
    long: int  # bends longer than the profile's long_bend_mm
    unknown_angle: int  # bends nobody gave an angle for: priced as 90°
    tool_changes: int  # distinct angles after the first

    @property
    def complications(self) -> int:
        return self.non_standard_angle + self.long


@dataclass(frozen=True)
class PunchPlan:
    """Round holes and obround slots a standard tool fits: one hit each, one tool per size.
    The laser then does not cut them; it still cuts the outline (no nibbling is priced)
    and every hole or cut-out no standard tool fits."""

    holes_mm: tuple[float, ...] = ()
    slots_mm: tuple[tuple[float, float], ...] = ()
    tools: int = 0
    smallest_mm: float = 0.0
    largest_mm: float = 0.0

    @property
    def hits(self) -> int:
        return len(self.holes_mm) + len(self.slots_mm)

    @property
    def perimeter_mm(self) -> float:
        return sum(math.pi * d for d in self.holes_mm) + sum(
            math.pi * w + 2 * (length - w) for w, length in self.slots_mm
        )

    def segments(self) -> tuple[tuple[str, float, float], ...]:
        """The cuts the laser no longer makes, timed as cad draws a circle or a slot. A hole
        drawn as several arcs or a polygon took the laser a little longer; that rest stays."""
        round_ = tuple(("circle", math.pi * d, d / 2) for d in self.holes_mm)
        slots = tuple(
            seg
            for w, length in self.slots_mm
            for seg in [("arc", math.pi * w / 2, w / 2), ("line", length - w, 0.0)] * 2
        )
        return round_ + slots


@dataclass(frozen=True)
class PerPart:
    laser_s: float
    motion_s: float
    pierce_s: float
    rapid_s: float
    blank_kg: float
    part_kg: float
    material_jpy: float
    brake: BrakePlan
    brake_s: float
    punch: PunchPlan
    manual_s: float
    area_m2: float
    sheet: tuple[float, float]
    per_sheet: int


def laser_speed_mm_s(profile: CostProfile, material: str, t: float) -> float:
    m = profile.materials[material]
    ref = m.laser_like or material
    v_m_min = (
        interpolate(profile.laser.speed_m_min[ref], t, f"laser speed for {ref}")
        * m.laser_speed_factor
    )
    return v_m_min * 1000 / 60


def pierce_time_s(profile: CostProfile, material: str, t: float) -> float:
    m = profile.materials[material]
    ref = m.laser_like or material
    table = profile.laser.pierce_s.get(ref) or next(iter(profile.laser.pierce_s.values()))
    return interpolate(table, t, "pierce time") * profile.laser.pierce_factor.get(material, 1.0)


def choose_sheet(
    profile: CostProfile, material: str, size: tuple[float, float]
) -> tuple[tuple[float, float], int]:
    m = profile.materials[material]
    trim, gap = profile.nesting.trim_mm_per_side, profile.nesting.min_part_gap_mm
    best = None
    for w, h in sorted(m.sheets, key=lambda s: s[0] * s[1]):
        uw, uh = w - 2 * trim, h - 2 * trim
        for a, b in (size, size[::-1]):
            if a <= uw and b <= uh:
                count = int((uw + gap) // (a + gap)) * int((uh + gap) // (b + gap))
                if best is None or count > best[1]:
                    best = ((w, h), count)
        if best:
            return best
    largest = max(m.sheets, key=lambda s: s[0] * s[1])
    raise QuoteError(
        "PART_LARGER_THAN_SHEET",
        f"a {size[0]:.0f} × {size[1]:.0f} mm part does not fit the largest {material} sheet "
        f"{largest[0]:.0f} × {largest[1]:.0f} mm (trim {trim:g} mm per side)",
    )


def bends_to_price(features: PartFeatures, req: QuoteRequest) -> tuple[BendFeature, ...]:
    """The bends the brake makes. A confirmed count overrides the detected one: above it,
    the detected bends are kept and the others are undescribed; below it, which detected
    lines are not bends is unknown, so none of them is described."""
    if "bend" not in req.processes and req.confirmed_bends is None:
        return ()
    detected = features.bends or (BendFeature(),) * features.bend_count
    n = len(detected) if req.confirmed_bends is None else max(req.confirmed_bends, 0)
    if n >= len(detected):
        return detected + (BendFeature(),) * (n - len(detected))
    return (BendFeature(),) * n


def brake_plan(bends: tuple[BendFeature, ...], profile: CostProfile) -> BrakePlan:
    angles = [STANDARD_BEND_DEG if b.angle_deg is None else round(b.angle_deg) for b in bends]
    return BrakePlan(
        bends=len(bends),
        non_standard_angle=sum(angle != STANDARD_BEND_DEG for angle in angles),
        long=sum(
            b.length_mm is not None and b.length_mm > profile.brake.long_bend_mm for b in bends
        ),
        unknown_angle=sum(b.angle_deg is None for b in bends),
        tool_changes=max(len(set(angles)) - 1, 0),
    )


def punch_plan(features: PartFeatures, thickness_mm: float, profile: CostProfile) -> PunchPlan:
    lo, hi = profile.punch.smallest_hole_mm(thickness_mm), profile.punch.max_tool_mm
    holes = tuple(d for d in features.holes_mm if lo <= d <= hi)
    slots = tuple((w, length) for w, length in features.slots_mm if w >= lo and length <= hi)

    def size(mm: float) -> int:
        return round(mm / PUNCH_TOOL_STEP_MM)

    tools = {(size(d), 0) for d in holes} | {(size(w), size(length)) for w, length in slots}
    return PunchPlan(holes, slots, len(tools), lo, hi)


def motion_time_s(segments: tuple[tuple[str, float, float], ...], v: float, a: float) -> float:
    """Σ segment times; on an arc the head is held to v ≤ √(a·r)."""
    motion = 0.0
    for kind, length, radius in segments:
        v_eff = min(v, math.sqrt(a * radius)) if kind in {"arc", "circle"} and radius > 0 else v
        motion += segment_time_s(length, v_eff, a)
    return motion


def per_part(features: PartFeatures, req: QuoteRequest, profile: CostProfile) -> PerPart:
    m = profile.materials[req.material]
    t = req.thickness_mm
    v = laser_speed_mm_s(profile, req.material, t)
    a = profile.laser.accel_m_s2 * 1000
    punch = punch_plan(features, t, profile) if "punch" in req.processes else PunchPlan()
    contours = max(features.pierce_count - punch.hits, 1)  # those the laser still cuts
    if features.segments:
        motion = motion_time_s(features.segments, v, a) - motion_time_s(punch.segments(), v, a)
    else:  # features without segments: one long cut per contour
        cut_mm = features.cut_length_mm - punch.perimeter_mm
        motion = contours * segment_time_s(cut_mm / contours, v, a)
    pierces = contours * (pierce_time_s(profile, req.material, t) + profile.laser.leadin_s)
    w, h = features.size_mm
    rapid_v = profile.laser.rapid_m_min * 1000 / 60
    tour = BHH * math.sqrt(contours * w * h) + (w + h) / 2
    rapid = contours * segment_time_s(tour / contours, rapid_v, a)
    sheet, count = choose_sheet(profile, req.material, (w, h))
    kg_per_mm3 = m.rho * 1e-6
    part_kg = features.net_area_mm2 * t * kg_per_mm3
    blank_kg = part_kg / profile.nesting.utilization
    material_jpy = blank_kg * m.price_jpy_kg - (blank_kg - part_kg) * m.scrap_jpy_kg
    brake = brake_plan(bends_to_price(features, req), profile)
    brake_s = (
        brake.bends * profile.brake.s_per_bend
        + brake.complications * profile.brake.s_extra_nonstandard
    )
    manual_s = (
        features.cut_length_mm / 1000 * profile.manual.deburr_s_per_m_cut
        + profile.manual.handling_s_per_part
    )
    return PerPart(
        laser_s=motion + pierces + rapid,
        motion_s=motion,
        pierce_s=pierces,
        rapid_s=rapid,
        blank_kg=blank_kg,
        part_kg=part_kg,
        material_jpy=material_jpy,
        brake=brake,
        brake_s=brake_s,
        punch=punch,
        manual_s=manual_s,
        area_m2=2 * features.net_area_mm2 / 1e6,
        sheet=sheet,
        per_sheet=count,
    )


def quote(features: PartFeatures, req: QuoteRequest, profile: CostProfile) -> Quote:
    if req.material not in profile.materials:
        raise QuoteError(
            "UNKNOWN_MATERIAL",
            f"{req.material!r} is not in profile {profile.name!r}; "
            f"valid: {', '.join(sorted(profile.materials))}",
        )
    if not req.quantities or any(q <= 0 for q in req.quantities):
        raise QuoteError("BAD_QUANTITY", "quantities must be whole numbers ≥ 1")
    unknown = set(req.processes) - set(PROCESSES)
    if unknown:
        raise QuoteError(
            "UNKNOWN_PROCESS", f"{', '.join(sorted(unknown))}; valid: {', '.join(PROCESSES)}"
        )
    for finish in {"paint", "plating"} & set(req.processes):
        if finish not in profile.finishing:
            raise QuoteError(
                "UNKNOWN_PROCESS", f"{finish} is not offered in profile {profile.name!r}"
            )
    if features.pierce_count < 1 or features.net_area_mm2 <= 0:
        raise QuoteError(
            "NO_CLOSED_OUTLINE",
            "the drawing has no closed outer contour to cut; "
            "close the open contours listed in the findings",
        )
    try:
        pp = per_part(features, req, profile)
    except ValueError as exc:
        if isinstance(exc, QuoteError):
            raise
        stocked = profile.materials[req.material]
        ref = stocked.laser_like or req.material
        rows = list(profile.laser.speed_m_min[ref])
        raise QuoteError(
            "THICKNESS_OUT_OF_TABLE",
            f"{req.thickness_mm:g} mm {req.material} is outside the laser table "
            f"({rows[0]:g}–{rows[-1]:g} mm)",
        ) from exc

    findings = list(features.findings)
    if req.thickness_mm not in profile.materials[req.material].thicknesses_mm:
        findings.append(
            {
                "code": "THICKNESS_NOT_STOCKED",
                "severity": "warning",
                "message_en": f"{req.thickness_mm:g} mm is not a stocked {req.material} gauge",
                "message_ja": f"{req.thickness_mm:g} mm は {req.material} の在庫板厚ではありません",
                "location": None,
                "value": req.thickness_mm,
            }
        )
    if "punch" in req.processes and not pp.punch.hits:
        findings.append(
            {
                "code": "NOTHING_TO_PUNCH",
                "severity": "info",
                "message_en": (
                    f"punching was asked for, but no round hole or slot fits a standard tool "
                    f"(Ø{pp.punch.smallest_mm:g}–{pp.punch.largest_mm:g} mm): nothing is punched"
                ),
                "message_ja": (
                    f"標準金型（Ø{pp.punch.smallest_mm:g}〜{pp.punch.largest_mm:g} mm）で"
                    f"抜ける丸穴・長穴がないため、パンチ加工は計上していません"
                ),
                "location": None,
                "value": None,
            }
        )
    breaks = tuple(_break(q, pp, req, profile) for q in sorted(set(req.quantities)))
    return Quote(
        profile.name,
        profile.version,
        req.material,
        req.thickness_mm,
        pp.sheet,
        pp.per_sheet,
        {
            "laser_s": pp.laser_s,
            "motion_s": pp.motion_s,
            "pierce_s": pp.pierce_s,
            "rapid_s": pp.rapid_s,
            "blank_kg": pp.blank_kg,
            "part_kg": pp.part_kg,
            "bends": pp.brake.bends,
            "bend_complications": pp.brake.complications,
            "brake_tool_changes": pp.brake.tool_changes,
            "brake_s_first": pp.brake_s,
            "punch_hits": pp.punch.hits,
            "punch_tools": pp.punch.tools,
            "manual_s_first": pp.manual_s,
        },
        breaks,
        tuple(findings),
    )


def _break(q: int, pp: PerPart, req: QuoteRequest, p: CostProfile) -> Break:
    learn = learning_average(q, p.learning_rate_manual_ops, p.learning_plateau_qty)
    lz = p.laser
    c: list[Component] = [
        Component(
            "material",
            q * pp.material_jpy,
            "Q × (blank_kg × price − (blank_kg − part_kg) × scrap)",
            {
                "Q": q,
                "blank_kg": pp.blank_kg,
                "part_kg": pp.part_kg,
                "price_jpy_kg": p.materials[req.material].price_jpy_kg,
                "scrap_jpy_kg": p.materials[req.material].scrap_jpy_kg,
            },
        ),
        Component(
            "laser_cutting",
            q * pp.laser_s * lz.rate_jpy_h / 3600,
            "Q × (motion + pierces·(pierce + lead-in) + rapids) s × rate/3600"
            + ("; punched holes and slots are not laser-cut" if pp.punch.hits else ""),
            {"Q": q, "laser_s": pp.laser_s, "rate_jpy_h": lz.rate_jpy_h},
        ),
        Component(
            "laser_setup",
            (lz.setup_min_per_job + lz.program_min_per_part_no) * lz.rate_jpy_h / 60,
            "(setup + programming) min × rate/60, once per order",
            {
                "setup_min": lz.setup_min_per_job,
                "program_min": lz.program_min_per_part_no,
                "rate_jpy_h": lz.rate_jpy_h,
            },
        ),
        Component(
            "deburr_handling",
            q * learn * pp.manual_s * p.labor_jpy_h / 3600,
            "Q × learning(Q) × (deburr per m + handling) s × labour/3600",
            {"Q": q, "learning": learn, "manual_s": pp.manual_s, "labor_jpy_h": p.labor_jpy_h},
        ),
    ]
    brake_min = 0.0
    if pp.brake.bends:
        bk = pp.brake
        brake_setup_min = p.brake.setup_min + bk.tool_changes * p.brake.setup_min_per_tool_change
        c.append(
            Component(
                "bending",
                q * learn * pp.brake_s * p.brake.rate_jpy_h / 3600,
                "Q × learning(Q) × (bends × s_per_bend + complications × s_extra) × rate/3600; "
                f"a complication is a bend not at 90° or longer than {p.brake.long_bend_mm:g} mm "
                "(two if both); a bend of unknown angle is priced as 90°; large radii and "
                "hems are not priced (no drawing says them)",
                {
                    "Q": q,
                    "learning": learn,
                    "bends": bk.bends,
                    "s_per_bend": p.brake.s_per_bend,
                    "complications": bk.complications,
                    "non_standard_angle": bk.non_standard_angle,
                    "long": bk.long,
                    "unknown_angle": bk.unknown_angle,
                    "s_extra_nonstandard": p.brake.s_extra_nonstandard,
                    "rate_jpy_h": p.brake.rate_jpy_h,
                },
            )
        )
        c.append(
            Component(
                "brake_setup",
                brake_setup_min * p.brake.rate_jpy_h / 60,
                "(setup + tool changes × min per change) × rate/60, once per order; "
                "a tool change for each bend angle after the first",
                {
                    "setup_min": p.brake.setup_min,
                    "tool_changes": bk.tool_changes,
                    "setup_min_per_tool_change": p.brake.setup_min_per_tool_change,
                    "rate_jpy_h": p.brake.rate_jpy_h,
                },
            )
        )
        brake_min = q * learn * pp.brake_s / 60 + brake_setup_min
    punch_min = 0.0
    if pp.punch.hits:
        pn, pu = pp.punch, p.punch
        punch_setup_min = pu.setup_min + pn.tools * pu.setup_min_per_tool
        c.append(
            Component(
                "punching",
                q * pn.hits * pu.s_per_hit * pu.rate_jpy_h / 3600,
                "Q × hits × s_per_hit × rate/3600; a hit per round hole or slot a standard "
                f"tool fits (Ø{pn.smallest_mm:g}–{pn.largest_mm:g} mm); the outline and other "
                "cut-outs stay on the laser: nibbling is not priced",
                {
                    "Q": q,
                    "hits": pn.hits,
                    "s_per_hit": pu.s_per_hit,
                    "rate_jpy_h": pu.rate_jpy_h,
                },
            )
        )
        c.append(
            Component(
                "punch_setup",
                punch_setup_min * pu.rate_jpy_h / 60,
                "(setup + tools × min per tool) × rate/60, once per order; "
                "a tool per distinct hole diameter or slot size",
                {
                    "setup_min": pu.setup_min,
                    "tools": pn.tools,
                    "setup_min_per_tool": pu.setup_min_per_tool,
                    "rate_jpy_h": pu.rate_jpy_h,
                },
            )
        )
        punch_min = q * pn.hits * pu.s_per_hit / 60 + punch_setup_min
    finish_days = 0.0
    for name in ("paint", "plating"):
        if name in req.processes:
            f = p.finishing[name]
            c.append(
                Component(
                    name,
                    max(f.lot_min_jpy, q * pp.area_m2 * f.jpy_per_m2),
                    "max(lot minimum, Q × area both sides m² × price/m²)",
                    {
                        "Q": q,
                        "area_m2": pp.area_m2,
                        "jpy_per_m2": f.jpy_per_m2,
                        "lot_min_jpy": f.lot_min_jpy,
                    },
                )
            )
            finish_days = max(finish_days, f.days)
    if "weld" in req.processes and req.weld_min_per_part > 0:
        c.append(
            Component(
                "welding",
                q * req.weld_min_per_part * p.weld.rate_jpy_h / 60,
                "Q × weld min × rate/60",
                {"Q": q, "weld_min": req.weld_min_per_part, "rate_jpy_h": p.weld.rate_jpy_h},
            )
        )
    if "tap" in req.processes and req.taps > 0:
        c.append(
            Component(
                "tapping",
                q * req.taps * p.tapping.s_per_hole * p.labor_jpy_h / 3600,
                "Q × taps × s_per_hole × labour/3600",
                {
                    "Q": q,
                    "taps": req.taps,
                    "s_per_hole": p.tapping.s_per_hole,
                    "labor_jpy_h": p.labor_jpy_h,
                },
            )
        )
    if "hardware" in req.processes and req.inserts > 0:
        hw = p.hardware
        c.append(
            Component(
                "hardware",
                q * req.inserts * (hw.jpy_per_insert + hw.s_per_insert * p.labor_jpy_h / 3600),
                "Q × inserts × (price + s × labour/3600)",
                {
                    "Q": q,
                    "inserts": req.inserts,
                    "jpy_per_insert": hw.jpy_per_insert,
                    "s_per_insert": hw.s_per_insert,
                },
            )
        )
    cost = sum(x.cost_jpy for x in c)
    c.append(
        Component(
            "markup", cost * p.markup, "cost × markup", {"cost_jpy": cost, "markup": p.markup}
        )
    )
    total = cost * (1 + p.markup)
    if total < p.line_minimum_jpy:
        c.append(
            Component(
                "line_minimum",
                p.line_minimum_jpy - total,
                "raise the line to its minimum",
                {"line_minimum_jpy": p.line_minimum_jpy},
            )
        )
        total = p.line_minimum_jpy
    laser_min = q * pp.laser_s / 60 + p.laser.setup_min_per_job
    minutes = {
        "laser": laser_min,
        "punch": punch_min,
        "brake": brake_min,
        "manual": q * learn * pp.manual_s / 60,
    }
    shop_hours = sum(minutes.values()) / 60
    lead = p.lead_time.base_days + math.ceil(shop_hours / p.lead_time.shop_hours_per_day)
    lead += p.lead_time.bend_days if pp.brake.bends else 0
    return Break(q, total / q, total, tuple(c), minutes, int(lead + math.ceil(finish_days)))
