"""Benchmark (not a test): how long block bombs take to be refused, against ezdxf's bare
readfile of the same file, measured in the same run: `python bench/cad_hostile.py`.

Target (issue 10): a bomb is refused in well under a second, at about the cost of reading
its file, because what the blocks expand to is counted before anything is expanded.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import ezdxf
from cad_corpus import median_time  # bench/ is on the path when run as a script

from cad.analyze import analyze_file
from cad.errors import CadError


def _doc():  # type: ignore[no-untyped-def]
    doc = ezdxf.new("R2010")
    doc.units = 4  # mm
    return doc


def array_bomb(path: Path) -> str:
    doc = _doc()
    block = doc.blocks.new("DUST")
    for i in range(100):
        block.add_line((i, 0), (i, 0.5))
    doc.modelspace().add_blockref("DUST", (0, 0)).grid(size=(300, 300), spacing=(1, 1))
    doc.saveas(path)
    return "100-line block in a 300×300 array (9,000,001 entities)"


def nested_bomb(path: Path) -> str:
    doc = _doc()
    block = doc.blocks.new("L0")
    for i in range(10):
        block.add_line((i, 0), (i, 0.5))
    for k in range(1, 8):
        block = doc.blocks.new(f"L{k}")
        for i in range(10):
            block.add_blockref(f"L{k - 1}", (0, i * 10.0**k))
    doc.modelspace().add_blockref("L7", (0, 0))
    doc.saveas(path)
    return "10 lines, 7 levels of 10 INSERTs each (111,111,111 entities)"


def cyclic_array(path: Path) -> str:
    doc = _doc()
    block = doc.blocks.new("LOOP")
    block.add_circle((0, 0), 1)
    block.add_blockref("LOOP", (5, 0)).grid(size=(10, 10), spacing=(20, 20))
    doc.modelspace().add_blockref("LOOP", (0, 0)).grid(size=(10, 10), spacing=(20, 20))
    doc.saveas(path)
    return "a block inserting itself as a 10×10 array"


def refuse(path: Path) -> str:
    try:
        analyze_file(path)
    except CadError as exc:
        return exc.code
    return "accepted"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"{'case':64} {'read ms':>8} {'refused ms':>10} {'ratio':>6}  outcome")
    with tempfile.TemporaryDirectory() as tmp:
        for build in (array_bomb, nested_bomb, cyclic_array):
            path = Path(tmp) / f"{build.__name__}.dxf"
            what = build(path)
            read_s = median_time(ezdxf.readfile, path, args.repeats)
            refuse_s = median_time(refuse, path, args.repeats)
            print(
                f"{what:64} {read_s * 1000:8.1f} {refuse_s * 1000:10.1f} "
                f"{refuse_s / read_s:6.2f}  {refuse(path)}"
            )
    print(f"\nmedians of {args.repeats}; ratio = refusal time / bare ezdxf read time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
