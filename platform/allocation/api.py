"""The allocation router (mounted by api/api.py). The paths are a contract:
`POST /api/allocation-runs`, `GET /api/allocation-runs/{id}`,
`POST /api/allocation-runs/{id}/publish`."""

from __future__ import annotations

import json

from django.http import HttpRequest
from ninja import Router, Status
from ninja.errors import HttpError
from pydantic import ValidationError as PydanticValidationError

from tenancy.context import Actor

from . import actions, selectors
from .models import AllocationRun, RunStatus
from .schemas import CreatedOut, PinIn, RunIn, RunOut, WeightsIO, WeightsPatch
from .tasks import enqueue

router = Router(tags=["allocation"])


def run_out(request: HttpRequest, r: AllocationRun) -> dict:
    m = request.membership  # type: ignore[attr-defined]
    rows = list(selectors.placements(m, r)) if r.status == RunStatus.DONE else []
    return {
        "id": r.pk,
        "status": r.status,
        "solver_status": r.solver_status,
        "phase": r.phase,
        "progress_pct": r.progress_pct,
        "objective": r.objective,
        "explanation": r.explanation,
        "error": r.error,
        "created_at": r.created_at,
        "finished_at": r.finished_at,
        "published_at": r.published_at,
        "timings": {k: v for k, v in r.timings.items() if k.endswith("_s")},
        "placements": [
            {
                "line": p.line_id,
                "order": p.line.order.number,
                "part_number": p.line.drawing.part_number,
                "shop": p.shop_id,
                "shop_name": p.shop.name,
                "finish_date": p.finish_date,
                "due_date": p.line.due_date,
                "cost_jpy": round(p.cost_jpy),
                "late_days": p.late_days,
                "why": p.why,
                "runner_up": p.runner_up.name if p.runner_up else None,
                "stages": p.stages,
                "moved": p.moved,
                "pinned": p.pinned,
            }
            for p in rows
        ],
    }


@router.post(
    "/allocation-runs",
    response={201: CreatedOut},
    summary="Start an allocation run",
    description="Over the group's open lines. The body is optional: "
    '`{"pins": {"<line id>": <shop id>}}` fixes lines to shops before solving.',
    openapi_extra={
        "requestBody": {
            "required": False,
            "content": {"application/json": {"schema": RunIn.json_schema()}},
        }
    },
)
def start_run(request: HttpRequest):  # type: ignore[no-untyped-def]
    # Read by hand so that a POST without a body (curl -X POST) starts a run too.
    raw = request.body if request.content_type == "application/json" else b""
    try:
        body = RunIn.model_validate(json.loads(raw or b"{}"))
    except (ValueError, PydanticValidationError) as exc:
        raise HttpError(422, f"invalid body: {exc}") from exc
    r = actions.do_start_run(acting=Actor.from_request(request), enqueue=enqueue, pins=body.pins)
    return Status(201, {"id": r.pk, "status": r.status})


@router.get("/allocation-runs", response=list[RunOut], summary="The group's recent runs")
def list_runs(request: HttpRequest):  # type: ignore[no-untyped-def]
    m = request.membership  # type: ignore[attr-defined]
    return [{**run_out(request, r), "placements": []} for r in selectors.runs(m)[:50]]


@router.get("/allocation-runs/{run_id}", response=RunOut, summary="A run: status and placements")
def get_run(request: HttpRequest, run_id: int):  # type: ignore[no-untyped-def]
    return run_out(request, selectors.run(request.membership, run_id))  # type: ignore[attr-defined]


@router.post(
    "/allocation-runs/{run_id}/pin", response={201: CreatedOut}, summary="Pin a line and re-solve"
)
def pin(request: HttpRequest, run_id: int, body: PinIn):  # type: ignore[no-untyped-def]
    r = selectors.run(request.membership, run_id)  # type: ignore[attr-defined]
    new = actions.do_pin(
        r, body.line, body.shop, acting=Actor.from_request(request), enqueue=enqueue
    )
    return Status(201, {"id": new.pk, "status": new.status})


@router.post("/allocation-runs/{run_id}/publish", response=RunOut, summary="Publish a run")
def publish(request: HttpRequest, run_id: int):  # type: ignore[no-untyped-def]
    r = selectors.run(request.membership, run_id)  # type: ignore[attr-defined]
    r = actions.do_publish(r, acting=Actor.from_request(request))
    return run_out(request, r)


@router.get("/allocation-weights", response=WeightsIO, summary="How the coordinator weighs plans")
def get_weights(request: HttpRequest):  # type: ignore[no-untyped-def]
    m = request.membership  # type: ignore[attr-defined]
    actions.require_coordinator_member(m)
    return actions.weights_for(m.organization).as_dict()


@router.put("/allocation-weights", response=WeightsIO, summary="Set the group's allocation weights")
def put_weights(request: HttpRequest, body: WeightsPatch):  # type: ignore[no-untyped-def]
    values = {k: v for k, v in body.dict().items() if v is not None}
    return actions.do_set_weights(values, acting=Actor.from_request(request)).as_dict()
