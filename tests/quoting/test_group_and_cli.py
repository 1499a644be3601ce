"""Group quotes rank shops; the CLIs print the documents the platform stores."""

from __future__ import annotations

import csv
import json
import random

import ezdxf
import pytest

from quoting.calibrate import apply_factors
from quoting.cli import calibrate_main, main
from quoting.group import group_quote
from quoting.model import PartFeatures, QuoteRequest
from quoting.profile import CostProfile

FEATURES = PartFeatures(
    cut_length_mm=600, pierce_count=5, net_area_mm2=15000, size_mm=(150, 100), segments=()
)


def test_group_quote_ranks_by_price_and_lists_who_cannot_make_it():  # type: ignore[no-untyped-def]
    base = CostProfile.default()
    cheap, _ = apply_factors(
        base, {"material": 1, "laser": 0.8, "setup": 0.7, "brake": 1, "labor": 0.9}
    )
    dear, _ = apply_factors(
        base, {"material": 1.1, "laser": 1.3, "setup": 1.2, "brake": 1, "labor": 1.2}
    )
    steel_only = base.model_copy(update={"materials": {"SPCC": base.materials["SPCC"]}})
    req = QuoteRequest("SUS304", 2.0, (10,))
    offers = group_quote(
        FEATURES, req, {"能登": dear, "白山": cheap, "金沢": base, "小松": steel_only}
    )
    assert [o.shop for o in offers] == ["白山", "金沢", "能登", "小松"]
    assert offers[-1].quote is None and "UNKNOWN_MATERIAL" in offers[-1].refused
    prices = [o.quote.breaks[0].total_price_jpy for o in offers[:3]]
    assert prices == sorted(prices)


def test_quote_cli_json_holds_breaks(tmp_path, capsys):  # type: ignore[no-untyped-def]
    doc = ezdxf.new("R2010")
    doc.units = 4
    doc.modelspace().add_lwpolyline([(0, 0), (100, 0), (100, 50), (0, 50)], close=True)
    doc.saveas(tmp_path / "p.dxf")
    assert (
        main(
            [
                str(tmp_path / "p.dxf"),
                "--material",
                "SPCC",
                "--thickness",
                "1.6",
                "--qty",
                "1,10,100",
                "--json",
            ]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert [b["quantity"] for b in out["breaks"]] == [1, 10, 100]
    for b in out["breaks"]:
        assert b["unit_price_jpy"] > 0 and b["total_price_jpy"] >= b["unit_price_jpy"]
        assert {c["name"] for c in b["components"]} >= {"material", "laser_cutting", "laser_setup"}
    assert main([str(tmp_path / "p.dxf"), "--material", "SPCC", "--thickness", "30", "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["error"]["code"] == "THICKNESS_OUT_OF_TABLE"


def test_calibrate_cli_writes_a_new_profile_version(tmp_path, capsys):  # type: ignore[no-untyped-def]
    rng = random.Random(1)
    shop, _ = apply_factors(
        CostProfile.default(), {"material": 1, "laser": 1.2, "setup": 1, "brake": 1, "labor": 1}
    )
    from quoting.model import quote

    path = tmp_path / "history.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "part_id",
                "material",
                "thickness_mm",
                "quantity",
                "price_jpy",
                "cut_length_mm",
                "pierce_count",
                "net_area_mm2",
                "width_mm",
                "height_mm",
                "bends",
            ]
        )
        for i in range(300):
            a, b = rng.uniform(50, 500), rng.uniform(40, 300)
            feats = PartFeatures(2 * (a + b), 1, a * b, (max(a, b), min(a, b)), ())
            q = rng.choice([1, 10, 100])
            price = quote(feats, QuoteRequest("SPCC", 2.3, (q,)), shop).breaks[0].total_price_jpy
            w.writerow([f"P{i}", "SPCC", 2.3, q, round(price, 2), 2 * (a + b), 1, a * b, a, b, 0])
    out = tmp_path / "shop.yaml"
    assert calibrate_main([str(path), "--out", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["factors"]["laser"] == pytest.approx(1.2, rel=0.01)
    assert CostProfile.load(out).version == CostProfile.default().version + 1
