"""Benchmark (not a test): the shared schedule under load (issue 13, "Load": "200
simulated users for 5 minutes, each acting every 2–5 s — 60 % viewing the schedule, 20 %
listing and accepting offers, 20 % posting progress. Zero errors (a 409 for an offer
someone else took is an answer, not an error); p95 per endpoint reported").

The group of bench/schedule_common.py: 1,600 planned operations, and open offers waiting
in the shops' inboxes (100 per shop by default, made by `create_offers`). The web server
and a Celery worker run as `kumiai run` starts them (two uvicorn processes on two cores;
`--web-workers` to choose), and this process is the load generator, on the same two cores.

The people, each with an API key (`Authorization: Bearer`): 5 % the coordinator's staff,
20 % the lead firms' buyers, the rest the member shops' staff. Buyers only view (they
have no offers and report no progress), so the others view less often, to make the
issue's 60 / 20 / 20 over everyone. After a first wait drawn from 0–5 s, each person
acts, waits 2–5 s (uniform), acts again:
- view: what the schedule page fetches on a refresh, at once: `GET /api/schedule` and,
  when the portal has it, `GET /api/schedule/load`;
- offers: `GET /api/offers?status=offered` (the open inbox), then `POST
  /api/offers/{id}/accept` on one of the shop's own open offers drawn at random (a 409,
  someone of the same shop took it first, is an answer); nothing open, nothing accepted;
- progress: `POST /api/operations/{id}/progress` on one of the operations this person
  looks after (each shop's operations are dealt among its staff, so two people never
  report the same one): started with a larger done quantity (70 %), delayed by 1–8 h
  (15 %), or done (15 %).
Every answer outside 2xx (but the accept's 409), and every timeout or dropped connection,
is an error.

Why not Locust (the issue's example): locust 2.47 installs a pytest plugin (pytest11
entry point `pytest_locust`, which adds `--host`/`-H` and `session` fixtures to every
pytest run) and gevent into the one .venv the tests use, and pins pytest. This generator
is aiohttp on asyncio (uvloop when installed): one process, one core at most, its CPU
reported, and the same client code the websocket benches use.

Run: `.venv/bin/python bench/schedule_load.py` (the issue's 200 users for 5 minutes;
about 7 minutes in all); `--quick` for 50 users for 30 s; `--users`, `--duration-s`.
`--no-worker` leaves the queued re-plans in Redis unrun, to see the web tier alone.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from drawings_search import connect_cost
from schedule_common import (
    CpuMeter,
    Portal,
    World,
    add_people,
    api_keys,
    cpu_table,
    describe,
    header,
    http_session,
    load_avg,
    make_world,
    open_now,
    pct,
    queue_length,
    start_app,
    start_stack,
    stop,
    worker_exceptions,
    worker_tasks,
)

COORDINATOR_SHARE = 0.05
BUYER_SHARE = 0.20
MIX = {"view": 0.6, "offers": 0.2, "progress": 0.2}
REQUEST_TIMEOUT_S = 60.0


@dataclass
class OpState:
    id: int
    quantity: int
    done_qty: int = 0


@dataclass
class Person:
    label: str  # coordinator / shop / buyer
    org_id: int
    key: str
    membership: Any = None
    ops: list[OpState] = field(default_factory=list)
    acts: Counter = field(default_factory=Counter)


@dataclass
class Sample:
    endpoint: str
    role: str
    status: int  # 0: no answer (timeout, connection)
    latency_s: float
    size: int
    error: str = ""


@dataclass
class Run:
    samples: list[Sample] = field(default_factory=list)
    accepted: int = 0
    taken: int = 0  # 409 on accept: someone else took it
    nothing_open: int = 0
    done_ops: int = 0
    exhausted: int = 0  # progress wanted, but the person's operations are all done


def people_for(w: World, users: int, seed: int) -> list[Person]:
    """Members with API keys, and each shop's undone operations dealt among its staff."""
    from production.models import Operation
    from tenancy.models import Role

    rng = random.Random(seed)
    n_coord = max(1, round(users * COORDINATOR_SHARE))
    n_buyers = max(len(w.firms), round(users * BUYER_SHARE))
    n_shops = users - n_coord - n_buyers
    members = w.shops[1:]
    out: list[Person] = []
    plan: list[tuple[Any, int, str]] = [(w.coordinator, n_coord, "coordinator")]
    plan += [
        (org, n_shops // len(members) + (1 if i < n_shops % len(members) else 0), "shop")
        for i, org in enumerate(members)
    ]
    plan += [
        (org, n_buyers // len(w.firms) + (1 if i < n_buyers % len(w.firms) else 0), "buyer")
        for i, org in enumerate(w.firms)
    ]
    for org, n, label in plan:
        role = Role.PROCUREMENT if label == "buyer" else Role.ESTIMATOR
        ms = add_people(org, n, f"{label}-", role)
        staff = [Person(label, org.pk, key, m) for key, m in zip(api_keys(ms), ms, strict=True)]
        if label != "buyer":
            ops = list(
                Operation.objects.filter(work__shop=org, done=False)
                .select_related("work__line")
                .order_by("pk")
            )
            rng.shuffle(ops)
            for k, op in enumerate(ops):
                staff[k % len(staff)].ops.append(OpState(op.pk, op.work.line.quantity))
        out.extend(staff)
    rng.shuffle(out)
    return out


def mix_for(people: list[Person]) -> dict[str, dict[str, float]]:
    """Per role, the share of each action, so that over everyone it is MIX."""
    buyers = sum(p.label == "buyer" for p in people) / len(people)
    acting = 1 - buyers
    view = max(0.0, (MIX["view"] - buyers) / acting)
    rest = (1 - view) / (MIX["offers"] + MIX["progress"])
    doer = {"view": view, "offers": MIX["offers"] * rest, "progress": MIX["progress"] * rest}
    return {"buyer": {"view": 1.0}, "shop": doer, "coordinator": doer}


async def call(
    session: Any, run: Run, person: Person, method: str, url: str, endpoint: str, **kw: Any
) -> tuple[int, Any]:
    t = time.perf_counter()
    try:
        async with session.request(method, url, **kw) as r:
            body = await r.read()
            dt = time.perf_counter() - t
            run.samples.append(Sample(endpoint, person.label, r.status, dt, len(body)))
            if r.status == 200 and body:
                import json

                return r.status, json.loads(body)
            if r.status not in (200, 201, 409):
                text = body[:2000].decode(errors="replace")
                title = re.search(r"<title>(.*?)</title>", text, re.S)
                run.samples[-1].error = (title[1] if title else text[:200]).strip()
            return r.status, None
    except Exception as exc:  # noqa: BLE001 - every failure is counted, the user goes on
        dt = time.perf_counter() - t
        run.samples.append(Sample(endpoint, person.label, 0, dt, 0, f"{type(exc).__name__} {exc}"))
        return 0, None


async def view(session: Any, run: Run, p: Person, base: str, has_load: bool) -> None:
    calls = [call(session, run, p, "GET", f"{base}/api/schedule", "GET /api/schedule")]
    if has_load:
        calls.append(
            call(session, run, p, "GET", f"{base}/api/schedule/load", "GET /api/schedule/load")
        )
    await asyncio.gather(*calls)


async def offers(session: Any, run: Run, p: Person, base: str, rng: random.Random) -> None:
    status, body = await call(
        session, run, p, "GET", f"{base}/api/offers?status=offered", "GET /api/offers"
    )
    if status != 200 or body is None:
        return
    items = body["items"] if isinstance(body, dict) else body
    mine = [o["id"] for o in items if o.get("shop") == p.org_id and o.get("status") == "offered"]
    if not mine:
        run.nothing_open += 1
        return
    status, _ = await call(
        session,
        run,
        p,
        "POST",
        f"{base}/api/offers/{rng.choice(mine)}/accept",
        "POST /api/offers/{id}/accept",
    )
    if status == 200:
        run.accepted += 1
    elif status == 409:
        run.taken += 1


async def progress(session: Any, run: Run, p: Person, base: str, rng: random.Random) -> None:
    if not p.ops:
        run.exhausted += 1
        return
    op = rng.choice(p.ops)
    roll = rng.random()
    if roll < 0.70:
        op.done_qty = min(op.quantity, op.done_qty + rng.randint(1, max(1, op.quantity // 4)))
        body: dict[str, Any] = {"status": "started", "done_qty": op.done_qty}
    elif roll < 0.85:
        end = datetime.now(UTC) + timedelta(hours=rng.uniform(1, 8))
        body = {"status": "delayed", "expected_end": end.isoformat()}
    else:
        body = {"status": "done", "done_qty": op.quantity, "scrap_qty": rng.randint(0, 1)}
        p.ops.remove(op)
        run.done_ops += 1
    await call(
        session,
        run,
        p,
        "POST",
        f"{base}/api/operations/{op.id}/progress",
        "POST /api/operations/{id}/progress",
        json=body,
    )


async def person_loop(
    p: Person,
    portal: Portal,
    run: Run,
    mix: dict[str, float],
    end: float,
    rng: random.Random,
    has_load: bool,
    wait_s: tuple[float, float],
) -> None:
    async with http_session(limit=2, Authorization=f"Bearer {p.key}") as session:
        await asyncio.sleep(rng.uniform(0, wait_s[1]))
        kinds, weights = list(mix), list(mix.values())
        while time.monotonic() < end:
            kind = rng.choices(kinds, weights)[0]
            p.acts[kind] += 1
            if kind == "view":
                await view(session, run, p, portal.url, has_load)
            elif kind == "offers":
                await offers(session, run, p, portal.url, rng)
            else:
                await progress(session, run, p, portal.url, rng)
            await asyncio.sleep(rng.uniform(*wait_s))


async def has_route(portal: Portal, path: str) -> bool:
    async with http_session() as session, session.get(f"{portal.url}/api/openapi.json") as r:
        return path in (await r.json()).get("paths", {})


UNLOADED_N = 15


def view_steps(people: list[Person]) -> dict[str, dict[str, float]]:
    """In this process, for one member of each kind, GET /api/schedule's own steps as it
    now makes them (the rows read as values: `selectors.operation_rows`, then the JSON),
    beside the way it made them before, as the baseline of the same run (the rows read as
    models, `api.operation_out`, the response schema's validation, ninja's encoder);
    medians of five, and the queries."""
    import json

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from ninja.responses import NinjaJSONEncoder

    from production import api as production_api
    from production import selectors

    out: dict[str, dict[str, float]] = {}
    for role in ("coordinator", "shop", "buyer"):
        m = next(p.membership for p in people if p.label == role)
        steps: dict[str, list[float]] = {
            "sql": [],
            "rows": [],
            "json": [],
            "models": [],
            "dicts": [],
            "schema": [],
            "encoder": [],
        }
        sql, params = selectors.operations(m)[:5000].query.sql_with_params()
        for _ in range(5):
            t = time.perf_counter()
            with connection.cursor() as cur:
                cur.execute(sql, params)
                cur.fetchall()
            steps["sql"].append(time.perf_counter() - t)
            with CaptureQueriesContext(connection) as queries:
                t0 = time.perf_counter()
                rows = selectors.operation_rows(m)
                t1 = time.perf_counter()
            body = json.dumps({"operations": rows})
            t2 = time.perf_counter()
            ops = list(selectors.operations(m)[:5000])
            t3 = time.perf_counter()
            dicts = [production_api.operation_out(op) for op in ops]
            t4 = time.perf_counter()
            model = production_api.ScheduleOut.model_validate({"operations": dicts})
            t5 = time.perf_counter()
            json.dumps(model.model_dump(), cls=NinjaJSONEncoder)
            t6 = time.perf_counter()
            for k, v in zip(
                ("rows", "json", "models", "dicts", "schema", "encoder"),
                (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5),
                strict=True,
            ):
                steps[k].append(v)
        out[role] = {k: statistics.median(v) for k, v in steps.items()}
        out[role] |= {"operations": len(rows), "queries": len(queries), "kB": len(body) / 1024}
    # What a request would pay first without the web server's pool: a new connection.
    out["connect"] = {"s": statistics.median(connect_cost(20))}
    return out


async def unloaded(portal: Portal, people: list[Person], has_load: bool) -> dict[str, list[float]]:
    """Each reading endpoint alone, one request at a time, for one member of each kind:
    what a request costs when nothing else runs (the load's own baseline)."""
    out: dict[str, list[float]] = {}
    scratch = Run()
    paths = ["/api/me", "/api/schedule"] + (["/api/schedule/load"] if has_load else [])
    for role in ("coordinator", "shop", "buyer"):
        p = next(p for p in people if p.label == role)
        wanted = paths + ([] if role == "buyer" else ["/api/offers?status=offered"])
        async with http_session(limit=1, Authorization=f"Bearer {p.key}") as session:
            for path in wanted:
                for _ in range(UNLOADED_N):
                    await call(session, scratch, p, "GET", f"{portal.url}{path}", path)
                lat = [s.latency_s for s in scratch.samples if s.endpoint == path]
                out[f"GET {path.split('?')[0]} {role}"] = lat[-UNLOADED_N:]
                scratch.samples.clear()
    return out


async def drive(
    portal: Portal, people: list[Person], args: argparse.Namespace, meter: CpuMeter
) -> tuple[Run, float, bool, dict[str, list[float]]]:
    has_load = await has_route(portal, "/api/schedule/load")
    mixes = mix_for(people)
    alone = await unloaded(portal, people, has_load)
    run = Run()
    rng = random.Random(args.seed)
    meter.start()
    t0 = time.monotonic()
    end = t0 + args.duration_s
    tasks = [
        asyncio.create_task(
            person_loop(
                p,
                portal,
                run,
                mixes[p.label],
                end,
                random.Random(rng.random()),
                has_load,
                (args.wait_min_s, args.wait_max_s),
            )
        )
        for p in people
    ]
    every = max(10.0, args.duration_s / 10)
    while time.monotonic() < end:
        await asyncio.sleep(min(every, max(0.0, end - time.monotonic())))
        errors = sum(1 for s in run.samples if s.status == 0 or s.error)
        print(
            f"  {time.monotonic() - t0:5.0f} s: {len(run.samples)} requests, {errors} errors, "
            f"accepted {run.accepted}, Celery queue {queue_length(portal)} ({load_avg()})",
            flush=True,
        )
    # In-flight requests end within their timeout; nobody starts another.
    await asyncio.wait(tasks, timeout=REQUEST_TIMEOUT_S + 5)
    return run, time.monotonic() - t0, has_load, alone


def report(
    run: Run, people: list[Person], wall_s: float, args: argparse.Namespace, has_load: bool
) -> bool:
    by: dict[str, list[Sample]] = {}
    for s in run.samples:
        by.setdefault(s.endpoint, []).append(s)
    print(
        f"\n== {len(people)} users for {args.duration_s:g} s, each acting every "
        f"{args.wait_min_s:g}–{args.wait_max_s:g} s: {len(run.samples)} requests in "
        f"{wall_s:.0f} s ({len(run.samples) / wall_s:.1f}/s) =="
    )
    print(
        f"  {'endpoint':<36} {'n':>6} {'2xx':>6} {'409':>5} {'errors':>6}   {'median':>7}"
        f" {'p95':>7} {'p99':>7} {'max':>7}  {'size':>8}"
    )
    order = [
        "GET /api/schedule",
        "GET /api/schedule/load",
        "GET /api/offers",
        "POST /api/offers/{id}/accept",
        "POST /api/operations/{id}/progress",
    ]
    errors = 0
    for name in [n for n in order if n in by] + [n for n in by if n not in order]:
        xs = by[name]
        lat = [s.latency_s for s in xs]
        ok = sum(200 <= s.status < 300 for s in xs)
        conflict = sum(s.status == 409 for s in xs)
        bad = sum(
            1
            for s in xs
            if not (200 <= s.status < 300) and not (s.status == 409 and "accept" in name)
        )
        errors += bad
        sizes = [s.size for s in xs if s.size]
        print(
            f"  {name:<36} {len(xs):6d} {ok:6d} {conflict:5d} {bad:6d}   "
            f"{1000 * statistics.median(lat):5.0f}ms {1000 * pct(lat, 95):5.0f}ms "
            f"{1000 * pct(lat, 99):5.0f}ms {1000 * max(lat):5.0f}ms "
            f"{(statistics.median(sizes) if sizes else 0) / 1024:6.1f}kB"
        )
    print("  GET /api/schedule by who asks (the view's size follows what they may see):")
    for role in ("coordinator", "shop", "buyer"):
        xs = [s for s in by.get("GET /api/schedule", []) if s.role == role]
        if xs:
            lat = [s.latency_s for s in xs]
            print(
                f"    {role:<12} n {len(xs):5d}  median {1000 * statistics.median(lat):5.0f} ms"
                f"  p95 {1000 * pct(lat, 95):5.0f} ms  size {statistics.median([s.size for s in xs]) / 1024:6.1f} kB"
            )
    acts: Counter = Counter()
    for p in people:
        acts.update(p.acts)
    total = sum(acts.values()) or 1
    print(
        "  actions: "
        + ", ".join(f"{k} {v} ({100 * v / total:.0f} %)" for k, v in sorted(acts.items()))
        + f"; {total / wall_s:.1f} actions/s"
        + ("" if has_load else "; the portal has no /api/schedule/load: views are one request")
    )
    print(
        f"  offers: {run.accepted} accepted, {run.taken} answered 409 (taken first), "
        f"{run.nothing_open} lists with nothing open left; progress: {run.done_ops} operations"
        f" reported done, {run.exhausted} times a person had none left"
    )
    kinds = Counter(
        f"{s.endpoint} → {s.status or 'no answer'}: {s.error[:90]}"
        for s in run.samples
        if s.status == 0 or s.error
    )
    for what, n in kinds.most_common(8):
        print(f"    error ×{n}: {what}")
    print()
    print(f"  errors: {errors} (target 0) — {'met' if errors == 0 else 'MISSED'}")
    return errors == 0


def report_baseline(
    alone: dict[str, list[float]],
    steps: dict[str, dict[str, float]],
    people: list[Person],
    args: argparse.Namespace,
    run: Run,
) -> None:
    print(
        f"\n  baseline, measured just before the load: each reading endpoint alone "
        f"({UNLOADED_N} requests one at a time, medians), and under load (p95):"
    )
    under: dict[str, list[float]] = {}
    for s in run.samples:
        under.setdefault(f"{s.endpoint} {s.role}", []).append(s.latency_s)
    for key, lat in alone.items():
        loaded = under.get(key, [])
        ratio = pct(loaded, 95) / statistics.median(lat) if loaded else float("nan")
        print(
            f"    {key:<38} alone {1000 * statistics.median(lat):6.0f} ms   under load p95 "
            f"{1000 * pct(loaded, 95):7.0f} ms   ({ratio:5.0f}×)"
        )
    print("  GET /api/schedule's own steps in this process (no HTTP, no auth), medians:")
    print(
        f"    a new PostgreSQL connection (SCRAM), which the web server's pool saves: "
        f"{1000 * steps['connect']['s']:.1f} ms here"
    )
    for role, st in steps.items():
        if role == "connect":
            continue
        now_s = st["rows"] + st["json"]
        before_s = st["models"] + st["dicts"] + st["schema"] + st["encoder"]
        print(
            f"    {role:<12} {st['operations']:5.0f} operations, {st['queries']:3.0f} queries, "
            f"{st['kB']:6.1f} kB: rows {1000 * st['rows']:4.0f} ms (of which the SQL "
            f"{1000 * st['sql']:.0f} ms) + json {1000 * st['json']:3.0f} ms = "
            f"{1000 * now_s:4.0f} ms; as models, schema and ninja's encoder (before) "
            f"{1000 * before_s:4.0f} ms: {before_s / now_s:4.1f}× the work"
        )
    # What the views alone ask of the web server, at the unloaded cost of each.
    mean_wait = (args.wait_min_s + args.wait_max_s) / 2
    mixes = mix_for(people)
    need = 0.0
    for role in ("coordinator", "shop", "buyer"):
        n = sum(p.label == role for p in people)
        rate = n * mixes[role]["view"] / mean_wait
        cost = sum(
            statistics.median(alone[k])
            for k in (f"GET /api/schedule {role}", f"GET /api/schedule/load {role}")
            if k in alone
        )
        need += rate * cost
    offered = len(people) / mean_wait
    print(
        f"  offered: {offered:.0f} actions/s ({len(people)} people, one every {mean_wait:g} s"
        f" on average); the views alone need ≈ {need:.1f} s of web-server time per second at"
        f" their unloaded cost, against {args.web_workers} uvicorn process(es) (one core each"
        f" at most, the GIL) on {os.cpu_count()} cores shared with the worker, PostgreSQL and"
        f" the generator"
    )


def lost_progress() -> str:
    """Operations reported started whose start a later re-plan put in the future: the
    re-plan read them before the report and wrote its plan over it (a report sets the
    start to the report's time at the latest, and a re-plan keeps started operations)."""
    from django.utils import timezone

    from production.models import Operation

    started = Operation.objects.filter(started=True)
    moved = started.filter(start__gt=timezone.now()).count()
    return (
        f"operations reported started: {started.count()}; of them, put back in the future by"
        f" a re-plan that ran across the report (lost progress): {moved}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=None, help="200 (50 with --quick)")
    parser.add_argument("--duration-s", type=float, default=None, help="300 (30 with --quick)")
    parser.add_argument("--quick", action="store_true", help="50 users for 30 s")
    parser.add_argument("--wait-min-s", type=float, default=2.0)
    parser.add_argument("--wait-max-s", type=float, default=5.0)
    parser.add_argument("--operations", type=int, default=1600)
    parser.add_argument("--open-offers", type=int, default=600, help="spread over the shops")
    parser.add_argument(
        "--web-workers", type=int, default=None, help="as `kumiai run` (2 on two cores)"
    )
    parser.add_argument("--no-worker", action="store_true", help="no Celery worker")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    if args.web_workers is None:
        from kumiai.cli import default_web_workers

        args.web_workers = default_web_workers()
    args.users = args.users or (50 if args.quick else 200)
    args.duration_s = args.duration_s or (30.0 if args.quick else 300.0)
    if args.users < 10:
        parser.error("--users: at least 10 (a coordinator, three buyers, six shops' staff)")

    try:
        import uvloop

        uvloop.install()
        loop_name = "uvloop"
    except ImportError:
        loop_name = "asyncio"
    started = time.perf_counter()
    print(header("schedule load bench"), flush=True)
    portal = None
    try:
        t = time.perf_counter()
        portal = start_stack()
        print(
            f"  embedded PostgreSQL, S3, Redis up and migrated in {time.perf_counter() - t:.1f} s"
        )
        t = time.perf_counter()
        w = make_world(operations=args.operations, open_offers=args.open_offers, seed=args.seed)
        people = people_for(w, args.users, args.seed)
        print(describe(w))
        print(open_now(w))
        roles = Counter(p.label for p in people)
        print(
            f"  {len(people)} people with API keys ({', '.join(f'{k} {v}' for k, v in roles.items())});"
            f" group made in {time.perf_counter() - t:.1f} s",
            flush=True,
        )
        t = time.perf_counter()
        start_app(portal, web_workers=args.web_workers, worker=not args.no_worker)
        print(
            f"  web server {'and Celery worker ' if not args.no_worker else ''}up in "
            f"{time.perf_counter() - t:.1f} s: {' '.join(portal.argv['web'][2:])}"
            + ("; celery worker --concurrency 2" if not args.no_worker else "; NO Celery worker")
            + f"; load generator on {loop_name}",
            flush=True,
        )
        steps = view_steps(people)
        meter = CpuMeter(portal)
        queued_before = queue_length(portal)
        t_start = time.time()
        run, wall_s, has_load, alone = asyncio.run(drive(portal, people, args, meter))
        wall, parts, machine = meter.stop()
        report(run, people, wall_s, args, has_load)
        report_baseline(alone, steps, people, args, run)
        print(cpu_table(wall, parts, machine))
        print("  (bench = the load generator)")
        tasks = [r for r in worker_tasks(portal) if (r.received or 0) >= t_start]
        finished = [r for r in tasks if r.finished]
        failed = sum("failed" in r.result for r in finished)
        runs = [r.run_s for r in finished if r.run_s is not None]
        print(
            f"  re-plans (production.plan_shop): {len(tasks)} started by the worker, "
            f"{len(finished)} finished ({failed} 'failed'), median run "
            f"{statistics.median(runs) if runs else float('nan'):.1f} s; Celery queue "
            f"{queued_before} before, {queue_length(portal)} after"
        )
        for proc in ("web", "worker"):
            for what, n in worker_exceptions(portal, proc).most_common(4):
                print(f"    {proc} raised ×{n}: {what}")
        print(f"  {lost_progress()}")
        print(f"\n{load_avg()}; total {time.perf_counter() - started:.0f} s")
    finally:
        stop(portal)
    return 0


if __name__ == "__main__":
    sys.exit(main())
