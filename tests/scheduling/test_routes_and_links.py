"""Splitting a line across shops with transport, minimum shares, re-plans that stay
close to the last plan, shop-to-shop transport and working calendars on machines, and
the link from the group's allocation to machine schedules. Every expected answer is
worked out by hand in the test."""

from __future__ import annotations

import pytest

from scheduling.allocation import (
    Line,
    Placement,
    Shop,
    Transport,
    Weights,
    allocate,
    check_allocation,
)
from scheduling.link import Machine, jobs_from_allocation
from scheduling.machines import Job, Slot, check, closed_outside, schedule, shifts
from scheduling.solver import InfeasibleSolution

CUTTER = Shop(
    "切断",
    frozenset({"laser"}),
    frozenset({"SPCC"}),
    (0.5, 6),
    (3000, 1500),
    {"laser": (8, 8, 8, 8)},
)
BENDER = Shop(
    "曲げ", frozenset({"bend"}), frozenset({"SPCC"}), (0.5, 6), (3000, 1500), {"bend": (8, 8, 8, 8)}
)
BOTH = Shop(
    "一貫",
    frozenset({"laser", "bend"}),
    frozenset({"SPCC"}),
    (0.5, 6),
    (3000, 1500),
    {"laser": (8, 8, 8, 8), "bend": (8, 8, 8, 8)},
)
NO_FAIRNESS = Weights(fairness_per_hour=0)


def bracket(lid="L1", due=3, cost=None, hours=None, **kw):  # type: ignore[no-untyped-def]
    cost = cost or {"切断": 1000.0, "曲げ": 1000.0, "一貫": 2500.0}
    hours = hours or {sid: {"laser": 1.0, "bend": 1.0} for sid in cost}
    return Line(lid, ("laser", "bend"), "SPCC", 1.6, (200, 100), due, cost, hours, **kw)


def test_a_line_no_single_shop_can_make_is_cut_at_one_and_bent_at_the_other():  # type: ignore[no-untyped-def]
    transport = {("切断", "曲げ"): Transport(periods=1, cost_jpy=300.0)}
    r = allocate([CUTTER, BENDER], [bracket(splittable=True)], 4, NO_FAIRNESS, transport=transport)
    assert r.status == "optimal", r.explanation
    (p,) = r.placements
    (laser, cut_at, cut_p), (bend, bend_at, bend_p) = p.stages
    assert (laser, cut_at, bend, bend_at) == (("laser",), "切断", ("bend",), "曲げ")
    assert bend_p >= cut_p + 1  # one period on the truck
    # By hand: each stage costs the quote's share of that shop's hours (1 of 2 h) → ¥500
    # + ¥500, plus ¥300 transport.
    assert p.cost_jpy == pytest.approx(1300.0)
    assert "split: laser at 切断" in p.why and "bend at 曲げ" in p.why


def test_without_transport_between_them_there_is_no_route_and_it_says_so():  # type: ignore[no-untyped-def]
    r = allocate([CUTTER, BENDER], [bracket(splittable=True)], 4, transport={})
    assert r.status == "infeasible"
    assert r.explanation == (
        "L1: no route for bend after laser: it is done at 切断 and bend only at 曲げ, with no transport between",
    )


def test_whole_at_one_shop_wins_when_transport_costs_more_than_the_split_saves():  # type: ignore[no-untyped-def]
    cost = {"切断": 1000.0, "曲げ": 1000.0, "一貫": 1200.0}
    line = bracket(cost=cost, splittable=True)
    cheap = {("切断", "曲げ"): Transport(1, 100.0)}
    dear = {("切断", "曲げ"): Transport(1, 300.0)}
    # By hand: split = ¥500 + ¥500 + transport; whole at 一貫 = ¥1,200.
    r = allocate([CUTTER, BENDER, BOTH], [line], 4, NO_FAIRNESS, transport=cheap)
    assert [s[1] for s in r.placements[0].stages] == ["切断", "曲げ"]  # ¥1,100 < ¥1,200
    r = allocate([CUTTER, BENDER, BOTH], [line], 4, NO_FAIRNESS, transport=dear)
    assert {shop for _, shop, _ in r.placements[0].stages} == {"一貫"}  # ¥1,300 > ¥1,200


def test_transport_time_makes_a_split_late_and_the_due_date_decides():  # type: ignore[no-untyped-def]
    transport = {("切断", "曲げ"): Transport(periods=2, cost_jpy=0.0)}
    cost = {"切断": 1000.0, "曲げ": 1000.0, "一貫": 1500.0}
    # Due in period 1: the split can only finish in period 2 (cut 0 + 2 on the truck).
    line = bracket(due=1, cost=cost, splittable=True)
    r = allocate([CUTTER, BENDER, BOTH], [line], 4, NO_FAIRNESS, transport=transport)
    assert r.placements[0].shop == "一貫" and r.placements[0].late_periods == 0
    # Due in period 3, the split is on time and ¥500 cheaper.
    line = bracket(due=3, cost=cost, splittable=True)
    r = allocate([CUTTER, BENDER, BOTH], [line], 4, NO_FAIRNESS, transport=transport)
    assert [s[1] for s in r.placements[0].stages] == ["切断", "曲げ"]
    assert r.placements[0].late_periods == 0


def laser_shop(sid: str, share: float = 0.0) -> Shop:
    return Shop(
        sid,
        frozenset({"laser"}),
        frozenset({"SPCC"}),
        (0.5, 6),
        (3000, 1500),
        {"laser": (100,)},
        min_share=share,
    )


def cut(lid: str, costs: dict[str, float], hours: float = 4.0) -> Line:
    return Line(
        lid, ("laser",), "SPCC", 1.6, (100, 100), 0, costs, {s: {"laser": hours} for s in costs}
    )


def test_a_minimum_share_keeps_a_dearer_member_in_work():  # type: ignore[no-untyped-def]
    lines = [cut(f"L{i}", {"A": 1000.0, "B": 1100.0}) for i in range(4)]  # 16 h in all
    r = allocate([laser_shop("A"), laser_shop("B")], lines, 1, NO_FAIRNESS)
    assert [p.shop for p in r.placements] == ["A"] * 4  # cheaper everywhere
    # B must keep 25 % of 16 h = 4 h: exactly one line moves to it, no more.
    r = allocate([laser_shop("A"), laser_shop("B", 0.25)], lines, 1, NO_FAIRNESS)
    assert sorted(p.shop for p in r.placements) == ["A", "A", "A", "B"]
    assert r.explanation == ()


def test_a_share_no_plan_can_meet_is_said_and_planned_as_near_as_possible():  # type: ignore[no-untyped-def]
    lines = [cut("L1", {"A": 1000.0, "B": 1100.0}), cut("L2", {"A": 1000.0})]  # B can make 4 of 8 h
    r = allocate([laser_shop("A"), laser_shop("B", 0.75)], lines, 1, NO_FAIRNESS)
    assert r.status == "optimal"
    assert (
        r.explanation[0]
        == "minimum share: B needs 6.0 h of the group's 8.0 h, but can make only 4.0 h of it"
    )
    assert "minimum share: B has 4.0 h, under its floor of 6.0 h" in r.explanation[1]
    assert {p.line: p.shop for p in r.placements} == {"L1": "B", "L2": "A"}


def test_a_re_plan_keeps_lines_where_they_were_unless_moving_pays():  # type: ignore[no-untyped-def]
    lines = [cut(f"L{i}", {"A": 1000.0, "B": 1050.0}) for i in range(3)]
    first = allocate([laser_shop("A"), laser_shop("B")], lines, 1, NO_FAIRNESS)
    assert [p.shop for p in first.placements] == ["A"] * 3
    # A's quotes rise by ¥100: B is now ¥50 cheaper per line.
    dearer = [cut(f"L{i}", {"A": 1100.0, "B": 1050.0}) for i in range(3)]
    free = allocate(
        [laser_shop("A"), laser_shop("B")], dearer, 1, NO_FAIRNESS, previous=first.placements
    )
    assert [p.shop for p in free.placements] == ["B"] * 3 and free.moved == 3
    sticky = Weights(fairness_per_hour=0, move_per_stage=80.0)  # a move costs more than ¥50
    kept = allocate(
        [laser_shop("A"), laser_shop("B")], dearer, 1, sticky, previous=first.placements
    )
    assert [p.shop for p in kept.placements] == ["A"] * 3 and kept.moved == 0


def test_checker_catches_split_violations():  # type: ignore[no-untyped-def]
    transport = {("切断", "曲げ"): Transport(1, 300.0)}
    line = bracket(splittable=True)
    shops = [CUTTER, BENDER]

    def placed(*stages):  # type: ignore[no-untyped-def]
        return [Placement("L1", stages[0][1], stages[-1][2], 0, 0, "", None, tuple(stages))]

    check_allocation(
        shops, [line], 4, placed((("laser",), "切断", 0), (("bend",), "曲げ", 1)), transport
    )
    with pytest.raises(InfeasibleSolution):  # bent before the truck arrives
        check_allocation(
            shops, [line], 4, placed((("laser",), "切断", 0), (("bend",), "曲げ", 0)), transport
        )
    with pytest.raises(InfeasibleSolution):  # no transport the other way
        check_allocation(
            shops, [line], 4, placed((("laser",), "切断", 1), (("bend",), "曲げ", 2)), {}
        )
    with pytest.raises(InfeasibleSolution):  # processes out of order
        check_allocation(
            shops, [line], 4, placed((("bend",), "曲げ", 0), (("laser",), "切断", 1)), transport
        )


# --- machines -------------------------------------------------------------------------


def test_an_operation_in_another_shop_waits_for_the_truck():  # type: ignore[no-untyped-def]
    # Cut 10 min on C1 (shop A); bend on B1 (shop B, 10 min) or A2 (shop A, 25 min).
    # By hand: via B the bend ends at 10 + 30 + 10 = 50; staying in A it ends at 35.
    job = Job("J", ((("C1", 10),), (("B1", 10), ("A2", 25))))
    shop_of = {"C1": "A", "A2": "A", "B1": "B"}
    r = schedule([job], shop_of=shop_of, transport={("A", "B"): 30})
    assert r.makespan == 35 and r.slots[1].machine == "A2"
    r = schedule([job], shop_of=shop_of, transport={("A", "B"): 5})
    assert r.makespan == 25 and r.slots[1].machine == "B1"  # 10 + 5 + 10
    late = [Slot("J", 0, "C1", 0, 10), Slot("J", 1, "B1", 20, 30)]  # only 10 min on the road
    with pytest.raises(InfeasibleSolution):
        check([job], {}, late, shop_of=shop_of, transport={("A", "B"): 30})


def test_a_working_calendar_keeps_operations_inside_shifts():  # type: ignore[no-untyped-def]
    # Shift 08:00–17:00 (480–1020), Monday to Friday. Two 300-min operations released at
    # midnight: the first runs 480–780; the second would end at 1080, past 17:00, so it
    # waits for the next morning: 1440 + 480 = 1920 to 2220.
    days = 7
    closed = closed_outside(shifts(days, 480, 1020), days * 1440)
    assert closed[:2] == [(0, 480), (1020, 1920)]
    job = Job("J", ((("M", 300),), (("M", 300),)))
    r = schedule([job], {"M": closed})
    assert [(s.start, s.end) for s in r.slots] == [(480, 780), (1920, 2220)]
    # Friday's shift ends at 4·1440 + 1020; the weekend is closed until Monday 08:00.
    assert (4 * 1440 + 1020, 7 * 1440) in closed


def test_the_allocation_becomes_machine_jobs_in_the_shops_it_chose():  # type: ignore[no-untyped-def]
    transport = {("切断", "曲げ"): Transport(1, 300.0)}
    lines = [bracket("L1", splittable=True), bracket("L2", splittable=True)]
    plan = allocate([CUTTER, BENDER], lines, 4, NO_FAIRNESS, transport=transport)
    machines = [
        Machine("LASER-1", "切断", "laser"),
        Machine("LASER-2", "切断", "laser", speed=2.0),
        Machine("BRAKE-1", "曲げ", "bend"),
    ]
    jobs, shop_of = jobs_from_allocation(plan.placements, lines, machines, period_minutes=480)
    by_id = {j.id: j for j in jobs}
    # 1 h of laser: 60 min on LASER-1, 30 on the twice-as-fast LASER-2; 60 on the brake.
    assert by_id["L1"].ops == ((("LASER-1", 60), ("LASER-2", 30)), (("BRAKE-1", 60),))
    assert by_id["L1"].due == (3 + 1) * 480
    r = schedule(jobs, shop_of=shop_of, transport={("切断", "曲げ"): 120})
    assert r.status == "optimal"
    for s in r.slots:
        assert shop_of[s.machine] == ("切断" if s.op == 0 else "曲げ")
    with pytest.raises(ValueError, match="曲げ has no machine for bend"):
        jobs_from_allocation(plan.placements, lines, machines[:2], 480)
