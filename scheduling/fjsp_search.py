"""Tabu search on the critical path for the flexible job shop (makespan), to give
CP-SAT a better start (issue 15, item 3).

Why: CP-SAT at 20 s on two workers leaves the last unit or two on the flexible
instances (Mk02: 27 against the optimum 26), and what finds them in the literature is
a tabu search whose moves touch only the critical path (Mastrolilli & Gambardella
2000; Nowicki & Smutnicki 1996 for the job shop): a makespan only shrinks if an
operation on every longest chain moves. The search here is the plain form of that:

- a schedule is each operation's machine and each machine's order; its times are the
  earliest the orders allow (a semi-active schedule), computed in topological order;
- the moves: swap the first two or the last two operations of a critical block (a run
  of critical operations on one machine), move a critical operation to its block's
  start or end, or to another of its machines at the places its earliest start
  suggests (and one either side);
- every move is timed in full (a few tens of microseconds at these sizes), the best
  one not tabu is taken (a tabu one if it beats the best so far), and the operations
  it moved are tabu for a few steps; after a long run without a new best the search
  goes back to its best.
"""

from __future__ import annotations

import bisect
import math
import random
import time

from .instances import FjspInstance

Op = tuple[int, int, int, int, int]  # (job, op, machine, start, end), as in fjsp.py

TENURE = (4, 10)  # steps an operation stays tabu after it moved (drawn in this range)
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
        self.index = {k: i for i, k in enumerate(self.key)}


def _times(
    shop: _Shop, machine: list[int], seq: dict[int, list[int]]
) -> tuple[list[int], list[int], int] | None:
    """(heads, tails, makespan) of the semi-active schedule, or None if the orders
    form a cycle. A head is the earliest start; a tail the longest path from the end of
    the operation to the end of the schedule."""
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
    makespan = max(head[i] + dur[i] for i in range(n)) if n else 0
    return head, tail, makespan


def _critical_blocks(
    shop: _Shop,
    machine: list[int],
    seq: dict[int, list[int]],
    head: list[int],
    tail: list[int],
    makespan: int,
) -> list[list[int]]:
    """Runs of critical operations next to each other on one machine (on any longest
    chain: head + duration + tail equals the makespan), in machine order."""
    blocks = []
    for m, s in seq.items():
        run: list[int] = []
        for i in s:
            critical = head[i] + shop.alts[i][m] + tail[i] == makespan
            # next to the one before: it starts when that one ends
            joined = bool(run) and head[run[-1]] + shop.alts[run[-1]][m] == head[i]
            if critical and joined:
                run.append(i)
                continue
            if run:
                blocks.append(run)
            run = [i] if critical else []
        if run:
            blocks.append(run)
    return blocks


# A move: the operations it moves (tabu after it), the machines' new orders, and the
# operations' new machines.
Move = tuple[tuple[int, ...], dict[int, list[int]], dict[int, int]]


def _moves(
    shop: _Shop,
    machine: list[int],
    seq: dict[int, list[int]],
    head: list[int],
    blocks: list[list[int]],
) -> list[Move]:
    out: list[Move] = []
    for block in blocks:
        m = machine[block[0]]
        s = seq[m]
        first, last = s.index(block[0]), s.index(block[-1])
        if len(block) >= 2:
            for a in {first, last - 1}:  # swap the first two, the last two
                new = s[:]
                new[a], new[a + 1] = new[a + 1], new[a]
                out.append(((s[a], s[a + 1]), {m: new}, {}))
        for pos, i in enumerate(block):
            at = first + pos
            if len(block) >= 3 and 0 < pos < len(block) - 1:  # to the block's start, end
                for to in (first, last):
                    new = s[:at] + s[at + 1 :]
                    new.insert(to, i)
                    out.append(((i,), {m: new}, {}))
            jp = shop.job_pred[i]
            ready = head[jp] + shop.alts[jp][machine[jp]] if jp >= 0 else 0
            for m2 in shop.alts[i]:
                if m2 == m:
                    continue
                s2 = seq.get(m2, [])
                # where its earliest start falls among that machine's, and either side
                k = bisect.bisect_left([head[x] for x in s2], ready)
                removed = s[:at] + s[at + 1 :]
                for to in {max(0, k - 1), k, min(len(s2), k + 1)}:
                    new2 = s2[:to] + [i] + s2[to:]
                    out.append(((i,), {m: removed, m2: new2}, {i: m2}))
    return out


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
    machine = [0] * shop.n
    seq: dict[int, list[int]] = {}
    for j, o, m, _start, _end in sorted(start, key=lambda op: (op[2], op[3])):
        i = shop.index[j, o]
        machine[i] = m
        seq.setdefault(m, []).append(i)
    timed = _times(shop, machine, seq)
    if timed is None:
        return start  # the start's own order has a cycle: not a schedule to improve
    head, tail, makespan = timed
    best = (makespan, machine[:], {m: s[:] for m, s in seq.items()})
    tabu_until = [0] * shop.n
    step = since_best = 0
    stuck = False  # the last step found no move it could take
    while step < max_steps and time.perf_counter() < deadline:
        step += 1
        blocks = _critical_blocks(shop, machine, seq, head, tail, makespan)
        moves = _moves(shop, machine, seq, head, blocks)
        if not moves:
            break  # no critical operation can move: the start is as good as it gets here
        chosen = None
        for moved, seqs, machines in moves:
            trial_machine = machine
            if machines:
                trial_machine = machine[:]
                for i, m in machines.items():
                    trial_machine[i] = m
            trial_seq = {**seq, **seqs}
            result = _times(shop, trial_machine, trial_seq)
            if result is None:
                continue
            value = result[2]
            allowed = all(tabu_until[i] < step for i in moved) or value < best[0]
            if not allowed:
                continue
            rank = (value, rng.random())
            if chosen is None or rank < chosen[0]:
                chosen = (rank, moved, trial_machine, trial_seq, result)
        if chosen is None:  # every move tabu or a cycle: start again from the best
            if stuck:
                break  # and from the best, with nothing tabu, too: nowhere to go
            stuck = True
            machine, seq = best[1][:], {m: s[:] for m, s in best[2].items()}
            head, tail, makespan = _times(shop, machine, seq)  # type: ignore[misc]
            tabu_until = [0] * shop.n
            continue
        stuck = False
        _, moved, machine, seq, (head, tail, makespan) = chosen
        for i in moved:
            tabu_until[i] = step + rng.randint(*TENURE)
        if makespan < best[0]:
            best = (makespan, machine[:], {m: s[:] for m, s in seq.items()})
            since_best = 0
        else:
            since_best += 1
            if since_best >= RESTART_AFTER:
                machine, seq = best[1][:], {m: s[:] for m, s in best[2].items()}
                head, tail, makespan = _times(shop, machine, seq)  # type: ignore[misc]
                since_best = 0
    makespan, machine, seq = best
    start_makespan = max(e for *_, e in start)
    if makespan >= start_makespan:
        return start
    head = _times(shop, machine, seq)[0]  # type: ignore[index]
    return tuple(
        (j, o, machine[i], head[i], head[i] + shop.alts[i][machine[i]])
        for i, (j, o) in enumerate(shop.key)
    )
