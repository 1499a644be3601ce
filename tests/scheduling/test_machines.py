"""Machine schedules with due dates, downtime and re-planning, on cases solved by hand."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduling.machine_search import improve
from scheduling.machine_starts import (
    Replan,
    cone,
    list_schedules,
    mend_by_priority,
    objective_of,
    repair,
    replan_objective,
)
from scheduling.machines import Job, Slot, check, dispatch, list_schedule, schedule
from scheduling.solver import InfeasibleSolution


def slots_by_job(result):  # type: ignore[no-untyped-def]
    return {(s.job, s.op): (s.machine, s.start, s.end) for s in result.slots}


def test_due_dates_order_the_machine():  # type: ignore[no-untyped-def]
    """One machine. J1 takes 5, due 5; J2 takes 3, due 3. J2 first: J1 ends 8, 3 late.
    J1 first: J2 ends 8, 5 late. So J2 goes first."""
    jobs = [Job("J1", ((("M", 5),),), due=5), Job("J2", ((("M", 3),),), due=3)]
    r = schedule(jobs, time_limit_s=5)
    assert r.status == "optimal"
    assert slots_by_job(r) == {("J2", 0): ("M", 0, 3), ("J1", 0): ("M", 3, 8)}
    assert dict(r.tardiness) == {"J1": 3, "J2": 0}


def test_downtime_sends_work_to_the_other_machine():  # type: ignore[no-untyped-def]
    """M is down 2–6: the job (3 on M, 5 on N) would end at 9 on M, at 5 on N."""
    r = schedule([Job("J", ((("M", 3), ("N", 5)),))], {"M": [(2, 6)]}, time_limit_s=5)
    assert slots_by_job(r) == {("J", 0): ("N", 0, 5)}


def test_release_time_is_respected():  # type: ignore[no-untyped-def]
    r = schedule([Job("J", ((("M", 2),), (("M", 2),)), release=7)], time_limit_s=5)
    assert slots_by_job(r) == {("J", 0): ("M", 7, 9), ("J", 1): ("M", 9, 11)}


def test_replanning_after_a_breakdown_keeps_what_started_and_moves_little():  # type: ignore[no-untyped-def]
    jobs = [Job(f"J{i}", ((("M", 4), ("N", 6)), (("P", 2),)), due=20) for i in range(3)]
    first = schedule(jobs, time_limit_s=5)
    # At t = 3, machine M breaks down until 30.
    now = 3
    second = schedule(
        jobs, {"M": [(now, 30)]}, previous=first.slots, now=now, move_penalty=10, time_limit_s=5
    )
    assert second.status in {"optimal", "feasible"}
    started = {(s.job, s.op): s for s in first.slots if s.start < now}
    cut = {
        k for k, s in started.items() if s.machine == "M" and s.end > now
    }  # hit by the breakdown
    after = {(s.job, s.op): s for s in second.slots}
    assert started
    assert all(after[k] == s for k, s in started.items() if k not in cut)  # started work stays
    for k in cut:  # interrupted work is done again, from now on, not on the broken machine
        assert after[k].start >= now and not (after[k].machine == "M" and after[k].start < 30)
    for s in second.slots:
        if s.machine == "M" and (s.job, s.op) not in started:
            assert s.start >= 30  # nothing new on the broken machine
    assert second.moved <= len(first.slots) - len(started) + len(cut)


def test_a_pinned_operation_stays_where_a_person_put_it():  # type: ignore[no-untyped-def]
    """One machine, two jobs of 3, both due at 3. Someone pinned J1 at 10–13: unpinned,
    the solver would bring it back to the start (less tardiness, shorter makespan);
    pinned, it stays, and J2 goes first at 0–3. A downtime cutting through a pin frees
    it (the machine is not there then)."""
    jobs = [Job("J1", ((("M", 3),),), due=3), Job("J2", ((("M", 3),),), due=3)]
    previous = [Slot("J1", 0, "M", 10, 13), Slot("J2", 0, "M", 0, 3)]
    free = schedule(jobs, previous=previous, move_penalty=0, time_limit_s=5)
    assert slots_by_job(free)[("J1", 0)][1] < 10  # what the pin prevents
    kept = schedule(jobs, previous=previous, pinned={("J1", 0)}, move_penalty=0, time_limit_s=5)
    assert slots_by_job(kept) == {("J1", 0): ("M", 10, 13), ("J2", 0): ("M", 0, 3)}
    cut = schedule(jobs, {"M": [(11, 12)]}, previous=previous, pinned={("J1", 0)}, time_limit_s=5)
    assert not (10 <= slots_by_job(cut)[("J1", 0)][1] < 12)


def test_checker_catches_each_kind_of_violation():  # type: ignore[no-untyped-def]
    jobs = [Job("J", ((("M", 2),), (("N", 2),)), release=1)]
    good = [Slot("J", 0, "M", 1, 3), Slot("J", 1, "N", 3, 5)]
    check(jobs, {}, good)
    cases = [
        ([Slot("J", 0, "M", 0, 2), Slot("J", 1, "N", 3, 5)], {}, None),  # before release
        ([Slot("J", 0, "M", 1, 3), Slot("J", 1, "N", 2, 4)], {}, None),  # before predecessor
        ([Slot("J", 0, "N", 1, 3), Slot("J", 1, "N", 3, 5)], {}, None),  # not eligible
        (good, {"M": [(2, 4)]}, None),  # in downtime
        (good, {}, {("J", 0): Slot("J", 0, "M", 2, 4)}),  # a started operation moved
    ]
    for slots, down, frozen in cases:
        with pytest.raises(InfeasibleSolution):
            check(jobs, down, slots, frozen)


def test_the_dispatcher_fills_gaps_and_skips_overlapping_downtime():  # type: ignore[no-untyped-def]
    """By hand: J1 (due first) is released at 100 and takes M 100–130. J2, released at 0,
    fits before it (0–40) instead of queueing after it. Downtime 200–260 and 250–300
    overlap: J3's 60 minutes released at 180 cannot start before 300 (180–200 is too
    short)."""
    jobs = [
        Job("J1", ((("M", 30),),), release=100, due=130),
        Job("J2", ((("M", 40),),), release=0, due=500),
        Job("J3", ((("M", 60),),), release=180, due=600),
    ]
    slots = {s.job: (s.start, s.end) for s in dispatch(jobs, {"M": [(250, 300), (200, 260)]})}
    assert slots == {"J1": (100, 130), "J2": (0, 40), "J3": (300, 360)}


def test_overlapping_downtime_windows_are_one_closed_stretch():  # type: ignore[no-untyped-def]
    """A breakdown reported over a closed night overlaps the calendar's window: the
    machine is simply down for their union, and the job waits until it is open again."""
    jobs = [Job("J", ((("M", 30),),), release=0)]
    closed = [(0, 60), (100, 200)]
    breakdown = [(50, 150)]  # overlaps both
    result = schedule(jobs, {"M": closed + breakdown}, time_limit_s=5)
    assert result.status in {"optimal", "feasible"}
    (slot,) = result.slots
    assert slot.start == 200 and slot.end == 230  # the first open minute after 0-200


def test_the_list_schedule_interleaves_jobs_by_slack():  # type: ignore[no-untyped-def]
    """By hand, one machine M and a second machine N. J1 (due 100) is M 10 then N 50;
    J2 (due 30) is M 20. Both can start on M at 0. J2's slack is 30 − 20 = 10, J1's
    100 − 60 = 40: J2 goes first (M 0–20), then J1 (M 20–30, N 30–80). Booking whole
    jobs in due-date order gives the same here; the point is the order by slack."""
    jobs = [
        Job("J1", ((("M", 10),), (("N", 50),)), due=100),
        Job("J2", ((("M", 20),),), due=30),
    ]
    slots = {(s.job, s.op): (s.machine, s.start, s.end) for s in list_schedule(jobs, {})}
    assert slots == {("J2", 0): ("M", 0, 20), ("J1", 0): ("M", 20, 30), ("J1", 1): ("N", 30, 80)}


def test_a_horizon_puts_the_longest_chain_first_when_due_dates_are_lax():  # type: ignore[no-untyped-def]
    """By hand, as above but J2 is due at 45. By due dates: J2's slack 45 − 20 = 25,
    J1's 100 − 60 = 40, so J2 goes first (M 0–20), then J1 (M 20–30, N 30–80): the plan
    ends at 80. Capped at that end, J1's slack is 80 − 60 = 20 < 25: J1 goes first
    (M 0–10, N 10–60), J2 follows (M 10–30, on time for 45), and the plan ends at 60.
    `list_schedules` offers both, so the fresh plan's start costs 60, not 80."""
    jobs = [
        Job("J1", ((("M", 10),), (("N", 50),)), due=100),
        Job("J2", ((("M", 20),),), due=45),
    ]

    def slots(plan):  # type: ignore[no-untyped-def]
        return {(s.job, s.op): (s.machine, s.start, s.end) for s in plan}

    assert slots(list_schedule(jobs, {})) == {
        ("J2", 0): ("M", 0, 20),
        ("J1", 0): ("M", 20, 30),
        ("J1", 1): ("N", 30, 80),
    }
    assert slots(list_schedule(jobs, {}, horizon=80)) == {
        ("J1", 0): ("M", 0, 10),
        ("J1", 1): ("N", 10, 60),
        ("J2", 0): ("M", 10, 30),
    }
    costs = sorted(objective_of(jobs, plan, 1) for plan in list_schedules(jobs, {}))
    assert costs[0] == 60 and costs[-1] == 80


MACHINES = ["A1", "A2", "B1"]


def draw_jobs(data):  # type: ignore[no-untyped-def]
    """Up to 6 jobs of up to 4 operations on two shops' machines (several eligible per
    operation), with releases, due dates and weights; and the transport between shops."""
    shop_of = {"A1": "A", "A2": "A", "B1": "B"}
    transport = {("A", "B"): data.draw(st.integers(0, 30)), ("B", "A"): 15}
    jobs = []
    for j in range(data.draw(st.integers(1, 6))):
        ops = []
        for _ in range(data.draw(st.integers(1, 4))):
            eligible = data.draw(
                st.lists(st.sampled_from(MACHINES), min_size=1, max_size=3, unique=True)
            )
            ops.append(tuple((m, data.draw(st.integers(1, 40))) for m in eligible))
        jobs.append(
            Job(
                f"J{j}",
                tuple(ops),
                release=data.draw(st.integers(0, 50)),
                due=data.draw(st.integers(0, 300)),
                weight=data.draw(st.integers(1, 5)),
            )
        )
    return jobs, shop_of, transport


def draw_breakdown(data, jobs, shop_of, transport):  # type: ignore[no-untyped-def]
    """The list schedule of the jobs as the old plan, a machine down from a random time
    `now`, and the work started before then and not cut by the breakdown (held)."""
    old = {(s.job, s.op): s for s in list_schedule(jobs, {}, 0, shop_of, transport)}
    now = data.draw(st.integers(0, 100))
    broken = data.draw(st.sampled_from(MACHINES))
    down = {broken: [(now, now + data.draw(st.integers(1, 80)))]}
    frozen = {
        k: s for k, s in old.items() if s.start < now and not (s.machine == broken and s.end > now)
    }
    return old, now, down, frozen


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_the_list_schedule_is_always_feasible(data):  # type: ignore[no-untyped-def]
    """Releases, downtime, transport between shops, several machines per operation: the
    independent checker accepts every list schedule, with or without a horizon (one
    before every due date, too), and every operation is placed."""
    jobs, shop_of, transport = draw_jobs(data)
    # windows that do not overlap one another (the checker treats overlap as a double
    # booking; `schedule` merges them before it plans)
    downtime = {
        m: [
            (50 * a, 50 * a + data.draw(st.integers(1, 40)))
            for a in data.draw(st.lists(st.integers(0, 5), max_size=3, unique=True))
        ]
        for m in MACHINES
    }
    horizon = data.draw(st.none() | st.integers(0, 600))
    for slots in (
        list_schedule(jobs, downtime, 0, shop_of, transport, horizon=horizon),
        *list_schedules(jobs, downtime, 0, shop_of, transport),
    ):
        assert len(slots) == sum(len(j.ops) for j in jobs)
        check(jobs, downtime, slots, {}, shop_of, transport)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_every_mend_is_feasible_keeps_started_work_and_never_moves_work_earlier(data):  # type: ignore[no-untyped-def]
    """Random plans (the list schedule of random jobs), a breakdown at a random time:
    both mends pass the independent checker with the started work held, place every
    operation, and start nothing before its old start. The cone is closed: it holds
    what the mend moved, no operation outside it is planned on a machine an operation
    inside may use, and a job inside has no later operation outside."""
    jobs, shop_of, transport = draw_jobs(data)
    old, now, down, frozen = draw_breakdown(data, jobs, shop_of, transport)
    lookahead = data.draw(st.sampled_from([0.05, 0.25, 1.0]))
    for mended in (
        repair(jobs, down, old, frozen, now, shop_of, transport),
        mend_by_priority(jobs, down, old, frozen, now, shop_of, transport, lookahead),
    ):
        assert len(mended) == len(old)
        check(jobs, down, mended, frozen, shop_of, transport)
        for s in mended:
            if (s.job, s.op) not in frozen:
                assert s.start >= max(now, old[s.job, s.op].start)
    mended = repair(jobs, down, old, frozen, now, shop_of, transport)
    reach = cone(jobs, old, frozen, mended)
    assert {(s.job, s.op) for s in mended if old[s.job, s.op] != s} <= reach
    by_id = {j.id: j for j in jobs}
    usable = {m for jid, k in reach for m, _ in by_id[jid].ops[k]}
    for key, s in old.items():
        if key in reach or key in frozen:
            continue
        assert s.machine not in usable
        assert not any((key[0], k) in reach for k in range(key[1]))


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_the_search_on_a_mend_is_feasible_keeps_started_work_and_never_costs_more(data):  # type: ignore[no-untyped-def]
    """Random plans, a breakdown at a random time, a random seed: the local search on
    the priority mend passes the independent checker with the started work held (and
    transport between shops), places every operation, starts nothing before now (it
    may start work before its old start), and ends no costlier than the mend it started
    from."""
    jobs, shop_of, transport = draw_jobs(data)
    old, now, down, frozen = draw_breakdown(data, jobs, shop_of, transport)
    mended = mend_by_priority(jobs, down, old, frozen, now, shop_of, transport, 0.25)
    problem = Replan(jobs, down, old, frozen, frozen, now, 1, 1, shop_of, transport)
    searched = improve(
        problem, mended, float("inf"), seed=data.draw(st.integers(0, 3)), max_steps=80
    )
    assert len(searched) == len(old)
    check(jobs, down, searched, frozen, shop_of, transport)
    assert all(s.start >= now for s in searched if (s.job, s.op) not in frozen)
    assert replan_objective(jobs, searched, old, frozen, 1, 1) <= replan_objective(
        jobs, mended, old, frozen, 1, 1
    )


def test_two_operations_trade_machines_where_moving_either_alone_costs_more(monkeypatch):  # type: ignore[no-untyped-def]
    """x takes 10 on A and 2 on B, y 10 on B and 2 on A; the plan has x on A and y on B,
    both from 0 (makespan 10, nothing moved: cost 10). Moving x to B alone costs more
    (before y: y moves 2, makespan 12, cost 14; after y: x moves 10, cost 22), and so
    does moving y alone, by symmetry. Trading machines puts both at [0, 2]: makespan 2,
    nothing moved, cost 2. Without the trade the search keeps the plan."""
    jobs = [Job("x", ((("A", 10), ("B", 2)),)), Job("y", ((("B", 10), ("A", 2)),))]
    plan = [Slot("x", 0, "A", 0, 10), Slot("y", 0, "B", 0, 10)]
    old = {(s.job, s.op): s for s in plan}
    problem = Replan(jobs, {}, old, {}, {}, 0, 1, 1, {}, {})
    traded = improve(problem, plan, float("inf"), max_steps=200)
    assert sorted(traded, key=lambda s: s.job) == [
        Slot("x", 0, "B", 0, 2),
        Slot("y", 0, "A", 0, 2),
    ]
    assert problem.cost(traded) == 2
    monkeypatch.setattr("scheduling.machine_search.EXCHANGE", 0)
    assert problem.cost(improve(problem, plan, float("inf"), max_steps=200)) == 10


def whole_timing_alongside(monkeypatch):  # type: ignore[no-untyped-def]
    """Patch the search's timing so every timing worked out from a kept plan is checked
    against the same orders timed whole; returns the count of those checked."""
    from scheduling.machine_search import _Orders

    partial = _Orders.timed
    checked = [0]

    def timed(self, changed=None):  # type: ignore[no-untyped-def]
        got = partial(self, changed)
        if changed is not None and self._order is not None:
            last = self._last  # what `keep` would keep, left as the search saw it
            assert got == partial(self, None), f"timing from {changed} differs from whole"
            self._last = last
            checked[0] += 1
        return got

    monkeypatch.setattr(_Orders, "timed", timed)
    return checked


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_a_timing_from_the_kept_plan_equals_the_whole_timing(data):  # type: ignore[no-untyped-def]
    """Random plans and breakdowns (transport between shops included): every timing the
    search works out only from the first changed operation on gives the times (and the
    cycles) that timing the same orders whole gives."""
    jobs, shop_of, transport = draw_jobs(data)
    old, now, down, frozen = draw_breakdown(data, jobs, shop_of, transport)
    mended = mend_by_priority(jobs, down, old, frozen, now, shop_of, transport, 0.25)
    problem = Replan(jobs, down, old, frozen, frozen, now, 1, 1, shop_of, transport)
    with pytest.MonkeyPatch.context() as monkeypatch:
        whole_timing_alongside(monkeypatch)
        improve(problem, mended, float("inf"), seed=data.draw(st.integers(0, 3)), max_steps=120)


def test_a_timing_from_the_kept_plan_equals_the_whole_timing_on_a_busy_shop(monkeypatch):  # type: ignore[no-untyped-def]
    """24 seeded jobs of 4 operations on 4 machines with two choices each, one machine
    down for a while: thousands of timings from a kept plan, each equal to the whole."""
    import random

    rng = random.Random(5)
    machines = ["M0", "M1", "M2", "M3"]
    jobs = [
        Job(
            f"J{j}",
            tuple(
                tuple((m, rng.randint(5, 30)) for m in rng.sample(machines, 2)) for _ in range(4)
            ),
            release=rng.randint(0, 60),
            due=rng.randint(150, 400),
        )
        for j in range(24)
    ]
    old = {(s.job, s.op): s for s in list_schedule(jobs, {})}
    now, down = 40, {"M1": [(40, 160)]}
    frozen = {k: s for k, s in old.items() if s.start < now and s.machine != "M1"}
    mended = mend_by_priority(jobs, down, old, frozen, now, None, None, 0.25)
    problem = Replan(jobs, down, old, frozen, frozen, now, 1, 1, {}, {})
    checked = whole_timing_alongside(monkeypatch)
    searched = improve(problem, mended, float("inf"), seed=1, max_steps=3000)
    assert checked[0] >= 2000  # nearly every step's timing started from a kept plan
    check(jobs, down, searched, frozen)
