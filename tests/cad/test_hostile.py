"""Hostile and broken input: each gets its own error code, quickly, within memory."""

from __future__ import annotations

import os
import resource
import time

import pytest

from cad.analyze import analyze_bytes, analyze_file
from cad.errors import CadError
from cad.reader import Limits


def error_code(fn) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(CadError) as info:
        fn()
    return info.value.code


def test_empty_random_and_dwg_files_are_refused_by_name():  # type: ignore[no-untyped-def]
    assert error_code(lambda: analyze_bytes(b"")) == "EMPTY_FILE"
    assert error_code(lambda: analyze_bytes(b"   \n\n")) == "EMPTY_FILE"
    assert error_code(lambda: analyze_bytes(os.urandom(4096).replace(b"\n", b"x"))) == "NOT_DXF"
    assert (
        error_code(lambda: analyze_bytes(b"AC1032\x00\x00\x00\x00" + os.urandom(2000)))
        == "DWG_NOT_SUPPORTED"
    )
    assert error_code(lambda: analyze_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")) == "NOT_DXF"


def test_truncated_file_is_recovered_or_refused_never_crashes(build, tmp_path):  # type: ignore[no-untyped-def]
    doc = build.new_doc()
    build.add_plate(doc.modelspace())
    path = tmp_path / "whole.dxf"
    doc.saveas(path)
    data = path.read_bytes()
    for cut in (len(data) // 3, len(data) // 2, len(data) - 200):
        try:
            a = analyze_bytes(data[:cut])
        except CadError as exc:
            assert exc.code in {"UNREADABLE_DXF", "NO_GEOMETRY", "NOT_DXF"}
        else:
            assert "RECOVERED" in [f.code for f in a.findings]


def test_a_million_tiny_entities_is_refused_at_once_by_size(tmp_path):  # type: ignore[no-untyped-def]
    line = b"0\nLINE\n8\n0\n10\n0.0\n20\n0.0\n11\n0.001\n21\n0.0\n"
    path = tmp_path / "million.dxf"
    with open(path, "wb") as f:
        f.write(b"0\nSECTION\n2\nENTITIES\n")
        f.write(line * 1_000_000)
        f.write(b"0\nENDSEC\n0\nEOF\n")
    started = time.monotonic()
    assert error_code(lambda: analyze_file(path)) == "FILE_TOO_LARGE"
    assert time.monotonic() - started < 1.0


def test_entity_budget_stops_a_block_bomb(build, save):  # type: ignore[no-untyped-def]
    """A block of 100 lines inserted as a 100×100 array is a million lines once expanded."""
    doc = build.new_doc()
    block = doc.blocks.new("DUST")
    for i in range(100):
        block.add_line((i, 0), (i, 0.5))
    doc.modelspace().add_blockref("DUST", (0, 0)).grid(size=(100, 100), spacing=(1, 1))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    code = error_code(lambda: analyze_file(save(doc), limits=Limits(max_entities=100_000)))
    assert code == "TOO_MANY_ENTITIES"
    assert time.monotonic() - started < 10
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 500_000  # KiB


def test_blocks_nested_a_thousand_deep_stop_at_the_depth_limit(build, save):  # type: ignore[no-untyped-def]
    doc = build.new_doc()
    doc.blocks.new("B0").add_circle((0, 0), 1)
    for i in range(1, 1000):
        doc.blocks.new(f"B{i}").add_blockref(f"B{i - 1}", (0, 0))
    doc.modelspace().add_blockref("B999", (0, 0))
    started = time.monotonic()
    assert error_code(lambda: analyze_file(save(doc))) == "NESTING_TOO_DEEP"
    assert time.monotonic() - started < 10


def test_a_block_that_inserts_itself_stops_at_the_depth_limit(build, save):  # type: ignore[no-untyped-def]
    doc = build.new_doc()
    loop = doc.blocks.new("LOOP")
    loop.add_circle((0, 0), 1)
    loop.add_blockref("LOOP", (5, 0))
    doc.modelspace().add_blockref("LOOP", (0, 0))
    assert error_code(lambda: analyze_file(save(doc))) == "NESTING_TOO_DEEP"


def test_nan_and_huge_coordinates_are_dropped_and_the_rest_analysed(build, save):  # type: ignore[no-untyped-def]
    doc = build.new_doc()
    msp = doc.modelspace()
    build.add_plate(msp)
    msp.add_line((0, 0), (float("nan"), 5))
    msp.add_line((1e300, 0), (5, 5))
    msp.add_circle((1e30, 1e30), 3)
    a = analyze_file(save(doc))
    assert len(a.parts) == 1 and a.parts[0].pierce_count == 5
    bad = [f for f in a.findings if f.code == "BAD_COORDINATES"]
    assert bad and bad[0].value == 3


def test_only_text_and_dimensions_is_no_geometry(build, save):  # type: ignore[no-untyped-def]
    doc = build.new_doc()
    doc.modelspace().add_text("NOTE ONLY")
    assert error_code(lambda: analyze_file(save(doc))) == "NO_GEOMETRY"


def test_errors_speak_english_and_japanese():  # type: ignore[no-untyped-def]
    from cad.errors import ERROR_TEXT

    for code in ERROR_TEXT:
        err = CadError(code, "(x)")
        assert err.as_dict()["message_en"] and err.as_dict()["message_ja"]
        assert err.message_en != err.message_ja


def test_the_time_limit_has_its_own_code(build, save):  # type: ignore[no-untyped-def]
    doc = build.new_doc()
    msp = doc.modelspace()
    for i in range(2000):
        msp.add_line((i, 0), (i, 1))
    assert error_code(lambda: analyze_file(save(doc), limits=Limits(max_seconds=0.0))) == "TIMEOUT"
