"""CP-SAT windows over a re-plan (`machine_windows`): on cases solved by hand a window
that holds every operation finds the optimum, and over random plans every window's
plan passes the independent checker and never costs more than the plan it was given.
Each window here gets the solver for 10 s, far more than these few operations need, so
no outcome depends on how busy the machine is."""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from scheduling.machine_plan import check
from scheduling.machine_starts import Replan, mend_by_priority, repair, replan_objective
from scheduling.machine_windows import refine, search_and_refine

from .test_machine_starts import DOWN, GAP_JOBS, GAP_OLD, JOBS, OLD, by_key
from .test_machines import draw_breakdown, draw_jobs

ROOMY_S = 10.0


def test_a_window_over_everything_finds_the_swap_the_old_order_keeps():  # type: ignore[no-untyped-def]
    """The old order mended costs 65; the optimum is 60 (J2 first on A, worked out in
    test_machine_starts; J2 at 5 and J1 at 15, or J2 as it was and J1 at 20, both move
    20 minutes), and one window holds all four operations."""
    mended = repair(JOBS, DOWN, OLD, {}, now=0)
    assert replan_objective(JOBS, mended, OLD, {}, 1, 1) == 65
    problem = Replan(JOBS, DOWN, OLD, {}, {}, 0)
    better = refine(problem, mended, float("inf"), max_windows=1, window_s=ROOMY_S)
    check(JOBS, DOWN, better)
    assert replan_objective(JOBS, better, OLD, {}, 1, 1) == 60
    # Every plan at 60 runs J2 first on A (J2 at 5 or 10, J1 right after it: 20 moved).
    on_a = by_key(better)
    assert on_a["J2", 0][1] < on_a["J1", 0][1]


def test_a_window_pulls_work_back_into_the_gap_before_a_new_stop():  # type: ignore[no-untyped-def]
    """A stops 25–30: the mend's 110 against the optimum 70 (J1 5–15, J2 15–25, B as it
    was), argued in test_machine_starts."""
    jobs, old = GAP_JOBS, GAP_OLD
    down = {"A": [(25, 30)]}
    mended = repair(jobs, down, old, {}, now=0)
    problem = Replan(jobs, down, old, {}, {}, 0)
    better = refine(problem, mended, float("inf"), max_windows=1, window_s=ROOMY_S)
    check(jobs, down, better)
    assert replan_objective(jobs, better, old, {}, 1, 1) == 70
    assert by_key(better)["J1", 0] == ("A", 5, 15)
    assert by_key(better)["J2", 0] == ("A", 15, 25)


def test_a_window_moves_no_held_work_and_a_plan_with_nothing_loose_comes_back():  # type: ignore[no-untyped-def]
    """J2's first operation has started: with it held, J1 can only follow it (20–30,
    moves 20, the rest as it was: 60), which is what the window must find."""
    held = {("J2", 0): OLD["J2", 0]}
    mended = repair(JOBS, DOWN, OLD, held, now=0)
    problem = Replan(JOBS, DOWN, OLD, held, held, 0)
    better = refine(problem, mended, float("inf"), max_windows=3, window_s=ROOMY_S)
    check(JOBS, DOWN, better, held)
    assert by_key(better)["J2", 0] == ("A", 10, 20)
    assert by_key(better)["J1", 0] == ("A", 20, 30)
    everything = dict(OLD)
    problem = Replan(JOBS, {}, OLD, everything, everything, 0)
    assert refine(problem, list(OLD.values()), 0.0) == list(OLD.values())


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_windows_are_feasible_keep_started_work_and_never_cost_more(data):  # type: ignore[no-untyped-def]
    """Random plans, a breakdown at a random time, transport between shops, random
    window sizes: the windows' plan passes the independent checker with the started
    work held, places every operation, starts nothing before now, and ends no costlier
    than the mend it was given."""
    jobs, shop_of, transport = draw_jobs(data)
    old, now, down, frozen = draw_breakdown(data, jobs, shop_of, transport)
    mended = mend_by_priority(jobs, down, old, frozen, now, shop_of, transport, 0.25)
    better = refine(
        Replan(jobs, down, old, frozen, frozen, now, 1, 1, shop_of, transport),
        mended,
        float("inf"),
        seed=data.draw(st.integers(0, 3)),
        max_windows=data.draw(st.integers(1, 4)),
        window_s=ROOMY_S,
    )
    assert len(better) == len(old)
    check(jobs, down, better, frozen, shop_of, transport)
    assert all(s.start >= now for s in better if (s.job, s.op) not in frozen)
    assert replan_objective(jobs, better, old, frozen, 1, 1) <= replan_objective(
        jobs, mended, old, frozen, 1, 1
    )


def test_search_and_windows_in_turns_reach_the_optimum_of_a_hand_case():  # type: ignore[no-untyped-def]
    """The turns end on a plan no dearer than either alone could give: here the
    optimum, 60, whatever share of a short budget each turn takes."""
    mended = repair(JOBS, DOWN, OLD, {}, now=0)
    problem = Replan(JOBS, DOWN, OLD, {}, {}, 0)
    better = search_and_refine(problem, mended, time.perf_counter() + 0.5)
    check(JOBS, DOWN, better)
    assert replan_objective(JOBS, better, OLD, {}, 1, 1) == 60
