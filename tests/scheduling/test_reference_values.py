"""The committed reference values (bench/reference/generated.json) are what the bench
measures against, so each must be real: an answer of the named instance that the
independent checker accepts, with the value it claims, never below its own bound."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scheduling.fjsp import check_schedule
from scheduling.gap import check_gap
from scheduling.generated_sets import build_set
from scheduling.instances import GapInstance

REFERENCE = Path(__file__).resolve().parents[2] / "bench" / "reference" / "generated.json"
DATA = json.loads(REFERENCE.read_text(encoding="utf-8"))
INSTANCES = build_set()


def test_the_reference_file_names_its_solver_and_budget():  # type: ignore[no-untyped-def]
    meta = DATA["meta"]
    assert meta["ortools"].count(".") == 2
    assert meta["time_limit_s"] >= 600 and meta["workers"] == 2
    assert DATA["instances"], "no reference values at all"


@pytest.mark.parametrize("name", sorted(DATA["instances"]))
def test_a_reference_is_a_checked_answer_of_its_instance(name):  # type: ignore[no-untyped-def]
    ref = DATA["instances"][name]
    assert name in INSTANCES, f"{name} is not in the generated set (a seed changed?)"
    inst = INSTANCES[name]
    best = ref["best"]
    witness = ref["runs"][ref["found_by"]]["witness"]
    if isinstance(inst, GapInstance):
        check_gap(inst, tuple(witness), best)
    else:
        check_schedule(inst, tuple(tuple(op) for op in witness), best)
    values = [r["value"] for r in ref["runs"].values() if r["value"] is not None]
    assert best == min(values), "the reference is the best run"
    for run in ref["runs"].values():
        if run["bound"] is not None:
            assert run["bound"] <= best + 1e-6, "a bound above an answer: one of them is wrong"
