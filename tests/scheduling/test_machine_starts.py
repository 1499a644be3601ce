"""Plans mended around a breakdown without a solver, the local search on them, and the
part of a plan a change can reach, on cases solved by hand (the properties over random
plans are with the list schedule's, in test_machines.py)."""

from __future__ import annotations

from scheduling.machine_plan import Job, Slot, check
from scheduling.machine_search import improve, latest_gap
from scheduling.machine_starts import (
    Replan,
    _booked,
    balanced,
    cone,
    mend_by_priority,
    repair,
    replan_objective,
)
from scheduling.machines import components, schedule

# J1 is one operation on A; J2 is A, then B twice. The old plan runs J1 0–10 and J2 10–20
# on A, then J2 20–30 and 30–40 on B. A is down 0–5.
JOBS = [
    Job("J1", ((("A", 10),),)),
    Job("J2", ((("A", 10),), (("B", 10),), (("B", 10),))),
]
OLD = {
    ("J1", 0): Slot("J1", 0, "A", 0, 10),
    ("J2", 0): Slot("J2", 0, "A", 10, 20),
    ("J2", 1): Slot("J2", 1, "B", 20, 30),
    ("J2", 2): Slot("J2", 2, "B", 30, 40),
}
DOWN = {"A": [(0, 5)]}

# J1 is one operation on A; J2 is A, then B three times. The old plan runs J1 10–20 and
# J2 20–30 on A, then J2's others back to back on B until 60.
GAP_JOBS = [
    Job("J1", ((("A", 10),),)),
    Job("J2", ((("A", 10),), (("B", 10),), (("B", 10),), (("B", 10),))),
]
GAP_OLD = {
    ("J1", 0): Slot("J1", 0, "A", 10, 20),
    ("J2", 0): Slot("J2", 0, "A", 20, 30),
    ("J2", 1): Slot("J2", 1, "B", 30, 40),
    ("J2", 2): Slot("J2", 2, "B", 40, 50),
    ("J2", 3): Slot("J2", 3, "B", 50, 60),
}


def by_key(slots):  # type: ignore[no-untyped-def]
    return {(s.job, s.op): (s.machine, s.start, s.end) for s in slots}


def test_the_old_order_pushes_everything_behind_the_breakdown():  # type: ignore[no-untyped-def]
    """In the old order J1 goes first, 5–15; J2 follows on A 15–25 and on B 25–35,
    35–45. Every operation moves 5: 20 minutes moved, makespan 45, objective 65."""
    mended = repair(JOBS, DOWN, OLD, {}, now=0)
    assert by_key(mended) == {
        ("J1", 0): ("A", 5, 15),
        ("J2", 0): ("A", 15, 25),
        ("J2", 1): ("B", 25, 35),
        ("J2", 2): ("B", 35, 45),
    }
    assert replan_objective(JOBS, mended, OLD, {}, 1, 1) == 45 + 20


def test_work_with_more_still_to_come_goes_first():  # type: ignore[no-untyped-def]
    """By the priority mend, at t = 5 J1 (one operation left, 10 long) and J2 (three
    left, 10 long, but not before its old start 10) compete for A. Mean duration 10;
    with a lookahead of 1, J2's rate is 3/10 · e^(−(10−5)/10) = 0.18 against J1's
    1/10 = 0.10: J2 keeps its place and all of B, and J1 waits to 20–30. One operation
    moves 20 minutes, makespan 40, objective 60 — cheaper than the old order's 65. With
    a short lookahead (0.05) J2's wait weighs e^(−10) and the old order comes back."""
    mended = mend_by_priority(JOBS, DOWN, OLD, {}, now=0, lookahead=1.0)
    assert by_key(mended) == {
        ("J1", 0): ("A", 20, 30),
        ("J2", 0): ("A", 10, 20),
        ("J2", 1): ("B", 20, 30),
        ("J2", 2): ("B", 30, 40),
    }
    assert replan_objective(JOBS, mended, OLD, {}, 1, 1) == 40 + 20
    short = mend_by_priority(JOBS, DOWN, OLD, {}, now=0, lookahead=0.05)
    assert by_key(short) == by_key(repair(JOBS, DOWN, OLD, {}, now=0))


def test_the_replan_is_no_worse_than_its_best_mend():  # type: ignore[no-untyped-def]
    """The solver starts from the cheapest mend and may only improve it; here the
    optimum is the priority mend's 60. By hand: J1 cannot start before 5, and A is
    busy with J2 until 20 unless J2 moves. J1 at 20–30 moves 20, makespan 40: 60.
    J2 first at 5–15 (moves 5), J1 15–25 (15), B kept (0): 20 + 40 = 60. Moving B's
    work earlier too (5 + 5) shortens the makespan by 5 only: 65. J1 first at 5–15
    pushes all of J2 by 5: 20 + 45 = 65."""
    r = schedule(JOBS, DOWN, previous=list(OLD.values()), now=0, time_limit_s=5)
    assert r.objective == 60
    check(JOBS, DOWN, r.slots)


def test_a_replan_too_short_for_the_solver_is_the_searched_mend():  # type: ignore[no-untyped-def]
    """Half a second leaves the solver less than it needs to load a model: the answer is
    the local search's plan, checked, not proven (no bound) — and here the search finds
    the optimum of 60 worked out above (its first steps need a few timings of four
    operations)."""
    r = schedule(JOBS, DOWN, previous=list(OLD.values()), now=0, time_limit_s=0.5)
    check(JOBS, DOWN, r.slots)
    assert (r.status, r.objective, r.bound) == ("feasible", 60, None)
    assert r.makespan == 40 and r.moved == 2


def test_the_cone_stops_at_what_shares_no_machine_and_no_job():  # type: ignore[no-untyped-def]
    """A second shop (C, D) runs J3 and J4. A breakdown on A reaches J1 and J2 (the
    mend moves J1; J2 shares A with it, and its later operations are on B), never J3
    or J4: a re-plan keeps them exactly where they were."""
    jobs = [*JOBS, Job("J3", ((("C", 7),), (("D", 5),))), Job("J4", ((("D", 4),),))]
    old = {
        **OLD,
        ("J3", 0): Slot("J3", 0, "C", 0, 7),
        ("J3", 1): Slot("J3", 1, "D", 7, 12),
        ("J4", 0): Slot("J4", 0, "D", 0, 4),
    }
    mended = repair(jobs, DOWN, old, {}, now=0)
    assert cone(jobs, old, {}, mended) == {("J1", 0), ("J2", 0), ("J2", 1), ("J2", 2)}
    r = schedule(jobs, DOWN, previous=list(old.values()), now=0, time_limit_s=5)
    after = by_key(r.slots)
    for key in (("J3", 0), ("J3", 1), ("J4", 0)):
        assert after[key] == (old[key].machine, old[key].start, old[key].end)


def test_a_change_that_moves_nothing_has_an_empty_cone():  # type: ignore[no-untyped-def]
    """A breakdown where nothing was planned: every operation can stay."""
    mended = repair(JOBS, {"A": [(50, 60)]}, OLD, {}, now=0)
    assert by_key(mended) == by_key(OLD.values())
    assert cone(JOBS, OLD, {}, mended) == set()


def test_jobs_that_share_no_machine_are_planned_as_groups():  # type: ignore[no-untyped-def]
    """Shop 1 (machine M): J1 takes 5, due 5; J2 takes 3, due 3 — J2 first, J1 ends 8,
    3 late. Shop 2 (machine N): J3 takes 4. Two groups, each solved alone; together the
    lateness is 3 and the makespan 8: objective 11, and no group's bound passes it.
    A job with one operation in each shop joins the two groups into one."""
    jobs = [
        Job("J1", ((("M", 5),),), due=5),
        Job("J2", ((("M", 3),),), due=3),
        Job("J3", ((("N", 4),),)),
    ]
    assert sorted(sorted(j.id for j in g) for g in components(jobs)) == [["J1", "J2"], ["J3"]]
    r = schedule(jobs, time_limit_s=5)
    assert by_key(r.slots) == {
        ("J2", 0): ("M", 0, 3),
        ("J1", 0): ("M", 3, 8),
        ("J3", 0): ("N", 0, 4),
    }
    assert (r.objective, r.makespan, dict(r.tardiness)) == (11, 8, {"J1": 3, "J2": 0})
    assert r.bound is not None and r.bound <= 11
    bridge = Job("J4", ((("M", 1),), (("N", 1),)))
    assert len(components([*jobs, bridge])) == 1


def test_balanced_gives_each_operation_the_machine_that_evens_the_load():  # type: ignore[no-untyped-def]
    """J1 must use A (10). Then the longest flexible operation first: J2 (6 on A or B)
    goes to B (load 6 against 16 on A); J3 (4 on A, 5 on B) to B as well (11 against
    14). The busiest machine carries 11; J3 on A would have made it 14."""
    jobs = [
        Job("J1", ((("A", 10),),)),
        Job("J2", ((("A", 6), ("B", 6)),)),
        Job("J3", ((("A", 4), ("B", 5)),)),
    ]
    assert [j.ops for j in balanced(jobs)] == [
        ((("A", 10),),),
        ((("B", 6),),),
        ((("B", 5),),),
    ]


def test_slots_of_jobs_taken_out_since_are_left_behind():  # type: ignore[no-untyped-def]
    """The old plan still holds GONE (withdrawn while it ran) and an operation J2 no
    longer has. At t = 12, J2's first operation has started (10–20) and stays; J1's
    (0–10) was cut by A's downtime 2–4 and is done again when A is free, 20–30."""
    jobs = [Job("J1", ((("A", 10),),)), Job("J2", ((("A", 10),), (("B", 5),)))]
    old = [
        Slot("J1", 0, "A", 0, 10),
        Slot("J2", 0, "A", 10, 20),
        Slot("J2", 1, "B", 20, 25),
        Slot("GONE", 0, "A", 5, 9),
        Slot("J2", 5, "B", 40, 45),
    ]
    r = schedule(jobs, {"A": [(2, 4)]}, previous=old, now=12, time_limit_s=5)
    assert by_key(r.slots) == {
        ("J1", 0): ("A", 20, 30),
        ("J2", 0): ("A", 10, 20),
        ("J2", 1): ("B", 20, 25),
    }


def test_latest_gap_walks_back_over_what_is_in_the_way():  # type: ignore[no-untyped-def]
    """Spans 20–30 and 32–40; 5 minutes wanted by 35 at the latest: 35–40 and 30–35
    cross the second span and 27 crosses the first, so 15–20. With a floor of 18 (a
    start known to fit) the floor."""
    spans = [(20, 30), (32, 40)]
    assert latest_gap(spans, 35, 5, 0) == 15
    assert latest_gap(spans, 35, 5, 18) == 18
    assert latest_gap(spans, 50, 5, 0) == 50  # past every span
    assert latest_gap(spans, 31, 2, 0) == 30  # 30–32 fits between them
    assert latest_gap(spans, 26, 2, 0) == 18  # 26–28 is inside the first: 18–20


def test_the_search_swaps_what_the_old_order_keeps():  # type: ignore[no-untyped-def]
    """The old order mended costs 65 (J1 5–15, all of J2 pushed by 5). Swapping J1 and
    J2 on A, and timing each as close to its old start as the work after it allows:
    J2 5–15 (moves 5), J1 15–25 (moves 15), B as it was: 20 moved, makespan 40, 60 —
    the optimum worked out in test_machine_starts."""
    down = {"A": [(0, 5)]}
    mended = repair(JOBS, down, OLD, {}, now=0)
    assert replan_objective(JOBS, mended, OLD, {}, 1, 1) == 65
    better = improve(Replan(JOBS, down, OLD, {}, {}, 0), mended, float("inf"), max_steps=100)
    check(JOBS, down, better)
    assert replan_objective(JOBS, better, OLD, {}, 1, 1) == 60


def test_work_is_pulled_back_into_the_gap_before_a_new_stop():  # type: ignore[no-untyped-def]
    """A stops 25–30 (new). J2's first operation (old 20–30) no longer fits; the mend,
    which never starts work before its old start, puts it at 30–40 and pushes B's three
    operations by 10: 40 moved, makespan 70, 110. Started earlier instead, J2 ends
    by 25 at 15–25 (moves 5) if J1 (old 10–20) runs 5–15 (moves 5): 10 moved, B as it
    was, makespan 60, 70. No cheaper plan: J2 at 15 needs J1 to start by 5, and each
    minute earlier for J2 is a minute more for both."""
    jobs, old = GAP_JOBS, GAP_OLD
    down = {"A": [(25, 30)]}
    mended = repair(jobs, down, old, {}, now=0)
    assert replan_objective(jobs, mended, old, {}, 1, 1) == 110
    better = improve(Replan(jobs, down, old, {}, {}, 0), mended, float("inf"), max_steps=100)
    check(jobs, down, better)
    assert by_key(better) == {
        ("J1", 0): ("A", 5, 15),
        ("J2", 0): ("A", 15, 25),
        ("J2", 1): ("B", 30, 40),
        ("J2", 2): ("B", 40, 50),
        ("J2", 3): ("B", 50, 60),
    }
    assert replan_objective(jobs, better, old, {}, 1, 1) == 70


def test_held_work_stays_and_a_plan_with_nothing_loose_comes_back():  # type: ignore[no-untyped-def]
    """J2's first operation has started (held); the search may only re-time the rest,
    and held work is returned exactly. With everything held there is nothing to do."""
    down = {"A": [(0, 5)]}
    held = {("J2", 0): OLD["J2", 0]}
    mended = repair(JOBS, down, OLD, held, now=0)
    problem = Replan(JOBS, down, OLD, held, held, 0)
    better = improve(problem, mended, float("inf"), max_steps=100)
    check(JOBS, down, better, held)
    assert by_key(better)["J2", 0] == ("A", 10, 20)
    assert replan_objective(JOBS, better, OLD, held, 1, 1) <= replan_objective(
        JOBS, mended, OLD, held, 1, 1
    )
    everything = dict(OLD)
    problem = Replan(JOBS, {}, OLD, everything, everything, 0)
    assert improve(problem, list(OLD.values()), 0.0) == list(OLD.values())


def test_held_work_running_into_a_closed_hour_leaves_spans_that_never_overlap():  # type: ignore[no-untyped-def]
    """A delay reported on the floor: J1's started work on A runs 0–30 across A's closed
    hour 10–20. The spans a mend and the search walk are merged (0–30, then 40–50): both
    walks assume spans that never overlap, and walking back over 0–30, 10–20 stops at
    the closed hour's end and misses the held work that covers it."""
    held = {("J1", 0): Slot("J1", 0, "A", 0, 30)}
    spans = _booked({"A": [(10, 20), (40, 50)]}, held)
    assert spans == {"A": [(0, 30), (40, 50)]}
