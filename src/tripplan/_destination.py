"""A destination page: a country's facts as labelled lines, for sheets and ``tripplan facts``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal

from ._facts import DestinationFacts
from ._formatting import Formatter
from ._i18n import N_
from ._rates import RateResult
from ._sheet import Destination, Label, Labels, Line
from ._types import format_offset
from ._zones import get_zone

__all__ = ["destination", "destination_lines"]


def destination(
    facts: DestinationFacts,
    L: Labels,
    fmt: Formatter,
    home_city: str | None,
    rate: RateResult | None = None,
) -> Destination:
    """A destination page: the country's facts as labelled lines (``home_city`` None: no
    differences from home)."""
    lines: list[Line] = []
    for zone in facts.zones:
        offsets = sorted({format_offset(o) for _, o in zone.offsets})
        lines.append(
            Line(L("Time zone"), f"{zone.name} ({zone.zone}), UTC{' / UTC'.join(offsets)}")
        )
        differences = sorted({d for _, d in zone.from_home})
        if differences and home_city is not None:
            text = " / ".join(_hours(d) for d in differences)
            lines.append(Line(L("Difference from {city}", city=home_city), text))
        for change in zone.changes:
            lines.append(
                Line(
                    L("Clock change"),
                    f"{fmt.datetime(change.instant.astimezone(get_zone(zone.zone)))}: "
                    f"UTC{format_offset(change.offset_before)} → UTC{format_offset(change.offset_after)}",
                )
            )
    if facts.currency is not None:
        c = facts.currency
        lines.append(Line(L("Currency"), f"{c.name} ({c.code}, {c.symbol})"))
    if rate is not None:
        lines.extend(_rate_lines(rate, L, fmt))
    if facts.languages:
        lines.append(Line(L("Languages"), ", ".join(facts.languages)))
    sections: list[tuple[Label, list[Line]]] = []
    if facts.holidays:
        sections.append(
            (
                L("Public holidays"),
                [Line(None, f"{fmt.date(h.day)}: {h.name}") for h in facts.holidays],
            )
        )
    if facts.dialling is not None:
        dialling = facts.dialling
        phone = [Line(L("Country calling code"), f"+{dialling.calling_code}")]
        if dialling.to_home:
            phone.append(Line(L("To call home from there, dial"), f"{dialling.to_home} …"))
        if dialling.from_home:
            phone.append(Line(L("To call there from home, dial"), f"{dialling.from_home} …"))
        data = facts.data
        if data is not None:
            numbers = [
                (N_("Police"), data.police),
                (N_("Fire"), data.fire),
                (N_("Ambulance"), data.ambulance),
                (N_("Emergency"), data.general),
            ]
            phone.extend(Line(L(label), value) for label, value in numbers if value)
        sections.append((L("Telephone"), phone))
    data = facts.data
    if data is not None:
        units = {
            "metric": N_("metric"),
            "us": N_("US customary"),
            "imperial-mixed": N_("metric; miles on the road"),
        }
        practical = [
            Line(L("Plugs"), ", ".join(data.plugs)),
            Line(L("Mains"), f"{data.voltage} V, {data.frequency} Hz"),
            Line(
                L("Driving"),
                str(L("on the left") if data.driving == "left" else L("on the right")),
            ),
            Line(L("Units"), str(L(units[data.measurement]))),
            Line(L("Tipping"), L.text(data.tipping)),  # curated English, translated by msgid
        ]
        sections.append((L("Practical"), practical))
    if facts.sun:
        sun = [
            Line(
                None,
                f"{s.place} · {format_skeleton('MMMEd', s.day, locale=fmt.locale)}: "
                f"↑ {fmt.time(s.sunrise)} ↓ {fmt.time(s.sunset)}",
            )
            for s in facts.sun
            if s.sunrise and s.sunset
        ]
        if sun:
            sections.append((L("Sunrise and sunset"), sun))
    return Destination(facts.name, lines, sections)


def destination_lines(
    facts: DestinationFacts,
    languages: Sequence[str],
    home: ZoneInfo | None,
    rate: RateResult | None = None,
) -> list[str]:
    """The destination page as plain text lines (``tripplan facts``)."""
    fmt, L = Formatter(languages[0]), Labels(languages)
    home_city = fmt.city(home) if home else None
    page = destination(facts, L, fmt, home_city, rate)
    lines = [page.heading.upper()]
    lines += [f"  {line.label}: {line.text}" for line in page.facts]
    for title, section in page.sections:
        lines += ["", f"  {title}"]
        lines += [
            f"    {line.label}: {line.text}" if line.label else f"    {line.text}"
            for line in section
        ]
    return lines


def _rate_lines(result: RateResult, L: Labels, fmt: Formatter) -> list[Line]:
    """``1 USD = 948,37 CLP (ExchangeRate-API, 5 mar 2027)``, how old a cached rate is, and the
    attribution a source asks for."""
    rate = result.rate
    if rate is None:
        return [Line(L("Exchange rate"), str(L("not available (offline and nothing cached)")))]
    value = format_decimal(rate.value, format="#,##0.00##", locale=fmt.locale)
    when = format_date(rate.as_of, "medium", locale=fmt.locale)
    text = f"1 {rate.base} = {value} {rate.quote} ({rate.source}, {when})"
    if result.origin in ("cache", "stale"):
        days = rate.age(datetime.now(UTC)).days
        text += f"; {L('{days} days old', days=days)}"
    lines = [Line(L("Exchange rate"), text)]
    if result.attribution:
        lines.append(Line(None, result.attribution))
    return lines


def _hours(delta: Any) -> str:
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours} h" + (f" {rest} min" if rest else "")
