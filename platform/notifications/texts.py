"""What each notification says, rendered in the active language from its key and its
stored parameters. Parameters are plain data (labels, names, yen, ISO dates), so the same
row reads in Japanese for one person and in English for another."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def yen(value: Any) -> str:
    return f"¥{int(value):,}" if value is not None else "-"


def when(value: Any) -> str:
    """An ISO datetime as local wall-clock minutes (Asia/Tokyo)."""
    if not value:
        return "-"
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if timezone.is_naive(moment):
        return moment.strftime("%Y-%m-%d %H:%M")
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _offered(p: dict) -> tuple[str, str]:
    return (
        _("New offer: line %(line)s") % p,
        _(
            "Your shop is offered line %(line)s (%(part)s, %(quantity)s pcs) for %(price)s, "
            "due %(due)s. Answer by %(deadline)s."
        )
        % {**p, "price": yen(p.get("price_jpy")), "deadline": when(p.get("deadline"))},
    )


def _offered_many(p: dict) -> tuple[str, str]:
    return (
        _("%(count)s new offers") % p,
        _(
            "Your shop is offered %(count)s lines (%(lines)s) worth %(price)s in all. "
            "Answer by %(deadline)s."
        )
        % {**p, "price": yen(p.get("price_jpy")), "deadline": when(p.get("deadline"))},
    )


def _accepted(p: dict) -> tuple[str, str]:
    return (
        _("%(shop)s accepted line %(line)s") % p,
        _("%(shop)s accepted the offer for line %(line)s at %(price)s, done by %(promised)s.")
        % {**p, "price": yen(p.get("price_jpy"))},
    )


def _declined(p: dict) -> tuple[str, str]:
    return (
        _("%(shop)s declined line %(line)s") % p,
        _("%(shop)s declined the offer for line %(line)s: %(reason)s. The line is re-planned.") % p,
    )


def _countered(p: dict) -> tuple[str, str]:
    price, date = p.get("counter_price_jpy"), p.get("counter_due_date")
    if price is not None and date:
        body = _("%(shop)s asks %(price)s and %(date)s for line %(line)s instead of %(was)s.")
    elif price is not None:
        body = _("%(shop)s asks %(price)s for line %(line)s instead of %(was)s.")
    else:
        body = _("%(shop)s can deliver line %(line)s on %(date)s.")
    return (
        _("Counter-offer from %(shop)s on line %(line)s") % p,
        (body + " " + _("Accept or reject it."))
        % {**p, "price": yen(price), "date": date or "-", "was": yen(p.get("price_jpy"))},
    )


def _counter_accepted(p: dict) -> tuple[str, str]:
    return (
        _("Counter-offer accepted: line %(line)s") % p,
        _(
            "The coordinator accepted your counter-offer for line %(line)s: %(price)s, "
            "done by %(promised)s. The job is yours."
        )
        % {**p, "price": yen(p.get("price_jpy"))},
    )


def _rejected(p: dict) -> tuple[str, str]:
    return (
        _("Counter-offer rejected: line %(line)s") % p,
        _(
            "The coordinator rejected your counter-offer for line %(line)s (%(reason)s). "
            "The line is offered to another shop."
        )
        % p,
    )


def _expired(p: dict) -> tuple[str, str]:
    return (
        _("Offer lapsed: line %(line)s") % p,
        _(
            "%(shop)s did not answer the offer for line %(line)s by its deadline. "
            "The line is re-planned."
        )
        % p,
    )


def _deadline_soon(p: dict) -> tuple[str, str]:
    args = {**p, "deadline": when(p.get("deadline"))}
    return (
        _("Answer by %(deadline)s: line %(line)s") % args,
        _(
            "The offer for line %(line)s ends at %(deadline)s. Without an answer it lapses "
            "and the line goes to another shop."
        )
        % args,
    )


def _replanned(p: dict) -> tuple[str, str]:
    count = len(p.get("lines", []))
    args = {**p, "lines": ", ".join(p.get("lines", [])), "count": count}
    return (
        ngettext("Re-planning line %(lines)s", "Re-planning %(count)d lines: %(lines)s", count)
        % args,
        ngettext(
            "Line %(lines)s is re-planned and offered again: %(reason)s.",
            "Lines %(lines)s are re-planned and offered again: %(reason)s.",
            count,
        )
        % args,
    )


def _run_done(p: dict) -> tuple[str, str]:
    count = int(p.get("placements", 0))
    return (
        _("Allocation run %(run)s finished") % p,
        ngettext(
            "It places %(count)d line. Review it and publish.",
            "It places %(count)d lines. Review it and publish.",
            count,
        )
        % {"count": count},
    )


def _run_no_plan(p: dict) -> tuple[str, str]:
    return (
        _("Allocation run %(run)s found no plan") % p,
        _("Nothing was published; the run's page explains why."),
    )


def _run_failed(p: dict) -> tuple[str, str]:
    return (
        _("Allocation run %(run)s failed") % p,
        _("The run stopped: %(error)s") % p,
    )


def _reallocation_proposed(p: dict) -> tuple[str, str]:
    count = len(p.get("lines", []))
    args = {**p, "lines": ", ".join(p.get("lines", [])), "count": count}
    return (
        ngettext(
            "Line %(lines)s will miss its date",
            "%(count)d lines will miss their dates: %(lines)s",
            count,
        )
        % args,
        _("%(reason)s. Choose: a later date at the shop, or another shop.") % args,
    )


def _promise_changed(p: dict) -> tuple[str, str]:
    if p.get("kind") == "move":
        return (
            _("Line %(line)s moves to %(shop)s") % p,
            _(
                "After a disruption at %(from_shop)s the coordinator moved line %(line)s to "
                "%(shop)s, expected by %(date)s (it was promised for %(before)s)."
            )
            % p,
        )
    return (
        _("New promise date for line %(line)s: %(date)s") % p,
        _(
            "After a disruption at %(shop)s line %(line)s is now promised for %(date)s "
            "(it was %(before)s)."
        )
        % p,
    )


MESSAGES: dict[str, Callable[[dict], tuple[str, str]]] = {
    "offered": _offered,
    "offered_many": _offered_many,
    "accepted": _accepted,
    "declined": _declined,
    "countered": _countered,
    "counter_accepted": _counter_accepted,
    "rejected": _rejected,
    "expired": _expired,
    "deadline_soon": _deadline_soon,
    "replanned": _replanned,
    "reallocation_proposed": _reallocation_proposed,
    "promise_changed": _promise_changed,
    "run_done": _run_done,
    "run_no_plan": _run_no_plan,
    "run_failed": _run_failed,
}


def render(message: str, params: dict) -> tuple[str, str]:
    """(title, body); a key this code no longer knows, or parameters it no longer matches,
    still shows something rather than breaking the list."""
    fn = MESSAGES.get(message)
    if fn is None:
        return message, ""
    try:
        return fn(params)
    except (KeyError, TypeError, ValueError):
        return fn.__name__.strip("_").replace("_", " "), ""
