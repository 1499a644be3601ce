"""The flexible job shop's tabu search (scheduling/fjsp_search.py), on cases solved by
hand and on random instances against the independent checker. Steps are counted
(`max_steps`), never timed: the results do not depend on the machine's load."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from scheduling.fjsp import check_schedule, dispatch
from scheduling.fjsp_search import _orders, improve
from scheduling.instances import FjspInstance

FOREVER = math.inf  # the deadline: the step count ends every search here


def makespan(schedule):  # type: ignore[no-untyped-def]
    return max(e for *_, e in schedule)


def test_moving_an_operation_to_its_other_machine_shortens_the_plan():  # type: ignore[no-untyped-def]
    """By hand. Job 0: op 0 on M0 (3) or M1 (3), then op 1 on M0 (2). Job 1: op 0 on M0
    (2). The start has everything on M0: 0–3, 3–5 (job 1), 5–7, so 7. Moving job 0's
    first operation to M1 (0–3) lets job 1 run on M0 at 0–2 and job 0's second at 3–5:
    5, the optimum (job 0's chain alone is 5)."""
    inst = FjspInstance("hand", 2, ((((0, 3), (1, 3)), ((0, 2),)), (((0, 2),),)))
    start = ((0, 0, 0, 0, 3), (1, 0, 0, 3, 5), (0, 1, 0, 5, 7))
    check_schedule(inst, start, 7)
    found = improve(inst, start, FOREVER, max_steps=50)
    check_schedule(inst, found, makespan(found))
    assert makespan(found) == 5
    assert {(j, o): m for j, o, m, _, _ in found}[0, 0] == 1


def test_swapping_a_critical_block_shortens_a_job_shop():  # type: ignore[no-untyped-def]
    """By hand, no choice of machine. Job 0: M0 (5) then M1 (1); job 1: M0 (1) then M1
    (5). Job 0 first on M0: 0–5, job 1 5–6 and on M1 6–11, so 11; the critical block
    on M0 is both operations. Swapped: job 1 on M0 0–1 and M1 1–6, job 0 on M0 1–6 and
    M1 6–7: 7, the optimum (M0's work, 6, plus job 0's last operation)."""
    inst = FjspInstance("swap", 2, ((((0, 5),), ((1, 1),)), (((0, 1),), ((1, 5),))))
    start = ((0, 0, 0, 0, 5), (0, 1, 1, 5, 6), (1, 0, 0, 5, 6), (1, 1, 1, 6, 11))
    check_schedule(inst, start, 11)
    found = improve(inst, start, FOREVER, max_steps=50)
    check_schedule(inst, found, makespan(found))
    assert makespan(found) == 7


def test_a_plan_with_nothing_to_move_comes_back_as_it_was():  # type: ignore[no-untyped-def]
    """One job of two operations, one machine each: the only schedule."""
    inst = FjspInstance("chain", 2, ((((0, 4),), ((1, 3),)),))
    start = ((0, 0, 0, 0, 4), (0, 1, 1, 4, 7))
    assert improve(inst, start, FOREVER, max_steps=10) == start


@st.composite
def instances(draw):  # type: ignore[no-untyped-def]
    machines = draw(st.integers(1, 4))
    jobs = []
    for _ in range(draw(st.integers(1, 5))):
        ops = []
        for _ in range(draw(st.integers(1, 4))):
            eligible = draw(st.lists(st.integers(0, machines - 1), min_size=1, unique=True))
            ops.append(tuple((m, draw(st.integers(1, 9))) for m in eligible))
        jobs.append(tuple(ops))
    return FjspInstance("drawn", machines, tuple(jobs))


@settings(max_examples=80, deadline=None)
@given(inst=instances(), seed=st.integers(0, 5), steps=st.integers(1, 60))
def test_the_search_keeps_every_schedule_valid_and_never_longer(inst, seed, steps):  # type: ignore[no-untyped-def]
    """On random instances: what the search returns passes the independent checker (the
    schedule it builds from its orders, on any instance, after any number of steps), and
    it is never longer than the dispatcher's schedule it started from (the search's
    promise to its caller, kept by returning the start when it found nothing better)."""
    start = dispatch(inst)
    found = improve(inst, start, FOREVER, seed=seed, max_steps=steps)
    check_schedule(inst, found, makespan(found))
    assert makespan(found) <= makespan(start)


def _longest_paths(n, dur, arcs, skip):  # type: ignore[no-untyped-def]
    """Heads, tails and makespan of a graph given as arcs, by relaxing every arc n
    times (Bellman-Ford on the longest path): slow, and nothing like the search's own
    pass over a topological order."""
    head, tail = [0] * n, [0] * n
    for _ in range(n):
        for a, b in arcs:
            head[b] = max(head[b], head[a] + dur[a])
            tail[a] = max(tail[a], dur[b] + tail[b])
    return head, tail, max((head[i] + dur[i] for i in range(n) if i != skip), default=0)


@settings(max_examples=60, deadline=None)
@given(inst=instances(), pick=st.integers(0, 10**6))
def test_taking_an_operation_out_times_the_rest_as_a_graph_built_without_it(inst, pick):  # type: ignore[no-untyped-def]
    """`_without` updates only what follows (heads) or precedes (tails) the operation in
    the topological order. Against the longest paths of the graph built again without
    it (its machine neighbours joined, its job arcs cut), on random instances."""
    from scheduling.fjsp_search import _Shop, _times, _without

    shop = _Shop(inst)
    machine, seq = _orders(shop, dispatch(inst))
    timed = _times(shop, machine, seq)
    assert timed is not None
    v = pick % shop.n
    rest = {m: [i for i in s if i != v] for m, s in seq.items()}
    arcs = [(a, b) for s in rest.values() for a, b in zip(s, s[1:], strict=False)]
    arcs += [
        (shop.job_pred[i], i)
        for i in range(shop.n)
        if shop.job_pred[i] >= 0 and v not in (i, shop.job_pred[i])
    ]
    head, tail, makespan = _without(shop, timed, v)
    want_head, want_tail, want_makespan = _longest_paths(shop.n, timed.dur, arcs, v)
    assert makespan == want_makespan
    assert [h for i, h in enumerate(head) if i != v] == [
        h for i, h in enumerate(want_head) if i != v
    ]
    assert [t for i, t in enumerate(tail) if i != v] == [
        t for i, t in enumerate(want_tail) if i != v
    ]


@settings(max_examples=60, deadline=None)
@given(inst=instances(), pick=st.integers(0, 10**6))
def test_every_place_estimated_is_a_schedule_and_its_makespan_is_bracketed(inst, pick):  # type: ignore[no-untyped-def]
    """Each place `_estimates` offers for an operation, made and timed in full: no
    cycle (the places that could close one are left out), and a makespan at least the
    chain through the operation (that chain is exact) and at most the estimate (the
    larger of that chain and the makespan without the operation)."""
    from scheduling.fjsp_search import _apply, _estimates, _Shop, _times

    shop = _Shop(inst)
    machine, seq = _orders(shop, dispatch(inst))
    timed = _times(shop, machine, seq)
    assert timed is not None
    v = pick % shop.n
    for estimate, through, move in _estimates(shop, machine, seq, timed, v):
        after = _times(shop, *_apply(machine, seq, move))
        assert after is not None, move
        assert through <= after.makespan <= estimate


def test_an_operation_is_offered_every_free_place_on_every_machine():  # type: ignore[no-untyped-def]
    """By hand. Job 0: one operation on M0 (2) or M1 (3); job 1: one operation on M1
    (4). Start: job 0 on M0, job 1 on M1. Job 0's places: M1 before job 1 (3 + 4 = 7)
    or after it (4 + 3 = 7); without job 0 the makespan is 4. Not offered: where it is
    now."""
    from scheduling.fjsp_search import _estimates, _Shop, _times

    inst = FjspInstance("places", 2, ((((0, 2), (1, 3)),), (((1, 4),),)))
    shop = _Shop(inst)
    machine, seq = _orders(shop, ((0, 0, 0, 0, 2), (1, 0, 1, 0, 4)))
    timed = _times(shop, machine, seq)
    assert timed is not None
    assert sorted(_estimates(shop, machine, seq, timed, 0)) == [
        (7, 7, (0, 1, 0)),
        (7, 7, (0, 1, 1)),
    ]
