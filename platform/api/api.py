"""The HTTP API (OpenAPI 3 at /api/openapi.json, browsable at /api/docs): the one NinjaAPI
instance, its authentication and the error bodies every router shares. The endpoints live
in their apps' routers, mounted here.

Same rules as the pages: reads through selectors, writes through actions, another
tenant's object answers 404, a role that may not write answers 403.
"""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from accounts.api import router as accounts_router
from allocation.api import router as allocation_router
from background.api import router as background_router
from drawings.api import router as drawings_router
from drawings.past_jobs_api import router as past_jobs_router
from insight.api import router as insight_router
from notifications.api import router as notifications_router
from offers.api import router as offers_router
from orders.api import router as orders_router
from production.api import router as production_router
from production.load_api import router as production_load_router
from purchasing.api import router as purchasing_router
from shops.api import router as shops_router
from tenancy.api import router as tenancy_router
from tenancy.errors import Conflict

from .auth import MemberSessionAuth, TokenAuth

api = NinjaAPI(
    title="Kumiai API",
    version="1",
    description="Supplier-group portal. Authenticate with `Authorization: Bearer <key>` "
    "(create keys under Account → API keys) or a browser session.",
    auth=[TokenAuth(), MemberSessionAuth()],
    docs_url="/docs",
    urls_namespace="api",
)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError):  # type: ignore[no-untyped-def]
    errors: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = ".".join(str(p) for p in err.get("loc", []) if p not in ("body", "payload"))
        errors.setdefault(loc or "body", []).append(str(err.get("msg", "invalid")))
    return api.create_response(request, {"detail": "invalid input", "errors": errors}, status=422)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError):  # type: ignore[no-untyped-def]
    detail = str(exc.message)
    if exc.status_code == 400 and detail.startswith("Cannot parse request body"):
        # ninja hides the parser's reason outside DEBUG; the client needs it to fix the body.
        try:
            json.loads(request.body)
        except ValueError as parse_error:
            detail = f"malformed JSON body: {parse_error}"
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


@api.exception_handler(ValidationError)
def on_domain_validation_error(request: HttpRequest, exc: ValidationError):  # type: ignore[no-untyped-def]
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
    return api.create_response(request, {"detail": "invalid input", "errors": errors}, status=422)


@api.exception_handler(Conflict)
def on_conflict(request: HttpRequest, exc: Conflict):  # type: ignore[no-untyped-def]
    return api.create_response(request, {"detail": str(exc)}, status=409)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied):  # type: ignore[no-untyped-def]
    return api.create_response(request, {"detail": str(exc) or "forbidden"}, status=403)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404):  # type: ignore[no-untyped-def]
    return api.create_response(request, {"detail": "not found"}, status=404)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError):  # type: ignore[no-untyped-def]
    return api.create_response(request, {"detail": "authentication required"}, status=401)


# Each domain app owns its router; the project only mounts them here.
api.add_router("/", drawings_router)
api.add_router("/", past_jobs_router)
api.add_router("/", shops_router)
api.add_router("/", orders_router)
api.add_router("/", allocation_router)
api.add_router("/", offers_router)
api.add_router("/", notifications_router)
api.add_router("/", production_router)
api.add_router("/", production_load_router)
api.add_router("/", purchasing_router)
api.add_router("/", insight_router)
api.add_router("/", tenancy_router)
api.add_router("/", accounts_router)
api.add_router("/", background_router)
