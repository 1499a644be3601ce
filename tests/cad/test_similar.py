"""Similar-part search: invariance of the descriptor, the hash and the re-rank; orders a
person would agree with on hand-made parts; the CLI on good, empty and unreadable files.

Expected orders come from the parts' construction (a plate with one hole added is closer
to the plate than a disc is), never from a run of the program."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import ezdxf
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cad.analyze import analyze_file
from cad.similar.align import Candidate, compare
from cad.similar.collect import shapes_of
from cad.similar.descriptor import describe
from cad.similar.index import FirstStage, Index, build
from cad.similar.shape import Shape, normalise_code
from cad.tolerances import MIRROR_MARGIN
from tests.cad.generated import IDENTITY, part_spec, primitives, transform_spec, write


def shape_of_file(path: Path) -> Shape:
    found = shapes_of(analyze_file(path))
    assert len(found) == 1, f"{path}: {len(found)} parts"
    return found[0][1]


def plate(
    path: Path,
    w=100.0,
    h=50.0,
    holes=((15, 15, 10), (85, 15, 10), (15, 35, 10), (85, 35, 10)),
    units=4,
):  # type: ignore[no-untyped-def]
    """A w×h rectangle with round holes (x, y, ⌀), in mm."""
    doc = ezdxf.new("R2010")
    doc.units = units
    msp = doc.modelspace()
    msp.add_lwpolyline([(0, 0), (w, 0), (w, h), (0, h)], close=True)
    for x, y, d in holes:
        msp.add_circle((x, y), d / 2)
    doc.saveas(path)
    return shape_of_file(path)


def disc(path: Path, d: float) -> Shape:
    doc = ezdxf.new("R2010")
    doc.units = 4
    doc.modelspace().add_circle((0, 0), d / 2)
    doc.saveas(path)
    return shape_of_file(path)


# --- invariance ---------------------------------------------------------------------------


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(spec=part_spec, t=transform_spec, framed=st.booleans())
def test_the_same_part_drawn_another_way_is_the_same_part(spec, t, framed, tmp_path):  # type: ignore[no-untyped-def]
    """Moved, turned by any angle, mirrored, in inches, entities shuffled, layers renamed,
    polyline joined or exploded, with a title block and a dimension around it."""
    items = primitives(spec)
    write(items, IDENTITY, tmp_path / "a.dxf")
    write(items, {**t, "framed": framed}, tmp_path / "b.dxf")
    a, b = shape_of_file(tmp_path / "a.dxf"), shape_of_file(tmp_path / "b.dxf")

    assert a.geometry_hash() == b.geometry_hash()
    da, db = describe(a), describe(b)
    # The harmonics are taken from 256 samples whose start moves with the drawing: they may
    # move by sampling error only, far below what one design change does (tested below).
    assert np.linalg.norm(da.shape - db.shape) < 0.02
    assert np.linalg.norm(da.size - db.size) < 1e-6
    for any_size in (False, True):
        m = compare(b, a, any_size=any_size)
        # A mirrored copy of a part that is not its own mirror image is the other hand's
        # part: found, but marked, and scored MIRROR_MARGIN below an unmirrored fit.
        assert m.mirrored == (t["mirror"] and not Candidate(a).symmetric)
        assert m.score > 0.995 - (MIRROR_MARGIN if m.mirrored else 0.0), m.explanation
        assert m.iou > 0.995
        assert m.holes_same == len(a.cutouts)
        said = "mirror image of this part" if m.mirrored else "same part"
        assert m.explanation.startswith(said), m.explanation


def test_one_design_change_moves_the_descriptor_more_than_any_redrawing(tmp_path):  # type: ignore[no-untyped-def]
    base = plate(tmp_path / "a.dxf")
    fewer = plate(tmp_path / "b.dxf", holes=((15, 15, 10), (85, 15, 10), (15, 35, 10)))
    longer = plate(
        tmp_path / "c.dxf", w=110.0, holes=((15, 15, 10), (95, 15, 10), (15, 35, 10), (95, 35, 10))
    )
    d = describe(base)
    for other in (fewer, longer):
        o = describe(other)
        dist = math.sqrt(float(np.sum((d.shape - o.shape) ** 2) + np.sum((d.size - o.size) ** 2)))
        assert dist > 0.05  # 2.5× the redrawing bound above
    assert fewer.geometry_hash() != base.geometry_hash() != longer.geometry_hash()


def test_a_hole_moved_by_one_millimetre_is_another_part(tmp_path):  # type: ignore[no-untyped-def]
    a = plate(tmp_path / "a.dxf")
    b = plate(tmp_path / "b.dxf", holes=((15, 15, 10), (85, 15, 10), (15, 35, 10), (84, 35, 10)))
    assert a.geometry_hash() != b.geometry_hash()
    m = compare(b, a)
    assert m.holes_same == 4  # within tolerance, it is still "the same hole"…
    assert "same part" not in m.explanation  # …but not the same part


# --- orders a person would agree with ---------------------------------------------------


def test_a_plate_with_one_more_hole_is_nearer_than_a_disc(tmp_path):  # type: ignore[no-untyped-def]
    four = plate(tmp_path / "four.dxf")
    five = plate(
        tmp_path / "five.dxf",
        holes=((15, 15, 10), (85, 15, 10), (15, 35, 10), (85, 35, 10), (50, 25, 10)),
    )
    round_ = disc(tmp_path / "disc.dxf", d=math.sqrt(4 * 5000 / math.pi))  # the plate's area
    index = build([("five.dxf", 0, five), ("disc.dxf", 0, round_)])
    results = index.query(four, k=2)
    assert [r.path for r in results] == ["five.dxf", "disc.dxf"]
    assert results[0].score > results[1].score
    assert "4 of 5 holes match" in results[0].match.explanation
    assert "1 hole fewer in this drawing" in results[0].match.explanation


def test_the_explanation_names_what_differs(tmp_path):  # type: ignore[no-untyped-def]
    past = plate(tmp_path / "past.dxf")
    # Two holes left, one of them 20 % larger, and the plate 12 % longer to the right.
    new = plate(tmp_path / "new.dxf", w=112.0, holes=((15, 15, 12), (15, 35, 10)))
    m = compare(new, past)
    assert "1 of 4 holes match" in m.explanation
    assert "hole Ø10.0 → Ø12.0" in m.explanation
    assert "2 holes fewer in this drawing" in m.explanation
    assert "12 % longer" in m.explanation
    assert "穴径 Ø10.0 → Ø12.0" in m.explanation_ja
    assert 0 < m.score < 1


def test_fewer_changes_rank_higher(tmp_path):  # type: ignore[no-untyped-def]
    """Each step away from the query removes one more hole: the order must follow."""
    all_holes = [(15, 15, 10), (85, 15, 10), (15, 35, 10), (85, 35, 10)]
    query = plate(tmp_path / "q.dxf")
    items = [(f"{n}.dxf", 0, plate(tmp_path / f"{n}.dxf", holes=all_holes[:n])) for n in (1, 2, 3)]
    results = build(items).query(query, k=3)
    assert [r.path for r in results] == ["3.dxf", "2.dxf", "1.dxf"]


def test_stretched_side_is_found_over_a_different_plate_of_that_size(tmp_path):  # type: ignore[no-untyped-def]
    """A plate stretched 10 % keeps its left holes where they were; the re-rank must line
    those up rather than centre the plates (which would match none)."""
    past = plate(
        tmp_path / "past.dxf",
        w=200.0,
        h=100.0,
        holes=[(20, 20, 8), (20, 80, 8), (60, 50, 8), (180, 20, 8), (180, 80, 8)],
    )
    new = plate(
        tmp_path / "new.dxf",
        w=220.0,
        h=100.0,
        holes=[(20, 20, 8), (20, 80, 8), (60, 50, 8), (200, 20, 8), (200, 80, 8)],
    )
    other = plate(
        tmp_path / "other.dxf", w=220.0, h=100.0, holes=[(50, 30, 6), (110, 70, 6), (170, 30, 6)]
    )
    results = build([("past.dxf", 0, past), ("other.dxf", 0, other)]).query(new, k=2)
    assert results[0].path == "past.dxf"
    assert results[0].match.holes_same >= 3  # the three holes the stretch did not move
    assert "10 % longer" in results[0].match.explanation


def test_any_size_finds_the_scaled_part_same_size_prefers_the_right_size(tmp_path):  # type: ignore[no-untyped-def]
    query = plate(tmp_path / "q.dxf")
    twice = plate(
        tmp_path / "2x.dxf",
        w=200,
        h=100,
        holes=((30, 30, 20), (170, 30, 20), (30, 70, 20), (170, 70, 20)),
    )
    three_holes = plate(tmp_path / "3.dxf", holes=((15, 15, 10), (85, 15, 10), (15, 35, 10)))
    index = build([("2x.dxf", 0, twice), ("3.dxf", 0, three_holes)])
    assert index.query(query, k=1)[0].path == "3.dxf"
    best = index.query(query, k=1, any_size=True)[0]
    assert best.path == "2x.dxf"
    assert best.score > 0.99
    assert "0.50× the size" in best.match.explanation


def test_mirror_image_of_an_asymmetric_part_is_found_and_said(tmp_path):  # type: ignore[no-untyped-def]
    holes = ((15, 15, 10), (85, 15, 6), (15, 35, 4))
    a = plate(tmp_path / "a.dxf", holes=holes)
    b = plate(tmp_path / "b.dxf", holes=[(100 - x, y, d) for x, y, d in holes])
    m = compare(b, a)
    assert m.score == pytest.approx(1.0 - MIRROR_MARGIN, abs=1e-6)
    assert m.mirrored and m.explanation.startswith("mirror image of this part")
    assert "same part" not in m.explanation
    assert m.explanation_ja.startswith("この部品の鏡像")


# --- first stage ---------------------------------------------------------------------------


def test_first_stage_returns_the_exact_nearest_descriptors():  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(3)
    shape = rng.standard_normal((5000, 39)).astype(np.float32)
    size = rng.standard_normal((5000, 17)).astype(np.float32)
    text = np.zeros((5000, 32), dtype=np.float32)
    fs = FirstStage(shape, size, text)
    from cad.similar.descriptor import Descriptor

    for _ in range(20):
        q = Descriptor(
            rng.standard_normal(39).astype(np.float32),
            rng.standard_normal(17).astype(np.float32),
            np.zeros(32, np.float32),
        )
        got, dist = fs.search(q, 10)
        exact = ((shape.astype(np.float64) - q.shape) ** 2).sum(1) + (
            (size.astype(np.float64) - q.size) ** 2
        ).sum(1)
        assert list(got) == list(np.argsort(exact)[:10])
        assert np.allclose(dist, np.sqrt(np.sort(exact)[:10]), rtol=1e-4)
        got_any, _ = fs.search(q, 10, any_size=True)
        exact_any = ((shape.astype(np.float64) - q.shape) ** 2).sum(1)
        assert list(got_any) == list(np.argsort(exact_any)[:10])


def test_part_numbers_are_normalised_the_way_people_type_them():  # type: ignore[no-untyped-def]
    assert (
        normalise_code("ＡＢ－１２３")
        == normalise_code("ab-123")
        == normalise_code("AB ー 123")
        == "AB-123"
    )


# --- index files and the CLI -------------------------------------------------------------


def kumiai(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kumiai.cli", *args], capture_output=True, text=True, timeout=120
    )


def test_index_and_query_from_the_command_line(tmp_path):  # type: ignore[no-untyped-def]
    lib = tmp_path / "library"
    (lib / "sub").mkdir(parents=True)
    plate(lib / "plate.dxf")
    plate(lib / "sub" / "three.dxf", holes=((15, 15, 10), (85, 15, 10), (15, 35, 10)))
    disc(lib / "disc.dxf", 80)
    (lib / "empty.dxf").write_bytes(b"")
    (lib / "noise.dxf").write_bytes(bytes(range(256)) * 10)
    (lib / "drawing.dxf").write_bytes(b"AC1027" + b"\x00" * 100)  # a DWG under a DXF name
    out = tmp_path / "lib.npz"

    done = kumiai("similar", "index", str(lib), "--out", str(out), "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["parts"] == 3 and summary["files"] == 3
    assert {s["path"]: s["code"] for s in summary["skipped"]} == {
        "empty.dxf": "EMPTY_FILE",
        "noise.dxf": "NOT_DXF",
        "drawing.dxf": "DWG_NOT_SUPPORTED",
    }
    assert not list(tmp_path.glob("*.part"))

    query = tmp_path / "query.dxf"
    plate(
        query,
        units=1,
        w=100 / 25.4,
        h=50 / 25.4,
        holes=[
            (x / 25.4, y / 25.4, 10 / 25.4) for x, y in ((15, 15), (85, 15), (15, 35), (85, 35))
        ],
    )
    done = kumiai("similar", "query", str(out), str(query), "-k", "3", "--json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["query"] == str(query)
    paths = [r["path"] for r in doc["results"]]
    assert paths == ["plate.dxf", "sub/three.dxf", "disc.dxf"]
    scores = [r["score"] for r in doc["results"]]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    assert doc["results"][0]["explanation"].startswith("same part")

    done = kumiai("similar", "query", str(out), str(lib / "noise.dxf"), "--json")
    assert done.returncode == 2
    assert json.loads(done.stdout)["error"]["code"] == "NOT_DXF"


def test_an_index_reads_back_to_the_same_answers(tmp_path):  # type: ignore[no-untyped-def]
    items = [
        ("a.dxf", 0, plate(tmp_path / "a.dxf")),
        ("b.dxf", 0, plate(tmp_path / "b.dxf", holes=((50, 25, 20),))),
        ("c.dxf", 0, disc(tmp_path / "c.dxf", 60)),
    ]
    index = build(items, [{"path": "x.dxf", "code": "NOT_DXF", "message": "…"}])
    index.save(tmp_path / "i.npz")
    again = Index.load(tmp_path / "i.npz")
    q = plate(tmp_path / "q.dxf", holes=((15, 15, 10), (85, 35, 10)))
    before = [(r.path, round(r.score, 9)) for r in index.query(q, k=3)]
    after = [(r.path, round(r.score, 9)) for r in again.query(q, k=3)]
    assert before == after
    assert again.skipped == index.skipped
    (tmp_path / "bad.npz").write_bytes(b"not an index")
    with pytest.raises(ValueError):
        Index.load(tmp_path / "bad.npz")


def test_re_ranking_in_two_processes_gives_the_same_answer(tmp_path):  # type: ignore[no-untyped-def]
    items = [
        ("a.dxf", 0, plate(tmp_path / "a.dxf")),
        ("b.dxf", 0, plate(tmp_path / "b.dxf", holes=((50, 25, 20),))),
        ("c.dxf", 0, disc(tmp_path / "c.dxf", 60)),
        ("d.dxf", 0, plate(tmp_path / "d.dxf", w=120)),
    ]
    q = plate(tmp_path / "q.dxf", holes=((15, 15, 10), (85, 35, 10)))
    index = build(items)
    serial = [(r.path, round(r.score, 9), r.match.explanation) for r in index.query(q, k=4)]
    index.parallel(2)
    try:
        parallel = [(r.path, round(r.score, 9), r.match.explanation) for r in index.query(q, k=4)]
    finally:
        index.close()
    assert parallel == serial
