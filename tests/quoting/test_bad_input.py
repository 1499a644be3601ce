"""Bad input: each a clear error naming what is valid."""

from __future__ import annotations

import pytest
import yaml

from quoting.model import PartFeatures, QuoteError, QuoteRequest, quote
from quoting.profile import CostProfile, ProfileError

PLATE = PartFeatures(
    cut_length_mm=300.0,
    pierce_count=1,
    net_area_mm2=5000.0,
    size_mm=(100.0, 50.0),
    segments=(("line", 100.0, 0.0), ("line", 50.0, 0.0), ("line", 100.0, 0.0), ("line", 50.0, 0.0)),
)


def code_and_message(features, req):  # type: ignore[no-untyped-def]
    with pytest.raises(QuoteError) as info:
        quote(features, req, CostProfile.default())
    return info.value.code, info.value.message


def test_unknown_material_lists_the_valid_ones():  # type: ignore[no-untyped-def]
    code, message = code_and_message(PLATE, QuoteRequest("UNOBTAINIUM", 1.6, (1,)))
    assert code == "UNKNOWN_MATERIAL" and "A5052, SECC, SPCC, SS400, SUS304" in message


def test_thickness_outside_the_table_names_the_range():  # type: ignore[no-untyped-def]
    code, message = code_and_message(PLATE, QuoteRequest("SUS304", 12.0, (1,)))
    assert code == "THICKNESS_OUT_OF_TABLE" and "1–8 mm" in message


@pytest.mark.parametrize("quantities", [(0,), (-5,), (10, 0), ()])
def test_quantities_must_be_positive(quantities):  # type: ignore[no-untyped-def]
    assert code_and_message(PLATE, QuoteRequest("SPCC", 1.6, quantities))[0] == "BAD_QUANTITY"


def test_a_part_without_a_closed_outline_cannot_be_quoted():  # type: ignore[no-untyped-def]
    open_part = PartFeatures(
        cut_length_mm=150.0, pierce_count=0, net_area_mm2=0.0, size_mm=(100.0, 50.0), segments=()
    )
    assert code_and_message(open_part, QuoteRequest("SPCC", 1.6, (1,)))[0] == "NO_CLOSED_OUTLINE"


def test_a_part_larger_than_every_sheet_is_refused_with_the_reason():  # type: ignore[no-untyped-def]
    huge = PartFeatures(
        cut_length_mm=13000.0,
        pierce_count=1,
        net_area_mm2=1.05e7,
        size_mm=(3500.0, 3000.0),
        segments=(),
    )
    code, message = code_and_message(huge, QuoteRequest("SPCC", 3.2, (1,)))
    assert code == "PART_LARGER_THAN_SHEET" and "1524 × 3048" in message


def test_unknown_process_is_refused():  # type: ignore[no-untyped-def]
    code, message = code_and_message(PLATE, QuoteRequest("SPCC", 1.6, (1,), frozenset({"anodize"})))
    assert code == "UNKNOWN_PROCESS" and "bend" in message


def test_invalid_profiles_are_refused_with_the_field_that_is_wrong(tmp_path):  # type: ignore[no-untyped-def]
    good = yaml.safe_load(CostProfile.default().dump())
    cases = {
        "nesting.utilization": lambda d: d["nesting"].update(utilization=1.5),
        "laser.rate_jpy_h": lambda d: d["laser"].update(rate_jpy_h=-1),
        "materials.SPCC.scrap_jpy_kg": lambda d: d["materials"]["SPCC"].update(scrap_jpy_kg=500),
        "materials.SUS304": lambda d: d["laser"]["speed_m_min"].pop("SUS304"),
        "markupp": lambda d: d.update(markupp=0.3),
    }
    for field, spoil in cases.items():
        data = yaml.safe_load(yaml.safe_dump(good))
        spoil(data)
        path = tmp_path / "p.yaml"
        path.write_text(yaml.safe_dump(data))
        with pytest.raises(ProfileError) as info:
            CostProfile.load(path)
        assert any(field.split(".")[0] in e for e in info.value.errors), (field, info.value.errors)


def test_the_default_profile_round_trips():  # type: ignore[no-untyped-def]
    p = CostProfile.default()
    assert CostProfile.parse(yaml.safe_load(p.dump())) == p
