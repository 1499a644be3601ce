"""What every page's write does the same way: run the action, say how it went as a
message, and go back to the page (post/redirect/get)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .errors import Conflict


def act_and_redirect(
    request: HttpRequest,
    action: Callable[[], Any],
    ok: str,
    to: str,
    *args: Any,
    refusal_as_message: bool = False,
) -> HttpResponse:
    """A conflict or invalid input is shown on the page it came from, each message on its
    own; a refused permission is a 403, unless the page shows it (`refusal_as_message`)."""
    try:
        action()
    except Conflict as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    except PermissionDenied as exc:
        if not refusal_as_message:
            raise
        messages.error(request, str(exc) or _("Your role may not do this."))
    else:
        messages.success(request, ok)
    return redirect(to, *args)
