"""The seeded instance generators against their published definitions, Taillard's
generator against his published ta01, and the committed set against the checkers."""

from __future__ import annotations

import pytest

from scheduling.fjsp import check_schedule, dispatch
from scheduling.gap import check_gap
from scheduling.generated_sets import (
    BRANDIMARTE_SET,
    GAP_SET,
    HURINK_SET,
    build_set,
    fjsp_set,
    gap_set,
)
from scheduling.generators import (
    GAP_SENSE,
    Flexibility,
    GapType,
    TaillardRandom,
    brandimarte_style,
    gap_instance,
    gap_type_d,
    gap_type_e,
    hurink_flexible,
    hurink_style,
    taillard_job_shop,
)
from scheduling.instances import FjspInstance, GapInstance

TA01_SEEDS = (840612802, 398197754)


def capacities_from_resources(inst: GapInstance) -> tuple[int, ...]:
    return tuple(4 * sum(row) // (5 * inst.agents) for row in inst.resources)


def resource_first_assignment(inst: GapInstance) -> tuple[int, ...] | None:
    """A witness of feasibility, not a solver: biggest jobs first, each to the agent where
    it takes the smallest share of the capacity, if it still fits."""
    free = list(inst.capacities)
    out = [-1] * inst.jobs
    biggest_first = sorted(
        range(inst.jobs), key=lambda j: -min(inst.resources[i][j] for i in range(inst.agents))
    )
    for j in biggest_first:
        by_share = sorted(
            range(inst.agents), key=lambda i: inst.resources[i][j] / inst.capacities[i]
        )
        agent = next((i for i in by_share if inst.resources[i][j] <= free[i]), None)
        if agent is None:
            return None
        out[j] = agent
        free[agent] -= inst.resources[agent][j]
    return tuple(out)


@pytest.mark.parametrize("kind", ["D", "E"])
def test_gap_same_seed_gives_the_same_instance_and_another_seed_another(kind: GapType) -> None:
    a = gap_instance(kind, 5, 100, 7)
    assert a == gap_instance(kind, 5, 100, 7)
    b = gap_instance(kind, 5, 100, 8)
    assert (a.costs, a.resources) != (b.costs, b.resources)
    assert (a.agents, a.jobs) == (5, 100)


def test_gap_type_d_values_are_in_their_published_ranges() -> None:
    inst = gap_type_d(20, 400, 3)
    r = [v for row in inst.resources for v in row]
    e = [
        c - (111 - res)
        for crow, rrow in zip(inst.costs, inst.resources, strict=True)
        for c, res in zip(crow, rrow, strict=True)
    ]
    assert (min(r), max(r)) == (1, 100)  # 8000 draws reach both ends of U[1,100]
    assert (min(e), max(e)) == (-10, 10)
    assert all(1 <= c <= 120 for row in inst.costs for c in row)  # 111 − 100 − 10 … 111 − 1 + 10
    assert inst.capacities == capacities_from_resources(inst)


def test_gap_type_e_costs_follow_the_formula_on_the_instances_own_resources() -> None:
    inst = gap_type_e(20, 400, 3)
    for crow, rrow in zip(inst.costs, inst.resources, strict=True):
        for c, r in zip(crow, rrow, strict=True):
            assert r >= 1
            # c = floor(1000/r − 10·V), V in (0, 1]: 1000/r − 11 < c ≤ 1000/r
            assert c * r <= 1000 < (c + 11) * r
    assert inst.capacities == capacities_from_resources(inst)


def test_gap_type_e_resources_are_exponential_with_mean_about_ten_and_a_half() -> None:
    r = [v for row in gap_type_e(20, 400, 5).resources for v in row]
    # floor(1 − 10·ln U): mean 1 + 10 − ½ (truncation) ≈ 10.5
    assert 10.0 < sum(r) / len(r) < 11.0


def test_gap_capacities_are_floored_not_rounded() -> None:
    for spec in GAP_SET:
        inst = gap_instance(spec.kind, spec.agents, spec.jobs, spec.seed)
        for cap, row in zip(inst.capacities, inst.resources, strict=True):
            assert cap <= 0.8 * sum(row) / inst.agents < cap + 1


def test_brandimarte_style_respects_every_published_range() -> None:
    for jobs, machines, seed in [(10, 5, 1), (20, 15, 2), (12, 3, 3)]:
        inst = brandimarte_style(jobs, machines, seed)
        assert (len(inst.jobs), inst.machines) == (jobs, machines)
        for ops in inst.jobs:
            assert 5 <= len(ops) <= 15
            for alts in ops:
                used = [m for m, _ in alts]
                assert 1 <= len(alts) <= min(6, machines)
                assert len(set(used)) == len(used)
                assert all(0 <= m < machines for m in used)
                assert all(1 <= d <= 20 for _, d in alts)


def test_brandimarte_style_uses_the_whole_ranges_over_a_large_draw() -> None:
    inst = brandimarte_style(20, 15, 4)
    ops = [alts for job in inst.jobs for alts in job]
    assert {len(a) for a in ops} == set(range(1, 7))
    assert {d for a in ops for _, d in a} == set(range(1, 21))


def test_brandimarte_same_seed_gives_the_same_instance_and_another_seed_another() -> None:
    a = brandimarte_style(10, 5, 11)
    assert a == brandimarte_style(10, 5, 11)
    assert a.jobs != brandimarte_style(10, 5, 12).jobs


def test_taillard_generator_is_the_minimal_standard_lehmer_generator() -> None:
    # Park & Miller (1988): from seed 1, the 10 000th value is 1043618065
    rand = TaillardRandom(1)
    for _ in range(10_000):
        rand.unif(1, 99)
    assert rand.seed == 1_043_618_065


def test_taillard_seeds_of_ta01_give_its_published_first_job() -> None:
    ta01 = taillard_job_shop(15, 15, *TA01_SEEDS)
    first = ta01.jobs[0]
    assert all(len(alts) == 1 for alts in first)
    assert [alts[0][1] for alts in first] == [
        94, 66, 10, 53, 26, 15, 65, 82, 10, 27, 93, 92, 96, 70, 83
    ]  # fmt: skip
    # and its route as ta01 lists it (1-based there: 7 13 5 8 4 3 11 12 9 15 10 14 6 1 2)
    assert [alts[0][0] for alts in first] == [6, 12, 4, 7, 3, 2, 10, 11, 8, 14, 9, 13, 5, 0, 1]


def test_taillard_job_shop_visits_every_machine_once_per_job() -> None:
    shop = taillard_job_shop(20, 10, 12345, 67890)
    for ops in shop.jobs:
        assert sorted(alts[0][0] for alts in ops) == list(range(10))
        assert all(1 <= alts[0][1] <= 99 for alts in ops)
    assert shop.jobs != taillard_job_shop(20, 10, 12346, 67890).jobs
    assert shop.jobs != taillard_job_shop(20, 10, 12345, 67891).jobs


def test_taillard_rejects_a_seed_outside_its_range() -> None:
    with pytest.raises(ValueError):
        TaillardRandom(0)


@pytest.mark.parametrize(
    ("flexibility", "low", "high"),
    [("edata", 1.05, 1.25), ("rdata", 1.85, 2.15), ("vdata", 4.5, 5.5)],
)
def test_hurink_flexibility_keeps_the_original_machine_and_has_the_published_mean(
    flexibility: Flexibility, low: float, high: float
) -> None:
    shop = taillard_job_shop(30, 10, 1234567, 7654321)
    flexible = hurink_flexible(shop, flexibility, seed=9)
    assert flexible.machines == shop.machines
    counts = []
    for ops, flex_ops in zip(shop.jobs, flexible.jobs, strict=True):
        assert len(ops) == len(flex_ops)
        for (original,), alts in zip(ops, flex_ops, strict=True):
            assert alts[0] == original
            assert {d for _, d in alts} == {original[1]}  # same duration on added machines
            machines = [m for m, _ in alts]
            assert len(set(machines)) == len(machines)
            assert all(0 <= m < shop.machines for m in machines)
            counts.append(len(alts))
    assert low < sum(counts) / len(counts) < high


def test_hurink_style_is_named_after_its_shop_seeds_and_flexibility() -> None:
    inst = hurink_style(15, 15, *TA01_SEEDS, "rdata")
    assert inst.name == "ta-style 15x15 seed 840612802/398197754, rdata"
    assert inst == hurink_style(15, 15, *TA01_SEEDS, "rdata")
    assert inst.jobs != hurink_style(15, 15, 840612803, 398197754, "rdata").jobs


def test_committed_set_has_the_listed_sizes_and_unique_names() -> None:
    named = build_set()
    assert len(named) == len(GAP_SET) + len(BRANDIMARTE_SET) + len(HURINK_SET) == 18
    sizes = [(g.agents, g.jobs) for g in gap_set()]
    assert sizes == [(5, 100), (10, 200), (20, 200), (20, 400)] * 2
    assert list(named)[0] == "gap-D 5x100 seed 1501"
    assert "ta-style 15x15 seed 840612802/398197754, rdata" in named


def test_committed_gap_instances_are_feasible_minimisation_problems() -> None:
    assert GAP_SENSE == "min"
    for inst in gap_set():
        assignment = resource_first_assignment(inst)
        assert assignment is not None, inst.name
        cost = sum(inst.costs[agent][job] for job, agent in enumerate(assignment))
        check_gap(inst, assignment, cost)


def test_committed_flexible_job_shops_dispatch_to_checked_schedules() -> None:
    for inst in fjsp_set():
        assert isinstance(inst, FjspInstance)
        schedule = dispatch(inst)
        check_schedule(inst, schedule, max(e for *_, e in schedule))
