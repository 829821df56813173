"""The command's option values: each parsed and bounded, one line saying what is expected.

Each function is an ``argparse`` type: it returns the value or raises ``ArgumentTypeError``,
which the parser prints as one line with exit code 2.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date, time, timedelta
from typing import Any, TypeVar

from ._exceptions import OptionError
from ._types import format_duration, parse_duration

T = TypeVar("T")

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "THRESHOLDS",
    "date_range",
    "day",
    "duration_within",
    "hours",
    "kilometres",
    "option",
    "threshold",
]

#: The dates the command accepts, as the trip format does: far enough for any real trip.
FIRST_YEAR, LAST_YEAR = 1900, 2200


def duration_within(low: timedelta, high: timedelta) -> Callable[[str], timedelta]:
    """An argument type: a duration (``90m``, ``1h30m``) from ``low`` (exclusive) to ``high``."""

    def parse(text: str) -> timedelta:
        try:
            value = parse_duration(text)
        except (ValueError, OverflowError) as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
        if not low < value <= high:
            raise argparse.ArgumentTypeError(
                f"{text!r} is out of range; expected more than {format_duration(low)} and at "
                f"most {format_duration(high)}"
            )
        return value

    return parse


def day(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2027-03-09") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise argparse.ArgumentTypeError(
            f"{text!r} is out of range; expected a date from {FIRST_YEAR} to {LAST_YEAR}"
        )
    return day


def date_range(text: str) -> tuple[date, date]:
    parts = text.split("..")
    if len(parts) != 2:
        raise argparse.ArgumentTypeError(f"{text!r} is not a range like 2027-03-07..2027-03-13")
    first, last = (day(part) for part in parts)
    if last < first:
        raise argparse.ArgumentTypeError(f"{text!r} ends before it starts")
    if (last - first).days > 366:
        raise argparse.ArgumentTypeError(f"{text!r} spans more than a year; ask for less")
    return first, last


def hours(text: str) -> tuple[time, time]:
    try:
        opens, closes = (time.fromisoformat(part) for part in text.split("-"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a range like 08:00-19:00") from None
    if opens >= closes:
        raise argparse.ArgumentTypeError(
            f"{text!r}: the hours must open before they close, within one day"
        )
    return opens, closes


threshold = duration_within(timedelta(0), timedelta(days=7))


def kilometres(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a distance in km, like 150") from None
    if not 1 <= value <= 20_000:
        raise argparse.ArgumentTypeError(f"{text!r} is out of range; expected 1 to 20000 km")
    return value


#: The check thresholds the command's flags and the MCP server's ``thresholds`` set: option name
#: -> (the ``CheckOptions`` field, the parser of its value).
THRESHOLDS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "international_buffer": ("international_arrival_buffer", threshold),
    "domestic_buffer": ("domestic_arrival_buffer", threshold),
    "min_connection": ("min_connection", threshold),
    "domestic_connection": ("domestic_connection", threshold),
    "international_connection": ("international_connection", threshold),
    "international_to_domestic_connection": ("international_to_domestic_connection", threshold),
    "airport_change_connection": ("airport_change_connection", threshold),
    "business_hours": ("business_hours", hours),
    "attendee_hours": ("attendee_hours", hours),
    "no_travel_km": ("no_travel_km", kilometres),
}


def option(name: str, parse: Callable[[str], T], text: object) -> T:
    """``parse(text)`` for callers other than argparse (the MCP server): its complaint as an
    ``OptionError`` that names the option."""
    try:
        return parse(str(text))
    except argparse.ArgumentTypeError as error:
        raise OptionError(f"{name}: {error}") from None
