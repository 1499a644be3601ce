"""Allocating a supplier group's order lines to member shops (CP-SAT).

A line goes to capable shops in periods (days or weeks) as one or more *stages*: a line
that must stay whole is one stage (all its processes at one shop in one period); a line
marked splittable has one stage per process, in order, each at any capable shop, so it
can be cut at A and bent at B, with the transport between A and B taking whole periods
and costing money (a pair of shops with no transport given cannot hand work over).

Constraints: capability (process, material, thickness, part size), capacity per shop,
process and period, lines a shop declined are excluded, lines the coordinator pinned
stay (every stage at the pinned shop), stage order with transport time, and a minimum
share of the group's hours per shop ("no member starved"). The objective weighs cost
(incl. transport), tardiness, fairness (each shop's hours kept near its target share)
and, when re-planning, moves away from the previous plan. When no plan exists, the answer
says which lines and which constraint: no capable shop, a pin that cannot hold, a share
that cannot be met, or capacity (found by solving again with elastic capacity and
reading where it had to stretch).

A shop's quote is for the whole line; a stage is charged the quote's share of that
shop's hours for the stage's processes.

The parts: `model` (the data in and out, and the rules they are read by), `check` (an
independent check of an answer), `greedy` (the planner's pass, CP-SAT's starting plan),
`explain` (why no plan exists or why it falls short), `cpsat` (the model), `answer` (a
plan turned into checked placements with reasons) and `plan` (`allocate`, tying them).
"""

from .check import check_allocation
from .greedy import greedy_plan
from .model import (
    SCALE,
    Allocation,
    Line,
    Placement,
    Shop,
    Stage,
    Transport,
    Weights,
    capable,
    group_hours,
    stage_cost,
    stages_of,
)
from .plan import allocate

__all__ = [
    "SCALE",
    "Allocation",
    "Line",
    "Placement",
    "Shop",
    "Stage",
    "Transport",
    "Weights",
    "allocate",
    "capable",
    "check_allocation",
    "greedy_plan",
    "group_hours",
    "stage_cost",
    "stages_of",
]
