"""Give the demo group work under way (once), through the same actions people use, so that
a first start shows a live shared schedule, a shop floor, deliveries and a re-allocation
proposal instead of empty pages.

In the order the group would do it: the buyer's drawings are analysed (here, in this
process: the worker is not running yet at seed time; its queued message later finds the
revision analysed and skips it); the buyer places three orders; the coordinator
allocates and publishes; the shops accept every offer but one, which waits in its shop's
inbox; the accepted work is planned on the shops' machines; and the floor reports: one
laser run under way with part of its pieces shipped (awaiting the buyer's receipt),
another done, and at another shop the laser down long enough that a line misses its
promise.

Everything after the analyses is one transaction: a failure leaves nothing behind, and a
second run finds the buyer's orders and does nothing. The actions' on-commit hooks queue
Celery messages (offers from the run, machine plans, re-plans after the reports) when it
commits; the worker handles them once `kumiai run` starts it, and each finds its work
done: a placement that has its offer is skipped, and a shop's plan made again from the
same state is the same plan.

Each shop's machine plan is made once here, after everything that shapes it is recorded
(the breakdown is reported before its shop is planned; the floor's reports keep their
own times), so the demo's first plan is the one a person sees.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from allocation import actions as allocation_actions
from allocation import tasks as allocation_tasks
from allocation.models import AllocationRun, RunStatus
from drawings.models import Drawing, Revision, RevisionStatus
from offers import actions as offer_actions
from offers.models import Offer
from orders import actions as order_actions
from orders.models import Order
from production import actions, shipping
from production.models import Breakdown, Operation, Reallocation, Work
from production.planning import origin_of
from shops.models import Machine, ShopCapability
from tenancy.context import Actor
from tenancy.models import Membership, Organization, SupplierGroup
from tenancy.permissions import Capability, can

DEMO_SLUG = "hokuriku-bankin"
BUYER_EMAIL = "alice@hokuriku-kiki.example.jp"
COORDINATOR_EMAIL = "kato@kaga-seimitsu.example.jp"
# The shop whose offer is left for the README's walk (Carol answers it).
OPEN_OFFER_SHOP = "能登レーザー工業"

LASER = ("laser",)
LASER_BEND = ("laser", "bend")

# The buyer's orders: title, then per line part number, processes, quantity and the due
# date in days from today. Brackets are bent; plates and flanges are only cut.
ORDERS = (
    (
        "組立ライン用 L金具",
        (
            ("HK-BR-100", LASER_BEND, 60, 6),
            ("HK-BR-080", LASER_BEND, 120, 12),
            ("HK-BR-120", LASER_BEND, 40, 18),
        ),
    ),
    (
        "架台 取付プレート・フランジ",
        (
            ("HK-PL-150", LASER, 200, 5),
            ("HK-PL-200", LASER, 80, 10),
            ("HK-FL-120", LASER, 30, 15),
        ),
    ),
    (
        "制御盤 チャンネル・カバー",
        (
            ("HK-CH-300", LASER_BEND, 24, 21),
            ("HK-CV-240", LASER, 10, 25),
        ),
    ),
)

# How long to wait for an analysis another process holds (a worker already running).
ANALYSIS_WAIT_S = 120.0
SCRAP_PCS = 2
BREAKDOWN_REASON = "レーザー発振器の故障（交換部品の入荷待ち）"
# The broken laser is back at noon this many days after the promise it breaks.
BREAKDOWN_PAST_DUE_DAYS = 2


@dataclass
class Seeded:
    analysed: int = 0
    orders: list[Order] | None = None
    run: AllocationRun | None = None
    offers: int = 0
    accepted: int = 0
    left_open: Offer | None = None
    works: int = 0
    operations: int = 0
    machines: int = 0
    shops: int = 0
    floor: str = ""
    shipped: str = ""
    breakdown: str = ""
    proposals: int = 0


def person(org: Organization) -> Actor:
    """One of the organisation's own people who may write (its admin first)."""
    for m in (
        Membership.objects.filter(organization=org, is_active=True, user__is_active=True)
        .select_related("user", "organization__group")
        .order_by("role", "pk")
    ):
        if can(m, Capability.WRITE):
            return Actor(user=m.user, membership=m, user_agent="seed_demo_jobs")
    raise CommandError(f"{org.name} has nobody who may answer for it")


def member(email: str) -> Actor:
    m = Membership.objects.select_related("user", "organization__group").get(user__email=email)
    return Actor(user=m.user, membership=m, user_agent="seed_demo_jobs")


class Command(BaseCommand):
    help = (
        "Give the demo group work under way: orders, an allocation, offers, machine plans, "
        "progress, a shipment and a breakdown (once)."
    )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        started = time.monotonic()
        group = SupplierGroup.objects.filter(slug=DEMO_SLUG).first()
        if group is None:
            self.stdout.write("no demo group: run seed_demo first")
            return
        buyer, coordinator = member(BUYER_EMAIL), member(COORDINATOR_EMAIL)
        buyer_org = buyer.membership.organization  # type: ignore[union-attr]
        if Order.objects.filter(buyer=buyer_org).exists():
            self.stdout.write(f"kept the demo group's work ({buyer_org.name} has orders already)")
            return
        if not ShopCapability.objects.filter(shop__group=group).exists():
            self.stdout.write("the demo shops have no capabilities: run seed_demo_shops first")
            return
        drawings = self._drawings(buyer_org)
        if drawings is None:
            return
        seeded = Seeded(analysed=self._analyse(list(drawings.values())))
        with transaction.atomic():
            # Two seeds at once: the second waits here, then finds the orders.
            Organization.objects.select_for_update(no_key=True).get(pk=buyer_org.pk)
            if Order.objects.filter(buyer=buyer_org).exists():
                self.stdout.write(f"kept the demo group's work ({buyer_org.name} has orders)")
                return
            seeded.orders = [
                order_actions.do_create_order(
                    [
                        order_actions.LineInput(
                            drawing=drawings[number].pk,
                            material=drawings[number].material,
                            thickness_mm=float(drawings[number].thickness_mm or 0),
                            processes=processes,
                            quantity=quantity,
                            due_date=timezone.localdate() + timedelta(days=days),
                        )
                        for number, processes, quantity, days in lines
                    ],
                    acting=buyer,
                    title=title,
                    place=True,
                )
                for title, lines in ORDERS
            ]
            seeded.run = self._allocate(coordinator)
            works = self._offers_answered(seeded)
            floor_shop = self._floor_shop(works)
            reasons = self._breakdown(works, floor_shop, seeded)
            self._plan(works, reasons, seeded)
            self._floor(works, floor_shop, seeded)
        self._say(seeded, time.monotonic() - started)

    # -- the drawings ----------------------------------------------------------------------
    def _drawings(self, buyer: Organization) -> dict[str, Drawing] | None:
        numbers = {number for _title, lines in ORDERS for number, *_rest in lines}
        found = {
            d.part_number: d
            for d in Drawing.objects.filter(owner=buyer, part_number__in=numbers).select_related(
                "current_revision"
            )
        }
        missing = sorted(numbers - set(found))
        if missing:
            self.stdout.write(
                f"no demo drawings {', '.join(missing)}: run seed_demo_drawings first"
            )
            return None
        return found

    def _analyse(self, drawings: list[Drawing]) -> int:
        """Analyse here what the worker has not yet. The task's own body runs (it claims
        the revision, so the queued message later finds it finished and skips it); one
        that a live worker holds is waited for."""
        from drawings.tasks import analyse_revision

        ran = 0
        for d in drawings:
            if d.current_revision.status != RevisionStatus.ANALYSED:
                analyse_revision(d.current_revision_id)
                ran += 1
        deadline = time.monotonic() + ANALYSIS_WAIT_S
        ids = {d.current_revision_id: d.part_number for d in drawings}
        while True:
            statuses = {
                ids[pk]: status
                for pk, status in Revision.objects.filter(pk__in=ids).values_list("pk", "status")
            }
            busy = {RevisionStatus.QUEUED, RevisionStatus.ANALYSING}
            if not busy & set(statuses.values()) or time.monotonic() > deadline:
                break
            time.sleep(1.0)
        bad = sorted(f"{n} ({s})" for n, s in statuses.items() if s != RevisionStatus.ANALYSED)
        if bad:
            raise CommandError(f"demo drawings not analysed: {', '.join(bad)}")
        return ran

    # -- the allocation, published ---------------------------------------------------------
    def _allocate(self, coordinator: Actor) -> AllocationRun:
        run = allocation_actions.do_start_run(acting=coordinator, enqueue=lambda _id: None)
        allocation_tasks.solve_run(run.pk)
        run.refresh_from_db()
        if run.status != RunStatus.DONE or not run.placements.exists():
            raise CommandError(
                f"the demo allocation found no plan ({run.status} {run.solver_status}): "
                f"{run.error or ' '.join(run.explanation)}"
            )
        return allocation_actions.do_publish(run, acting=coordinator)

    # -- the offers answered, the accepted ones made work ----------------------------------
    def _offers_answered(self, seeded: Seeded) -> list[Work]:
        """Offers made from the published run; all accepted but one, left in a shop's
        inbox: the latest-due offer of the README's shop when it has two or more, else of
        the shop with the most."""
        assert seeded.run is not None
        offers = offer_actions.create_offers(seeded.run.pk)
        seeded.offers = len(offers)
        by_shop: dict[int, list[Offer]] = {}
        for o in offers:
            by_shop.setdefault(o.shop_id, []).append(o)
        shops = sorted(
            by_shop.values(),
            key=lambda held: (
                not (held[0].shop.name == OPEN_OFFER_SHOP and len(held) > 1),
                -len(held),
                held[0].shop_id,
            ),
        )
        left = None
        if len(offers) > 1:
            left = max(shops[0], key=lambda o: (o.due_date, o.pk))
        seeded.left_open = left
        works = []
        for o in offers:
            if o is left:
                continue
            offer_actions.do_accept(o, acting=person(o.shop))
            # The accept's hook makes the work on commit; the seed is one transaction, so
            # it is made here (the hook, later, finds it made).
            work = actions.work_from_offer(o.pk)
            assert work is not None
            works.append(work)
        seeded.accepted = len(works)
        return works

    def _floor_shop(self, works: list[Work]) -> int | None:
        """Where the floor reports: the README's shop when it holds work (its people see
        it on their floor), else the shop holding the most."""
        count: dict[int, int] = {}
        for w in works:
            count[w.shop_id] = count.get(w.shop_id, 0) + 1
        readme = next((w.shop_id for w in works if w.shop.name == OPEN_OFFER_SHOP), None)
        return readme or max(count, key=lambda sid: (count[sid], -sid), default=None)

    # -- a breakdown, reported before its shop is planned ----------------------------------
    def _breakdown(
        self, works: list[Work], floor_shop: int | None, seeded: Seeded
    ) -> dict[int, str]:
        """At another shop with a single laser, that laser is down from now until just
        after the earliest promise the shop holds: the line will be late, and is
        proposed to the coordinator for re-allocation when the shop's plan is made.
        Returns the plan's reason for that shop."""
        lasers: dict[int, list[Machine]] = {}
        for m in Machine.objects.filter(
            process="laser", active=True, shop_id__in={w.shop_id for w in works}
        ):
            lasers.setdefault(m.shop_id, []).append(m)
        candidates = [
            w for w in works if w.shop_id != floor_shop and len(lasers.get(w.shop_id, [])) == 1
        ]
        if not candidates:
            return {}
        work = min(candidates, key=lambda w: (w.due_date, w.pk))
        laser = lasers[work.shop_id][0]
        end = _noon(work.due_date + timedelta(days=BREAKDOWN_PAST_DUE_DAYS))
        b = actions.do_report_breakdown(
            laser, start=timezone.now(), end=end, reason=BREAKDOWN_REASON, acting=person(work.shop)
        )
        seeded.breakdown = (
            f"{laser.name} at {work.shop.name} until {timezone.localtime(end):%Y-%m-%d %H:%M}"
        )
        return {work.shop_id: _breakdown_why(b)}

    # -- the machine plans, each shop's once -----------------------------------------------
    def _plan(self, works: list[Work], reasons: dict[int, str], seeded: Seeded) -> None:
        for shop_id in sorted({w.shop_id for w in works}):
            actions.replan_shop(shop_id, reasons.get(shop_id, ""))
        ops = Operation.objects.filter(work__in=works)
        seeded.works = len(works)
        seeded.operations = ops.count()
        seeded.machines = ops.values("machine").distinct().count()
        seeded.shops = ops.values("work__shop").distinct().count()
        seeded.proposals = Reallocation.objects.filter(work__in=works).count()

    # -- the floor: progress and a shipment ------------------------------------------------
    def _floor(self, works: list[Work], floor_shop: int | None, seeded: Seeded) -> None:
        """Two of the floor shop's first jobs: one under way on its machine with part of
        the pieces cut, and those shipped; another one done. Each is the first step of
        its work and the first operation on its machine, since a report moves the start
        (and a "done" the end) to now, which must not cross another operation. Cut-only
        work first: its pieces are finished once cut."""
        firsts: list[Operation] = []
        for op in Operation.objects.filter(work__in=works, work__shop_id=floor_shop).order_by(
            "start", "pk"
        ):
            if op.machine_id not in {f.machine_id for f in firsts}:
                firsts.append(op)
        steps = {w.pk: len(w.line.processes) for w in works}
        ready = sorted(
            (op for op in firsts if op.seq == 0),
            key=lambda op: (steps[op.work_id] > 1, -(op.end - op.start).total_seconds(), op.pk),
        )
        if len(ready) < 2:
            return
        under_way, done = ready[0], ready[1]
        shop_person = person(under_way.work.shop)
        line = under_way.work.line
        cut = max(1, round(line.quantity * 0.4))
        actions.do_report_progress(under_way, status="started", done_qty=cut, acting=shop_person)
        finished = done.work.line.quantity
        actions.do_report_progress(
            done, status="done", done_qty=finished, scrap_qty=SCRAP_PCS, acting=shop_person
        )
        seeded.floor = (
            f"{line.label} {under_way.process} started ({cut} of {line.quantity} pcs), "
            f"{done.work.line.label} {done.process} done ({finished} pcs, {SCRAP_PCS} scrap) "
            f"at {under_way.work.shop.name}"
        )
        if steps[under_way.work_id] == 1:
            shipment = shipping.do_ship(
                Work.objects.get(pk=under_way.work_id),
                quantity=cut,
                note="分納 1回目",
                acting=shop_person,
            )
            seeded.shipped = f"{shipment.quantity} of {line.quantity} pcs of {line.label}"

    def _say(self, s: Seeded, took_s: float) -> None:
        assert s.orders is not None and s.run is not None
        lines = sum(o.lines.count() for o in s.orders)
        self.stdout.write(
            f"analysed {s.analysed} demo drawing(s) here; placed {len(s.orders)} orders "
            f"({lines} lines: {', '.join(o.number for o in s.orders)})"
        )
        self.stdout.write(
            f"allocation run {s.run.pk} ({s.run.solver_status}) published: {s.offers} offers, "
            f"{s.accepted} accepted"
            + (f", {s.left_open.line.label} open at {s.left_open.shop.name}" if s.left_open else "")
        )
        self.stdout.write(
            f"planned {s.works} works: {s.operations} operations on {s.machines} machines "
            f"of {s.shops} shops"
        )
        if s.floor:
            self.stdout.write(f"floor: {s.floor}")
        if s.shipped:
            self.stdout.write(f"shipped {s.shipped}, awaiting the buyer's receipt")
        if s.breakdown:
            self.stdout.write(f"breakdown: {s.breakdown}; {s.proposals} re-allocation proposal(s)")
        self.stdout.write(f"seeded the demo group's work in {took_s:.1f} s")


def _noon(day: date) -> datetime:
    return origin_of(day) + timedelta(hours=12)


def _breakdown_why(b: Breakdown) -> str:
    """The reason the breakdown's own re-plan gives (production.actions)."""
    return _("Breakdown of %(machine)s, %(start)s to %(end)s") % {
        "machine": b.machine.name,
        "start": timezone.localtime(b.start).strftime("%m-%d %H:%M"),
        "end": timezone.localtime(b.end).strftime("%m-%d %H:%M"),
    }
