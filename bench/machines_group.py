"""Benchmark (not a test): a machine-level schedule for a generated group — 10 shops ×
6 machines, 400 jobs of 3–5 operations, due dates over 4 weeks (minutes) — time to a
first schedule, objective against a 60 s run, and re-planning after a breakdown."""

from __future__ import annotations

import argparse
import random
import time

from scheduling.machines import Job, schedule

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", type=float, default=3.5)
    parser.add_argument("--long", type=float, default=60.0)
    args = parser.parse_args()
    jobs = generate()
    ops = sum(len(j.ops) for j in jobs)
    print(f"400 jobs, {ops} operations, 60 machines, due dates over 4 weeks")
    t = time.perf_counter()
    first = schedule(jobs, time_limit_s=args.quick)
    print(
        f"first schedule ({args.quick:g} s limit): {first.status}, objective {first.objective}, "
        f"makespan {first.makespan}, wall {time.perf_counter() - t:.1f} s"
    )
    long = schedule(jobs, time_limit_s=args.long)
    print(
        f"{args.long:g} s run: {long.status}, objective {long.objective}; first schedule is "
        f"{100 * ((first.objective or 0) / (long.objective or 1) - 1):+.1f} % from it"
    )
    now = 2 * DAY
    busiest = max(
        {s.machine for s in first.slots},
        key=lambda m: sum(s.end - s.start for s in first.slots if s.machine == m),
    )
    t = time.perf_counter()
    re = schedule(
        jobs,
        {busiest: [(now, now + 2 * DAY)]},
        previous=first.slots,
        now=now,
        move_penalty=1,
        time_limit_s=args.quick,
    )
    print(
        f"re-plan after {busiest} breaks down for 2 days at day 2: {re.status} in "
        f"{time.perf_counter() - t:.1f} s wall, {re.moved} of {ops} operations moved"
    )


if __name__ == "__main__":
    main()
