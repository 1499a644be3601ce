"""Local search on a mended plan, for a re-plan's interactive budget: the order of the
loose work on each machine, the machine each operation takes and whether it starts as
early as it can, changed a step at a time and kept when the re-plan's objective falls
(an iterated local search; a re-plan with time to spare then starts the solver from
its answer).

Why not leave it to CP-SAT: after a breakdown the objective is mostly minutes moved,
which its linear relaxation bounds poorly (5,955 against answers near 25,000 on the
60-machine bench), and on the 178 operations one breakdown there reaches it took 30 s to
go from the mend's 32,868 to 26,595. Timed as `_Orders.timed` does, the machine orders
of its 60 s answer give that answer back (24,636 against 24,687), so searching orders
loses little (a CP-SAT model that fixes the orders of a searched plan and optimises
only the times found 1 less on 23,584); and one timing of those 178 operations costs
about 0.1 ms, so a 3.5 s re-plan tries some 20,000 steps."""

from __future__ import annotations

import bisect
import math
import random
import time
from collections.abc import Callable

from .machine_plan import Slot, earliest_gap, travel
from .machine_starts import Replan, _booked

Key = tuple[str, int]
Times = list[tuple[int, int]]  # (start, end) of each loose operation, by its index

# Random steps in a kick, when no single step lowers the objective: a random operation
# trades machines with one of its partners (below), or where it has none, two
# neighbours on a machine swap.
KICK = 3
# Partners an operation may trade machines with: on each of its other machines, the
# EXCHANGE nearest to it in time that may also run on its machine. Why: the better
# plans a 60 s re-plan finds after the bench's S3M2 breakdown differ from the 3.5 s one
# in ten operations that changed machine, two of them in a pair at the same minute (one
# goes from S3M3 to S3M4 as the other goes from S3M4 to S3M3); moving either alone costs
# more, so no single step leads there. 16 seeds of the whole 3.5 s re-plan from one
# first plan (median / mean): after S3M2's breakdown 16,982 / 16,901 without trades
# (17,080 / 17,011 in a second run), 16,888 / 16,693 with them as steps, 16,688 /
# 16,610 with them in the kicks too (the 60 s re-plan's median of 3: 16,431); after the
# busiest machine's, 31,153 / 31,297, then 30,929 / 31,280, then 30,932 / 31,104; after
# S6M5's, 4,656 on every seed each way. Six partners in place of three were no better
# (16,944 / 16,755 and 31,321 / 31,326).
EXCHANGE = 3
# Idle gaps, later than an operation's start, that a move may try to put it in.
GAPS = 3
FAR = 10**12


def _nothing() -> None:
    pass


class _Orders:
    """The loose operations (indices 0..n-1): the machine each takes, each machine's
    order of them, and which start as early as they can; `timed()` turns these into
    start times."""

    def __init__(self, problem: Replan, plan: list[Slot]) -> None:
        fixed, previous, now = problem.fixed, problem.previous, problem.now
        by_id = {j.id: j for j in problem.jobs}
        # By start, then end and place in the job: an order every machine and every job
        # agrees with (zero-length work included), so the first orders form no cycle.
        loose = sorted(
            (s for s in plan if (s.job, s.op) not in fixed),
            key=lambda s: (s.start, s.end, s.job, s.op),
        )
        self.keys: list[Key] = [(s.job, s.op) for s in loose]
        index = {k: i for i, k in enumerate(self.keys)}
        self.busy = _booked(problem.downtime, fixed)  # held work and downtime, by machine
        # from when nothing held or down is left on a machine (the spans never overlap)
        self.clear_from = {m: spans[-1][1] for m, spans in self.busy.items() if spans}
        self.now = now
        self.shop_of, self.transport = problem.shop_of, problem.transport
        self.moving = bool(problem.transport) and bool(problem.shop_of)
        n = len(self.keys)
        self.alts: list[dict[str, int]] = []
        self.job_pred = [-1] * n  # the job's loose operation before this one, if any
        self.job_succ = [-1] * n
        self.floor = [now] * n  # release and now, or the end of the held operation before
        self.floor_machine: list[str | None] = [None] * n  # where that held one ran
        self.old: list[int | None] = [None] * n  # the old plan's start
        self.due: list[int | None] = [None] * n  # the job's due time, on its last operation
        for i, (jid, op) in enumerate(self.keys):
            job = by_id[jid]
            self.alts.append(dict(job.ops[op]))
            p = previous.get((jid, op))
            self.old[i] = p.start if p is not None else None
            if op + 1 == len(job.ops):
                self.due[i] = job.due
            if op == 0:
                self.floor[i] = max(job.release, now)
            elif (jid, op - 1) in index:
                self.job_pred[i] = index[jid, op - 1]
                self.job_succ[index[jid, op - 1]] = i
            else:
                f = fixed[jid, op - 1]
                self.floor[i], self.floor_machine[i] = f.end, f.machine
        self.machine = [s.machine for s in loose]
        self.seq: dict[str, list[int]] = {}
        for i, s in enumerate(loose):
            self.seq.setdefault(s.machine, []).append(i)
        self.early_flag = [False] * n
        # The kept plan's timing (see `keep`): a topological order of the operations,
        # each one's place in it, and their earliest starts and ends.
        self._order: list[int] | None = None
        self._pos: list[int] = []
        self._start: list[int] = []
        self._end: list[int] = []
        self._last: tuple[list[int], list[int], list[int]] = ([], [], [])

    def wait(self, a: str | None, b: str) -> int:
        if not self.moving or a is None:
            return 0
        return travel(a, b, self.shop_of, self.transport)

    def keep(self) -> None:
        """The last timing is the kept plan's: later ones may start from it."""
        order, start, end = self._last
        self._order, self._start, self._end = order, start, end
        pos = [0] * len(order)
        for at, i in enumerate(order):
            pos[i] = at
        self._pos = pos

    def forget(self) -> None:
        """The orders changed to ones no timing was kept for: the next one is whole."""
        self._order = None

    def timed(self, changed: list[int] | None = None) -> tuple[Times, Times] | None:
        """(chosen, earliest) times of each operation, or None if the orders form a
        cycle. Earliest: as early as its job, its machine's order, held work and
        downtime allow. Chosen: then, in reverse, each back toward its old start as far
        as the ones after it allow (a move costs its minutes either way; a last
        operation stops at its due time), unless it is flagged to start early.

        `changed`: when the orders differ from the kept plan's (`keep`) only in the
        operations listed having another machine or another one before them on theirs,
        the earliest times are worked out again only from the first of those in the
        kept plan's order: the ones before it have the same work before them, so the
        same times. Why: a timing is nearly all of the search's time. The same 6,000
        steps of the search took 0.10–0.14 ms a timing in place of 0.15–0.16 after the
        bench's busiest breakdown, 0.08–0.12 in place of 0.18 after S3M2's; 16 seeds of
        the whole 3.5 s re-plan, from two first plans, ended 0.6–1.2 % lower on mean
        (busiest 31,055 to 30,866 and 36,869 to 36,445; S3M2 16,249 to 16,136 and 16,579
        to 16,455)."""
        n = len(self.keys)
        pred_m, succ_m = [-1] * n, [-1] * n
        for seq in self.seq.values():
            for a, b in zip(seq, seq[1:], strict=False):
                pred_m[b], succ_m[a] = a, b
        job_pred, job_succ, machine, alts = self.job_pred, self.job_succ, self.machine, self.alts
        busy, clear_from, now, moving = self.busy, self.clear_from, self.now, self.moving
        floor, floor_machine = self.floor, self.floor_machine
        kept = self._order
        if changed is None or kept is None:
            first = 0
            waiting = [(pred_m[i] >= 0) + (job_pred[i] >= 0) for i in range(n)]
            todo = [i for i in range(n) if not waiting[i]]
            start, end = [0] * n, [0] * n
            order: list[int] = []
        else:
            pos = self._pos
            first = min((pos[i] for i in changed), default=n)
            # Of the rest, the work each waits for among the rest: nothing before
            # `first` waits for it, since only the changed ones have new work before
            # them (a cycle, too, can only pass through the rest).
            waiting = [0] * n
            todo = []
            for i in kept[first:]:
                w = 0
                a = pred_m[i]
                if a >= 0 and pos[a] >= first:
                    w = 1
                a = job_pred[i]
                if a >= 0 and pos[a] >= first:
                    w += 1
                waiting[i] = w
                if not w:
                    todo.append(i)
            start, end = self._start[:], self._end[:]
            order = kept[:first]
        # Written out with ifs rather than max() and helpers: this loop is the search's
        # inner loop, run thousands of times a second.
        while todo:
            i = todo.pop()
            order.append(i)
            m = machine[i]
            jp = job_pred[i]
            if jp >= 0:
                t = end[jp]
                if moving:
                    t += self.wait(machine[jp], m)
            else:
                t = floor[i]
                if moving:
                    t += self.wait(floor_machine[i], m)
            if t < now:
                t = now
            mp = pred_m[i]
            if mp >= 0 and end[mp] > t:
                t = end[mp]
            if t < clear_from.get(m, 0):  # held work or downtime may still be in the way
                t = earliest_gap(busy[m], t, alts[i][m])
            start[i] = t
            end[i] = t + alts[i][m]
            nxt = succ_m[i]
            if nxt >= 0:
                waiting[nxt] -= 1
                if not waiting[nxt]:
                    todo.append(nxt)
            nxt = job_succ[i]
            if nxt >= 0:
                waiting[nxt] -= 1
                if not waiting[nxt]:
                    todo.append(nxt)
        if len(order) != n:
            return None
        self._last = (order, start, end)
        early: Times = list(zip(start, end, strict=True))
        chosen: Times = early[:]
        cs = start[:]  # the chosen starts
        old, flags, dues = self.old, self.early_flag, self.due
        for i in reversed(order):
            es = start[i]
            target = old[i]
            if target is None or target <= es or flags[i]:
                continue
            m = machine[i]
            d = alts[i][m]
            due = dues[i]
            if due is not None and target > due - d:
                target = es if es > due - d else due - d
            latest = target
            nxt = succ_m[i]
            if nxt >= 0 and cs[nxt] - d < latest:
                latest = cs[nxt] - d
            nxt = job_succ[i]
            if nxt >= 0:
                t = cs[nxt] - d
                if moving:
                    t -= self.wait(m, machine[nxt])
                if t < latest:
                    latest = t
            if latest <= es:
                continue
            t = latest
            if t < clear_from.get(m, 0):
                t = latest_gap(busy[m], t, d, es)
            cs[i] = t
            chosen[i] = (t, t + d)
        return chosen, early


def latest_gap(spans: list[tuple[int, int]], latest: int, d: int, floor: int) -> int:
    """The last start at or before `latest` (and not before `floor`, which fits) where
    `d` fits between sorted spans that never overlap: walk the spans back from the
    last one that starts before the work would end."""
    t = latest
    for i in range(bisect.bisect_left(spans, (t + d, -FAR)) - 1, -1, -1):
        a, b = spans[i]
        if b <= t:
            break
        t = a - d
        if t <= floor:
            return floor
    return t


def improve(
    problem: Replan,
    plan: list[Slot],
    deadline: float,
    *,
    seed: int = 0,
    max_steps: float = math.inf,
) -> list[Slot]:
    """`plan` (a plan that passes the checker, the problem's fixed work held in it)
    with the other operations re-ordered and re-timed until `deadline` (a
    `time.perf_counter()` value) or `max_steps` timings; `plan` itself if nothing found
    is cheaper.

    A step: swap two operations next to each other on a machine where the second waits
    for the first; move one to another place (by its start or by its old start on any of
    its machines, one or two places ahead on its own, into one of the next idle gaps on
    another); let two on different machines trade machines and places; or let one start
    as early as it can, or near its old start again. The steps are tried in a shuffled
    round, each one that lowers the objective taken, until a round takes none; then a
    kick of random trades (or swaps) and the same again, kept only if it ends no
    worse."""
    orders = _Orders(problem, plan)
    fixed, frozen = problem.fixed, problem.frozen
    move_penalty, makespan_weight = problem.move_penalty, problem.makespan_weight
    n = len(orders.keys)
    first = orders.timed()
    if n == 0 or first is None:
        return list(plan)
    orders.keep()
    loose_jobs = {jid for jid, _ in orders.keys}
    held_last: dict[str, int] = {}  # the last held end of each job with loose work
    others_end = 0  # the last end of the jobs with none
    for s in plan:
        if s.job not in loose_jobs:
            others_end = max(others_end, s.end)
        elif (s.job, s.op) in fixed:
            held_last[s.job] = max(held_last.get(s.job, 0), s.end)
    # (index, old start) of the loose operations whose moves count
    counted = [
        (i, o) for i, o in enumerate(orders.old) if o is not None and orders.keys[i] not in frozen
    ]
    # Each job with loose work: its last loose operation (later in the job than any held
    # one, so it ends the job unless held work ends later), that held end, due, weight.
    last_loose: dict[str, int] = {}
    for i, (jid, op) in enumerate(orders.keys):
        if jid not in last_loose or op > orders.keys[last_loose[jid]][1]:
            last_loose[jid] = i
    by_id = {j.id: j for j in problem.jobs}
    ends = [
        (i, held_last.get(jid, 0), by_id[jid].due, by_id[jid].weight)
        for jid, i in last_loose.items()
    ]

    def cost(times: Times) -> int:
        """The re-plan's objective, less the lateness of the jobs with no loose work
        (which no step changes)."""
        moves = 0
        for i, o in counted:
            s = times[i][0]
            moves += s - o if s > o else o - s
        late, makespan = 0, others_end
        for i, held, due, w in ends:
            e = times[i][1]
            if held > e:
                e = held
            if due is not None and e > due:
                late += w * (e - due)
            if e > makespan:
                makespan = e
        return move_penalty * moves + late + makespan_weight * makespan

    rng = random.Random(seed)  # noqa: S311 - a search draw, not a secret
    steps_left = max_steps

    def timed(changed: list[int]) -> tuple[Times, Times] | None:
        nonlocal steps_left
        steps_left -= 1
        return orders.timed(changed)

    def after(seq: list[int], i: int) -> list[int]:
        """The operation after place i of a machine's order, if any: its work before
        changed."""
        return seq[i + 1 : i + 2]

    def out_of_time() -> bool:
        return steps_left <= 0 or time.perf_counter() >= deadline

    def swap(m: str, i: int) -> tuple[Times, Times] | None:
        seq = orders.seq[m]
        seq[i - 1], seq[i] = seq[i], seq[i - 1]
        new = timed(seq[i - 1 : i + 2])
        if new is None:
            seq[i - 1], seq[i] = seq[i], seq[i - 1]
        return new

    def relocate(k: int, m: str, pos: int) -> tuple[tuple[Times, Times], str, int] | None:
        """Operation k to position `pos` of machine m's order (counted without k)."""
        was = orders.machine[k]
        at = orders.seq[was].index(k)
        del orders.seq[was][at]
        changed = [k, *orders.seq[was][at : at + 1]]
        seq = orders.seq.setdefault(m, [])
        seq.insert(pos, k)
        orders.machine[k] = m
        new = timed(changed + after(seq, min(pos, len(seq) - 1)))
        if new is None:
            unmove(k, m, was, at)
            return None
        return new, was, at

    def unmove(k: int, m: str, was: str, at: int) -> None:
        orders.seq[m].remove(k)
        orders.machine[k] = was
        orders.seq[was].insert(at, k)

    def trade(k: int, j: int) -> list[int]:
        """Operations k and j change machines, each taking the other's place."""
        mk, mj = orders.machine[k], orders.machine[j]
        sk, sj = orders.seq[mk], orders.seq[mj]
        ik, ij = sk.index(k), sj.index(j)
        sk[ik], sj[ij] = j, k
        orders.machine[k], orders.machine[j] = mj, mk
        return [k, j, *after(sk, ik), *after(sj, ij)]

    def exchange(k: int, j: int) -> tuple[Times, Times] | None:
        new = timed(trade(k, j))
        if new is None:
            trade(k, j)
        return new

    def partners(k: int, times: Times) -> list[int]:
        """The operations on k's other machines that could take k's machine in
        exchange: the EXCHANGE nearest to k in time on each."""
        mk, start = orders.machine[k], times[k][0]
        out = []
        for m in orders.alts[k]:
            if m == mk:
                continue
            there = [j for j in orders.seq.get(m, []) if mk in orders.alts[j]]
            there.sort(key=lambda j: abs(times[j][0] - start))
            out += there[:EXCHANGE]
        return out

    def places(k: int, m: str, times: Times, early: Times) -> set[int]:
        others = [x for x in orders.seq.get(m, []) if x != k]
        out = {sum(1 for x in others if times[x][0] < times[k][0])}
        o = orders.old[k]
        if o is not None:
            out.add(sum(1 for x in others if times[x][0] < o))
        if m == orders.machine[k]:
            # On its own machine, no idle gaps: those moves lowered the objective least
            # of any step per timing (2.1 and 0.6 against 3–18 for the others, in 10 s
            # of search after the bench's busiest and S3M2 breakdowns).
            at = orders.seq[m].index(k)
            out |= {max(0, at - 2), max(0, at - 3)}
            out.discard(at)
            return out
        d = orders.alts[k][m]
        gaps, end = 0, -FAR
        for j, x in enumerate([*others, -1]):
            start = times[x][0] if x >= 0 else FAR
            if start - max(end, early[k][0]) >= d and start > times[k][0]:
                out.add(j)
                gaps += 1
                if gaps == GAPS:
                    break
            if x >= 0:
                end = times[x][1]
        return out

    def attempt(
        kind: str, k: int, m: str, pos: int
    ) -> tuple[tuple[Times, Times] | None, Callable[[], object]]:
        """One listed step made and timed, and how to take it back; no timing if the
        step has gone stale (a step taken since it was listed moved its operations) or
        closes a cycle (then it is already taken back)."""
        if kind == "exchange":
            mk, mj = orders.machine[k], orders.machine[pos]
            if mk == mj or mj not in orders.alts[k] or mk not in orders.alts[pos]:
                return None, _nothing
            return exchange(k, pos), lambda: trade(k, pos)
        if kind == "early":

            def flip() -> None:
                orders.early_flag[k] = not orders.early_flag[k]

            flip()
            new = timed([])  # the earliest times stay
            if new is None:
                flip()
            return new, flip
        if kind == "swap":
            seq = orders.seq[m]
            if k >= len(seq):
                return None, _nothing

            def unswap() -> None:  # no timing: the kept plan's times stand
                seq[k - 1], seq[k] = seq[k], seq[k - 1]

            return swap(m, k), unswap
        moved = relocate(k, m, pos)
        if moved is None:
            return None, _nothing
        new, was, at = moved
        return new, lambda: unmove(k, m, was, at)

    def descend(state: tuple[Times, Times], current: int) -> tuple[tuple[Times, Times], int]:
        while not out_of_time():
            times, early = state
            tries: list[tuple[str, int, str, int]] = [
                ("swap", i, m, 0)
                for m, seq in orders.seq.items()
                for i in range(1, len(seq))
                if times[seq[i]][0] == times[seq[i - 1]][1]
            ]
            tries += [
                ("early", k, "", 0)
                for k in range(n)
                if orders.early_flag[k] or times[k][0] > early[k][0]
            ]
            tries += [
                ("move", k, m, pos)
                for k in range(n)
                for m in orders.alts[k]
                for pos in places(k, m, times, early)
            ]
            # A pair listed from both sides comes up twice as often in the shuffled
            # round, on purpose: listing each pair once was worse after the busiest
            # breakdown (16 seeds, twice: 31,585 / 31,602 and 31,373 / 31,598 median /
            # mean, against 30,807 / 30,845), the same after S3M2's.
            tries += [
                ("exchange", k, "", j)
                for k in range(n)
                if len(orders.alts[k]) > 1
                for j in partners(k, times)
            ]
            rng.shuffle(tries)
            # A step taken does not end the round: the rest of the list is tried on the
            # new plan (a try gone stale is checked, or merely wastes a timing), and only
            # a round with no step taken ends the descent. Rebuilding the list after each
            # step cost a third of the search's time; with this, and a rejected swap
            # undone without timing it again, and no idle-gap moves on an operation's own
            # machine (see `places`), 16 seeds of the whole 3.5 s re-plan (median / mean)
            # went from 16,688 / 16,620 to 16,160 / 16,249 after the bench's S3M2
            # breakdown, and from 30,884 / 31,041 to 31,023 / 31,055 after its busiest
            # machine's; from a second first plan, 16,742 / 16,717 to 16,741 / 16,579 and
            # 37,097 / 37,176 to 36,872 / 36,869.
            better = False
            for kind, k, m, pos in tries:
                if out_of_time():
                    return state, current
                new, undo = attempt(kind, k, m, pos)
                if new is None:
                    continue
                if (c := cost(new[0])) < current:
                    state, current, better = new, c, True
                    orders.keep()
                else:
                    undo()
            if not better:
                return state, current  # no step lowers it: a local optimum
        return state, current

    def snapshot(state: tuple[Times, Times]):  # type: ignore[no-untyped-def]
        seqs = {m: list(q) for m, q in orders.seq.items()}
        return seqs, list(orders.machine), list(orders.early_flag), state

    state, best = descend(first, cost(first[0]))
    kept = snapshot(state)
    while not out_of_time():
        crowded = [m for m, q in orders.seq.items() if len(q) > 1]
        if not crowded:
            break
        for _ in range(KICK):
            k = rng.randrange(n)
            mates = partners(k, state[0])
            if mates:
                new = exchange(k, rng.choice(mates))
            else:
                m = rng.choice(crowded)
                new = swap(m, rng.randrange(1, len(orders.seq[m])))
            if new is not None:
                state = new
                orders.keep()
        state, current = descend(state, cost(state[0]))
        if current <= best:
            best, kept = current, snapshot(state)
        else:
            seqs, machines, flags, state = kept
            orders.seq = {m: list(q) for m, q in seqs.items()}
            orders.machine, orders.early_flag = list(machines), list(flags)
            orders.forget()
    _, machines, _, (times, _) = kept
    as_planned = {(s.job, s.op): (s.start, s.end) for s in plan}
    if best >= cost([as_planned[k] for k in orders.keys]):
        return list(plan)  # its own times were better than its orders retimed
    out = [s for s in plan if (s.job, s.op) in fixed]
    out += [Slot(jid, op, machines[i], *times[i]) for i, (jid, op) in enumerate(orders.keys)]
    return out
