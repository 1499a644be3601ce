"""Shortcuts of the analysis give exactly what the plain computation gives (issue 15,
item 7, round 7): a tilted polyline's points taken to the WCS as one array, not one
Vec3 each; a block's TEXTs moved without ezdxf's copy of each. Compared bit for bit
against ezdxf; no test looks at a clock."""

from __future__ import annotations

import random
import time

import ezdxf
import numpy as np
import pytest
from ezdxf.math import OCS, Vec3

import cad.extract as cad_extract
from cad.extract import _ocs_xy_to_wcs, _polyline_edges, extract
from cad.reader import Limits


def _bits(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=float).view(np.int64)


def test_ocs_points_to_wcs_are_ezdxfs_very_doubles() -> None:
    rng = random.Random(7)
    extrusions = [(0.0, 0.0, 1.0), (0.0, 0.0, -1.0), (1e-3, 0.0, 1.0), (0.3, -0.2, 0.93)]
    extrusions += [(rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1)) for _ in range(60)]
    for extrusion in extrusions:
        ocs = OCS(extrusion)
        elevation = rng.choice([0.0, -0.0, 5.0, rng.uniform(-100, 100)])
        pts = np.array(
            [(rng.uniform(-1e4, 1e4), rng.uniform(-1e4, 1e4)) for _ in range(30)]
            + [(0.0, -0.0), (-0.0, 0.0), (1e-300, -1e300)]
        )
        ours = _ocs_xy_to_wcs(ocs, pts, elevation)
        theirs = np.array([(w.x, w.y) for w in (ocs.to_wcs(Vec3(x, y, elevation)) for x, y in pts)])
        assert ours.shape == (len(pts), 2)
        assert np.array_equal(_bits(ours), _bits(theirs)), extrusion


def test_a_tilted_polylines_edges_are_its_vertices_moved_by_ezdxf() -> None:
    """A 2D POLYLINE on a tilted plane, at an elevation, with lines and bulges: every
    edge's points are ezdxf's to_wcs of the OCS points (the arcs' from arc_points)."""
    doc = ezdxf.new("R2000")
    extrusion = (0.2, -0.3, 0.93)
    pl = doc.modelspace().add_polyline2d(
        [(0, 0, 0, 0, 0), (100, 0, 0, 0, 0.4), (100, 60, 0, 0, 0), (0, 60, 0, 0, -1.0)],
        format="xyseb",
        close=True,
        dxfattribs={"extrusion": extrusion},
    )
    pl.dxf.elevation = Vec3(0, 0, 7.5)
    ocs = pl.ocs()
    assert ocs.transform
    edges = list(_polyline_edges(pl, "CUT"))
    assert [e.kind for e in edges] == ["line", "arc", "line", "arc"]
    vertices = [(0.0, 0.0), (100.0, 0.0), (100.0, 60.0), (0.0, 60.0)]
    for k in (0, 2):  # a line's ends are its vertices, moved
        a, b = vertices[k], vertices[(k + 1) % 4]
        expected = [ocs.to_wcs(Vec3(x, y, 7.5)) for x, y in (a, b)]
        assert np.array_equal(_bits(edges[k].pts), _bits(np.array([(w.x, w.y) for w in expected])))
    for k in (1, 3):  # an arc's ends are its vertices, within the rounding of the bulge maths
        a, b = vertices[k], vertices[(k + 1) % 4]
        ends = [ocs.to_wcs(Vec3(x, y, 7.5)) for x, y in (a, b)]
        assert len(edges[k].pts) > 2
        assert np.allclose(edges[k].pts[0], (ends[0].x, ends[0].y), atol=1e-9)
        assert np.allclose(edges[k].pts[-1], (ends[1].x, ends[1].y), atol=1e-9)


# -- blocks: plain TEXTs moved without a copy -----------------------------------------------
def _texts_doc() -> ezdxf.document.Drawing:
    """Blocks of TEXTs among LINEs, inserted turned, mirrored, stretched, tilted out of
    the plane, as arrays, and flattened to nothing in y (where ezdxf's Text.transform
    divides by zero and the walk skips the rest of that block)."""
    rng = random.Random(15)
    doc = ezdxf.new("R2010")
    doc.layers.add("CUT")
    doc.layers.add("NOTES")
    label = doc.blocks.new("LABEL")
    for k in range(12):
        label.add_line((k, 0), (k + 0.5, 1), dxfattribs={"layer": "CUT"})
        attribs: dict[str, object] = {
            "insert": (rng.uniform(-5, 5), rng.uniform(-5, 5)),
            "rotation": rng.uniform(0, 360),
            "layer": rng.choice(("0", "NOTES", "CUT")),
        }
        if k % 3 == 0:
            attribs["oblique"] = 15.0
        if k % 4 == 0:
            attribs["extrusion"] = (0.1, -0.2, 0.97)
        text = label.add_text(f"SUS304 t={k}", dxfattribs=attribs)
        if k == 5:
            del text.dxf.insert  # ezdxf's default, (0, 0, 0)
        if k == 7:
            text.set_xdata("ACAD", [(1000, "x"), (1010, (1.0, 2.0, 0.0))])  # ezdxf's copy
        if k == 9:
            text.dxf.align_point = (3, 3)
    nested = doc.blocks.new("NESTED")
    nested.add_blockref("LABEL", (10, 10), dxfattribs={"rotation": 30, "xscale": -1})
    nested.add_text("NESTED NOTE", dxfattribs={"insert": (1, 2)})
    msp = doc.modelspace()
    for k in range(10):
        scale = (1.0, 1.0) if k % 3 else (2.0, 0.5)
        ref = msp.add_blockref(
            rng.choice(("LABEL", "NESTED")),
            (rng.uniform(-100, 100), rng.uniform(-100, 100)),
            dxfattribs={
                "rotation": rng.uniform(0, 360),
                "xscale": scale[0] * (-1 if k % 4 == 1 else 1),
                "yscale": scale[1],
                "layer": rng.choice(("CUT", "NOTES")),
            },
        )
        if k == 6:
            ref.dxf.extrusion = (0.2, 0.1, 0.97)
        if k == 4:
            ref.grid(size=(2, 2), spacing=(30, 30))
    flat = msp.add_blockref("LABEL", (0, 0))
    flat.dxf.__dict__["yscale"] = 0.0  # as a file may hold it (ezdxf's setter would fix it)
    return doc


def test_blocks_walked_without_copying_texts_equal_ezdxfs_virtual_entities(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from .test_analysis_speedups_5 import _extracted_key

    doc = _texts_doc()
    got = extract(doc, Limits(), time.monotonic())
    monkeypatch.setattr(cad_extract, "_virtual_entities", lambda insert: insert.virtual_entities())
    plain = extract(doc, Limits(), time.monotonic())
    assert _extracted_key(got) == _extracted_key(plain)  # text positions as repr, bit for bit
    assert len(got.texts) > 100 and got.bad_geometry >= 1
    assert any(t.text == "NESTED NOTE" for t in got.texts)


def test_moved_texts_are_the_virtual_copies_points() -> None:
    doc = _texts_doc()
    moved = 0
    for ref in doc.modelspace().query("INSERT"):
        if ref.dxf.yscale == 0:
            continue
        mine = list(cad_extract._virtual_entities(ref))
        theirs = list(ref.virtual_entities())
        assert [e.dxftype() for e in mine] == [e.dxftype() for e in theirs]
        for a, b in zip(mine, theirs, strict=True):
            if isinstance(a, cad_extract._MovedText):
                moved += 1
                assert b.xdata is None  # texts with XDATA are ezdxf's copies
                assert a.dxf.insert == b.dxf.insert and a.dxf.extrusion == b.dxf.extrusion
                assert a.dxf.get("text") == b.dxf.get("text")
                for key in ("layer", "linetype", "color"):
                    assert vars(a.dxf).get(key) == vars(b.dxf).get(key)
    assert moved >= 40
