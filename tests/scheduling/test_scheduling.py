"""Readers on the published files, solvers against brute force and published optima,
and the independent checker against planted violations."""

from __future__ import annotations

import csv
import itertools
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduling.cli import allocate_main
from scheduling.fjsp import check_schedule, dispatch, solve_fjsp
from scheduling.gap import check_gap, greedy, solve_gap
from scheduling.instances import FjspInstance, GapInstance, read_fjs, read_gap_file, read_jsp
from scheduling.solver import InfeasibleSolution

BENCH = Path(__file__).resolve().parents[3] / "shared" / "data" / "orbench"


def known(instance: str, sense: str) -> int:
    for row in csv.DictReader((BENCH / "known_values.csv").open()):
        if row["instance"].split(" ")[0] == instance and row["objective_sense"].startswith(sense):
            return int(row["optimal_or_best_known"])
    raise KeyError(instance)


def test_readers_on_the_published_files():  # type: ignore[no-untyped-def]
    gap1 = read_gap_file(BENCH / "gap" / "gap1.txt")
    assert [(g.agents, g.jobs) for g in gap1] == [(5, 15)] * 5
    (c,) = read_gap_file(BENCH / "gap" / "c20200")
    assert (c.agents, c.jobs) == (20, 200)
    mk01 = read_fjs(BENCH / "fjsp" / "Mk01.fjs")  # tabs and CRLF in the file
    assert (len(mk01.jobs), mk01.machines, mk01.operations) == (10, 6, 55)
    ft06 = read_jsp(BENCH / "jsp" / "ft06")
    assert (len(ft06.jobs), ft06.machines) == (6, 6)
    assert ft06.jobs[0][0] == ((2, 1),)  # first line of ft06: machine 2 for 1


def draw_gap(data, name, m, n, cell_max, cap_min, cap_max):  # type: ignore[no-untyped-def]
    """A random m-agent, n-job GAP: costs and resources in 1..cell_max, capacities in
    cap_min..cap_max (drawn in that order, so shrinking stays the same)."""
    cell = st.integers(1, cell_max)
    costs = tuple(tuple(data.draw(cell) for _ in range(n)) for _ in range(m))
    res = tuple(tuple(data.draw(cell) for _ in range(n)) for _ in range(m))
    caps = tuple(data.draw(st.integers(cap_min, cap_max)) for _ in range(m))
    return GapInstance(name, costs, res, caps)


def brute_force(inst: GapInstance, sense: str) -> int | None:
    best = None
    for assignment in itertools.product(range(inst.agents), repeat=inst.jobs):
        load = [0] * inst.agents
        for j, i in enumerate(assignment):
            load[i] += inst.resources[i][j]
        if all(u <= c for u, c in zip(load, inst.capacities, strict=True)):
            cost = sum(inst.costs[i][j] for j, i in enumerate(assignment))
            if best is None or (cost < best if sense == "min" else cost > best):
                best = cost
    return best


@settings(max_examples=40, deadline=None)
@given(
    m=st.integers(2, 3), n=st.integers(1, 6), data=st.data(), sense=st.sampled_from(["min", "max"])
)
def test_gap_optimum_equals_brute_force_on_small_instances(m, n, data, sense):  # type: ignore[no-untyped-def]
    inst = draw_gap(data, "tiny", m, n, 20, 0, 40)
    expected = brute_force(inst, sense)
    for kind in ("ours", "plain"):
        result = solve_gap(inst, sense, 5.0, 1, model_kind=kind)
        if expected is None:
            assert result.status == "infeasible"
        else:
            assert (result.status, result.objective) == ("optimal", expected)


@pytest.mark.parametrize("sense", ["min", "max"])
def test_gap1_instances_reach_the_published_optimum_in_a_second(sense):  # type: ignore[no-untyped-def]
    for inst in read_gap_file(BENCH / "gap" / "gap1.txt"):
        result = solve_gap(inst, sense, time_limit_s=1.0, workers=2)
        assert result.objective == known(inst.name, sense), inst.name
        assert result.status == "optimal"


def test_gap_checker_catches_each_kind_of_violation():  # type: ignore[no-untyped-def]
    inst = GapInstance("t", ((1, 2), (3, 4)), ((5, 5), (5, 5)), (5, 10))
    check_gap(inst, (1, 1), 7)  # fine: agent 1 takes both (load 10 ≤ 10)
    for assignment, objective in [((0, 0), 3), ((1, 1), 8), ((1,), 3), ((2, 1), 7)]:
        with pytest.raises(InfeasibleSolution):
            check_gap(inst, assignment, objective)


def cost_if_feasible(inst: GapInstance, assignment: tuple[int, ...]) -> int:
    """Written here, apart from `check_gap`: one real agent for each job, no agent over
    its capacity; the cost summed from the data."""
    assert len(assignment) == inst.jobs, "not one agent per job"
    load = [0] * inst.agents
    for job, agent in enumerate(assignment):
        assert 0 <= agent < inst.agents, f"job {job} on agent {agent}"
        load[agent] += inst.resources[agent][job]
    for agent, (used, cap) in enumerate(zip(load, inst.capacities, strict=True)):
        assert used <= cap, f"agent {agent} carries {used} > {cap}"
    return sum(inst.costs[agent][job] for job, agent in enumerate(assignment))


def test_greedy_gives_each_job_its_best_agent_when_capacity_is_no_object():  # type: ignore[no-untyped-def]
    """Every agent can hold all four jobs, so the order of placing them cannot matter.
    By hand, column by column: min 4 (A0) + 2 (A1) + 1 (A2) + 5 (A1) = 12;
    max 6 (A1) + 9 (A2) + 8 (A1) + 9 (A0) = 32."""
    inst = GapInstance(
        "roomy",
        costs=((4, 7, 3, 9), (6, 2, 8, 5), (5, 9, 1, 6)),
        resources=((1, 1, 1, 1), (1, 1, 1, 1), (1, 1, 1, 1)),
        capacities=(4, 4, 4),
    )
    cheap = greedy(inst, "min")
    assert cheap == (0, 1, 2, 1) and cost_if_feasible(inst, cheap) == 12
    dear = greedy(inst, "max")
    assert dear == (1, 2, 1, 0) and cost_if_feasible(inst, dear) == 32


def test_greedy_places_first_the_job_with_most_to_lose():  # type: ignore[no-untyped-def]
    """A0 holds one job, A1 both. J0 costs 1 on A0, 2 on A1 (regret 1); J1 costs 1 on A0,
    10 on A1 (regret 9). J1 takes A0 first and J0 goes to A1: 1 + 2 = 3, the optimum
    ((0, 1) costs 11, (1, 1) 12, (0, 0) does not fit). Placing in job order would give 11."""
    inst = GapInstance("regret", ((1, 1), (2, 10)), ((5, 5), (5, 5)), (5, 10))
    plan = greedy(inst, "min")
    assert plan == (1, 0) and cost_if_feasible(inst, plan) == 3


def test_greedy_says_none_when_no_assignment_exists():  # type: ignore[no-untyped-def]
    too_big = GapInstance("too big", ((1, 1), (1, 1)), ((2, 6), (2, 6)), (5, 5))  # J1 > 5
    three_in_two = GapInstance(  # each agent holds one job of 3 (two 3s exceed 5): 3 > 2
        "pigeonhole", ((1, 2, 3), (3, 2, 1)), ((3, 3, 3), (3, 3, 3)), (5, 5)
    )
    for inst in (too_big, three_in_two):
        assert brute_force(inst, "min") is None
        assert greedy(inst, "min") is None and greedy(inst, "max") is None


@settings(max_examples=60, deadline=None)
@given(
    m=st.integers(2, 3), n=st.integers(1, 6), data=st.data(), sense=st.sampled_from(["min", "max"])
)
def test_greedy_is_feasible_never_beats_the_optimum_and_fails_only_if_it_must(m, n, data, sense):  # type: ignore[no-untyped-def]
    inst = draw_gap(data, "tiny", m, n, 20, 0, 40)
    costs, res = inst.costs, inst.resources
    best = brute_force(inst, sense)
    plan = greedy(inst, sense)
    if best is None:
        assert plan is None
    elif plan is not None:
        cost = cost_if_feasible(inst, plan)
        assert cost >= best if sense == "min" else cost <= best
    # With room for every job on every agent, each job gets its best agent.
    roomy = GapInstance("roomy", costs, res, tuple(sum(row) for row in res))
    plan = greedy(roomy, sense)
    assert plan is not None
    pick = min if sense == "min" else max
    assert cost_if_feasible(roomy, plan) == sum(pick(col) for col in zip(*costs, strict=True))


def test_greedy_on_gap1_is_feasible_and_no_better_than_the_published_optimum():  # type: ignore[no-untyped-def]
    """The OR-Library instances are tight, and greedy may give up on them (the solver then
    starts without a hint). Each plan it does return must hold, and cannot beat the
    published optimum. At least one must come back, or this test has checked nothing."""
    returned = 0
    for inst in read_gap_file(BENCH / "gap" / "gap1.txt"):
        for sense in ("min", "max"):
            plan = greedy(inst, sense)
            if plan is None:
                continue
            returned += 1
            cost = cost_if_feasible(inst, plan)
            optimum = known(inst.name, sense)
            assert cost >= optimum if sense == "min" else cost <= optimum, (inst.name, sense)
    assert returned >= 1


HAND_FJSP = FjspInstance("hand", 2, (((((0, 3), (1, 5))), ((1, 2),)), (((0, 2),),)))


def test_tiny_flexible_job_shop_by_hand():  # type: ignore[no-untyped-def]
    """Job A: op1 on M0 (3) or M1 (5), then op2 on M1 (2). Job B: op1 on M0 (2).
    Best: A1 on M0 at 0–3? B must then wait to 3–5 → makespan 5; or B on M0 0–2, A1 on M0
    2–5, A2 on M1 5–7 → 7; or A1 on M1 0–5, A2 5–7 → 7. So 5."""
    result = solve_fjsp(HAND_FJSP, 5.0, 1)
    assert (result.status, result.makespan) == ("optimal", 5)


def fjsp_brute_force(inst: FjspInstance) -> int:
    """The shortest makespan over every machine choice and every order on each machine,
    each order timed as early as it allows (orders with a cycle skipped)."""
    ops = [(j, o) for j, job in enumerate(inst.jobs) for o in range(len(job))]
    best = None
    for choice in itertools.product(*(inst.jobs[j][o] for j, o in ops)):
        on: dict[int, list[int]] = {}
        for k, (m, _) in enumerate(choice):
            on.setdefault(m, []).append(k)
        for orders in itertools.product(*(itertools.permutations(ks) for ks in on.values())):
            before = {k: [k - 1] if ops[k][1] else [] for k in range(len(ops))}
            for order in orders:
                for a, b in itertools.pairwise(order):
                    before[b].append(a)
            end: dict[int, int] = {}
            for _ in ops:  # relax in rounds; a cycle leaves an operation untimed
                for k in range(len(ops)):
                    if k not in end and all(p in end for p in before[k]):
                        end[k] = max((end[p] for p in before[k]), default=0) + choice[k][1]
            if len(end) == len(ops) and (best is None or max(end.values()) < best):
                best = max(end.values())
    assert best is not None
    return best


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_fjsp_optimum_equals_brute_force_on_small_instances(data):  # type: ignore[no-untyped-def]
    """Ours adds redundant rows (bounds, each machine's load) and starts from a searched
    schedule: none of it may cut off the optimum or report a wrong one."""
    machines = data.draw(st.integers(2, 3))
    alternative = st.tuples(st.integers(0, machines - 1), st.integers(1, 9))
    operation = st.lists(alternative, min_size=1, max_size=2, unique_by=lambda a: a[0])
    jobs = data.draw(st.lists(st.lists(operation, min_size=1, max_size=2), min_size=2, max_size=3))
    inst = FjspInstance("tiny", machines, tuple(tuple(tuple(op) for op in job) for job in jobs))
    expected = fjsp_brute_force(inst)
    for kind in ("ours", "plain"):
        result = solve_fjsp(inst, 5.0, 1, model_kind=kind)
        assert (result.status, result.makespan) == ("optimal", expected), kind
        check_schedule(inst, result.schedule, expected)


def test_brute_force_on_the_hand_case():  # type: ignore[no-untyped-def]
    assert fjsp_brute_force(HAND_FJSP) == 5  # worked out in test_tiny_flexible_job_shop_by_hand


def test_published_job_shops_reach_their_optimum():  # type: ignore[no-untyped-def]
    ft06 = solve_fjsp(read_jsp(BENCH / "jsp" / "ft06"), 10.0, 2)
    assert (ft06.makespan, ft06.status) == (known("ft06", "min"), "optimal")
    mk01 = solve_fjsp(read_fjs(BENCH / "fjsp" / "Mk01.fjs"), 20.0, 2)
    assert mk01.makespan == known("Mk01", "min")


def test_schedule_checker_catches_each_kind_of_violation():  # type: ignore[no-untyped-def]
    inst = FjspInstance("t", 2, ((((0, 3),), ((1, 2),)), (((0, 2),),)))
    good = ((0, 0, 0, 0, 3), (0, 1, 1, 3, 5), (1, 0, 0, 3, 5))
    check_schedule(inst, good, 5)
    broken = [
        ((0, 0, 0, 0, 3), (0, 1, 1, 2, 4), (1, 0, 0, 3, 5)),  # op 2 before op 1 ends
        ((0, 0, 0, 0, 3), (0, 1, 1, 3, 5), (1, 0, 0, 2, 4)),  # two at once on M0
        ((0, 0, 1, 0, 3), (0, 1, 1, 3, 5), (1, 0, 0, 3, 5)),  # M1 is not an alternative
        ((0, 0, 0, 0, 3), (1, 0, 0, 3, 5)),  # an operation missing
    ]
    for schedule in broken:
        with pytest.raises(InfeasibleSolution):
            check_schedule(inst, schedule, max(e for *_, e in schedule))


def test_dispatch_schedule_is_feasible_on_every_brandimarte_instance():  # type: ignore[no-untyped-def]
    for name in ("Mk01", "Mk02", "Mk03", "Mk04", "Mk05"):
        inst = read_fjs(BENCH / "fjsp" / f"{name}.fjs")
        schedule = dispatch(inst)
        check_schedule(inst, schedule, max(e for *_, e in schedule))


def test_allocate_cli_prints_one_json_line_per_instance(capsys):  # type: ignore[no-untyped-def]
    assert (
        allocate_main(["--gap", str(BENCH / "gap" / "gap1.txt"), "--time-limit", "1", "--json"])
        == 0
    )
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x["instance"] for x in lines] == [f"gap1#{k}" for k in range(1, 6)]
    assert all({"objective", "bound", "status", "time_s", "assignment"} <= set(x) for x in lines)


def test_ours_answers_with_the_dispatchers_schedule_when_cp_sat_has_no_time():  # type: ignore[no-untyped-def]
    """A budget too short for CP-SAT to answer still gives a checked schedule, never none:
    at worst the dispatcher's (whose makespan bounds every answer of ours from above)."""
    inst = read_fjs(BENCH / "fjsp" / "Mk05.fjs")
    result = solve_fjsp(inst, time_limit_s=1e-6, workers=1)
    assert result.status in {"feasible", "optimal"} and result.makespan is not None
    check_schedule(inst, result.schedule, result.makespan)
    assert result.makespan <= max(e for *_, e in dispatch(inst))
