"""Benchmark (not a test): a generated supplier group — 10 shops, 400 order lines of 3–5
processes, due dates over 4 weeks (20 working days) — time to a first plan, objective
after 5 s against a longer run, and re-planning after one decline."""

from __future__ import annotations

import argparse
import random
import time
from dataclasses import replace

from scheduling.allocation import Line, Shop, Transport, Weights, allocate

PROCESSES = ["laser", "punch", "bend", "weld", "paint"]
MATERIALS = ["SPCC", "SECC", "SUS304", "A5052"]


def generate(seed: int = 1, shops: int = 10, lines: int = 400, periods: int = 20):  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    group = []
    for s in range(shops):
        procs = {"laser"} | set(rng.sample(PROCESSES[1:], rng.randint(2, 4)))
        group.append(
            Shop(
                f"S{s}",
                frozenset(procs),
                frozenset(rng.sample(MATERIALS, rng.randint(2, 4))),
                (0.5, rng.choice([6.0, 9.0, 12.0])),
                (1524, 3048),
                {
                    p: tuple(rng.choice([7.5, 15.0]) * rng.randint(1, 3) for _ in range(periods))
                    for p in procs
                },
                target_share=1 / shops,
            )
        )
    out = []
    while len(out) < lines:
        procs = ["laser"] + rng.sample(PROCESSES[1:], rng.randint(2, 4))
        material = rng.choice(MATERIALS)
        t = rng.choice([1.0, 1.6, 2.3, 3.2, 4.5])
        able = [
            s
            for s in group
            if set(procs) <= s.processes and material in s.materials and t <= s.thickness_mm[1]
        ]
        if not able:
            continue
        base = rng.uniform(2000, 60000)
        out.append(
            Line(
                f"L{len(out)}",
                tuple(procs),
                material,
                t,
                (rng.uniform(50, 900), rng.uniform(40, 600)),
                rng.randint(3, periods - 1),
                {s.id: base * rng.uniform(0.85, 1.25) for s in able},
                {s.id: {p: rng.uniform(0.2, 3.0) for p in procs} for s in able},
            )
        )
    return group, out, periods


def with_splits(shops, lines, rng_seed: int = 2):  # type: ignore[no-untyped-def]
    """The same group where a fifth of the lines may be split across shops (transport:
    one period and ¥3,000 between any two), and every shop keeps at least 2 % of the work."""
    rng = random.Random(rng_seed)
    shops = [replace(s, min_share=0.02) for s in shops]
    transport = {(a.id, b.id): Transport(1, 3000.0) for a in shops for b in shops if a.id != b.id}
    out = []
    for line in lines:
        if rng.random() >= 0.2:
            out.append(line)
            continue
        # Shops that can do some of its processes get per-process quotes and hours too.
        base = sum(line.cost_jpy.values()) / len(line.cost_jpy)
        some = [
            s
            for s in shops
            if set(line.processes) & s.processes
            and line.material in s.materials
            and line.thickness_mm <= s.thickness_mm[1]
        ]
        cost = {s.id: line.cost_jpy.get(s.id, base * rng.uniform(0.85, 1.25)) for s in some}
        hours = {
            s.id: line.hours.get(s.id, {p: rng.uniform(0.2, 3.0) for p in line.processes})
            for s in some
        }
        out.append(replace(line, cost_jpy=cost, hours=hours, splittable=True))
    return shops, out, transport


def report(name: str, quick, long, wall: float) -> None:  # type: ignore[no-untyped-def]
    print(
        f"{name}: first plan {quick.status} in {wall:.1f} s wall, objective {quick.objective:,.0f}; "
        f"{long.status} after the long run {long.objective:,.0f} (gap {100 * long.gap:.2f} %); "
        f"first plan {100 * (quick.objective / long.objective - 1):+.2f} % from it"
    )


def replan(name, shops, lines, periods, quick, weights, transport=None) -> None:  # type: ignore[no-untyped-def]
    first = quick.placements[0]
    declined = [
        replace(line, declined_by=frozenset({first.shop})) if line.id == first.line else line
        for line in lines
    ]
    for label, w in (
        ("no move penalty", replace(weights, move_per_stage=0.0)),
        ("move penalty ¥20,000/stage", weights),
    ):
        t = time.perf_counter()
        again = allocate(
            shops,
            declined,
            periods,
            w,
            time_limit_s=4.5,
            transport=transport,
            previous=quick.placements,
        )
        print(
            f"  re-plan after {first.shop} declines {first.line} ({label}): {again.status} in "
            f"{time.perf_counter() - t:.1f} s, {again.moved} stage(s) changed shop"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--long", type=float, default=60.0)
    args = parser.parse_args()
    shops, lines, periods = generate()
    options = sum(len(line.cost_jpy) for line in lines)
    print(f"10 shops, {len(lines)} lines, {periods} periods, {options} (line, shop) options")
    weights = Weights(move_per_stage=20000.0)
    t = time.perf_counter()
    quick = allocate(
        shops, lines, periods, weights, time_limit_s=4.5
    )  # wall time, model building included
    wall = time.perf_counter() - t
    long = allocate(shops, lines, periods, weights, time_limit_s=args.long)
    report("whole lines", quick, long, wall)
    replan("whole lines", shops, lines, periods, quick, weights)

    shops2, lines2, transport = with_splits(shops, lines)
    n_split = sum(line.splittable for line in lines2)
    t = time.perf_counter()
    quick = allocate(shops2, lines2, periods, weights, time_limit_s=4.5, transport=transport)
    wall = time.perf_counter() - t
    long = allocate(shops2, lines2, periods, weights, time_limit_s=args.long, transport=transport)
    report(f"{n_split} splittable lines, transport, 2 % floors", quick, long, wall)
    split = [p for p in long.placements if len({s for _, s, _ in p.stages}) > 1]
    print(
        f"  {len(split)} lines split across shops in the long run's plan, e.g. {split[0].why if split else '-'}"
    )
    replan("splits", shops2, lines2, periods, quick, weights, transport)


if __name__ == "__main__":
    main()
