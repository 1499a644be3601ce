"""The GAP search on a core of the LP's cheapest pairs: its bound and its proof of
optimality must be right, since the portal and the bench report both."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from scheduling.gap import check_gap
from scheduling.gap_search import lp_relaxation, search
from scheduling.generators import gap_type_d
from scheduling.instances import GapInstance

from .test_scheduling import brute_force, draw_gap


def test_an_integral_lp_is_proven_optimal_by_the_first_core():  # type: ignore[no-untyped-def]
    # room for everything: the LP gives each job its cheapest agent, an integral answer,
    # so the first core (two pairs a job, not all four) holds an optimum the reduced
    # costs prove optimal for the whole problem without solving it whole
    costs = ((1, 9, 9, 9, 5, 9), (9, 2, 9, 9, 9, 9), (9, 9, 3, 9, 9, 4), (9, 9, 9, 4, 9, 9))
    resources = tuple((1,) * 6 for _ in range(4))
    inst = GapInstance("roomy", costs, resources, (6, 6, 6, 6))
    found = search(inst, "min", 10.0, 1, 0)
    assert found.assignment == (0, 1, 2, 3, 0, 2)
    assert found.cost == 1 + 2 + 3 + 4 + 5 + 4
    assert found.proven and found.rounds == 1 and found.bound == found.cost


def test_the_lp_value_is_the_textbook_relaxation():  # type: ignore[no-untyped-def]
    # two jobs of size 2, one agent of capacity 3 that both prefer: the LP puts one job
    # there whole and half of the other, so 1 + (0.5·1 + 0.5·10) = 6.5
    inst = GapInstance("half", ((1, 1), (10, 10)), ((2, 2), (2, 2)), (3, 4))
    relaxed = lp_relaxation(inst, [list(row) for row in inst.costs])
    assert relaxed is not None
    value, reduced = relaxed
    assert abs(value - 6.5) < 1e-6
    assert min(min(row) for row in reduced) > -1e-6  # an optimal LP: no improving column


@settings(max_examples=40, deadline=None)
@given(
    m=st.integers(3, 4), n=st.integers(4, 7), data=st.data(), sense=st.sampled_from(["min", "max"])
)
def test_the_bound_never_passes_the_optimum_and_a_proof_is_never_wrong(m, n, data, sense):  # type: ignore[no-untyped-def]
    inst = draw_gap(data, "small", m, n, 30, 10, 60)
    optimum = brute_force(inst, sense)
    found = search(inst, sense, 5.0, 1, 0)
    sign = 1 if sense == "min" else -1
    if optimum is None:
        assert found.assignment is None and found.infeasible
        return
    assert found.assignment is not None and found.cost is not None and found.bound is not None
    check_gap(inst, found.assignment, sign * found.cost)
    assert found.bound <= sign * optimum <= found.cost
    if found.proven:
        assert found.cost == sign * optimum


def test_a_generated_type_d_instance_gets_a_checked_answer_above_its_lp():  # type: ignore[no-untyped-def]
    inst = gap_type_d(5, 40, 7)
    found = search(inst, "min", 2.0, 2, 0)
    assert found.assignment is not None and found.cost is not None and found.bound is not None
    check_gap(inst, found.assignment, found.cost)
    relaxed = lp_relaxation(inst, [list(row) for row in inst.costs])
    assert relaxed is not None
    assert relaxed[0] - 1e-6 <= found.bound <= found.cost
