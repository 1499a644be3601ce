"""Benchmark (not a test): similar-part search through the portal (issue 11, "search speed").

One supplier group (coordinator, lead firm, member shop) with N generated parts in
PostgreSQL, stored as the analysis stores them (Drawing, an analysed Revision, a Part with
its pgvector columns and stored shape, and its PartVector row). 200 query parts drawn from the stored
ones, after 20 warm-up queries, each through the real API (`GET
/api/drawings/{id}/similar?k=10`, Django's test client, logged in) for two people: Dora of
the coordinating shop (the whole group in scope) and Carol of a member shop holding 50
grants. The whole call is timed, and inside it the first stage (`selectors.first_stage`)
and the re-rank (the rest of `selectors.similar`: candidate rows, their shapes, the
bounded placements of `rerank`, past jobs).

The baseline, in the same run and interleaved query by query so a machine's drift hits
both: `cad.similar`'s whole query in one process (`Index.query(shape, k=10)`, default
candidates) over the same shapes and the same queries. The bar: p95(API, coordinator) ≤
1.5 × p95(cad.similar). The first stage is checked against a brute force (numpy, float64,
the same distance over the vectors read back from the database): its candidates must hold
the exact 10 nearest in scope.

Parts are generated, not analysed from DXF: plates, chamfered plates, notched plates and
L-brackets with hole grids, in families whose members differ by a stretch, a size step, a
hole more or less or another hole size (so nearest neighbours are near, as in a real
library). Each goes through cad's own shape_of / describe / geometry_hash and the
drawings.shape_codec, like an analysed part.

Both sides keep prepared candidates between queries: cad.similar's index its own
cache, the portal drawings/prepared.py (bounded; its size per entry is measured here).
Both start cold at each size.

Run: `.venv/bin/python bench/drawings_search.py [--sizes 10000,100000]`. It starts its own
ephemeral PostgreSQL, S3 server and Redis and stops them at the end (about 12 minutes on
two cores; 1M parts would need ~35 GB here, so it is not offered). A quick look:
`--sizes 3000 --queries 20 --warmup 5 --exact 5`.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import math
import multiprocessing
import os
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
from shapely.geometry import Polygon

from cad.model import SCHEMA, DrawingText, Hole
from cad.model import Part as CadPart
from cad.similar.descriptor import describe
from cad.similar.index import DEFAULT_CANDIDATES, build
from cad.similar.shape import Shape, shape_of
from quoting.model import PartFeatures

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "platform"))

HOLE_MM = (3.3, 4.5, 5.5, 6.6, 9.0, 11.0, 14.0, 18.0, 22.0)  # clearance holes M3…M20
MATERIALS = ("SPCC", "SECC", "SUS304", "A5052", "SS400")
THICKNESS_MM = (0.8, 1.0, 1.2, 1.6, 2.0, 2.3, 3.2, 4.5)
TITLES = (
    "取付ブラケット",
    "カバー",
    "ステー",
    "ベースプレート",
    "補強板",
    "L金具",
    "パネル",
    "スペーサー",
)
FAMILY_SIZE = 8  # parts per family on average
GRANTS = 50
BAR = 1.5


# -- generated parts -----------------------------------------------------------------------
@dataclass(frozen=True)
class Family:
    kind: int  # 0 plate, 1 chamfered plate, 2 notched plate, 3 L-bracket
    width_mm: float
    height_mm: float
    feature: float  # chamfer, notch width or L leg, relative
    hole_mm: float
    holes_x: int
    holes_y: int
    material: str
    thickness_mm: float
    title: str


@dataclass
class Generated:
    part_number: str
    family: Family
    cad: CadPart
    shape: Shape
    shape_vec: np.ndarray
    size_vec: np.ndarray
    text_vec: np.ndarray
    geometry_hash: str
    data: bytes = field(repr=False)  # drawings.shape_codec form


def family(rng: np.random.Generator) -> Family:
    w = float(rng.uniform(40, 600))
    return Family(
        kind=int(rng.integers(0, 4)),
        width_mm=w,
        height_mm=w * float(rng.uniform(0.2, 1.0)),
        feature=float(rng.uniform(0.15, 0.45)),
        hole_mm=float(rng.choice(HOLE_MM)),
        holes_x=int(rng.integers(1, 5)),
        holes_y=int(rng.integers(1, 3)),
        material=str(rng.choice(MATERIALS)),
        thickness_mm=float(rng.choice(THICKNESS_MM)),
        title=str(rng.choice(TITLES)),
    )


def variant(f: Family, rng: np.random.Generator) -> tuple[Family, int]:
    """A member of the family: stretched, a size step, another hole size; and how many
    holes to leave out."""
    w, h, d = f.width_mm, f.height_mm, f.hole_mm
    r = rng.random()
    if r < 0.3:
        w *= float(rng.uniform(0.9, 1.1))
    elif r < 0.5:
        s = float(rng.choice((0.5, 0.8, 1.25, 2.0)))
        w, h = w * s, h * s
    if rng.random() < 0.3:
        i = HOLE_MM.index(d) + int(rng.choice((-1, 1)))
        d = HOLE_MM[min(max(i, 0), len(HOLE_MM) - 1)]
    drop = int(rng.random() < 0.2)
    return Family(**{**asdict(f), "width_mm": w, "height_mm": h, "hole_mm": d}), drop


def outline(f: Family) -> np.ndarray:
    w, h, p = f.width_mm, f.height_mm, f.feature
    if f.kind == 0:
        pts = [(0, 0), (w, 0), (w, h), (0, h)]
    elif f.kind == 1:
        c = p * min(w, h)
        pts = [(c, 0), (w - c, 0), (w, c), (w, h - c), (w - c, h), (c, h), (0, h - c), (0, c)]
    elif f.kind == 2:
        nw, nh = p * w, 0.3 * h
        x0 = (w - nw) / 2
        pts = [
            (0, 0),
            (w, 0),
            (w, h),
            (x0 + nw, h),
            (x0 + nw, h - nh),
            (x0, h - nh),
            (x0, h),
            (0, h),
        ]
    else:
        pts = [(0, 0), (w, 0), (w, p * h), (p * w, p * h), (p * w, h), (0, h)]
    return np.array([*pts, pts[0]], dtype=float)


def circle(cx: float, cy: float, d: float, n: int = 24) -> np.ndarray:
    t = np.linspace(0, 2 * math.pi, n, endpoint=False)
    ring = np.column_stack([cx + d / 2 * np.cos(t), cy + d / 2 * np.sin(t)])
    return np.vstack([ring, ring[:1]])


def cad_part(f: Family, drop: int) -> CadPart:
    outer = outline(f)
    plate = Polygon(outer)
    w, h, d = f.width_mm, f.height_mm, f.hole_mm
    margin = max(d, 0.08 * min(w, h))
    centres = [
        (
            margin + (w - 2 * margin) * (a / (f.holes_x - 1) if f.holes_x > 1 else 0.5),
            margin + (h - 2 * margin) * (b / (f.holes_y - 1) if f.holes_y > 1 else 0.5),
        )
        for a in range(f.holes_x)
        for b in range(f.holes_y)
    ][drop:]
    inner, holes = [], []
    for cx, cy in centres:
        ring = circle(cx, cy, d)
        if plate.contains(Polygon(ring).buffer(0.5)):
            inner.append(ring)
            holes.append(Hole(d, (cx, cy), "circle"))
    hole_area = sum(math.pi * x.diameter_mm**2 / 4 for x in holes)
    edges = np.hypot(*np.diff(outer, axis=0).T)
    return CadPart(
        index=0,
        outer=outer,
        inner=tuple(inner),
        bbox_mm=plate.bounds,
        min_rect_mm=(max(w, h), min(w, h)),
        net_area_mm2=plate.area - hole_area,
        cut_length_mm=plate.length + sum(math.pi * x.diameter_mm for x in holes),
        pierce_count=1 + len(inner),
        holes=tuple(holes),
        segments=tuple(("line", float(e), 0.0) for e in edges)
        + tuple(("circle", math.pi * x.diameter_mm, x.diameter_mm / 2) for x in holes),
    )


CHUNK = 2000


def generate_chunk(job: tuple[int, int, int]) -> list[Generated]:
    """Parts [lo, hi) in families of 1–15 members that never cross a chunk, so every
    prefix of the library (10k of the 100k) is made of whole families too."""
    from drawings import shape_codec

    seed, lo, hi = job
    rng = np.random.default_rng([seed, lo])
    out: list[Generated] = []
    while lo + len(out) < hi:
        base = family(rng)
        for _ in range(min(int(rng.integers(1, 2 * FAMILY_SIZE)), hi - lo - len(out))):
            f, drop = variant(base, rng)
            part = cad_part(f, drop)
            number = f"KB-{lo + len(out):07d}"
            text = DrawingText(number, f.material, f.thickness_mm, (), f.title)
            shape = shape_of(part, text, f.thickness_mm)
            d = describe(shape)
            out.append(
                Generated(
                    number,
                    f,
                    part,
                    shape,
                    d.shape,
                    d.size,
                    d.text,
                    shape.geometry_hash(),
                    shape_codec.encode(shape),
                )
            )
    return out


def generate(n: int, seed: int, workers: int) -> list[Generated]:
    """Deterministic whatever the number of workers: each chunk has its own seed."""
    jobs = [(seed, lo, min(lo + CHUNK, n)) for lo in range(0, n, CHUNK)]
    if workers <= 1:
        return [g for job in jobs for g in generate_chunk(job)]
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(workers) as pool:
        return [g for chunk in pool.imap(generate_chunk, jobs) for g in chunk]


# -- loading -------------------------------------------------------------------------------
def load(parts: list[Generated], start: int, owner: Any, creator: Any, batch: int = 5000) -> None:
    """Drawings, analysed revisions and parts of parts[start:], COPYed in batches, one
    transaction each. Ids are taken from the tables' sequences first, so a drawing can
    name its current revision in the same COPY (the foreign key is checked at commit)."""
    from django.db import transaction

    from drawings.actions import part_number_key, search_text
    from drawings.files import object_key
    from drawings.models import Drawing, FileKind, Part, PartVector, Revision, RevisionStatus

    group_id = owner.group_id
    for lo in range(start, len(parts), batch):
        chunk = parts[lo : lo + batch]
        with transaction.atomic():
            drawing_ids = next_ids(Drawing, len(chunk))
            revision_ids = next_ids(Revision, len(chunk))
            part_ids = next_ids(Part, len(chunk))
            drawings, revisions, rows, vectors = [], [], [], []
            for g, did, rid, pid in zip(chunk, drawing_ids, revision_ids, part_ids, strict=True):
                d = Drawing(
                    id=did,
                    owner=owner,
                    part_number=g.part_number,
                    part_number_key=part_number_key(g.part_number),
                    title=g.family.title,
                    customer="北陸機器",
                    material=g.family.material,
                    thickness_mm=g.family.thickness_mm,
                    current_revision_id=rid,
                    created_by=creator,
                )
                d.search_text = search_text(d)
                drawings.append(d)
                sha = hashlib.sha256(g.part_number.encode()).hexdigest()
                summary = g.cad.as_dict()
                revisions.append(
                    Revision(
                        id=rid,
                        drawing_id=did,
                        number=1,
                        file_name=f"{g.part_number}.dxf",
                        content_type="image/vnd.dxf",
                        size_bytes=20_000,
                        sha256=sha,
                        object_key=object_key(group_id, sha),
                        kind=FileKind.DXF,
                        status=RevisionStatus.ANALYSED,
                        progress_pct=100,
                        analysis={"schema": SCHEMA, "parts": [summary], "findings": []},
                        part_number_source="form",
                        uploaded_by=creator,
                    )
                )
                rows.append(
                    Part(
                        id=pid,
                        drawing_id=did,
                        revision_id=rid,
                        index=0,
                        is_current=True,
                        summary=summary,
                        features=features_dict(g.cad),
                        width_mm=g.cad.size_mm[0],
                        height_mm=g.cad.size_mm[1],
                        net_area_mm2=g.cad.net_area_mm2,
                        shape_vec=g.shape_vec,
                        size_vec=g.size_vec,
                        text_vec=g.text_vec,
                        geometry_hash=g.geometry_hash,
                        shape_data=g.data,
                    )
                )
                vectors.append(
                    PartVector(
                        part_id=pid,
                        drawing_id=did,
                        owner_id=owner.pk,
                        group_id=group_id,
                        shape_vec=g.shape_vec,
                        size_vec=g.size_vec,
                        text_vec=g.text_vec,
                    )
                )
            copy_in(Drawing, drawings, with_pk=True)
            copy_in(Revision, revisions, with_pk=True)
            copy_in(Part, rows, with_pk=True)
            copy_in(PartVector, vectors, with_pk=True)


def next_ids(model: Any, n: int) -> list[int]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, n],
        )
        return [r[0] for r in cur.fetchall()]


def copy_in(model: Any, objs: list[Any], with_pk: bool = False) -> None:
    """COPY rows into the model's table: each field's value prepared by the ORM
    (defaults, auto_now, vector and JSON adaptation), the bytes sent by COPY instead of as
    one huge INSERT statement (parts carry a few kB of stored shape each)."""
    from django.db import connections

    connection = connections["default"]  # the wrapper itself: the proxy costs per field
    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cur, cur.cursor.copy(sql) as copy:
        for obj in objs:
            copy.write_row(
                [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields]
            )


def features_dict(part: CadPart) -> dict[str, Any]:
    """asdict(PartFeatures) without its deep copy of every segment tuple (same JSON)."""
    f = PartFeatures.from_part(part, [])
    out = {k.name: getattr(f, k.name) for k in fields(f)}
    out["bends"] = [asdict(b) for b in f.bends]
    return out


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE drawings_part")
        cur.execute("VACUUM ANALYZE drawings_partvector")
        cur.execute("VACUUM ANALYZE drawings_drawing")
        cur.execute("VACUUM ANALYZE drawings_revision")
        cur.execute("ANALYZE")


# -- timing inside the call ----------------------------------------------------------------
class Probe:
    """Accumulates the time spent in wrapped functions during one API call, and in the
    garbage collector."""

    def __init__(self) -> None:
        self.s: dict[str, float] = {}
        self.n: dict[str, int] = {}
        self._gc_started = 0.0

    def on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
        else:
            self.s["gc"] = self.s.get("gc", 0.0) + time.perf_counter() - self._gc_started

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*a: Any, **kw: Any) -> Any:
            t = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                self.s[name] = self.s.get(name, 0.0) + time.perf_counter() - t
                self.n[name] = self.n.get(name, 0) + 1

        return timed

    def take(self) -> tuple[dict[str, float], dict[str, int]]:
        out = self.s, self.n
        self.s, self.n = {}, {}
        return out


@contextmanager
def patched(targets: list[tuple[Any, str, Callable[..., Any]]]) -> Iterator[None]:
    saved = [(obj, name, getattr(obj, name)) for obj, name, _fn in targets]
    for obj, name, fn in targets:
        setattr(obj, name, fn)
    try:
        yield
    finally:
        for obj, name, fn in reversed(saved):
            setattr(obj, name, fn)


def probes(probe: Probe, decode: tuple[Any, str]) -> list[tuple[Any, str, Callable[..., Any]]]:
    """Wrap, inside drawings.selectors, the first stage, the whole of similar, and inside
    the re-rank the shape decoding, candidate preparation and the placements (rerank)."""
    from drawings import selectors

    out = [
        (selectors, name, probe.wrap(name, getattr(selectors, name)))
        for name in ("first_stage", "similar", "Candidate", "rerank")
    ]
    obj, name = decode
    return [*out, (obj, name, probe.wrap("decode", getattr(obj, name)))]


# -- figures -------------------------------------------------------------------------------
def ms(xs: list[float], q: float) -> float:
    return float(np.percentile(xs, q)) * 1000


def line(label: str, xs: list[float]) -> str:
    return f"  {label:44} p50 {ms(xs, 50):7.1f} ms   p95 {ms(xs, 95):7.1f} ms"


def load_avg() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


@dataclass
class Person:
    label: str
    client: Any
    membership: Any
    queries: list[int]  # indices into parts
    calls: list[float] = field(default_factory=list)
    inside: dict[str, list[float]] = field(default_factory=dict)
    prepared: list[int] = field(default_factory=list)  # Candidate() calls per query (misses)
    results: list[int] = field(default_factory=list)


@dataclass
class Pass:
    people: list[Person]
    baseline: list[float]
    baseline_gc: list[float]  # time in the garbage collector during each query
    baseline_prepared: list[int]  # candidates cad.similar prepared (its cache misses)


def call(person: Person, drawing_id: int) -> float:
    t = time.perf_counter()
    response = person.client.get(f"/api/drawings/{drawing_id}/similar", {"k": 10})
    dt = time.perf_counter() - t
    if response.status_code != 200:
        raise SystemExit(f"{person.label}: {response.status_code} {response.content[:300]!r}")
    person.results.append(len(response.json()["results"]))
    return dt


def run_pass(
    people: list[Person],
    ids: list[int],
    parts: list[Generated],
    index: Any,
    warmup: int,
    decode: tuple[Any, str],
) -> Pass:
    """Warm-up, then the timed queries, interleaved: the API for each person, then
    cad.similar on the coordinator's query."""
    probe = Probe()
    run = Pass(people, [], [], [])
    cands = getattr(index, "_cands", {})
    gc.callbacks.append(probe.on_gc)
    try:
        with patched(probes(probe, decode)):
            for qi in range(len(people[0].queries)):
                for p in people:
                    dt = call(p, ids[p.queries[qi]])
                    inside, counts = probe.take()
                    if qi >= warmup:
                        p.calls.append(dt)
                        p.prepared.append(counts.get("Candidate", 0))
                        for k in ("first_stage", "similar", "decode", "Candidate", "rerank", "gc"):
                            p.inside.setdefault(k, []).append(inside.get(k, 0.0))
                before = len(cands)
                t = time.perf_counter()
                index.query(parts[people[0].queries[qi]].shape, k=10, candidates=DEFAULT_CANDIDATES)
                dt = time.perf_counter() - t
                inside, _counts = probe.take()
                if qi >= warmup:
                    run.baseline.append(dt)
                    run.baseline_gc.append(inside.get("gc", 0.0))
                    run.baseline_prepared.append(len(cands) - before)
    finally:
        gc.callbacks.remove(probe.on_gc)
    for p in people:
        p.results = p.results[warmup:]
    return run


def report(run: Pass) -> float:
    b = run.baseline
    print(f"  {len(b)} timed queries after warm-up; k = 10, {DEFAULT_CANDIDATES} candidates")
    print(line("cad.similar whole query, 1 process", b))
    print(line("  of which garbage collection", run.baseline_gc))
    print(
        f"    candidates it had to prepare per query (its cache misses): "
        f"median {int(np.median(run.baseline_prepared))}"
    )
    for p in run.people:
        similar = p.inside["similar"]
        first = p.inside["first_stage"]
        print(f"  API GET /api/drawings/{{id}}/similar?k=10 — {p.label}")
        print(line("  whole call", p.calls))
        print(line("  first stage (selectors.first_stage)", first))
        print(
            line(
                "  re-rank (similar − first stage)",
                [s - f for s, f in zip(similar, first, strict=True)],
            )
        )
        for key, label in (
            ("decode", "    of which decoding stored shapes"),
            ("Candidate", "    of which Candidate() preparation"),
            ("rerank", "    of which rerank() (bounds, placements)"),
        ):
            print(line(label, p.inside[key]))
        print(
            line(
                "  outside similar (middleware, view, JSON)",
                [c - s for c, s in zip(p.calls, similar, strict=True)],
            )
        )
        print(
            f"    candidates prepared per query (query + cache misses): median "
            f"{int(np.median(p.prepared))}, mean {np.mean(p.prepared):.1f}; "
            f"results per call: {min(p.results)}–{max(p.results)}"
        )
    ratio = ms(run.people[0].calls, 95) / ms(b, 95)
    verdict = "holds" if ratio <= BAR else "FAILS"
    print(
        f"  ratio p95(API, {run.people[0].label}) / p95(cad.similar) = {ratio:.2f}"
        f"   bar ≤ {BAR}: {verdict}"
    )
    return ratio


# -- checks --------------------------------------------------------------------------------
@dataclass
class Stored:
    """Every current part's vectors as stored (read back from PostgreSQL), for the brute
    force; scope is decided here from what the bench made, not by the code under test."""

    part_id: np.ndarray
    drawing_id: np.ndarray
    shape: np.ndarray
    size: np.ndarray
    text: np.ndarray

    @classmethod
    def read(cls) -> Stored:
        from drawings.models import Part

        rows = list(
            Part.objects.filter(is_current=True).values_list(
                "id", "drawing_id", "shape_vec", "size_vec", "text_vec"
            )
        )
        return cls(
            np.array([r[0] for r in rows]),
            np.array([r[1] for r in rows]),
            np.array([r[2] for r in rows], dtype=np.float64),
            np.array([r[3] for r in rows], dtype=np.float64),
            np.array([r[4] for r in rows], dtype=np.float64),
        )


def exactness(
    person: Person, scope: set[int] | None, ids: list[int], stored: Stored, checks: int
) -> tuple[int, int]:
    """First-stage candidates against a float64 brute force over the stored vectors in
    scope (`scope` = the person's drawing ids, None = the whole group), with the same
    distance as selectors.first_stage, the query's own drawing excluded as the API does."""
    from drawings import selectors, shape_codec
    from drawings.models import Part

    inside = np.ones(len(stored.part_id), bool)
    if scope is not None:
        inside = np.isin(stored.drawing_id, np.array(sorted(scope)))
    held = 0
    for qi in person.queries[:checks]:
        drawing_id = ids[qi]
        row = Part.objects.get(drawing_id=drawing_id, is_current=True, index=0)
        q = describe(shape_codec.decode(row.shape_data, row.geometry_hash))
        got = {
            pk for pk, _d in selectors.first_stage(person.membership, q, exclude_drawing=drawing_id)
        }
        d = ((stored.shape - q.shape.astype(np.float64)) ** 2).sum(axis=1)
        d += ((stored.size - q.size.astype(np.float64)) ** 2).sum(axis=1)
        if float(q.text @ q.text) > 0:
            d += ((stored.text - q.text.astype(np.float64)) ** 2).sum(axis=1)
        d[~inside | (stored.drawing_id == drawing_id)] = np.inf
        order = np.argsort(d, kind="stable")[:10]
        exact = {int(stored.part_id[i]) for i in order if np.isfinite(d[i])}
        held += exact <= got
    return held, min(checks, len(person.queries))


def explain(person: Person, ids: list[int]) -> list[str]:
    """EXPLAIN ANALYZE of the first-stage SQL exactly as it is sent, for one query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from drawings import selectors, shape_codec
    from drawings.models import Part

    drawing_id = ids[person.queries[-1]]
    row = Part.objects.get(drawing_id=drawing_id, is_current=True, index=0)
    q = describe(shape_codec.decode(row.shape_data, row.geometry_hash))
    with CaptureQueriesContext(connection) as ctx:
        selectors.first_stage(person.membership, q, exclude_drawing=drawing_id)
    sql = ctx.captured_queries[-1]["sql"]
    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql)
        plan = [r[0] for r in cur.fetchall()]
    # The vectors are long literals; the plan's shape is what matters.
    return [r if "::vector" not in r else r.split(":")[0] + ": (distance expression)" for r in plan]


def queries_per_call(person: Person, ids: list[int]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        person.client.get(f"/api/drawings/{ids[person.queries[0]]}/similar", {"k": 10})
    return len(ctx.captured_queries)


def connect_cost(times: int = 20) -> list[float]:
    """What each request pays to open its connection with CONN_MAX_AGE = 0 (the test
    client keeps one connection across calls, so the calls above do not include it)."""
    from django.db import connection

    out = []
    for _ in range(times):
        connection.close()
        t = time.perf_counter()
        connection.ensure_connection()
        out.append(time.perf_counter() - t)
    return out


# -- the run -------------------------------------------------------------------------------
def setup_django(stack_env: dict[str, str]) -> None:
    os.environ.update(stack_env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kumiai.settings")
    os.environ["DJANGO_DEBUG"] = "false"  # no query log growing through 100k inserts
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def world() -> dict[str, Any]:
    from tenancy.actions import add_member, create_organization
    from tenancy.context import Actor
    from tenancy.models import OrgKind, Role, SupplierGroup

    system = Actor.system("bench")
    group = SupplierGroup.objects.create(name="北陸板金グループ", slug="hokuriku")
    pw = "bench horse battery 42"
    coordinator = create_organization(group, "加賀精密板金", OrgKind.COORDINATOR, acting=system)
    lead = create_organization(group, "北陸機器製作所", OrgKind.LEAD_FIRM, acting=system)
    shop = create_organization(group, "能登レーザー工業", OrgKind.MEMBER_SHOP, acting=system)
    return {
        "group": group,
        "lead": lead,
        "shop": shop,
        "alice": add_member(lead, "alice@a.example", "Alice", Role.ADMIN, pw, acting=system),
        "carol": add_member(shop, "carol@s.example", "Carol", Role.ADMIN, pw, acting=system),
        "dora": add_member(coordinator, "dora@k.example", "Dora", Role.ADMIN, pw, acting=system),
    }


def grant_some(w: dict[str, Any], ids: list[int], rng: np.random.Generator) -> list[int]:
    """The coordinator grants the shop GRANTS drawings, through the action."""
    from drawings import actions
    from drawings.models import Drawing
    from tenancy.context import Actor

    dora = w["dora"]
    picks = sorted(int(i) for i in rng.choice(len(ids), GRANTS, replace=False))
    for i in picks:
        actions.do_grant(
            Drawing.objects.select_related("owner").get(pk=ids[i]),
            w["shop"],
            expires_at=None,
            reason="bench",
            acting=Actor(user=dora.user, membership=dora),
        )
    return picks


def client_for(membership: Any) -> Any:
    from django.test import Client

    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(membership.user)
    return c


def people_for(
    w: dict[str, Any], n: int, granted: list[int], total: int, seed: int
) -> list[Person]:
    """The coordinator's queries from the whole library; the shop's from what it may see
    (its 50 granted drawings, drawn with replacement)."""
    rng = np.random.default_rng([seed, n])
    return [
        Person(
            "coordinator (whole group)",
            client_for(w["dora"]),
            w["dora"],
            [int(i) for i in rng.choice(n, total, replace=False)],
        ),
        Person(
            f"member shop ({GRANTS} grants)",
            client_for(w["carol"]),
            w["carol"],
            [granted[int(i)] for i in rng.integers(0, len(granted), total)],
        ),
    ]


def bench_size(
    n: int,
    parts: list[Generated],
    w: dict[str, Any],
    loaded: int,
    granted: list[int],
    args: argparse.Namespace,
) -> list[int]:
    from django.db import connection

    from drawings import shape_codec
    from drawings.models import Drawing
    from drawings.prepared import PREPARED

    print(f"\n== {n:,} parts in one group ({load_avg()}) ==")
    t = time.perf_counter()
    load(parts[:n], loaded, w["lead"], w["alice"].user)
    insert_s = time.perf_counter() - t
    t = time.perf_counter()
    analyze()
    analyze_s = time.perf_counter() - t
    print(
        f"  load of {n - loaded:,} drawings + analysed revisions + parts: COPY {insert_s:.1f} s "
        f"({(n - loaded) / insert_s:,.0f} parts/s), VACUUM ANALYZE {analyze_s:.1f} s"
    )
    ids = list(
        Drawing.objects.filter(owner=w["lead"]).order_by("part_number").values_list("id", flat=True)
    )
    assert len(ids) == n
    if not granted:
        granted += grant_some(w, ids, np.random.default_rng([args.seed, 1]))
        analyze()
    with connection.cursor() as cur:
        cur.execute(
            "SELECT pg_size_pretty(pg_table_size('drawings_part')),"
            " pg_size_pretty(pg_relation_size('drawings_part'))"
        )
        total, heap = cur.fetchone()
        cur.execute("SELECT pg_size_pretty(pg_table_size('drawings_partvector'))")
        narrow = cur.fetchone()[0]
    print(f"  drawings_part {total} with TOAST, heap {heap}; drawings_partvector {narrow}")
    t = time.perf_counter()
    index = build((g.part_number, 0, g.shape) for g in parts[:n])
    print(f"  cad.similar index built in {time.perf_counter() - t:.1f} s")

    people = people_for(w, n, granted, args.warmup + args.queries, args.seed)
    for p in people:
        print(f"  SQL statements per call, {p.label}: {queries_per_call(p, ids)}")
    print(line("opening a DB connection (per request in production)", connect_cost()))
    t = time.perf_counter()
    PREPARED.clear()  # both sides start cold
    run = run_pass(people, ids, parts, index, args.warmup, (shape_codec, "decode"))
    print(f"  queries ran in {time.perf_counter() - t:.0f} s ({load_avg()})")
    report(run)
    print(
        f"  prepared-candidate cache: {len(PREPARED):,} entries at the end"
        f" (bound {PREPARED.max_entries:,})"
    )
    stored = Stored.read()
    scopes = [None, {ids[i] for i in granted}]
    for p, scope in zip(people, scopes, strict=True):
        held, of = exactness(p, scope, ids, stored, args.exact)
        print(
            f"  exact 10 nearest in scope inside the first stage's candidates, {p.label}: {held}/{of}"
        )
    for p in people:
        print(f"  EXPLAIN ANALYZE of the first stage, {p.label}:")
        for row in explain(p, ids):
            print(f"    {row}")

    index.close()
    del index
    gc.collect()
    return ids


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--exact", type=int, default=20)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))

    from kumiai.stack.embedded import EmbeddedStack

    started = time.perf_counter()
    print(
        f"drawings search bench — nproc {os.cpu_count()}, python {sys.version.split()[0]}, {load_avg()}"
    )
    t = time.perf_counter()
    parts = generate(sizes[-1], args.seed, os.cpu_count() or 1)
    print(
        f"  generated {len(parts):,} parts in {time.perf_counter() - t:.1f} s "
        f"({os.cpu_count()} processes; shape_of + describe + hash + encode, "
        f"mean stored shape {np.mean([len(g.data) for g in parts[:5000]]):.0f} B)"
    )
    print(prepared_size(parts[:500]))
    home = Path(tempfile.mkdtemp(prefix="kumiai-bench-"))
    stack = EmbeddedStack(home=home, ephemeral=True)
    stack.plan()
    try:
        t = time.perf_counter()
        stack.start(say=lambda m: None)
        setup_django(stack.env)
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("SHOW server_version")
            pg = cur.fetchone()[0]
            cur.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
            vec = (cur.fetchone() or ["?"])[0]
            cur.execute("SHOW shared_buffers")
            buffers = cur.fetchone()[0]
        print(
            f"  embedded PostgreSQL {pg} (pgvector {vec}, shared_buffers {buffers}), S3, Redis"
            f" up and migrated in {time.perf_counter() - t:.1f} s"
        )
        w = world()
        loaded = 0
        granted: list[int] = []
        for n in sizes:
            bench_size(n, parts, w, loaded, granted, args)
            loaded = n
        print(
            f"\npeak RSS of this process {rss_mb():.0f} MB; total {time.perf_counter() - started:.0f} s"
        )
    finally:
        from django.db import connections

        connections.close_all()
        stack.stop()
        shutil.rmtree(home, ignore_errors=True)
    return 0


def prepared_size(parts: list[Generated]) -> str:
    """Memory one prepared candidate holds (what bounds drawings/prepared.py's cache)."""
    import tracemalloc

    sys.path.insert(0, str(REPO / "platform"))
    from cad.similar.align import Candidate
    from drawings import shape_codec
    from drawings.prepared import DEFAULT_MAX_ENTRIES

    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept = [Candidate(shape_codec.decode(g.data, g.geometry_hash)) for g in parts]
    per_kb = (tracemalloc.get_traced_memory()[0] - before) / len(kept) / 1024
    tracemalloc.stop()
    del kept
    return (
        f"  one prepared candidate holds {per_kb:.1f} kB (mean of {len(parts)}): the default"
        f" bound of {DEFAULT_MAX_ENTRIES:,} entries is {per_kb * DEFAULT_MAX_ENTRIES / 1024:.0f} MB"
        " per web process"
    )


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    sys.exit(main())
