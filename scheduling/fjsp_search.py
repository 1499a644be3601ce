"""Tabu search on the critical path for the flexible job shop (makespan), to give
CP-SAT a better start (issue 15, item 3).

Why: CP-SAT at 20 s on two workers leaves the last unit or two on the flexible
instances (Mk02: 27 against the optimum 26), and what finds them in the literature is
a tabu search whose moves touch only the critical path (Mastrolilli & Gambardella
2000; Nowicki & Smutnicki 1996 for the job shop): a makespan only shrinks if an
operation on every longest chain moves. The search here is that of Mastrolilli &
Gambardella, in a plain form:

- a schedule is each operation's machine and each machine's order; its times are the
  earliest the orders allow (a semi-active schedule), computed in topological order;
- a move takes one operation of a longest chain out and puts it back at any place on
  any of its machines (its own included) that cannot close a cycle;
- a move is estimated in O(1) from the heads and tails of the schedule without the
  operation (one partial pass per operation, not one full pass per move), the best
  estimate not tabu is timed in full and taken (a tabu one if it beats the best so
  far), and the operation it moved is tabu for a few steps; after a long run without
  a new best the search goes back to its best.

Timing every move in full, as this search first did, made a step about 30x slower:
on Mk02, one second of search went from 33 to 29-30 that way, and to 27-28 this way.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass

from .instances import FjspInstance

Op = tuple[int, int, int, int, int]  # (job, op, machine, start, end), as in fjsp.py

# Steps an operation stays tabu after it moved (drawn in this range). Measured with 1 s
# of search, seeds 0-2, means, at (4, 10) / (8, 16) / (12, 24) / (20, 40): Mk04 67.3 /
# 64.0 / 60.7 / 64.3, mk-style 15x8 120.0 / 119.0 / 115.7 / 115.7, ta-style 15x10
# 830.3 / 823.7 / 818.3 / 833.0, Mk02 27.3 / 27.0 / 27.3 / 28.0: shorter, the search
# circles back to where it was; longer, it runs out of operations to move.
TENURE = (12, 24)
RESTART_AFTER = 300  # steps without a new best before going back to the best


class _Shop:
    """The instance as arrays over operations 0..n-1 (job by job, in order)."""

    def __init__(self, inst: FjspInstance) -> None:
        self.key: list[tuple[int, int]] = []
        self.alts: list[dict[int, int]] = []
        self.job_pred: list[int] = []
        self.job_succ: list[int] = []
        for j, ops in enumerate(inst.jobs):
            for o, alts in enumerate(ops):
                i = len(self.key)
                self.key.append((j, o))
                self.alts.append(dict(alts))
                self.job_pred.append(i - 1 if o else -1)
                self.job_succ.append(i + 1 if o + 1 < len(ops) else -1)
        self.n = len(self.key)
        self.lasts = [i for i in range(self.n) if self.job_succ[i] < 0]
        self.index = {k: i for i, k in enumerate(self.key)}


@dataclass(frozen=True, slots=True)
class _Timed:
    """A schedule's graph, timed: heads (earliest starts), tails (the longest path from
    an operation's end to the schedule's end), the makespan, a topological order and
    each operation's place in it, the machine neighbours and the durations."""

    head: list[int]
    tail: list[int]
    makespan: int
    order: list[int]
    place: list[int]
    pred_m: list[int]
    succ_m: list[int]
    dur: list[int]


def _times(shop: _Shop, machine: list[int], seq: dict[int, list[int]]) -> _Timed | None:
    """The semi-active schedule of these machines and orders, timed; None if the orders
    form a cycle."""
    n = shop.n
    pred_m, succ_m = [-1] * n, [-1] * n
    for s in seq.values():
        for a, b in zip(s, s[1:], strict=False):
            pred_m[b], succ_m[a] = a, b
    job_pred, job_succ, alts = shop.job_pred, shop.job_succ, shop.alts
    dur = [alts[i][machine[i]] for i in range(n)]
    waiting = [(pred_m[i] >= 0) + (job_pred[i] >= 0) for i in range(n)]
    todo = [i for i in range(n) if not waiting[i]]
    head = [0] * n
    order = []
    while todo:
        i = todo.pop()
        order.append(i)
        end = head[i] + dur[i]
        for nxt in (succ_m[i], job_succ[i]):
            if nxt >= 0:
                if end > head[nxt]:
                    head[nxt] = end
                waiting[nxt] -= 1
                if not waiting[nxt]:
                    todo.append(nxt)
    if len(order) != n:
        return None
    tail = [0] * n
    for i in reversed(order):
        t = 0
        for nxt in (succ_m[i], job_succ[i]):
            if nxt >= 0 and dur[nxt] + tail[nxt] > t:
                t = dur[nxt] + tail[nxt]
        tail[i] = t
    place = [0] * n
    for k, i in enumerate(order):
        place[i] = k
    makespan = max(head[i] + dur[i] for i in shop.lasts)
    return _Timed(head, tail, makespan, order, place, pred_m, succ_m, dur)


def _timed(shop: _Shop, machine: list[int], seq: dict[int, list[int]]) -> _Timed:
    """`_times` of orders already timed once (the best so far): they have no cycle."""
    timed = _times(shop, machine, seq)
    if timed is None:
        raise RuntimeError("orders that were a schedule now form a cycle")
    return timed


def _without(shop: _Shop, g: _Timed, v: int) -> tuple[list[int], list[int], int]:
    """Heads, tails and makespan of the graph with `v` taken out: its machine
    neighbours joined, its job arcs cut. Only what follows `v` in the topological order
    can start earlier, and only what precedes it can have a shorter tail; the order
    stays topological (v's machine neighbours were on either side of it)."""
    head, tail, dur = g.head[:], g.tail[:], g.dur
    pred_m, succ_m = g.pred_m, g.succ_m
    job_pred, job_succ = shop.job_pred, shop.job_succ
    before_v, after_v = pred_m[v], succ_m[v]
    k = g.place[v]
    for i in g.order[k + 1 :]:
        p = pred_m[i]
        if p == v:
            p = before_v
        h = head[p] + dur[p] if p >= 0 else 0
        p = job_pred[i]
        if p >= 0 and p != v and head[p] + dur[p] > h:
            h = head[p] + dur[p]
        head[i] = h
    for i in reversed(g.order[:k]):
        x = succ_m[i]
        if x == v:
            x = after_v
        t = dur[x] + tail[x] if x >= 0 else 0
        x = job_succ[i]
        if x >= 0 and x != v and dur[x] + tail[x] > t:
            t = dur[x] + tail[x]
        tail[i] = t
    ends = [head[i] + dur[i] for i in shop.lasts if i != v]
    if job_pred[v] >= 0:  # with the job cut at v, its predecessor ends a chain too
        ends.append(head[job_pred[v]] + dur[job_pred[v]])
    return head, tail, max(ends, default=0)


def _critical_path(shop: _Shop, g: _Timed, rng: random.Random) -> list[int]:
    """The operations of one longest chain, from its end back (where two chains meet,
    one drawn at random). A move can only shorten the makespan if it moves an
    operation of every longest chain, so one chain's operations are enough to look at
    (Nowicki & Smutnicki 1996). All critical operations on Mk02 are about three times
    as many; moving any of them was no better (2 s, seeds 0-5: Mk02 27.2 against 26.8
    on average, mk-style 15x8 116.3 each)."""
    head, dur = g.head, g.dur
    ends = [i for i in shop.lasts if head[i] + dur[i] == g.makespan]
    path = [rng.choice(ends)]
    while head[path[-1]]:
        i = path[-1]
        before = [
            p for p in (g.pred_m[i], shop.job_pred[i]) if p >= 0 and head[p] + dur[p] == head[i]
        ]
        path.append(rng.choice(before))
    return path


# A move: the operation, its new machine, and its place in that machine's order (the
# order without it).
Move = tuple[int, int, int]


def _estimates(
    shop: _Shop, machine: list[int], seq: dict[int, list[int]], g: _Timed, v: int
) -> list[tuple[int, int, Move]]:
    """Every place `v` can go, on any of its machines, with the makespan it would give:
    `v` is taken out of the graph (`_without`), and each place then costs O(1): the
    longest chain through `v` put between a and b is the later of its job
    predecessor's and a's ends, plus its duration, plus the longer of its job
    successor's and b's durations and tails (Mastrolilli & Gambardella 2000). The
    makespan is at most the larger of that and the makespan without `v`, and equal
    to it whenever the new chain is the longest. Places where a could follow `v`'s job
    successor, or b precede its job predecessor, are left out: they could close a
    cycle (an operation reachable from the successor starts at least the successor's
    end later)."""
    m0 = machine[v]
    own = seq[m0]
    at = own.index(v)
    without = {**seq, m0: own[:at] + own[at + 1 :]}
    head, tail, rest = _without(shop, g, v)
    dur = g.dur  # everyone else keeps their machine, so their durations
    jp, js = shop.job_pred[v], shop.job_succ[v]
    ready = head[jp] + dur[jp] if jp >= 0 else 0
    after = dur[js] + tail[js] if js >= 0 else 0
    latest_a = head[js] + dur[js] if js >= 0 else math.inf
    latest_b = dur[jp] + tail[jp] if jp >= 0 else math.inf
    out = []
    for m, d in shop.alts[v].items():
        s = without.get(m, [])
        for pos in range(len(s) + 1):
            if m == m0 and pos == at:
                continue  # where it is now
            a = s[pos - 1] if pos else -1
            b = s[pos] if pos < len(s) else -1
            if a >= 0 and (a == js or head[a] >= latest_a):
                break  # and every later place: heads only grow along the order
            if b >= 0 and (b == jp or tail[b] >= latest_b):
                continue  # later places may do
            start = max(ready, head[a] + dur[a]) if a >= 0 else ready
            end_to_end = max(after, dur[b] + tail[b]) if b >= 0 else after
            through = start + d + end_to_end
            out.append((max(rest, through), through, (v, m, pos)))
    return out


def _apply(
    machine: list[int], seq: dict[int, list[int]], move: Move
) -> tuple[list[int], dict[int, list[int]]]:
    v, m, pos = move
    m0 = machine[v]
    new_seq = {**seq, m0: [i for i in seq[m0] if i != v]}
    target = new_seq.get(m, [])[:]
    target.insert(pos, v)
    new_seq[m] = target
    new_machine = machine
    if m != m0:
        new_machine = machine[:]
        new_machine[v] = m
    return new_machine, new_seq


def _orders(shop: _Shop, schedule: tuple[Op, ...]) -> tuple[list[int], dict[int, list[int]]]:
    """Each operation's machine and each machine's order, from a schedule."""
    machine = [0] * shop.n
    seq: dict[int, list[int]] = {}
    for j, o, m, _start, _end in sorted(schedule, key=lambda op: (op[2], op[3])):
        i = shop.index[j, o]
        machine[i] = m
        seq.setdefault(m, []).append(i)
    return machine, seq


def improve(
    inst: FjspInstance,
    start: tuple[Op, ...],
    deadline: float,
    *,
    seed: int = 0,
    max_steps: float = math.inf,
) -> tuple[Op, ...]:
    """`start` (a feasible schedule) improved by the tabu search until `deadline` (a
    `time.perf_counter()` value) or `max_steps` steps; never longer than `start`."""
    shop = _Shop(inst)
    if shop.n == 0:
        return start
    rng = random.Random(seed)  # noqa: S311 - a search draw, not a secret
    machine, seq = _orders(shop, start)
    timed = _times(shop, machine, seq)
    if timed is None:
        return start  # the start's own order has a cycle: not a schedule to improve
    best = (timed.makespan, machine[:], {m: s[:] for m, s in seq.items()})
    tabu_until = [0] * shop.n
    step = since_best = 0
    stuck = False  # the last step found no move it could take
    while step < max_steps and time.perf_counter() < deadline:
        step += 1
        moves = [
            (estimate, through, rng.random(), move)
            for v in _critical_path(shop, timed, rng)
            for estimate, through, move in _estimates(shop, machine, seq, timed, v)
        ]
        if not moves:
            break  # no critical operation can move: the start is as good as it gets here
        # the best estimate first; among equal ones the shorter chain through the moved
        # operation (it no longer holds the makespan up), then at random
        moves.sort()
        chosen = None
        for estimate, _, _, move in moves:
            free = tabu_until[move[0]] < step
            if not free and estimate >= best[0]:
                continue  # tabu, and not (on its estimate) a new best either
            trial_machine, trial_seq = _apply(machine, seq, move)
            result = _times(shop, trial_machine, trial_seq)
            if result is None or not (free or result.makespan < best[0]):
                continue  # a cycle after all, or tabu after all
            chosen = (move, trial_machine, trial_seq, result)
            break
        if chosen is None:  # every move tabu or a cycle: start again from the best
            if stuck:
                break  # and from the best, with nothing tabu, too: nowhere to go
            stuck = True
            machine, seq = best[1][:], {m: s[:] for m, s in best[2].items()}
            timed = _timed(shop, machine, seq)
            tabu_until = [0] * shop.n
            continue
        stuck = False
        move, machine, seq, timed = chosen
        tabu_until[move[0]] = step + rng.randint(*TENURE)
        if timed.makespan < best[0]:
            best = (timed.makespan, machine[:], {m: s[:] for m, s in seq.items()})
            since_best = 0
        else:
            since_best += 1
            if since_best >= RESTART_AFTER:
                machine, seq = best[1][:], {m: s[:] for m, s in best[2].items()}
                timed = _timed(shop, machine, seq)
                since_best = 0
    makespan, machine, seq = best
    start_makespan = max(e for *_, e in start)
    if makespan >= start_makespan:
        return start
    head = _timed(shop, machine, seq).head
    return tuple(
        (j, o, machine[i], head[i], head[i] + shop.alts[i][machine[i]])
        for i, (j, o) in enumerate(shop.key)
    )
