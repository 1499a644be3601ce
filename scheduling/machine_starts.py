"""Plans made without a solver, in milliseconds: a fresh plan by a dispatching rule, or
the old plan mended around a change. The solver starts from the best of them (and a
re-plan is bounded by it), so what these get right it never has to find."""

from __future__ import annotations

import bisect
import heapq
import math
from dataclasses import dataclass, field

from .machine_plan import Job, Slot, earliest_gap, merged, travel

Key = tuple[str, int]


@dataclass(frozen=True)
class Replan:
    """A re-plan as the improvers of a plan see it: the jobs, their machines' downtime
    (merged), the old plan's slots, the work kept where it is (`fixed`: started, pinned,
    or out of the change's reach) and the part of it whose moves do not count
    (`frozen`), the current time, the objective's weights, and the shops with the
    transport time between them."""

    jobs: list[Job]
    downtime: dict[str, list[tuple[int, int]]]
    previous: dict[Key, Slot]
    fixed: dict[Key, Slot]
    frozen: dict[Key, Slot]
    now: int
    makespan_weight: int = 1
    move_penalty: int = 1
    shop_of: dict[str, str] = field(default_factory=dict)
    transport: dict[tuple[str, str], int] = field(default_factory=dict)

    def cost(self, slots: list[Slot]) -> int:
        return replan_objective(
            self.jobs, slots, self.previous, self.frozen, self.makespan_weight, self.move_penalty
        )


def dispatch(
    jobs: list[Job],
    downtime: dict[str, list[tuple[int, int]]],
    now: int = 0,
    shop_of: dict[str, str] | None = None,
    transport: dict[tuple[str, str], int] | None = None,
) -> list[Slot]:
    """What a foreman would do: jobs by due date (weight breaks ties), each operation on
    the eligible machine that finishes it first, in the earliest gap that holds it
    (between bookings and around downtime), so a job released late does not hold up the
    machine for the jobs before it."""
    # Merged, so the spans on a machine never overlap and the one just before a time is
    # the only one that can cover it (bookings never overlap anything either).
    busy: dict[str, list[tuple[int, int]]] = {m: merged(w) for m, w in downtime.items()}
    out = []

    def fit(machine: str, earliest: int, d: int) -> int:
        return earliest_gap(busy.get(machine, []), earliest, d)

    def book(machine: str, a: int, b: int) -> None:
        bisect.insort(busy.setdefault(machine, []), (a, b))

    for job in sorted(jobs, key=lambda j: (j.due if j.due is not None else 10**12, -j.weight)):
        ready = max(job.release, now)
        last = None
        for k, alts in enumerate(job.ops):
            start, machine, d = min(
                (
                    fit(
                        m,
                        ready + (travel(last, m, shop_of or {}, transport or {}) if last else 0),
                        d,
                    ),
                    m,
                    d,
                )
                for m, d in alts
            )
            out.append(Slot(job.id, k, machine, start, start + d))
            book(machine, start, start + d)
            ready, last = start + d, machine
    return out


def list_schedule(
    jobs: list[Job],
    downtime: dict[str, list[tuple[int, int]]],
    now: int = 0,
    shop_of: dict[str, str] | None = None,
    transport: dict[tuple[str, str], int] | None = None,
    horizon: int | None = None,
) -> list[Slot]:
    """Operation by operation (a non-delay list schedule, Giffler & Thompson): next is
    the operation that can start first, and among those the job with the least slack
    (due date less the work it has left); it goes on the eligible machine that can
    start it first. Unlike `dispatch`, which books whole jobs in due-date order, this
    interleaves jobs, so machines are not left idle behind one job's chain: on the
    60-machine bench it plans 4,545 minutes where `dispatch` plans 5,244, both on time.

    `horizon`: no due date counts later than this (see `list_schedules`).

    Each job's best next start is kept and recomputed only when a booking touches one
    of its machines, so a step costs the jobs sharing that machine, not every job."""
    busy: dict[str, list[tuple[int, int]]] = {m: merged(w) for m, w in downtime.items()}
    shop_of, transport = shop_of or {}, transport or {}

    def fit(machine: str, earliest: int, d: int) -> int:
        return earliest_gap(busy.get(machine, []), earliest, d)

    work_left = {j.id: sum(min(d for _, d in alts) for alts in j.ops) for j in jobs}
    by_id = {j.id: j for j in jobs}
    nxt = {j.id: 0 for j in jobs}
    ready = {j.id: max(j.release, now) for j in jobs}
    last: dict[str, str | None] = {j.id: None for j in jobs}
    no_due = 10**12
    waiting: dict[str, set[str]] = {}  # machine → jobs whose next operation may use it
    # job → its offer (start, slack, end, job, machine, duration); the heap holds offers
    Offer = tuple[int, int, int, str, str, int]
    best: dict[str, Offer] = {}
    heap: list[Offer] = []

    def offer(jid: str) -> None:
        job, k = by_id[jid], nxt[jid]
        due = job.due if job.due is not None else no_due
        if horizon is not None and horizon < due:
            due = horizon
        slack = due - work_left[jid]
        options = []
        before = last[jid]
        for m, d in job.ops[k]:
            wait = travel(before, m, shop_of, transport) if before is not None else 0
            at = fit(m, ready[jid] + wait, d)
            options.append((at, slack, at + d, jid, m, d))
            waiting.setdefault(m, set()).add(jid)
        best[jid] = min(options)
        heapq.heappush(heap, best[jid])

    for j in jobs:
        if j.ops:
            offer(j.id)
    out: list[Slot] = []
    while heap:
        item = heapq.heappop(heap)
        start, _, _, jid, m, d = item
        if best.get(jid) != item:
            continue  # stale: this job's offer was recomputed after a booking
        del best[jid]
        job, k = by_id[jid], nxt[jid]
        out.append(Slot(jid, k, m, start, start + d))
        bisect.insort(busy.setdefault(m, []), (start, start + d))
        for alt, _ in job.ops[k]:
            waiting[alt].discard(jid)
        work_left[jid] -= min(dd for _, dd in job.ops[k])
        nxt[jid], ready[jid], last[jid] = k + 1, start + d, m
        if nxt[jid] < len(job.ops):
            offer(jid)
        for other in list(waiting.get(m, ())):
            if other in best:  # its offer on this machine may now start later
                offer(other)
    return out


def list_schedules(
    jobs: list[Job],
    downtime: dict[str, list[tuple[int, int]]],
    now: int = 0,
    shop_of: dict[str, str] | None = None,
    transport: dict[tuple[str, str], int] | None = None,
) -> list[list[Slot]]:
    """The list schedules a fresh plan starts from: of the jobs as given and `balanced`,
    each once by due dates and once more with its own end as the horizon.

    Why the second pass: the objective pays for the makespan as well as lateness, so a
    job due long after the plan ends must still finish by that end. Capped there, the
    slack of the jobs with lax due dates is their work left, and the longest chains go
    first (most work remaining) instead of waiting behind jobs due sooner that have
    room. On the 60-machine bench's ten shops the capped pass plans 33,663 minutes summed
    over the shops against 35,893 by due dates alone (the longest shop 4,204 against
    4,545). The solver's first plan at 3.5 s, started from the best of them, went from
    medians of 4,172 and 4,188 to 4,111 and 4,125 (two runs of seeds 0–2, old and new
    code in turn under the same load; a 60 s run plans about 4,034). With shifts and
    transport (bench/machines_group.py) it stays where it was: the due-date passes
    win there."""
    plans = []
    for group in (jobs, balanced(jobs)):
        plan = list_schedule(group, downtime, now, shop_of, transport)
        end = max((s.end for s in plan), default=now)
        plans += [plan, list_schedule(group, downtime, now, shop_of, transport, horizon=end)]
    return plans


def balanced(jobs: list[Job]) -> list[Job]:
    """The same jobs, each operation left with one machine: the one that keeps the
    busiest machine least loaded (operations with one choice first, then the longest
    first, each to the eligible machine whose load plus its duration is least: the
    longest-processing-time rule for parallel machines).

    Why: a list schedule picks the machine that can start an operation first, which
    piles work on the machine that happens to be free and sets the makespan there; on
    the 60-machine bench its busiest machine carries 4,246 minutes against 4,010 here,
    and a 60 s plan ends at about 4,040, so the assignment, not the order, is what the
    first plan had wrong."""
    load: dict[str, int] = {}
    choice: dict[tuple[str, int], tuple[str, int]] = {}
    ops = [(j.id, k, alts) for j in jobs for k, alts in enumerate(j.ops)]
    for jid, k, alts in ops:
        if len(alts) == 1:
            m, d = alts[0]
            load[m] = load.get(m, 0) + d
            choice[jid, k] = alts[0]
    flexible = sorted(
        ((jid, k, alts) for jid, k, alts in ops if len(alts) > 1),
        key=lambda op: (-min(d for _, d in op[2]), op[0], op[1]),
    )
    for jid, k, alts in flexible:
        m, d = min(alts, key=lambda md: (load.get(md[0], 0) + md[1], md[1], md[0]))
        load[m] = load.get(m, 0) + d
        choice[jid, k] = (m, d)
    return [
        Job(j.id, tuple((choice[j.id, k],) for k in range(len(j.ops))), j.release, j.due, j.weight)
        for j in jobs
    ]


def _booked(
    downtime: dict[str, list[tuple[int, int]]], frozen: dict[tuple[str, int], Slot]
) -> dict[str, list[tuple[int, int]]]:
    """Each machine's sorted spans a mend may not use: its downtime and held work, merged
    (held work may run into a closed hour: a delay reported on the floor), so the spans
    never overlap, as `earliest_gap` and the search's `latest_gap` assume."""
    spans: dict[str, list[tuple[int, int]]] = {m: list(w) for m, w in downtime.items()}
    for f in frozen.values():
        spans.setdefault(f.machine, []).append((f.start, f.end))
    return {m: merged(w) for m, w in spans.items()}


def _cursors(
    jobs: list[Job], now: int
) -> tuple[dict[str, Job], dict[str, int], dict[str, int], dict[str, str | None]]:
    """Where a mend stands in each job: the job by id, its next operation, when that may
    start, and the machine of the one before it."""
    by_id = {j.id: j for j in jobs}
    nxt = {j.id: 0 for j in jobs}
    ready = {j.id: max(j.release, now) for j in jobs}
    last: dict[str, str | None] = {j.id: None for j in jobs}
    return by_id, nxt, ready, last


def _place(
    alts: tuple[tuple[str, int], ...],
    p: Slot | None,
    ready: int,
    before: str | None,
    now: int,
    busy: dict[str, list[tuple[int, int]]],
    shop_of: dict[str, str],
    transport: dict[tuple[str, str], int],
) -> tuple[bool, int, int, str]:
    """Where a mend puts an operation: where it was (`p`) if it still fits there, else
    on the eligible machine that ends it first; never before `now`, its job's previous
    operation (`ready`, plus transport from machine `before`) or its old start.
    Returns (stays, end, start, machine)."""
    options = []
    for m, d in alts:
        earliest = max(now, ready + (travel(before, m, shop_of, transport) if before else 0))
        if p is not None:
            earliest = max(earliest, p.start)
        at = earliest_gap(busy.get(m, []), earliest, d)
        stays = p is not None and (m, at) == (p.machine, p.start)
        options.append((not stays, at + d, at, m))
    moved, end, at, m = min(options)
    return not moved, end, at, m


def repair(
    jobs: list[Job],
    downtime: dict[str, list[tuple[int, int]]],
    previous: dict[tuple[str, int], Slot],
    frozen: dict[tuple[str, int], Slot],
    now: int = 0,
    shop_of: dict[str, str] | None = None,
    transport: dict[tuple[str, str], int] | None = None,
) -> list[Slot]:
    """The previous plan mended around a change, as a planner would by hand: operations
    in their old order, each where it was if that still holds; one that cannot stay
    (its machine is now down, or its predecessor ends later) goes to the eligible
    machine that finishes it first, never earlier than it was planned (moving work
    forward is for the solver to weigh). New operations go where they finish first.

    It gives a re-plan a feasible start: the old plan itself, hinted as it was, runs
    into the breakdown, and the solver spent the interactive budget repairing it (the
    3.5 s re-plan was 51 % worse than a 60 s one on the 60-machine bench)."""
    shop_of, transport = shop_of or {}, transport or {}
    busy = _booked(downtime, frozen)
    by_id, nxt, ready, last = _cursors(jobs, now)
    out: list[Slot] = []

    def rank(jid: str) -> tuple[int, int, str]:
        # Old order first; an operation the old plan lacks, from when it could start.
        p = previous.get((jid, nxt[jid]))
        return (p.start if p is not None else ready[jid], nxt[jid], jid)

    heap = [(*rank(j.id), j.id) for j in jobs if j.ops]
    heapq.heapify(heap)
    while heap:
        *_, jid = heapq.heappop(heap)
        job, k = by_id[jid], nxt[jid]
        kept = frozen.get((jid, k))
        if kept is not None:
            slot = kept
        else:
            p = previous.get((jid, k))
            _, end, at, m = _place(
                job.ops[k], p, ready[jid], last[jid], now, busy, shop_of, transport
            )
            slot = Slot(jid, k, m, at, end)
            bisect.insort(busy.setdefault(m, []), (at, end))
        out.append(slot)
        nxt[jid], ready[jid], last[jid] = k + 1, slot.end, slot.machine
        if nxt[jid] < len(job.ops):
            heapq.heappush(heap, (*rank(jid), jid))
    return out


def mend_by_priority(
    jobs: list[Job],
    downtime: dict[str, list[tuple[int, int]]],
    previous: dict[tuple[str, int], Slot],
    frozen: dict[tuple[str, int], Slot],
    now: int = 0,
    shop_of: dict[str, str] | None = None,
    transport: dict[tuple[str, str], int] | None = None,
    lookahead: float = 0.5,
) -> list[Slot]:
    """The old plan mended by a priority rule where work competes for a machine (Giffler
    & Thompson's active schedule): the operation that would end first fixes the machine
    and the time; among those that could start on it before then, one that can stay
    where it was goes first, else the one that costs most per minute of delay for each
    minute it takes (itself and the operations of its job still to come, each of which a
    delay may push), discounted by how long it would still wait (Vepsalainen & Morton's
    apparent tardiness cost, `lookahead` mean durations). No operation starts before its
    old start.

    Why not the old order (`repair`): after a breakdown on a full machine, the old order
    pushes every operation behind it, and with them their jobs' later operations; a 60 s
    re-plan instead lets the work with the most still to come go first and a job's last
    operation wait. After the 60-machine bench's breakdown this mend (lookahead 0.1)
    costs 39,502 where `repair` costs 53,431."""
    shop_of, transport = shop_of or {}, transport or {}
    busy = _booked(downtime, frozen)
    by_id, nxt, ready, last = _cursors(jobs, now)
    out: list[Slot] = []
    active: set[str] = set()

    def skip_frozen(jid: str) -> None:
        job = by_id[jid]
        while nxt[jid] < len(job.ops) and (jid, nxt[jid]) in frozen:
            f = frozen[jid, nxt[jid]]
            out.append(f)
            nxt[jid], ready[jid], last[jid] = nxt[jid] + 1, f.end, f.machine
        if nxt[jid] < len(job.ops):
            active.add(jid)
        else:
            active.discard(jid)

    # job → (end, start, machine, stays) of its next operation where it ends first, or
    # where it was if it can stay there
    best: dict[str, tuple[int, int, str, bool]] = {}

    def place(jid: str) -> None:
        job, k = by_id[jid], nxt[jid]
        p = previous.get((jid, k))
        stays, end, at, m = _place(
            job.ops[k], p, ready[jid], last[jid], now, busy, shop_of, transport
        )
        best[jid] = (end, at, m, stays)

    for j in jobs:
        skip_frozen(j.id)
    for jid in active:
        place(jid)
    n_ops = sum(len(alts) for j in jobs for alts in j.ops)
    mean_d = sum(d for j in jobs for alts in j.ops for _, d in alts) / max(1, n_ops)
    scale = max(lookahead * mean_d, 1e-9)
    while active:
        first = min(active, key=lambda j: (best[j][0], j))
        end_first, _, machine, _ = best[first]
        rivals = [j for j in active if best[j][2] == machine and best[j][1] < end_first]
        t = min(best[j][1] for j in rivals)

        def cost(jid: str, t: int = t) -> tuple[float, str]:
            end, at, _, _ = best[jid]
            left = len(by_id[jid].ops) - nxt[jid]  # itself and the operations after it
            rate = left / max(end - at, 1) * math.exp(-(at - t) / scale)
            return (-rate, jid)

        jid = min(rivals, key=cost)
        end, at, m, _ = best.pop(jid)
        out.append(Slot(jid, nxt[jid], m, at, end))
        bisect.insort(busy.setdefault(m, []), (at, end))
        nxt[jid], ready[jid], last[jid] = nxt[jid] + 1, end, m
        skip_frozen(jid)
        for other in active:
            if other == jid or any(alt == m for alt, _ in by_id[other].ops[nxt[other]]):
                place(other)
    return out


def replan_objective(
    jobs: list[Job],
    slots: list[Slot],
    previous: dict[tuple[str, int], Slot],
    frozen: dict[tuple[str, int], Slot],
    makespan_weight: int,
    move_penalty: int,
) -> int:
    """The re-plan's objective: a fresh plan's, and each minute a not-frozen operation of
    the old plan moves."""
    moves = sum(
        abs(s.start - previous[s.job, s.op].start)
        for s in slots
        if (s.job, s.op) in previous and (s.job, s.op) not in frozen
    )
    return objective_of(jobs, slots, makespan_weight) + move_penalty * moves


def objective_of(jobs: list[Job], slots: list[Slot], makespan_weight: int) -> int:
    """The objective of a fresh plan (no moves): weighted tardiness plus the makespan."""
    last: dict[str, int] = {}
    for s in slots:
        last[s.job] = max(last.get(s.job, 0), s.end)
    tardiness = sum(
        j.weight * max(0, last[j.id] - j.due) for j in jobs if j.due is not None and j.id in last
    )
    return tardiness + makespan_weight * max(last.values(), default=0)


def cone(
    jobs: list[Job],
    prev: dict[tuple[str, int], Slot],
    frozen: dict[tuple[str, int], Slot],
    mended: list[Slot],
) -> set[tuple[str, int]]:
    """The operations a change can reach: those the mend had to move, every later
    operation of their jobs, every operation planned on a machine those may use, and so
    on until nothing is added. What lies outside shares no machine and no job with what
    lies inside, so keeping it where it was loses nothing the change calls for."""
    by_id = {j.id: j for j in jobs}
    on_machine: dict[str, list[tuple[str, int]]] = {}
    for key, s in prev.items():
        if key not in frozen:
            on_machine.setdefault(s.machine, []).append(key)
    todo = [
        (s.job, s.op)
        for s in mended
        if (s.job, s.op) not in frozen and ((s.job, s.op) not in prev or prev[s.job, s.op] != s)
    ]
    cone: set[tuple[str, int]] = set()
    machines: set[str] = set()
    while todo:
        jid, k = todo.pop()
        if (jid, k) in cone:
            continue
        job = by_id[jid]
        for later in range(k, len(job.ops)):
            key = (jid, later)
            if key in frozen or key in cone:
                continue
            cone.add(key)
            for m, _ in job.ops[later]:
                if m not in machines:
                    machines.add(m)
                    todo.extend(on_machine.get(m, ()))
    return cone
