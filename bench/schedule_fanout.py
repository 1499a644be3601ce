"""Benchmark (not a test): one change reaching 500 live schedule pages (issue 13, "Load":
"a change reaching 500 connected websocket clients: p95 from the action's response to
the last client's message ≤ 1 s").

The group of bench/schedule_common.py (1,600 planned operations by default). 500
websocket clients of /ws/schedule/, each with its own signed-in session (a member made
for it), spread over the organisations that hear a change of one shop (白山ベンダー by
default): its own people, the coordinator's and the three lead firms' (all hold work
there). They run in this process on one asyncio loop (uvloop when installed), as the
web server and the Celery worker run as `kumiai run` starts them.

Each action is a progress report (`POST /api/operations/{id}/progress`, status started
with a done quantity, by the shop's API key) on one of the shop's operations, or with
`--action breakdown` a breakdown of one of its machines for an hour. Measured: from the
action's response to the first message each client receives after the request was
sent, the last of the 500 being the figure. Two pushes can follow an action: one on the
action's own commit (if the portal sends one) and the re-plan's, seconds later (the
action queues a re-plan of the shop). The first is measured; which one it was is told by
the shop's re-plan audit row (`production.replan`): a message before that row is the
commit's. Before the next action the bench waits for the re-plan's push to have reached
every client (or for the re-plan to end without one), so no message is counted twice.
A socket the server closed is reopened before the next action, as the page does, and
counted.

Run: `.venv/bin/python bench/schedule_fanout.py [--clients 500 --actions 25]` (about 5
minutes on two cores). Quick look: `--clients 100 --actions 5 --operations 400`.
`--channel-fix` (a diagnostic, see schedule_common.CHANNEL_FIX) runs the portal with the
channel layer's Redis read timeout off.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from schedule_common import (
    CpuMeter,
    Listener,
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
    session_cookies,
    start_app,
    start_stack,
    stop,
    verdict,
    worker_exceptions,
    worker_tasks,
)

TARGET_S = 1.0
MESSAGE_WAIT_S = 20.0  # for the first push of an action to reach every client
REPLAN_WAIT_S = 60.0  # for its re-plan to end (and its push to pass)
CONNECT_AT_ONCE = 25


@dataclass
class Action:
    kind: str
    post_s: float
    clients: int  # sockets open when the action was sent
    heard: int  # of them, how many received a message
    first_s: float  # response → first client's message
    median_s: float
    last_s: float  # response → the last client's message
    last_from_request_s: float
    which: str  # "commit push" or "re-plan push"
    replan: str  # the re-plan's result in the worker
    by_org: dict[str, float]  # organisation → its last client


def replan_audit_after(shop_id: int, t: float) -> float | None:
    from tenancy.models import AuditLog

    row = (
        AuditLog.objects.filter(
            action="production.replan",
            organization_id=shop_id,
            created_at__gte=datetime.fromtimestamp(t, UTC),
        )
        .order_by("created_at")
        .first()
    )
    return row.created_at.timestamp() if row else None


def spread(w: World, shop: Any, clients: int) -> dict[int, int]:
    """Clients per organisation: 40 % the shop, 20 % the coordinator, 40 % the buyers."""
    n_shop = round(clients * 0.4)
    n_coord = round(clients * 0.2)
    rest = clients - n_shop - n_coord
    out = {shop.pk: n_shop, w.coordinator.pk: n_coord}
    for i, firm in enumerate(w.firms):
        out[firm.pk] = rest // len(w.firms) + (1 if i < rest % len(w.firms) else 0)
    return out


def shop_operations(shop: Any) -> list[int]:
    from production.models import Operation

    return list(Operation.objects.filter(work__shop=shop, done=False).values_list("pk", flat=True))


async def wait_all(listeners: list[Listener], t: float, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if all(lis.first_after(t) is not None or not lis.is_open for lis in listeners):
            return
        await asyncio.sleep(0.01)


async def run(
    portal: Portal,
    w: World,
    shop: Any,
    people: dict[int, list[str]],  # org id → session cookies
    key: str,
    machines: list[int],
    ops: list[int],
    args: argparse.Namespace,
    meter: CpuMeter,
) -> tuple[list[Action], list[float], int]:
    rng = random.Random(args.seed)
    names = {o.pk: o.name for o in [*w.shops, *w.firms]}
    listeners: list[Listener] = []
    connect_s: list[float] = []
    async with http_session() as session:
        t = time.perf_counter()
        for org_id, cookies in people.items():
            listeners += [Listener(names[org_id], org_id) for _ in cookies]
        sem = asyncio.Semaphore(CONNECT_AT_ONCE)

        async def connect(lis: Listener, cookie: str) -> None:
            async with sem:
                connect_s.append(await lis.connect(session, portal, cookie))

        cookies = [c for cs in people.values() for c in cs]
        await asyncio.gather(*(connect(lis, c) for lis, c in zip(listeners, cookies, strict=True)))
        print(
            f"  {len(listeners)} sockets open in {time.perf_counter() - t:.1f} s "
            f"(connect median {1000 * statistics.median(connect_s):.0f} ms, "
            f"p95 {1000 * pct(connect_s, 95):.0f} ms, {CONNECT_AT_ONCE} at a time)",
            flush=True,
        )
        await asyncio.sleep(1.0)
        meter.start()
        actions: list[Action] = []
        for k in range(args.actions):
            for lis in listeners:
                await lis.ensure()  # as the page does after the server closed its socket
            live = [lis for lis in listeners if lis.is_open]
            kind = (
                args.action
                if args.action != "mixed"
                else ("breakdown" if k % 4 == 3 else "progress")
            )
            if kind == "progress":
                op = ops.pop(rng.randrange(len(ops)))
                url = f"{portal.url}/api/operations/{op}/progress"
                body: dict[str, Any] = {"status": "started", "done_qty": rng.randint(0, 5)}
                want = 200
            else:
                machine = machines[k % len(machines)]
                start = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=k)
                url = f"{portal.url}/api/machines/{machine}/breakdowns"
                body = {
                    "start": start.isoformat(),
                    "end": (start + timedelta(hours=1)).isoformat(),
                    "reason": "bench",
                }
                want = 201
            t_req = time.time()
            async with session.post(
                url, json=body, headers={"Authorization": f"Bearer {key}"}
            ) as r:
                text = await r.text()
                t_resp = time.time()
            if r.status != want:
                raise SystemExit(f"{kind} answered {r.status}: {text[:300]}")
            await wait_all(live, t_req, MESSAGE_WAIT_S)
            got = {id(lis): lis.first_after(t_req) for lis in live}
            times = [x for x in got.values() if x is not None]
            # The re-plan: its audit row says when its push left; wait for it to pass.
            deadline = time.monotonic() + REPLAN_WAIT_S
            audit_t = None
            task = None
            while time.monotonic() < deadline:
                audit_t = await asyncio.to_thread(replan_audit_after, shop.pk, t_req)
                task = next(
                    (r for r in worker_tasks(portal) if (r.received or 0) >= t_req - 0.01), None
                )
                if audit_t is not None or (task is not None and task.finished):
                    break
                await asyncio.sleep(0.05)
            first = min(times) if times else None
            which = "—"
            if first is not None:
                which = "commit push" if audit_t is None or first < audit_t else "re-plan push"
            if audit_t is not None and which == "commit push":
                await wait_all(live, audit_t, MESSAGE_WAIT_S)
            await asyncio.sleep(0.3)
            task = next(
                (r for r in worker_tasks(portal) if (r.received or 0) >= t_req - 0.01), task
            )
            by_org: dict[str, float] = {}
            for lis in live:
                x = got[id(lis)]
                if x is not None:
                    by_org[lis.label] = max(by_org.get(lis.label, -1e9), x - t_resp)
            a = Action(
                kind,
                t_resp - t_req,
                len(live),
                len(times),
                (first - t_resp) if first is not None else float("nan"),
                (statistics.median(times) - t_resp) if times else float("nan"),
                (max(times) - t_resp) if times else float("nan"),
                (max(times) - t_req) if times else float("nan"),
                which,
                task.result if task and task.finished else "(not finished)",
                by_org,
            )
            actions.append(a)
            print(
                f"  action {k + 1:2d} {kind:<9}: {a.heard}/{a.clients} heard, last "
                f"{a.last_s:6.3f} s after the response ({which}; re-plan {a.replan}) "
                f"({load_avg()})",
                flush=True,
            )
        drops = sum(lis.drops for lis in listeners)
        for lis in listeners:
            await lis.close()
    return actions, connect_s, drops


def report(actions: list[Action], clients: int, drops: int) -> None:
    print(
        f"\n== action → the last of {clients} websocket clients (p95 over {len(actions)} "
        f"actions) =="
    )
    print(
        "   #  action     POST    first   median   LAST   last from request  heard     measured push"
    )
    for k, a in enumerate(actions, 1):
        print(
            f"  {k:2d}  {a.kind:<9}{a.post_s:6.3f}  {a.first_s:7.3f}  {a.median_s:7.3f}"
            f"{a.last_s:7.3f}  {a.last_from_request_s:12.3f}      {a.heard:4d}/{a.clients:<4d}"
            f" {a.which}"
        )
    complete = [a for a in actions if a.heard == a.clients and a.clients == clients]
    lasts = [a.last_s for a in actions]

    def row(label: str, xs: list[float]) -> None:
        xs = [x for x in xs if x == x]
        print(
            f"  {label:<44} median {statistics.median(xs) if xs else float('nan'):7.3f} s"
            f"   p95 {pct(xs, 95):7.3f} s   max {max(xs) if xs else float('nan'):7.3f} s"
        )

    print()
    row("response → LAST client's message", lasts)
    row("response → first client's message", [a.first_s for a in actions])
    row("response → median client's message", [a.median_s for a in actions])
    row("spread: first → last client (the fan-out)", [a.last_s - a.first_s for a in actions])
    row("the action's POST itself", [a.post_s for a in actions])
    orgs: dict[str, list[float]] = {}
    for a in actions:
        for k, v in a.by_org.items():
            orgs.setdefault(k, []).append(v)
    print("  last client per organisation (response → message), median over actions:")
    for k, xs in orgs.items():
        print(f"    {k:<22} {statistics.median(xs):7.3f} s")
    kinds = sorted({a.which for a in actions})
    print(
        f"  measured push: {', '.join(f'{k} × {sum(a.which == k for a in actions)}' for k in kinds)}"
    )
    if any(a.which == "re-plan push" for a in actions):
        print(
            "  (a re-plan push is the first message only when the action sends none on its own"
            " commit: then the figure includes the whole re-plan)"
        )
    if drops:
        print(
            f"  sockets the server closed during the run (reopened before the next action): {drops}"
        )
    short = len(actions) - len(complete)
    if short:
        print(f"  {short} of {len(actions)} actions did not reach all {clients} clients: missed")
    print()
    p95 = pct(lasts, 95) if not short else float("nan")
    print(verdict(f"p95 response → last of {clients} clients", p95, TARGET_S))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--actions", type=int, default=25)
    parser.add_argument("--action", choices=("progress", "breakdown", "mixed"), default="progress")
    parser.add_argument("--operations", type=int, default=1600)
    parser.add_argument("--shop", type=int, default=2, help="index of the shop that acts (0–5)")
    parser.add_argument(
        "--web-workers", type=int, default=None, help="as `kumiai run` (2 on two cores)"
    )
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--channel-fix",
        action="store_true",
        help="diagnostic: run the portal with the channel layer's Redis read timeout off",
    )
    args = parser.parse_args()
    if args.web_workers is None:
        from kumiai.cli import default_web_workers

        args.web_workers = default_web_workers()
    if args.actions < 1 or args.clients < 1:
        parser.error("--actions and --clients must be at least 1")

    try:
        import uvloop

        uvloop.install()
        loop_name = "uvloop"
    except ImportError:
        loop_name = "asyncio"
    started = time.perf_counter()
    print(header("schedule fan-out bench"), flush=True)
    portal = None
    try:
        t = time.perf_counter()
        portal = start_stack()
        print(
            f"  embedded PostgreSQL, S3, Redis up and migrated in {time.perf_counter() - t:.1f} s"
        )
        t = time.perf_counter()
        w = make_world(operations=args.operations, seed=args.seed)
        shop = w.shops[args.shop]
        from shops.models import Machine
        from tenancy.models import Role

        people = {}
        for org_id, n in spread(w, shop, args.clients).items():
            org = next(o for o in [*w.shops, *w.firms] if o.pk == org_id)
            people[org_id] = session_cookies(add_people(org, n, "viewer", Role.VIEWER))
        key = api_keys(add_people(shop, 1, "foreman", Role.ESTIMATOR))[0]
        ops = shop_operations(shop)
        machines = list(Machine.objects.filter(shop=shop).values_list("pk", flat=True))
        if len(ops) < args.actions:
            raise SystemExit(f"{shop.name} has {len(ops)} operations for {args.actions} actions")
        print(describe(w))
        print(open_now(w))
        names = {o.pk: o.name for o in [*w.shops, *w.firms]}
        print(
            f"  {args.clients} members signed in, one socket each ("
            + ", ".join(f"{names[o]} {len(c)}" for o, c in people.items())
            + f"); group made in {time.perf_counter() - t:.1f} s",
            flush=True,
        )
        t = time.perf_counter()
        start_app(portal, web_workers=args.web_workers, channel_fix=args.channel_fix)
        print(
            f"  web server and Celery worker up in {time.perf_counter() - t:.1f} s: "
            f"{' '.join(portal.argv['web'][2:])}; clients on {loop_name}",
            flush=True,
        )
        if args.channel_fix:
            print("  DIAGNOSTIC --channel-fix: the channel layer's Redis read timeout is off")
        meter = CpuMeter(portal)
        actions, _connect, drops = asyncio.run(
            run(portal, w, shop, people, key, machines, ops, args, meter)
        )
        wall, parts, machine = meter.stop()
        report(actions, args.clients, drops)
        me = parts["bench (this process)"] * wall / 100
        heard = sum(a.heard for a in actions)
        print(
            f"  the clients' CPU: {me:.1f} s over the window, "
            f"{1000 * me / max(1, len(actions)):.0f} ms per action ({heard} messages in all, "
            f"{1e6 * me / max(1, heard):.0f} µs per message, waits and reconnects included)"
        )
        for proc in ("web", "worker"):
            for what, n in worker_exceptions(portal, proc).most_common(4):
                print(f"  {proc} raised ×{n}: {what}")
        print(cpu_table(wall, parts, machine))
        print(
            "  (the clients are this process; the window spans the actions and the waits for"
            " each re-plan)"
        )
        print(f"\n{load_avg()}; total {time.perf_counter() - started:.0f} s")
    finally:
        stop(portal)
    return 0


if __name__ == "__main__":
    sys.exit(main())
