"""Benchmark (not a test): a machine-level schedule for a generated group — 10 shops ×
6 machines, 400 jobs of 3–5 operations, due dates over 4 weeks (minutes) — time to a
first schedule, objective against a 60 s run, and re-planning after a breakdown of the
busiest machine and of two seeded others, each against a 60 s re-plan of the same
breakdown. Target (issue 15): within 5 % at 5 s. Each figure, quick or 60 s, is the
median of 3 seeds (the plan the re-plans start from is the quick first schedule of the
median seed): a single 60 s re-plan of the same breakdown varied from 20,764 to 22,224
between two runs, more than the target's 5 %."""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable

from scheduling.machines import Job, Schedule, Slot, closed_outside, schedule, shifts

DAY = 450  # working minutes a day


def generate(seed: int = 2) -> list[Job]:
    rng = random.Random(seed)
    jobs = []
    for j in range(400):
        shop = rng.randrange(10)
        machines = [f"S{shop}M{m}" for m in range(6)]
        ops = []
        for _ in range(rng.randint(3, 5)):
            eligible = rng.sample(machines, rng.randint(1, 2))
            d = rng.randint(20, 180)
            ops.append(tuple((m, int(d * rng.uniform(0.9, 1.2))) for m in eligible))
        release = rng.randint(0, 5) * DAY
        jobs.append(
            Job(
                f"J{j}",
                tuple(ops),
                release=release,
                due=release + rng.randint(4, 15) * DAY,
                weight=rng.choice([1, 1, 2, 5]),
            )
        )
    return jobs


SEEDS = (0, 1, 2)


def median_of_seeds(run: Callable[[int], Schedule]) -> tuple[Schedule, list[float], float]:
    """The run of the median objective over SEEDS, every objective, and the longest wall
    time (s) of the runs."""
    runs, walls = [], []
    for seed in SEEDS:
        t = time.perf_counter()
        runs.append(run(seed))
        walls.append(time.perf_counter() - t)
    runs.sort(key=lambda r: r.objective if r.objective is not None else float("inf"))
    middle = runs[len(runs) // 2]
    return middle, [r.objective or 0 for r in runs], max(walls)


def gap(quick: Schedule, long: Schedule) -> str:
    return f"{100 * ((quick.objective or 0) / (long.objective or 1) - 1):+.1f} %"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", type=float, default=3.5)
    parser.add_argument("--long", type=float, default=60.0)
    args = parser.parse_args()
    jobs = generate()
    ops = sum(len(j.ops) for j in jobs)
    print(f"400 jobs, {ops} operations, 60 machines, due dates over 4 weeks")
    first, objectives, wall = median_of_seeds(
        lambda seed: schedule(jobs, time_limit_s=args.quick, seed=seed)
    )
    print(
        f"first schedule ({args.quick:g} s limit, seeds {objectives}): median {first.status}, "
        f"objective {first.objective}, makespan {first.makespan}, wall ≤ {wall:.1f} s"
    )
    long, objectives, _ = median_of_seeds(
        lambda seed: schedule(jobs, time_limit_s=args.long, seed=seed)
    )
    print(
        f"{args.long:g} s run (seeds {objectives}): median {long.status}, objective "
        f"{long.objective}; first schedule is {gap(first, long)} from it"
    )
    now = 2 * DAY
    busiest = max(
        {s.machine for s in first.slots},
        key=lambda m: sum(s.end - s.start for s in first.slots if s.machine == m),
    )
    down = {busiest: [(now, now + 2 * DAY)]}
    re, objectives, wall = median_of_seeds(
        lambda seed: schedule(
            jobs, down, previous=first.slots, now=now, time_limit_s=args.quick, seed=seed
        )
    )
    print(
        f"re-plan after {busiest} breaks down for 2 days at day 2: {re.status}, wall ≤ "
        f"{wall:.1f} s, {re.moved} of {ops} operations moved (seeds {objectives})"
    )
    long_re, objectives, _ = median_of_seeds(
        lambda seed: schedule(
            jobs, down, previous=first.slots, now=now, time_limit_s=args.long, seed=seed
        )
    )
    print(
        f"the same re-plan given {args.long:g} s (seeds {objectives}): "
        f"objective {long_re.objective} "
        f"({long_re.moved} moved); the {args.quick:g} s re-plan ({re.objective}) is "
        f"{gap(re, long_re)} from it"
    )
    other_breakdowns(jobs, first.slots, args.quick, args.long)
    shops_and_shifts(jobs, args.quick, args.long)


def other_breakdowns(jobs: list[Job], plan: tuple[Slot, ...], quick: float, long_s: float) -> None:
    """Breakdowns nobody tuned on: a seeded machine, day and length, each re-planned at
    the quick budget and at the long one."""
    rng = random.Random(7)
    machines = sorted({s.machine for s in plan})
    for _ in range(2):
        machine, day, days = rng.choice(machines), rng.randint(1, 4), rng.randint(1, 3)
        now = day * DAY
        down = {machine: [(now, now + days * DAY)]}
        fast, objectives, wall = median_of_seeds(
            lambda seed, down=down, now=now: schedule(
                jobs, down, previous=plan, now=now, time_limit_s=quick, seed=seed
            )
        )
        slow, slow_objectives, _ = median_of_seeds(
            lambda seed, down=down, now=now: schedule(
                jobs, down, previous=plan, now=now, time_limit_s=long_s, seed=seed
            )
        )
        print(
            f"re-plan after {machine} breaks down for {days} day(s) at day {day}: "
            f"{quick:g} s {fast.objective} (seeds {objectives}, wall ≤ {wall:.1f} s), "
            f"{long_s:g} s {slow.objective} (seeds {slow_objectives}) ({gap(fast, slow)})"
        )


def with_shops_and_shifts(jobs: list[Job], seed: int = 3):  # type: ignore[no-untyped-def]
    """The same jobs in real minutes: machines open 08:00–17:00 on weekdays, and one job
    in five sends its last operation to shop S9 (painting), two hours away by truck."""
    rng = random.Random(seed)
    scale = 1440 // DAY  # working-day minutes → calendar minutes, roughly
    out = []
    for job in jobs:
        ops = list(job.ops)
        if rng.random() < 0.2:
            ops[-1] = tuple((f"S9M{m}", d) for m, d in ((0, 60), (1, 75)))
        out.append(Job(job.id, tuple(ops), job.release * scale, (job.due or 0) * scale, job.weight))
    machines = {m for j in out for alts in j.ops for m, _ in alts}
    shop_of = {m: m.split("M")[0] for m in machines}
    transport = {
        (a, b): 120 for a in set(shop_of.values()) for b in set(shop_of.values()) if a != b
    }
    horizon = 10 * 7 * 1440
    closed = closed_outside(shifts(70, 480, 1020), horizon)
    return out, {m: closed for m in machines}, shop_of, transport


def shops_and_shifts(jobs: list[Job], quick: float, long_s: float) -> None:
    jobs2, downtime, shop_of, transport = with_shops_and_shifts(jobs)
    first, objectives, wall = median_of_seeds(
        lambda seed: schedule(
            jobs2, downtime, shop_of=shop_of, transport=transport, time_limit_s=quick, seed=seed
        )
    )
    long, long_objectives, _ = median_of_seeds(
        lambda seed: schedule(
            jobs2, downtime, shop_of=shop_of, transport=transport, time_limit_s=long_s, seed=seed
        )
    )
    print(
        f"with shifts 08–17 Mon–Fri and 2 h transport to S9 for one job in five: first {first.status} "
        f"(seeds {objectives}, wall ≤ {wall:.1f} s), objective {first.objective}; "
        f"{long_s:g} s run {long.objective} (seeds {long_objectives}) ({gap(first, long)})"
    )


if __name__ == "__main__":
    main()
