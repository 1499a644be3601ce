"""What the live-schedule benches (issue 13) share: the group, the running portal, the
clients and the figures. Not a benchmark itself.

The group: a coordinator that makes parts too and five member shops, each with ten
machines (laser, punch, press brake) and its working calendar, made straight in the
database; three lead firms with generated parts (drawings_search's, loaded with COPY)
and placed orders. Each line carries a group quote in the JSON form orders/quotes.py
writes (hours per process from the part's cut length, pierces and bends, as
allocation_portal makes them), was placed by a published allocation run and accepted by
its shop (Offer → Work rows, inserted in bulk). The machine plans are then made by the
portal's own `production.actions.replan_shop`, shop by shop, so the 1,600 operations in
PostgreSQL are the planner's. Optionally, open offers made by `offers.actions.
create_offers` from a second published run (with their drawing grants).

The portal: the embedded PostgreSQL (ephemeral: fsync off), S3 and Redis, then the web
server and a Celery worker started with the very argument lists `kumiai run` uses
(`kumiai.cli.app_children`), output to log files. Celery beat is not started: nothing
it schedules (stale-job sweep, offer deadlines) comes due during a bench.
"""

from __future__ import annotations

import asyncio
import math
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "platform"))
sys.path.insert(0, str(REPO / "bench"))

from allocation_portal import standard_hours  # noqa: E402
from drawings_search import generate, load, load_avg, setup_django  # noqa: E402

SEED = 13
PARTS_PER_FIRM = 120
LINES_PER_ORDER = 8
DUE_DAYS = (3, 25)
# Non-machine processes a line may carry (the planner leaves them off the machines).
EXTRA = (("weld", 0.15), ("tap", 0.2), ("paint", 0.1))
MATERIAL_JPY_KG = {"SPCC": 180, "SECC": 210, "SUS304": 620, "A5052": 950, "SS400": 150}


@dataclass(frozen=True)
class ShopSpec:
    name: str
    machines: tuple[tuple[str, int, float], ...]  # process, how many, speed factor
    shifts_per_day: int = 1
    weekly_days_off: tuple[int, ...] = (6, 7)
    efficiency: float = 1.0  # hours it needs against the group's standard
    rate_jpy_h: float = 9000.0


# Ten machines each: 60 in the group. The first is the coordinator (it makes parts too).
SHOPS = (
    ShopSpec(
        "加賀精密板金", (("laser", 4, 1.2), ("punch", 2, 1.0), ("bend", 4, 1.0)), rate_jpy_h=9800
    ),
    ShopSpec(
        "能登レーザー工業",
        (("laser", 5, 1.0), ("punch", 1, 1.0), ("bend", 4, 0.9)),
        shifts_per_day=2,
        weekly_days_off=(7,),
        efficiency=0.9,
        rate_jpy_h=8800,
    ),
    ShopSpec(
        "白山ベンダー", (("laser", 3, 0.8), ("punch", 2, 1.0), ("bend", 5, 1.0)), rate_jpy_h=8200
    ),
    ShopSpec(
        "越前溶接工業",
        (("laser", 4, 1.0), ("punch", 2, 1.1), ("bend", 4, 1.0)),
        efficiency=1.05,
        rate_jpy_h=9200,
    ),
    ShopSpec(
        "小松プレス工業",
        (("laser", 3, 1.0), ("punch", 3, 1.2), ("bend", 4, 1.0)),
        weekly_days_off=(7,),
        rate_jpy_h=8700,
    ),
    ShopSpec(
        "福井精工",
        (("laser", 4, 1.1), ("punch", 2, 1.0), ("bend", 4, 1.0)),
        shifts_per_day=2,
        efficiency=0.95,
        rate_jpy_h=9400,
    ),
)
FIRMS = ("北陸機器製作所", "金沢電機工業", "富山産機")


# -- the group -----------------------------------------------------------------------------
@dataclass
class World:
    group: Any
    coordinator: Any
    shops: list[Any]  # organisations, the coordinator first
    firms: list[Any]
    buyers: dict[int, Any] = field(default_factory=dict)  # firm org id → its first member
    operations: int = 0
    works: int = 0
    open_offers: int = 0
    plan_s: dict[int, float] = field(default_factory=dict)  # shop id → replan_shop seconds
    plan_status: dict[int, str] = field(default_factory=dict)

    def shop_named(self, org_id: int) -> str:
        return next(s.name for s in self.shops if s.pk == org_id)


def system_actor() -> Any:
    from tenancy.context import Actor

    return Actor.system("bench")


def make_group() -> World:
    from shops.models import Machine, ShopCapability
    from tenancy.actions import create_organization
    from tenancy.models import OrgKind, SupplierGroup

    system = system_actor()
    group = SupplierGroup.objects.create(name="北陸板金グループ", slug="hokuriku")
    shops = []
    for i, spec in enumerate(SHOPS):
        kind = OrgKind.COORDINATOR if i == 0 else OrgKind.MEMBER_SHOP
        org = create_organization(group, spec.name, kind, acting=system)
        shops.append(org)
        ShopCapability.objects.create(
            shop=org,
            processes=["laser", "punch", "bend", "weld", "tap", "paint"],
            materials=list(MATERIAL_JPY_KG),
            thickness_min_mm=0.5,
            thickness_max_mm=12.0,
            max_part_long_mm=3000.0,
            max_part_short_mm=1500.0,
            hours_per_shift=8.0,
            shifts_per_day=spec.shifts_per_day,
            weekly_days_off=list(spec.weekly_days_off),
            observes_public_holidays=True,
            target_share=round(1 / len(SHOPS), 3),
        )
        Machine.objects.bulk_create(
            Machine(shop=org, name=f"{p}-{k + 1}", process=p, speed_factor=speed)
            for p, n, speed in spec.machines
            for k in range(n)
        )
    firms = [create_organization(group, name, OrgKind.LEAD_FIRM, acting=system) for name in FIRMS]
    return World(group, shops[0], shops, firms)


def add_people(org: Any, n: int, tag: str, role: str | None = None) -> list[Any]:
    """n members of `org` without a usable password (they sign in by session or key)."""
    from tenancy.actions import add_member
    from tenancy.models import Role

    system = system_actor()
    return [
        add_member(
            org,
            f"{tag}{k}@o{org.pk}.bench.example",
            f"{tag} {k}",
            role or Role.ESTIMATOR,
            None,  # type: ignore[arg-type]  # an unusable password: no hashing cost
            acting=system,
        )
        for k in range(n)
    ]


def api_keys(memberships: list[Any]) -> list[str]:
    from accounts.actions import do_create_api_token
    from tenancy.context import Actor

    return [
        do_create_api_token("bench", acting=Actor(user=m.user, membership=m)).secret
        for m in memberships
    ]


def session_cookies(memberships: list[Any]) -> list[str]:
    """A signed-in browser session per member (what the schedule page's socket sends)."""
    from django.conf import settings
    from django.test import Client

    out = []
    for m in memberships:
        c = Client()
        c.force_login(m.user)
        out.append(c.cookies[settings.SESSION_COOKIE_NAME].value)
    return out


@dataclass(frozen=True)
class LineSpec:
    firm: int  # index into FIRMS
    shop: int  # index into SHOPS
    part: Any  # drawings_search.Generated
    processes: tuple[str, ...]
    quantity: int
    bends: int
    due_days: int


def line_specs(
    parts: list[list[Any]], operations: int, open_lines: int, rng: random.Random
) -> tuple[list[LineSpec], list[LineSpec]]:
    """Lines whose machine operations (laser, punch, bend) add up to exactly `operations`,
    spread over the shops and firms in turn, and `open_lines` more for open offers."""

    def one(k: int, budget: int | None) -> LineSpec:
        machine = ["laser"]
        if rng.random() < 0.3:
            machine.append("punch")
        if rng.random() < 0.75:
            machine.append("bend")
        if budget is not None:
            machine = machine[: max(1, budget)]
        extra = [p for p, q in EXTRA if rng.random() < q]
        from orders.quotes import ordered_processes

        # Every firm has work at every shop (so every buyer hears every shop's changes).
        firm = (k // len(SHOPS)) % len(FIRMS)
        return LineSpec(
            firm,
            k % len(SHOPS),
            rng.choice(parts[firm]),
            ordered_processes(machine + extra),
            rng.choice((5, 10, 10, 20, 20, 30, 50, 50, 100)),
            rng.randint(1, 4),
            rng.randint(*DUE_DAYS),
        )

    planned, total = [], 0
    while total < operations:
        spec = one(len(planned), operations - total)
        planned.append(spec)
        total += sum(p in ("laser", "punch", "bend") for p in spec.processes)
    return planned, [one(len(planned) + k, None) for k in range(open_lines)]


def quote_of(spec: LineSpec, shops: list[Any], today: Any) -> list[dict[str, Any]]:
    from orders.quotes import ShopPrice

    g = spec.part
    out = []
    for org, shop in zip(shops, SHOPS, strict=True):
        hours = {
            p: h * shop.efficiency
            for p, h in standard_hours(g, spec.processes, spec.quantity, spec.bends).items()
        }
        kg = g.cad.net_area_mm2 * g.family.thickness_mm * 7.85e-6 * 1.35
        total = (
            kg * MATERIAL_JPY_KG.get(g.family.material, 200) * spec.quantity
            + sum(hours.values()) * shop.rate_jpy_h
        )
        lead = 3 + round(sum(hours.values()) / 8)
        out.append(
            ShopPrice(
                org.pk,
                org.name,
                total / spec.quantity,
                total,
                lead,
                today + timedelta(days=lead),
                hours,
                1,
            ).as_json()
        )
    return sorted(out, key=lambda q: q["total_price_jpy"])


def make_world(*, operations: int = 1600, open_offers: int = 0, seed: int = SEED) -> World:
    """The group, its accepted work planned on the machines by `replan_shop`, and
    `open_offers` offers waiting in the shops' inboxes (made by `create_offers`)."""
    from django.db import connection
    from django.utils import timezone

    from allocation.models import AllocationRun, ProposedPlacement, RunStatus
    from offers.actions import create_offers
    from offers.models import Offer, OfferStatus
    from orders.models import LineStatus, Order, OrderLine, OrderStatus
    from production.actions import replan_shop
    from production.models import Work
    from tenancy.models import Role

    rng = random.Random(seed)
    w = make_group()
    parts = []
    for i, firm in enumerate(w.firms):
        buyer = add_people(firm, 1, "buyer", Role.PROCUREMENT)[0]
        w.buyers[firm.pk] = buyer
        got = generate(PARTS_PER_FIRM, seed + i, 1)
        load(got, 0, firm, buyer.user)
        parts.append(got)
    from drawings.models import Drawing, Part

    drawing_of = {(d.owner_id, d.part_number): d for d in Drawing.objects.filter(owner__in=w.firms)}
    part_of = {p.drawing_id: p for p in Part.objects.filter(is_current=True)}
    planned, open_ = line_specs(parts, operations, open_offers, rng)
    today = timezone.localdate()
    now = timezone.now()

    def make_lines(specs: list[LineSpec], status: str, tag: str) -> list[Any]:
        orders: dict[tuple[int, int], Any] = {}
        rows = []
        counts = [0] * len(FIRMS)
        for spec in specs:
            firm = w.firms[spec.firm]
            k = counts[spec.firm]
            counts[spec.firm] += 1
            key = (spec.firm, k // LINES_PER_ORDER)
            if key not in orders:
                orders[key] = Order(
                    buyer=firm,
                    number=f"{tag}-{key[1] + 1:05d}",
                    title=f"定期発注 {key[1] + 1}",
                    status=OrderStatus.PLACED,
                    created_by=w.buyers[firm.pk].user,
                    placed_by=w.buyers[firm.pk].user,
                    placed_at=now,
                )
            drawing = drawing_of[firm.pk, spec.part.part_number]
            rows.append(
                (
                    key,
                    OrderLine(
                        number=k % LINES_PER_ORDER + 1,
                        drawing=drawing,
                        revision_id=drawing.current_revision_id,
                        part=part_of[drawing.pk],
                        material=spec.part.family.material,
                        thickness_mm=spec.part.family.thickness_mm,
                        processes=list(spec.processes),
                        quantity=spec.quantity,
                        due_date=today + timedelta(days=spec.due_days),
                        status=status,
                        quote=quote_of(spec, w.shops, today),
                    ),
                )
            )
        Order.objects.bulk_create(orders.values())
        for key, line in rows:
            line.order = orders[key]
        return OrderLine.objects.bulk_create(line for _, line in rows)

    def published_run(specs: list[LineSpec], lines: list[Any]) -> tuple[Any, list[Any]]:
        run = AllocationRun.objects.create(
            organization=w.coordinator,
            status=RunStatus.DONE,
            solver_status="feasible",
            start_date=today,
            finished_at=now,
            published_at=now,
        )
        placements = ProposedPlacement.objects.bulk_create(
            ProposedPlacement(
                run=run,
                line=line,
                shop=w.shops[spec.shop],
                finish_date=line.due_date - timedelta(days=1),
                cost_jpy=next(
                    q["total_price_jpy"]
                    for q in line.quote
                    if q["shop_id"] == w.shops[spec.shop].pk
                ),
                why="bench",
            )
            for spec, line in zip(specs, lines, strict=True)
        )
        return run, placements

    lines = make_lines(planned, LineStatus.ACCEPTED, "W")
    run, placements = published_run(planned, lines)
    offers = Offer.objects.bulk_create(
        Offer(
            run=run,
            placement=p,
            line=line,
            shop=p.shop,
            status=OfferStatus.ACCEPTED,
            price_jpy=round(p.cost_jpy),
            due_date=line.due_date,
            promised_date=p.finish_date,
            deadline=now + timedelta(hours=48),
            answered_at=now,
        )
        for p, line in zip(placements, lines, strict=True)
    )
    Work.objects.bulk_create(
        Work(offer=o, line=o.line, shop=o.shop, buyer=o.line.order.buyer, due_date=o.due_date)
        for o in offers
    )
    w.works = len(offers)
    if open_:
        lines = make_lines(open_, LineStatus.OPEN, "N")
        run, _ = published_run(open_, lines)
        w.open_offers = len(create_offers(run.pk))
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    from production.models import Operation

    for shop in w.shops:
        t = time.perf_counter()
        w.plan_status[shop.pk] = replan_shop(shop.pk)
        w.plan_s[shop.pk] = time.perf_counter() - t
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    w.operations = Operation.objects.count()
    return w


def describe(w: World) -> str:
    from production.models import Operation

    per_shop = {s.pk: Operation.objects.filter(work__shop=s).count() for s in w.shops}
    plans = ", ".join(
        f"{w.shop_named(pk)} {per_shop[pk]} ops {w.plan_s[pk]:.1f} s {w.plan_status[pk]}"
        for pk in per_shop
    )
    return (
        f"  {len(w.shops)} shops × 10 machines, {len(w.firms)} lead firms, {w.works} accepted"
        f" works, {w.operations} operations in PostgreSQL, {w.open_offers} open offers\n"
        f"  initial plans (replan_shop, in this process): {plans}"
    )


def open_now(w: World) -> str:
    """The local time and the shops working at this hour by their calendars (public
    holidays aside): a plan made now starts their work at once."""
    from django.utils import timezone

    from production.planning import SHIFT_START_MIN

    now = timezone.localtime()
    minute = now.hour * 60 + now.minute
    open_ = [
        org.name
        for org, spec in zip(w.shops, SHOPS, strict=True)
        if now.isoweekday() not in spec.weekly_days_off
        and SHIFT_START_MIN <= minute < SHIFT_START_MIN + 480 * spec.shifts_per_day
    ]
    return (
        f"  local time {now:%a %H:%M} ({timezone.get_current_timezone_name()}); shops at work "
        f"now by their calendars: {', '.join(open_) or 'none'}"
    )


# -- the running portal --------------------------------------------------------------------
@dataclass
class Portal:
    home: Path
    stack: Any
    url: str = ""
    env: dict[str, str] = field(default_factory=dict)
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    argv: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://", 1)

    def log(self, name: str) -> Path:
        return self.home / "logs" / f"{name}.log"


def start_stack() -> Portal:
    """The embedded services (ephemeral ports), Django set up and migrated here."""
    from kumiai.stack.embedded import EmbeddedStack
    from kumiai.stack.services import ServiceError

    for attempt in (1, 2):
        home = Path(tempfile.mkdtemp(prefix="kumiai-bench-"))
        stack = EmbeddedStack(home=home, ephemeral=True)
        stack.plan()
        try:
            stack.start(say=lambda m: None)
            break
        except ServiceError as exc:
            # Free ports are picked, then bound: another stack on the machine (tests) can
            # take one in between. Once more, on other ports.
            stack.stop()
            shutil.rmtree(home, ignore_errors=True)
            if attempt == 2:
                raise
            print(f"  the embedded services did not start ({str(exc).splitlines()[0]}); again")
    setup_django(stack.env)
    return Portal(home, stack)


# A diagnostic, never the default: the portal as it would run with the channel layer's
# Redis connections free of redis-py 8's 5 s default read timeout (channels_redis blocks
# 5 s in BZPOPMIN on them; see redis/redis-py#4091). Written to the bench's own home.
CHANNEL_FIX = """from kumiai.settings import *  # noqa: F403
from kumiai.settings import CHANNEL_LAYERS, REDIS_URL

CHANNEL_LAYERS["default"]["CONFIG"]["hosts"] = [{"address": REDIS_URL, "socket_timeout": None}]
"""


def start_app(
    portal: Portal, *, web_workers: int = 1, worker: bool = True, channel_fix: bool = False
) -> None:
    """The web server and the Celery worker with `kumiai run`'s own argument lists (the
    web server's `--workers` added when asked for more than one process). `channel_fix`:
    see CHANNEL_FIX."""
    from kumiai.cli import PLATFORM_DIR, app_children, child_env
    from kumiai.stack.services import free_port

    port = free_port()
    portal.url = f"http://127.0.0.1:{port}"
    children = {
        c.name: c
        for c in app_children(
            host="127.0.0.1", port=port, concurrency=2, home=portal.home, web_workers=web_workers
        )
    }
    env = child_env(portal.stack.env)
    env["DJANGO_DEBUG"] = "false"
    env.setdefault("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    env.setdefault("DJANGO_EMAIL_FILE_PATH", str(portal.home / "mail"))
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    if channel_fix:
        (portal.home / "bench_settings.py").write_text(CHANNEL_FIX)
        env["DJANGO_SETTINGS_MODULE"] = "bench_settings"
        env["PYTHONPATH"] = f"{portal.home}{os.pathsep}{env['PYTHONPATH']}"
    portal.env = env
    (portal.home / "logs").mkdir(exist_ok=True)
    wanted = ["web"] + (["worker"] if worker else [])
    for name in wanted:
        argv = list(children[name].argv)
        portal.argv[name] = argv
        portal.procs[name] = subprocess.Popen(  # noqa: S603 - our interpreter, fixed options
            argv,
            env=env,
            cwd=PLATFORM_DIR,
            stdout=portal.log(name).open("ab"),
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(f"{portal.url}/healthz", timeout=10):  # noqa: S310 - loopback
                break
        except urllib.error.HTTPError:
            break  # it answers (503 while a component warms up is still an answer)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        for name, proc in portal.procs.items():
            if proc.poll() is not None:
                raise SystemExit(f"{name} exited ({proc.returncode}); see {portal.log(name)}")
        if time.monotonic() > deadline:
            raise SystemExit(f"the web server did not answer in 90 s; see {portal.log('web')}")
        time.sleep(0.2)
    if worker:
        from kumiai.celery import ping

        ping.delay().get(timeout=90)


def stop(portal: Portal | None) -> None:
    if portal is None:
        return
    for proc in portal.procs.values():
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # the group we started it in
    for proc in portal.procs.values():
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    from django.db import connections

    connections.close_all()
    portal.stack.stop()
    if os.environ.get("KUMIAI_BENCH_KEEP_LOGS"):
        print(f"  logs kept in {portal.home / 'logs'}")
    else:
        shutil.rmtree(portal.home, ignore_errors=True)


def queue_length(portal: Portal) -> int:
    """Tasks waiting in the Celery queue (the default queue is a Redis list)."""
    import redis

    return int(redis.Redis.from_url(portal.stack.env["REDIS_URL"]).llen("celery"))


# -- the worker's log ----------------------------------------------------------------------
TASK_LINE = re.compile(
    r"^\[(?P<ts>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}): \w+/[\w-]+\] "
    r"Task (?P<name>[\w.]+)\[(?P<id>[0-9a-f-]+)\] "
    r"(?:(?P<received>received)|succeeded in (?P<secs>[\d.e-]+)s: (?P<result>.*))$"
)


@dataclass
class TaskRun:
    id: str
    name: str
    received: float | None = None  # epoch seconds (the log's local time, ms)
    run_s: float | None = None
    finished: float | None = None
    result: str = ""


def worker_tasks(portal: Portal, name: str = "production.plan_shop") -> list[TaskRun]:
    """Celery's own INFO lines of the worker: when each task was received, how long it
    ran and what it returned, in the order received."""
    runs: dict[str, TaskRun] = {}
    try:
        text = portal.log("worker").read_text(errors="replace")
    except FileNotFoundError:
        return []
    for line in text.splitlines():
        m = TASK_LINE.match(line)
        if not m or m["name"] != name:
            continue
        # Local time, which Django set for the worker (TIME_ZONE) as it did for this process.
        at = datetime.strptime(m["ts"], "%Y-%m-%d %H:%M:%S,%f").astimezone().timestamp()
        run = runs.setdefault(m["id"], TaskRun(m["id"], name))
        if m["received"]:
            run.received = at
        else:
            run.run_s, run.finished, run.result = float(m["secs"]), at, m["result"]
    return sorted(runs.values(), key=lambda r: r.received or 0.0)


EXCEPTION_LINE = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Solution|Timeout)): (.*)$")


def worker_exceptions(portal: Portal, name: str = "worker") -> Counter:
    """The last line of every traceback in a process's log (what a failed task or request
    raised), by kind."""
    try:
        text = portal.log(name).read_text(errors="replace")
    except FileNotFoundError:
        return Counter()
    found: Counter = Counter()
    for line in text.splitlines():
        m = EXCEPTION_LINE.match(line)
        if m:
            message = re.sub(r"\d+", "N", m[2])[:100]  # one kind, whatever the ids
            found[f"{m[1]}: {message}"] += 1
    return found


# -- CPU -----------------------------------------------------------------------------------
def _tree_cpu_s(root: Any) -> float:
    """CPU seconds of a process and everything under it: its own, its reaped children's
    (a PostgreSQL backend that served one request and exited), and its live ones'."""
    import psutil

    try:
        t = root.cpu_times()
        total = t.user + t.system + t.children_user + t.children_system
        kids = root.children(recursive=True)
    except psutil.NoSuchProcess:
        return 0.0
    for kid in kids:
        try:
            k = kid.cpu_times()
            total += k.user + k.system
        except psutil.NoSuchProcess:
            pass
    return total


class CpuMeter:
    """CPU seconds by part over a window: the portal's processes, this process (the
    clients / load generator) and the whole machine (which others may be using too)."""

    def __init__(self, portal: Portal) -> None:
        import psutil

        self.parts: dict[str, Any] = {}
        for name, proc in portal.procs.items():
            self.parts[name] = psutil.Process(proc.pid)
        for service in portal.stack.services:
            if getattr(service, "process", None) is not None:
                self.parts[service.name] = psutil.Process(service.process.pid)
        self.me = psutil.Process()
        self._start: dict[str, float] = {}
        self._machine: Any = None
        self._t = 0.0

    def _sample(self) -> dict[str, float]:
        got = {name: _tree_cpu_s(p) for name, p in self.parts.items()}
        t = self.me.cpu_times()
        got["bench (this process)"] = t.user + t.system
        return got

    def start(self) -> None:
        import psutil

        self._start = self._sample()
        self._machine = psutil.cpu_times()
        self._t = time.monotonic()

    def stop(self) -> tuple[float, dict[str, float], float]:
        """Wall seconds, CPU % of one core per part, and the machine's busy % (of all
        cores) over the window."""
        import psutil

        wall = time.monotonic() - self._t
        end = self._sample()
        m0, m1 = self._machine, psutil.cpu_times()
        busy = (sum(m1) - m1.idle - m1.iowait) - (sum(m0) - m0.idle - m0.iowait)
        machine = 100 * busy / max(sum(m1) - sum(m0), 1e-9)
        return wall, {k: 100 * (end[k] - self._start.get(k, 0.0)) / wall for k in end}, machine


def cpu_table(wall: float, parts: dict[str, float], machine: float) -> str:
    server = sum(v for k, v in parts.items() if not k.startswith("bench"))
    rows = [f"  CPU over {wall:.0f} s, % of one core (the machine has {os.cpu_count()}):"]
    for k, v in sorted(parts.items(), key=lambda kv: -kv[1]):
        rows.append(f"    {k:<28} {v:6.1f} %")
    rows.append(f"    {'portal total (all above but bench)':<28} {server:6.1f} %")
    rows.append(f"    machine busy (every process, others' too): {machine:.0f} % of all cores")
    return "\n".join(rows)


# -- clients -------------------------------------------------------------------------------
def http_session(limit: int = 0, **headers: str) -> Any:
    import aiohttp

    # An idle connection is let go before uvicorn's own keep-alive (5 s) closes it: reusing
    # one the server is closing at that moment resets the request (a client race, not the
    # portal's error; browsers retry those).
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=limit, keepalive_timeout=3.0),
        cookie_jar=aiohttp.DummyCookieJar(),
        headers={"Accept-Language": "en", **headers},
        timeout=aiohttp.ClientTimeout(total=60),
    )


class Listener:
    """A websocket client of /ws/schedule/: the times (epoch s) of every message, and how
    often the server closed the socket (the page reconnects; so does `ensure`)."""

    def __init__(self, label: str, org_id: int) -> None:
        self.label = label
        self.org_id = org_id
        self.times: list[float] = []
        self.ws: Any = None
        self.task: asyncio.Task | None = None
        self.changed = asyncio.Event()
        self.drops = 0
        self.close_codes: list[int | None] = []
        self._how: tuple[Any, Portal, str] | None = None

    async def connect(self, session: Any, portal: Portal, cookie: str) -> float:
        self._how = (session, portal, cookie)
        t = time.perf_counter()
        self.ws = await session.ws_connect(
            f"{portal.ws_url}/ws/schedule/",
            headers={"Cookie": f"sessionid={cookie}", "Origin": portal.url},
            autoping=True,
        )
        self.task = asyncio.create_task(self._read(self.ws))
        return time.perf_counter() - t

    @property
    def is_open(self) -> bool:
        return self.ws is not None and not self.ws.closed

    async def ensure(self) -> bool:
        """Reconnect if the server closed the socket; True if it had to."""
        if self.is_open or self._how is None:
            return False
        await self.connect(*self._how)
        return True

    async def _read(self, ws: Any) -> None:
        import aiohttp

        async for msg in ws:
            if msg.type == aiohttp.WSMsgType.TEXT:
                self.times.append(time.time())
                self.changed.set()
            elif msg.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                break
        if ws is self.ws:
            self.drops += 1
            self.close_codes.append(ws.close_code)

    def first_after(self, t: float) -> float | None:
        return next((x for x in self.times if x >= t), None)

    async def close(self) -> None:
        self._how = None
        ws, self.ws = self.ws, None
        if ws is not None:
            await ws.close()
        if self.task is not None:
            self.task.cancel()


# -- figures -------------------------------------------------------------------------------
def pct(xs: list[float], q: float) -> float:
    if not xs:
        return math.nan
    s = sorted(xs)
    k = (len(s) - 1) * q / 100
    lo, hi = math.floor(k), math.ceil(k)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def verdict(label: str, value: float, target: float, unit: str = "s") -> str:
    ok = not math.isnan(value) and value <= target
    return (
        f"  {label}: {value:.2f} {unit} (target ≤ {target:g} {unit}) — {'met' if ok else 'MISSED'}"
    )


def header(title: str) -> str:
    import ortools

    return (
        f"{title} — nproc {os.cpu_count()}, python {sys.version.split()[0]}, "
        f"OR-Tools {ortools.__version__}, {load_avg()}"
    )


__all__ = [
    "REPO",
    "SHOPS",
    "CpuMeter",
    "Listener",
    "Portal",
    "World",
    "add_people",
    "api_keys",
    "cpu_table",
    "describe",
    "header",
    "http_session",
    "load_avg",
    "make_world",
    "open_now",
    "pct",
    "queue_length",
    "session_cookies",
    "start_app",
    "start_stack",
    "stop",
    "verdict",
    "worker_exceptions",
    "worker_tasks",
]
