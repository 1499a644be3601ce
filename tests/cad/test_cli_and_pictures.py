"""`kumiai analyze` output and the pictures."""

from __future__ import annotations

import json
import math

import pytest

from cad.analyze import analyze_file
from cad.cli import main
from cad.render import png, svg


def test_analyze_json_is_the_versioned_document(build, save, capsys):  # type: ignore[no-untyped-def]
    doc = build.new_doc()
    build.add_plate(doc.modelspace())
    assert main([str(save(doc)), "--json", "--thickness", "1.6"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["schema"] == "kumiai.cad.analysis/1"
    assert out["units"]["name"] == "mm"
    (part,) = out["parts"]
    for key in ("cut_length_mm", "pierce_count", "net_area_mm2", "bbox_mm", "holes", "bends"):
        assert key in part
    assert part["cut_length_mm"] == pytest.approx(300 + 40 * math.pi, abs=1e-4)
    assert part["hole_groups"] == [{"diameter_mm": 10.0, "count": 4}]


def test_analyze_reports_errors_with_their_code(tmp_path, capsys):  # type: ignore[no-untyped-def]
    bad = tmp_path / "drawing.dwg"
    bad.write_bytes(b"AC1027" + bytes(100))
    assert main([str(bad), "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["error"]["code"] == "DWG_NOT_SUPPORTED"
    assert main([str(bad), "--lang", "ja"]) == 2
    assert "DXF形式で書き出して" in capsys.readouterr().err


def test_pictures_draw_cut_holes_and_bends_in_their_own_styles(build, save):  # type: ignore[no-untyped-def]
    doc = build.new_doc()
    msp = doc.modelspace()
    build.add_plate(msp)
    msp.add_line((50, 0), (50, 50), dxfattribs={"layer": "BEND"})
    a = analyze_file(save(doc))
    picture = svg(a)
    assert picture.startswith("<svg") and picture.count("<polyline") == 1 + 4 + 1
    for group in ('class="outer"', 'class="inner"', 'class="bend"'):
        assert group in picture
    image = png(a, size_px=128)
    assert image[:8] == b"\x89PNG\r\n\x1a\n"
    from io import BytesIO

    from PIL import Image

    pixels = Image.open(BytesIO(image)).convert("L")
    assert pixels.size == (128, 128)
    assert pixels.getextrema()[0] < 100  # something dark was drawn
