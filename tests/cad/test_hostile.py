"""Hostile and broken input: each gets its own error code, quickly, within memory."""

from __future__ import annotations

import os
import time
from collections import Counter

import ezdxf
import pytest
from ezdxf.entities import Insert

from cad.analyze import analyze_bytes, analyze_file
from cad.errors import CadError
from cad.extract import expansion_size, extract
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


def test_a_million_tiny_entities_is_refused_by_size_before_ezdxf_reads_it(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    line = b"0\nLINE\n8\n0\n10\n0.0\n20\n0.0\n11\n0.001\n21\n0.0\n"
    path = tmp_path / "million.dxf"
    with open(path, "wb") as f:
        f.write(b"0\nSECTION\n2\nENTITIES\n")
        f.write(line * 1_000_000)
        f.write(b"0\nENDSEC\n0\nEOF\n")
    reads = ezdxf_reads(monkeypatch)
    assert error_code(lambda: analyze_file(path)) == "FILE_TOO_LARGE"
    assert reads == []


def ezdxf_reads(monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    """Every file ezdxf is asked to parse, in order."""
    import cad.reader

    seen: list[str] = []

    def spy(real):  # type: ignore[no-untyped-def]
        def read(path, *args, **kwargs):  # type: ignore[no-untyped-def]
            seen.append(str(path))
            return real(path, *args, **kwargs)

        return read

    monkeypatch.setattr(cad.reader.ezdxf, "readfile", spy(cad.reader.ezdxf.readfile))
    monkeypatch.setattr(cad.reader.recover, "readfile", spy(cad.reader.recover.readfile))
    return seen


def expansions(monkeypatch) -> Counter:  # type: ignore[no-untyped-def]
    """The work ezdxf does to expand blocks: entities yielded by INSERT.virtual_entities()
    and array copies made by INSERT.multi_insert(), counted as they are made."""
    made: Counter = Counter()

    def spy(name: str):  # type: ignore[no-untyped-def]
        real = getattr(Insert, name)

        def counted(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            for item in real(self, *args, **kwargs):
                made[name] += 1
                yield item

        monkeypatch.setattr(Insert, name, counted)

    spy("virtual_entities")
    spy("multi_insert")
    return made


def add_dust_block(doc, name: str = "DUST", lines: int = 100) -> None:  # type: ignore[no-untyped-def]
    block = doc.blocks.new(name)
    for i in range(lines):
        block.add_line((i, 0), (i, 0.5))


def test_a_block_bomb_is_refused_before_a_single_block_is_expanded(build, save, monkeypatch):  # type: ignore[no-untyped-def]
    """A block of 100 lines inserted as a 100×100 array is a million lines once expanded:
    1 INSERT + 100·100·100 lines. It used to be expanded until the budget ran out, which
    took seconds; now the count is made from the block definition alone."""
    doc = build.new_doc()
    add_dust_block(doc)
    doc.modelspace().add_blockref("DUST", (0, 0)).grid(size=(100, 100), spacing=(1, 1))
    path = save(doc)
    made = expansions(monkeypatch)
    with pytest.raises(CadError) as info:
        analyze_file(path, limits=Limits(max_entities=100_000))
    assert made == Counter()  # not one virtual entity, not one array copy
    assert info.value.code == "BLOCK_EXPANSION_TOO_LARGE"
    assert "1,000,001 > 100,000" in info.value.message_en
    assert "ブロック" in info.value.message_ja and "1,000,001" in info.value.message_ja
    size = expansion_size(ezdxf.readfile(path), Limits())
    assert (size.entities, size.model_space, size.depth) == (1 + 100 * 100 * 100, 1, 1)
    assert size.entities_read == 100  # the block definition, read once


def test_blocks_of_blocks_are_counted_once_per_block_and_refused_unexpanded(
    build, save, monkeypatch
):  # type: ignore[no-untyped-def]
    """L0 holds 10 lines; each L(k) holds 10 INSERTs of L(k-1). One INSERT of L5 visits
    1 + c(L5) entities, where c(L0) = 10 and c(Lk) = 10 + 10·c(Lk-1): c(L5) = 1,111,110."""
    doc = build.new_doc()
    add_dust_block(doc, "L0", 10)
    for k in range(1, 6):
        block = doc.blocks.new(f"L{k}")
        for i in range(10):
            block.add_blockref(f"L{k - 1}", (0, i * 10.0**k))
    doc.modelspace().add_blockref("L5", (0, 0))
    path = save(doc)
    made = expansions(monkeypatch)
    code = error_code(lambda: analyze_file(path))
    assert made == Counter()
    assert code == "BLOCK_EXPANSION_TOO_LARGE"
    size = expansion_size(ezdxf.readfile(path), Limits())
    assert (size.entities, size.depth) == (1_111_111, 6)
    assert size.entities_read == 10 + 5 * 10  # each block read once, not a million times


def test_the_count_before_expanding_is_what_the_walk_then_visits(build, save):  # type: ignore[no-untyped-def]
    """Nested blocks, an array, attributes (ATTDEFs are not expanded), a missing block and
    a block used twice: the count made beforehand equals the entities the walk visits."""
    doc = build.new_doc()
    add_dust_block(doc, "L0", 3)
    inner = doc.blocks.new("L1")
    inner.add_blockref("L0", (0, 0))
    inner.add_blockref("L0", (10, 0))
    inner.add_circle((0, 0), 1)
    inner.add_attdef("TAG", (0, 0))
    msp = doc.modelspace()
    build.add_plate(msp)
    msp.add_blockref("L1", (200, 0)).grid(size=(2, 3), spacing=(40, 40))
    msp.add_blockref("L1", (400, 0)).add_auto_attribs({"TAG": "x"})
    msp.add_blockref("L0", (500, 0))
    doc.blocks.new("GONE")
    msp.add_blockref("GONE", (0, 0))
    doc.blocks.delete_block("GONE", safe=False)
    path = save(doc)
    loaded = ezdxf.readfile(path)
    size = expansion_size(loaded, Limits())
    walked = extract(loaded, Limits(), time.monotonic()).counts
    # By hand: 5 plate entities + 4 INSERTs; an L1 copy is 2 INSERTs + 6 lines + 1 circle;
    # 6 + 1 copies of L1, plus 3 lines of the lone L0.
    assert size.entities == sum(walked.values()) == 5 + 4 + 7 * 9 + 3


def test_blocks_nested_a_thousand_deep_are_refused_before_any_is_expanded(build, save, monkeypatch):  # type: ignore[no-untyped-def]
    doc = build.new_doc()
    doc.blocks.new("B0").add_circle((0, 0), 1)
    for i in range(1, 1000):
        doc.blocks.new(f"B{i}").add_blockref(f"B{i - 1}", (0, 0))
    doc.modelspace().add_blockref("B999", (0, 0))
    path = save(doc)
    made = expansions(monkeypatch)
    code = error_code(lambda: analyze_file(path))
    assert made == Counter()
    assert code == "NESTING_TOO_DEEP"


def test_blocks_nested_exactly_to_the_depth_limit_are_read(build, save):  # type: ignore[no-untyped-def]
    doc = build.new_doc()
    doc.blocks.new("B0").add_circle((0, 0), 5)
    for i in range(1, 16):
        doc.blocks.new(f"B{i}").add_blockref(f"B{i - 1}", (0, 0))
    doc.modelspace().add_blockref("B15", (0, 0))  # 16 INSERTs deep, the default limit
    assert [p.pierce_count for p in analyze_file(save(doc)).parts] == [1]
    doc.blocks.new("B16").add_blockref("B15", (0, 0))
    doc.modelspace().add_blockref("B16", (100, 0))
    assert error_code(lambda: analyze_file(save(doc))) == "NESTING_TOO_DEEP"


@pytest.mark.parametrize("through", [0, 1, 3])
def test_a_block_that_inserts_itself_is_refused_by_name_unexpanded(
    build, save, monkeypatch, through
):  # type: ignore[no-untyped-def]
    """LOOP inserts itself directly, or through 1 or 3 other blocks."""
    doc = build.new_doc()
    names = ["LOOP"] + [f"VIA{i}" for i in range(through)]
    for name in names:
        block = doc.blocks.new(name)
        block.add_circle((0, 0), 1)
    for name, nxt in zip(names, names[1:] + names[:1], strict=True):
        doc.blocks.get(name).add_blockref(nxt, (5, 0))
    # An array makes each level 100 times larger: expanding it is a bomb as well.
    doc.modelspace().add_blockref("LOOP", (0, 0)).grid(size=(10, 10), spacing=(20, 20))
    path = save(doc)
    made = expansions(monkeypatch)
    with pytest.raises(CadError) as info:
        analyze_file(path)
    assert made == Counter()
    assert info.value.code == "BLOCK_CYCLE"
    assert " → ".join(n.lower() for n in [*names, "LOOP"]) in info.value.message_en
    assert "自分自身" in info.value.message_ja


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
