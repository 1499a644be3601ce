"""The shared corpus of real third-party DXF files (../shared/data/dxf): every file is
read without an unhandled exception, and facts checked by hand hold. How long the corpus
takes is a benchmark (bench/cad_corpus.py), not a test: a loaded machine is no failure."""

from __future__ import annotations

import csv
import logging
import math
from pathlib import Path

import pytest

from cad.analyze import analyze_file
from cad.errors import CadError

DXF = Path(__file__).resolve().parents[3] / "shared" / "data" / "dxf"
logging.getLogger("ezdxf").setLevel(logging.ERROR)


def corpus() -> list[dict[str, str]]:
    index = DXF / "inventory.csv"
    if not index.exists():
        raise RuntimeError(f"shared corpus missing at {DXF}: the repo must sit beside shared/")
    return list(csv.DictReader(index.open()))


def path(repo: str, rel: str) -> Path:
    return DXF / repo / rel


def test_every_corpus_file_is_read_or_refused_with_a_code():  # type: ignore[no-untyped-def]
    outcomes: dict[str, str] = {}
    for row in corpus():
        try:
            analysis = analyze_file(path(row["repo"], row["path"]))
            outcomes[row["path"]] = "ok"
            assert all(p.cut_length_mm > 0 and p.pierce_count >= 1 for p in analysis.parts)
        except CadError as exc:
            outcomes[row["path"]] = exc.code
    assert len(outcomes) == 150
    by_class: dict[str, set[str]] = {}
    for row in corpus():
        by_class.setdefault(row["manual_class"], set()).add(outcomes[row["path"]])
    assert by_class["single_part"] == {"ok"}, "every single-part drawing must give a part"
    assert by_class["unreadable"] == {"UNREADABLE_DXF"}
    assert by_class["empty"] == {"NO_GEOMETRY"}


def test_voron_deck_panel_facts_checked_by_hand():  # type: ignore[no-untyped-def]
    """The file: one closed outline, four rounded-rectangle cut-outs 10 × 16 mm with r = 2
    corners (bulge 0.414 = tan 22.5°, so 90° arcs), and one circle r = 6."""
    src = path("VoronDesign__Voron-2", "Drawing_DXFs/Panels/250_Deck_Panel.dxf")
    a = analyze_file(src)
    (part,) = a.parts
    assert part.pierce_count == 6
    assert [(round(h.diameter_mm, 6), h.drawn_as) for h in part.holes] == [(12.0, "circle")]
    assert part.min_inside_radius_mm == pytest.approx(2.0)
    assert part.smallest_feature_mm == pytest.approx(10.0)
    assert part.size_mm == pytest.approx((369.0, 369.0))
    # Each cut-out: perimeter 2·(10−4) + 2·(16−4) + 2π·2; area 10·16 − (4² − π·2²).
    cutout_length = 36 + 4 * math.pi
    cutout_area = 160 - (16 - 4 * math.pi)
    circle = 12 * math.pi
    # The outline (32 vertices, 16 corner arcs r = 3) is measured without the code under
    # test: ezdxf flattens the file's own LWPOLYLINE and shapely takes the area. ezdxf draws
    # arcs as cubic Béziers, under a micrometre off these arcs: hence rel = 1e-6
    # (~0.1 mm²) on the area and 1e-5 on the length.
    outline_area, outline_length = outline_by_ezdxf(src)
    assert 0.9 * 369**2 < outline_area < 369**2  # notches cut into a 369 mm square
    assert part.net_area_mm2 == pytest.approx(
        outline_area - 4 * cutout_area - 36 * math.pi, rel=1e-6
    )
    assert part.cut_length_mm == pytest.approx(
        outline_length + 4 * cutout_length + circle, rel=1e-5
    )


def outline_by_ezdxf(src: Path) -> tuple[float, float]:
    """Area and length of the drawing's largest closed polyline, flattened by ezdxf."""
    import ezdxf
    from ezdxf import path as ezpath
    from shapely.geometry import Polygon

    msp = ezdxf.readfile(src).modelspace()
    pts = [
        (v.x, v.y) for v in ezpath.make_path(max(msp.query("LWPOLYLINE"), key=len)).flattening(1e-4)
    ]
    return Polygon(pts).area, sum(math.dist(p, q) for p, q in zip(pts, pts[1:], strict=False))


def test_jscad_square_and_circle_checked_by_hand():  # type: ignore[no-untyped-def]
    (square,) = analyze_file(path("jscad__sample-files", "dxf/dxf-parser/rectangle.dxf")).parts
    assert (square.cut_length_mm, square.net_area_mm2, square.pierce_count) == pytest.approx(
        (40, 100, 1)
    )
    # A 10 × 10 square with a circle r = 5 at its centre, touching all four sides.
    (part,) = analyze_file(path("jscad__sample-files", "dxf/dxf-parser/squareandcircle.dxf")).parts
    assert part.pierce_count == 2
    assert part.cut_length_mm == pytest.approx(40 + 10 * math.pi)
    assert part.net_area_mm2 == pytest.approx(100 - 25 * math.pi)


def features(a):  # type: ignore[no-untyped-def]
    return [
        (
            round(p.cut_length_mm, 6),
            round(p.net_area_mm2, 4),
            p.pierce_count,
            [round(h.diameter_mm, 6) for h in p.holes],
        )
        for p in a.parts
    ]


def test_the_same_part_exported_by_two_projects_reads_the_same():  # type: ignore[no-untyped-def]
    a = analyze_file(path("VoronDesign__Voron-2", "Drawing_DXFs/Panels/250_Bottom_Panel.dxf"))
    b = analyze_file(path("VoronDesign__Voron-Trident", "Drawings_DXFs/Panels/250_bottom.dxf"))
    assert features(a) == features(b) and len(a.parts) == 1


def test_ascii_and_binary_dxf_of_one_drawing_read_the_same():  # type: ignore[no-untyped-def]
    a = analyze_file(path("haplokuon__netDxf", "TestDxfDocument/sample.dxf"))
    b = analyze_file(path("haplokuon__netDxf", "TestDxfDocument/sample binary.dxf"))
    assert features(a) == features(b)


def test_panel_size_series_steps_by_fifty_mm():  # type: ignore[no-untyped-def]
    sizes = [
        analyze_file(path("VoronDesign__Voron-2", f"Drawing_DXFs/Panels/{s}_Back_Panel.DXF"))
        .parts[0]
        .size_mm
        for s in (250, 300, 350)
    ]
    for small, large in zip(sizes, sizes[1:], strict=False):
        assert (large[0] - small[0], large[1] - small[1]) == pytest.approx((50, 50))


def test_mendel90_openscad_sheet_has_no_units_and_polygon_holes():  # type: ignore[no-untyped-def]
    a = analyze_file(path("nophead__Mendel90", "mendel/sheets/frame_base.dxf"))
    assert (a.units["name"], a.units["source"]) == ("mm", "inferred")
    assert "UNITLESS_FILE" in [f.code for f in a.findings]
    holes = a.parts[0].holes
    assert holes and all(h.drawn_as == "polygon" for h in holes)


@pytest.mark.parametrize("dx, dy", [(4321.123, -2870.5), (-5000.0, 4999.75), (0.1, 0.2)])
def test_a_messy_sheet_moved_elsewhere_reads_exactly_the_same(tmp_path, dx, dy):  # type: ignore[no-untyped-def]
    """This OpenSCAD sheet has overlapping lines, small gaps and a self-touching outline,
    so its repairs hinge on near-equal distances; moving the drawing must not change
    which repairs are made (it did, before chaining ran in the drawing's own frame)."""
    import ezdxf
    from ezdxf.math import Matrix44

    src = path("nophead__Mendel90", "sturdy/sheets/frame_gantry.dxf")
    doc = ezdxf.readfile(src)
    for e in doc.modelspace():
        e.transform(Matrix44.translate(dx, dy, 0))
    doc.saveas(tmp_path / "moved.dxf")
    a, b = analyze_file(src), analyze_file(tmp_path / "moved.dxf")
    assert [f.code for f in a.findings] == [f.code for f in b.findings]
    assert len(a.parts) == len(b.parts)
    for pa, pb in zip(a.parts, b.parts, strict=True):
        assert pa.pierce_count == pb.pierce_count
        assert pa.cut_length_mm == pytest.approx(pb.cut_length_mm, rel=1e-9)
        assert pa.net_area_mm2 == pytest.approx(pb.net_area_mm2, rel=1e-9)
        assert pa.bbox_mm[0] + dx == pytest.approx(pb.bbox_mm[0], abs=1e-6)


def test_a_messy_sheet_in_a_frame_with_a_title_block_reads_the_same(tmp_path):  # type: ignore[no-untyped-def]
    """The frame and title block are drawn far from the part; the part's repairs must not
    change because the drawing's extent now starts somewhere else."""
    import ezdxf
    from ezdxf import bbox

    from tests.cad.generated import add_frame

    src = path("nophead__Mendel90", "sturdy/sheets/frame_gantry.dxf")
    doc = ezdxf.readfile(src)
    box = bbox.extents(doc.modelspace(), fast=True)
    add_frame(doc.modelspace(), [box.extmin.vec2, box.extmax.vec2])
    doc.saveas(tmp_path / "framed.dxf")
    a, b = analyze_file(src), analyze_file(tmp_path / "framed.dxf")
    pa = max(a.parts, key=lambda p: p.net_area_mm2)
    pb = max(b.parts, key=lambda p: p.net_area_mm2)
    assert pa.pierce_count == pb.pierce_count
    assert pa.cut_length_mm == pytest.approx(pb.cut_length_mm, rel=1e-9)
    assert pa.net_area_mm2 == pytest.approx(pb.net_area_mm2, rel=1e-9)


def test_blocks_are_counted_before_expanding_exactly_as_the_walk_visits_them():  # type: ignore[no-untyped-def]
    """On every corpus drawing that uses blocks, the entity count made from the block
    definitions (to refuse block bombs unexpanded) equals the entities the walk visits."""
    import time

    from cad.extract import expansion_size, extract
    from cad.reader import Limits, load_file

    with_blocks = 0
    for row in corpus():
        src = path(row["repo"], row["path"])
        if b"INSERT" not in src.read_bytes():
            continue  # no block reference, ASCII or binary, so nothing to count
        try:
            doc = load_file(src).doc
        except CadError:
            continue
        size = expansion_size(doc, Limits())
        if size.depth:
            with_blocks += 1
            walked = extract(doc, Limits(), time.monotonic()).counts
            assert size.entities == sum(walked.values()), row["path"]
    assert with_blocks >= 10
