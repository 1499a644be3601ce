"""Allocation on hand-sized groups whose right answer is plain to see."""

from __future__ import annotations

import pytest

from scheduling.allocation import Line, Placement, Shop, Weights, allocate, check_allocation
from scheduling.solver import InfeasibleSolution

A = Shop(
    "能登",
    frozenset({"laser", "bend"}),
    frozenset({"SPCC"}),
    (0.5, 6.0),
    (1500, 3000),
    {"laser": (8, 8), "bend": (8, 8)},
)
B = Shop(
    "白山",
    frozenset({"laser"}),
    frozenset({"SPCC", "SUS304"}),
    (0.5, 12.0),
    (1500, 3000),
    {"laser": (8, 8)},
)


def line(lid, procs=("laser",), material="SPCC", t=1.6, due=1, cost=(1000, 1200), hours=4.0, **kw):  # type: ignore[no-untyped-def]
    return Line(
        lid,
        procs,
        material,
        t,
        (200, 100),
        due,
        {"能登": cost[0], "白山": cost[1]},
        {"能登": {p: hours for p in procs}, "白山": {p: hours for p in procs}},
        **kw,
    )


def by_line(result):  # type: ignore[no-untyped-def]
    return {p.line: (p.shop, p.period) for p in result.placements}


def test_capability_decides_and_the_cheaper_shop_wins_otherwise():  # type: ignore[no-untyped-def]
    lines = [line("L1", ("laser", "bend")), line("L2", material="SUS304"), line("L3")]
    r = allocate([A, B], lines, periods=2)
    assert r.status == "optimal"
    got = by_line(r)
    assert got["L1"][0] == "能登"  # only 能登 bends
    assert got["L2"][0] == "白山"  # only 白山 cuts stainless
    assert got["L3"][0] == "能登"  # ¥1,000 < ¥1,200 and 能登 has room
    placed = {p.line: p for p in r.placements}
    assert placed["L3"].runner_up == "白山" and "¥1,000 vs ¥1,200" in placed["L3"].why


def test_a_declined_line_goes_elsewhere_and_a_pin_holds():  # type: ignore[no-untyped-def]
    r = allocate(
        [A, B],
        [line("L1", declined_by=frozenset({"能登"})), line("L2", pinned_to="白山")],
        periods=2,
    )
    assert by_line(r)["L1"][0] == "白山" and by_line(r)["L2"][0] == "白山"
    assert next(p for p in r.placements if p.line == "L2").why.startswith("pinned")


def test_full_capacity_pushes_work_to_another_shop_or_a_later_period():  # type: ignore[no-untyped-def]
    # Three 4 h laser lines due in period 0; 能登 has 8 h per period: one must move.
    lines = [line(f"L{i}", due=0) for i in range(3)]
    r = allocate([A, B], lines, periods=2, weights=Weights(tardiness_per_period=10_000))
    shops = sorted(s for s, _ in by_line(r).values())
    assert shops == ["白山", "能登", "能登"]  # moving costs ¥200, being late ¥10,000
    assert all(p.late_periods == 0 for p in r.placements)


def test_no_capable_shop_is_explained_per_shop():  # type: ignore[no-untyped-def]
    r = allocate([A, B], [line("W1", ("laser", "weld"))], periods=1)
    assert r.status == "infeasible"
    assert r.explanation == ("W1: no capable shop (能登: no weld; 白山: no weld)",)


def test_a_pin_to_a_shop_that_cannot_make_it_is_explained():  # type: ignore[no-untyped-def]
    r = allocate([A, B], [line("P1", material="SUS304", pinned_to="能登")], periods=1)
    assert r.status == "infeasible" and r.explanation == (
        "P1: pinned to 能登, which cannot take it (no SUS304)",
    )


def test_too_little_capacity_names_the_shop_process_period_and_lines():  # type: ignore[no-untyped-def]
    lines = [line("B1", ("laser", "bend"), hours=6.0), line("B2", ("laser", "bend"), hours=6.0)]
    r = allocate([A, B], lines, periods=1)  # only 能登 bends; 12 h of bending in 8 h
    assert r.status == "infeasible"
    assert any(
        note.startswith("capacity: 能登 bend in period 0 is short by 4.00 h (lines B1, B2)")
        for note in r.explanation
    ), r.explanation


def test_fairness_shares_work_between_equal_shops():  # type: ignore[no-untyped-def]
    a = Shop(
        "A",
        frozenset({"laser"}),
        frozenset({"SPCC"}),
        (0.5, 6),
        (3000, 3000),
        {"laser": (100,)},
        target_share=0.5,
    )
    b = Shop(
        "B",
        frozenset({"laser"}),
        frozenset({"SPCC"}),
        (0.5, 6),
        (3000, 3000),
        {"laser": (100,)},
        target_share=0.5,
    )
    lines = [
        Line(
            f"L{i}",
            ("laser",),
            "SPCC",
            1.6,
            (100, 100),
            0,
            {"A": 1000, "B": 1010},
            {"A": {"laser": 4}, "B": {"laser": 4}},
        )
        for i in range(4)
    ]
    unfair = allocate([a, b], lines, 1, Weights(fairness_per_hour=0))
    assert sorted(p.shop for p in unfair.placements) == ["A"] * 4  # ¥10 cheaper each
    fair = allocate([a, b], lines, 1, Weights(fairness_per_hour=200))
    assert sorted(p.shop for p in fair.placements) == ["A", "A", "B", "B"]


def test_allocation_checker_catches_violations():  # type: ignore[no-untyped-def]
    lines = [line("L1", ("laser", "bend"))]
    with pytest.raises(InfeasibleSolution):  # 白山 cannot bend
        check_allocation([A, B], lines, 2, [Placement("L1", "白山", 0, 1200, 0, "", None)])
    with pytest.raises(InfeasibleSolution):  # over 能登's 8 h of bending
        check_allocation(
            [A, B],
            [line("L1", ("laser", "bend"), hours=9)],
            2,
            [Placement("L1", "能登", 0, 1000, 0, "", None)],
        )


def test_when_the_solver_has_no_time_the_planners_pass_is_returned_checked():  # type: ignore[no-untyped-def]
    lines = [line(f"L{i}", due=i % 2) for i in range(6)]
    r = allocate([A, B], lines, periods=2, time_limit_s=0.0)
    assert r.status == "feasible" and len(r.placements) == 6  # check_allocation ran inside
    assert r.objective == pytest.approx(sum(p.cost_jpy for p in r.placements))  # all on time


def test_progress_hears_the_phases_and_every_better_plan_is_a_checked_plan():  # type: ignore[no-untyped-def]
    """The portal shows the solver's best plan so far: each one reported must be a whole,
    valid plan, and none may be worse than one reported before it."""
    heard: list[tuple[str, float | None]] = []

    def progress(phase, plan):  # type: ignore[no-untyped-def]
        if plan is None:
            heard.append((phase, None))
            return
        got = plan()
        assert {p.line for p in got.placements} == {f"L{i}" for i in range(8)}
        heard.append((phase, got.objective))

    lines = [line(f"L{i}", due=i % 2, cost=(1000 + 10 * i, 1100)) for i in range(8)]
    r = allocate([A, B], lines, periods=2, progress=progress)
    phases = [p for p, _ in heard]
    assert phases[0] == "checking" and phases[1] == "first plan"
    assert "solving" in phases and "explaining" not in phases
    solver_plans = [o for p, o in heard if p == "solving" and o is not None]
    assert solver_plans == sorted(solver_plans, reverse=True)  # each better than the last
    assert r.objective is not None and all(r.objective <= o + 1e-6 for o in solver_plans)
    # The planner's pass is reported priced by hand: never better than the answer.
    first = next(o for p, o in heard if p == "first plan")
    assert first is not None and r.objective <= first + 1e-6


def test_progress_of_a_plan_that_cannot_exist_ends_explaining():  # type: ignore[no-untyped-def]
    phases: list[str] = []
    lines = [line(f"L{i}", hours=8.0, due=0) for i in range(5)]  # 40 h into 32 h
    r = allocate([A, B], lines, periods=2, progress=lambda p, _plan: phases.append(p))
    assert r.status == "infeasible" and not r.placements
    assert phases[0] == "checking" and phases[-1] == "explaining"
