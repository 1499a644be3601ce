"""The allocation run as a Celery task: takes the run's id, can be delivered twice (only
the delivery that claims the queued run works), never crashes the worker (a failure is
the run's status, with the reason)."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from celery import shared_task
from django.db import connection
from django.utils import timezone

from . import actions
from .models import AllocationRun, ProposedPlacement
from .problem import booked_hours, day, inputs, previous_placements

log = logging.getLogger(__name__)

# The page shows the best plan so far at most this often: reading a plan keeps the
# solver waiting.
LIVE_EVERY_S = 1.0
SAVE_MARGIN_S = 0.6  # saving 400 placements and the page's GET (bench: 0.2-0.4 s)
MIN_SOLVE_S = 1.0


@shared_task(name="allocation.solve_run", acks_late=True)
def solve_run(run_id: int) -> str:
    run = actions.claim(run_id)
    if run is None:
        return "not queued"
    try:
        return _solve(run)
    except Exception as exc:  # noqa: BLE001 - the run says what failed; the worker lives on
        log.exception("allocation run %s failed", run_id)
        actions.fail(run_id, f"{type(exc).__name__}: {exc}")
        return "failed"


def _solve(run: AllocationRun) -> str:
    from orders.selectors import open_lines
    from scheduling.allocation import allocate

    t0 = time.perf_counter()
    group = run.organization.group
    start = timezone.localdate()
    lines = list(open_lines(group))
    if run.lines:
        wanted = set(run.lines)
        lines = [line for line in lines if line.pk in wanted]
    pinned_ids = {int(k) for k in run.pins}
    if not lines:
        actions.finish(
            run.pk,
            solver_status="empty",
            objective=None,
            explanation=["There are no open order lines to allocate."],
            placements=[],
            start_date=start,
            periods=0,
            timings={"fetch_s": time.perf_counter() - t0},
        )
        return "empty"
    data = inputs(group, lines, start, run.weights, run.pins, booked=booked_hours(group, start))
    previous: list[Any] = []
    if run.previous_id:
        rows = ProposedPlacement.objects.filter(run_id=run.previous_id).select_related(
            "shop", "runner_up"
        )
        previous = previous_placements(list(rows), start)
    fetch_s = time.perf_counter() - t0
    # The coordinator's time limit is "answer within": counted from the POST that queued
    # the run, less what saving the answer takes (bench/allocation_portal.py: a 10 s
    # limit spent whole on solving answered in 10.4-10.9 s).
    waited_s = time.time() - float(run.timings.get("queued_at", time.time()))
    limit_s = max(
        MIN_SOLVE_S, float(run.weights.get("time_limit_s", 10.0)) - waited_s - SAVE_MARGIN_S
    )
    solve_started = time.perf_counter()
    last_live = [0.0]
    last_phase = [""]
    last_report = [0.0]
    task_thread = threading.get_ident()

    def progress(phase: str, plan: Any) -> None:
        elapsed = time.perf_counter() - solve_started
        pct = 5 + int(90 * min(elapsed / max(limit_s, 0.1), 1.0))
        now = time.perf_counter()
        live = None
        if phase == last_phase[0] and now - last_report[0] < LIVE_EVERY_S:
            return  # the page hears at most once a second, and of every new phase
        last_phase[0], last_report[0] = phase, now
        if plan is not None and now - last_live[0] >= LIVE_EVERY_S:
            last_live[0] = now
            best = plan()
            by_shop: dict[str, int] = {}
            for p in best.placements:
                by_shop[p.shop] = by_shop.get(p.shop, 0) + 1
            live = {
                "objective": best.objective,
                "placed": {p.line: data.org_of[p.shop] for p in best.placements},
                "by_shop": by_shop,
                "late": sum(1 for p in best.placements if p.late_periods),
            }
        try:
            actions.report(run.pk, phase, pct, live)
        finally:
            if threading.get_ident() != task_thread:
                # CP-SAT calls back from its own threads: leave no connection behind.
                connection.close()

    result = allocate(
        data.shops,
        data.lines,
        data.periods,
        data.weights,
        time_limit_s=limit_s,
        previous=previous or None,
        progress=progress,
    )
    solve_s = time.perf_counter() - solve_started
    t1 = time.perf_counter()
    actions.report(run.pk, "saving", 99)
    by_line = {line.pk: line for line in lines}
    core_lines = {x.id: x for x in data.lines}
    before = {p.line: p.shop for p in previous}
    rows = []
    for p in result.placements:
        line = by_line[int(p.line)]
        route = p.route(core_lines[p.line])
        rows.append(
            ProposedPlacement(
                line=line,
                shop_id=data.org_of[p.shop],
                finish_date=day(start, p.period),
                cost_jpy=p.cost_jpy,
                late_days=p.late_periods,
                why=p.why[:300],
                runner_up_id=data.org_of.get(p.runner_up) if p.runner_up else None,
                stages=[
                    {
                        "processes": list(procs),
                        "shop": sid,
                        "shop_id": data.org_of[sid],
                        "date": day(start, period).isoformat(),
                    }
                    for procs, sid, period in route
                ]
                if len(route) > 1
                else [],
                moved=p.line in before and before[p.line] != p.shop,
                pinned=line.pk in pinned_ids,
            )
        )
    done = actions.finish(
        run.pk,
        solver_status=result.status,
        objective=result.objective,
        explanation=list(result.explanation),
        placements=rows,
        start_date=start,
        periods=data.periods,
        timings={"fetch_s": fetch_s, "solve_s": solve_s, "save_s": time.perf_counter() - t1},
    )
    if done is not None and done.auto_publish:
        actions.publish_replan(run.pk)
    return result.status


def enqueue(run_id: int) -> None:
    solve_run.delay(run_id)
