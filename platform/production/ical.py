"""iCalendar text (RFC 5545) for a feed of all-day events, written by hand: no Django,
no library. Content lines end in CRLF and are folded at 75 octets without splitting a
UTF-8 character; TEXT values escape backslash, semicolon, comma and newline."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

CRLF = "\r\n"
# RFC 5545 §3.1: a content line is at most 75 octets, not counting the CRLF; a folded
# continuation begins with one space, which counts.
MAX_LINE_OCTETS = 75

# Control characters TEXT may not hold (§3.3.11): all but HTAB; newlines are escaped
# before this applies.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


@dataclass(frozen=True)
class AllDayEvent:
    uid: str
    day: date
    summary: str
    description: str = ""
    url: str = ""


def escape_text(value: str) -> str:
    """A TEXT property value (§3.3.11): `\\`, `;`, `,` and newlines escaped."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return _CONTROL.sub("", value)


def fold(line: str) -> str:
    """One content line, folded into pieces of at most 75 octets, each ending in CRLF.

    Breaks fall between characters, never inside a multibyte UTF-8 sequence, so a piece
    may be a little shorter than the limit."""
    pieces: list[str] = []
    current: list[str] = []
    used = 0
    limit = MAX_LINE_OCTETS
    for char in line:
        size = len(char.encode("utf-8"))
        if used + size > limit:
            pieces.append("".join(current))
            current, used = [" "], 1
        current.append(char)
        used += size
    pieces.append("".join(current))
    return CRLF.join(pieces) + CRLF


def format_date(day: date) -> str:
    return day.strftime("%Y%m%d")


def format_utc(moment: datetime) -> str:
    """A UTC DATE-TIME (`19980119T070000Z`); a naive datetime is refused."""
    if moment.tzinfo is None:
        raise ValueError("an aware datetime is needed")
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(
    *,
    name: str,
    prodid: str,
    events: Iterable[AllDayEvent],
    stamp: datetime,
    refresh: timedelta = timedelta(hours=1),
) -> str:
    """A VCALENDAR of all-day VEVENTs. `stamp` is every event's DTSTAMP (when the feed
    was made); `refresh` asks subscribing clients to poll that often (a hint)."""
    minutes = max(1, int(refresh.total_seconds() // 60))
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{prodid}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
        f"REFRESH-INTERVAL;VALUE=DURATION:PT{minutes}M",
        f"X-PUBLISHED-TTL:PT{minutes}M",
    ]
    dtstamp = format_utc(stamp)
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{dtstamp}",
            f"DTSTART;VALUE=DATE:{format_date(event.day)}",
            # DTEND of an all-day event is exclusive: the next day.
            f"DTEND;VALUE=DATE:{format_date(event.day + timedelta(days=1))}",
            f"SUMMARY:{escape_text(event.summary)}",
        ]
        if event.description:
            lines.append(f"DESCRIPTION:{escape_text(event.description)}")
        if event.url:
            lines.append(f"URL:{event.url}")
        lines += ["TRANSP:TRANSPARENT", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) for line in lines)
