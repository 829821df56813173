"""The items of a briefing sheet: each entry of a day, and the trip at a glance.

Every value is formatted here (times through the Formatter, labels through gettext); what an
entry may show was settled by the view, which redacted the item before it got here.
"""

from __future__ import annotations

from datetime import date, datetime

from ._i18n import CATEGORIES, N_
from ._items import Flight, Meeting, Stay, Transfer
from ._sheet import Entry, Label, Line, Link, Row, Step
from ._sheet_context import Context, short_host
from ._timeline import Scheduled

__all__ = ["checkout", "entry", "overview"]

CABINS = {
    "economy": N_("economy"),
    "premium_economy": N_("premium economy"),
    "business": N_("business"),
    "first": N_("first"),
}


def _category(ctx: Context, entry: Scheduled) -> Label:
    return ctx.L(CATEGORIES[entry.category])


def _title(ctx: Context, entry: Scheduled) -> str:
    """The item's name, without the calendar's pictographs: printers and fonts without them
    show empty boxes, and the category beside it says what the item is. An untitled transfer
    is named by its ends, an airport by its code (``SCL → Hotel Andino``)."""
    origin, destination = entry.origin, entry.destination
    return entry.item.name(
        origin.iata or origin.name,
        destination.iata or destination.name,
        str(_category(ctx, entry)),
    )


def _terminal(ctx: Context, terminal: str | None) -> str:
    return f" · {ctx.L('Terminal {terminal}', terminal=terminal)}" if terminal else ""


def _flight(ctx: Context, entry: Scheduled, item: Flight) -> list[Line]:
    fmt, L = ctx.fmt, ctx.L
    origin, destination = entry.origin, entry.destination
    lines = [
        Line(
            L("Departs"),
            f"{ctx.moment(entry.start)} · {origin.name} ({item.from_})"
            + _terminal(ctx, item.departure_terminal),
        ),
        Line(
            L("Arrives"),
            f"{ctx.moment(entry.end)} · {destination.name} ({item.to})"
            + _terminal(ctx, item.arrival_terminal),
        ),
        Line(L("Duration"), fmt.duration(entry.duration)),
    ]
    if item.cabin:
        lines.append(Line(L("Cabin"), str(L(CABINS[item.cabin]))))
    for label, value in ((N_("Seat"), item.seat), (N_("Confirmation"), item.confirmation)):
        if value:
            lines.append(Line(L(label), value))
    return lines


def _transfer(ctx: Context, entry: Scheduled, item: Transfer) -> list[Line]:
    fmt, L = ctx.fmt, ctx.L
    lines = [
        Line(L("Pickup"), f"{fmt.time(entry.start)} · {ctx.place(entry.origin)}"),
        Line(L("Drop-off"), f"{fmt.time(entry.end)} · {ctx.place(entry.destination)}"),
    ]
    if item.provider or item.number:
        provider = " ".join(p for p in (item.provider, item.number) if p)
        lines.append(Line(L("Provider"), provider))
    for label, value in ((N_("Seat"), item.seat), (N_("Confirmation"), item.confirmation)):
        if value:
            lines.append(Line(L(label), value))
    return lines


def _stay(ctx: Context, entry: Scheduled, item: Stay) -> list[Line]:
    L = ctx.L
    lines = [Line(L("Address"), ctx.place(entry.origin))]
    if entry.origin.phone:
        lines.append(Line(L("Phone"), entry.origin.phone))
    lines.append(Line(L("Check-in"), ctx.moment(entry.start)))
    lines.append(Line(L("Check-out"), ctx.moment(entry.end)))
    if item.confirmation:
        lines.append(Line(L("Confirmation"), item.confirmation))
    return lines


def _map(ctx: Context, entry: Scheduled) -> Link | None:
    geo = entry.origin.geo
    if geo is None or entry.origin.is_airport:
        return None
    lat, lon = (round(value, 5) for value in geo)
    href = f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"
    return Link(ctx.L("Map"), "OpenStreetMap", href)


def entry(ctx: Context, entry: Scheduled) -> Entry:
    """One item of a day, with everything its reader may see of it."""
    item, fmt, L = entry.item, ctx.fmt, ctx.L
    people: list[str] = []
    agenda: list[Step] = []
    links: list[Link] = []
    if isinstance(item, Flight):
        lines = _flight(ctx, entry, item)
    elif isinstance(item, Transfer):
        lines = _transfer(ctx, entry, item)
    elif isinstance(item, Stay):
        lines = _stay(ctx, entry, item)
    else:
        lines = []
        if entry.origin.key is not None:
            lines.append(Line(L("Venue"), ctx.place(entry.origin)))
            if entry.origin.phone:
                lines.append(Line(L("Phone"), entry.origin.phone))
        if isinstance(item, Meeting):
            if item.online:
                links.append(Link(L("Online meeting"), short_host(item.online), item.online))
            organizer = item.organizer or ctx.trip.traveller
            # Names only: who's who gives each person's title and organization.
            lines.append(Line(L("Organizer"), ctx.trip.people[organizer].name))
            people = [ctx.trip.people[k].name for k in item.attendees if k != organizer]
            agenda = [
                Step(
                    f"{step.at:%H:%M}",
                    step.title,
                    ctx.trip.people[step.by].name if step.by else None,
                )
                for step in item.agenda
            ]
    map_link = _map(ctx, entry)
    if map_link is not None and not item.moves:
        links.insert(0, map_link)
    end = fmt.time(entry.end)
    days_later = (entry.end.date() - entry.start.date()).days
    if isinstance(item, Stay):
        end = fmt.time(entry.start)  # the stay's own line shows check-out
    elif days_later:
        end += f" (+{days_later})"  # lands the next day, or two days later across the date line
    notes = [(kind, text) for kind in ctx.view.note_kinds if (text := getattr(item.notes, kind))]
    return Entry(
        time=fmt.time(entry.start),
        end=end,
        home=ctx.home_time(entry.start, ctx.where_short(entry.origin)),
        title=_title(ctx, entry),
        kind=item.type if not isinstance(item, Transfer) else "transfer",
        category=_category(ctx, entry),
        lines=lines,
        people=people,
        agenda=agenda,
        notes=ctx.notes(notes),
        links=links,
    )


def checkout(ctx: Context, entry: Scheduled) -> Entry:
    """A hotel's check-out, on the day it happens."""
    return Entry(
        time=ctx.fmt.time(entry.end),
        end=ctx.fmt.time(entry.end),
        home=ctx.home_time(entry.end, ctx.where_short(entry.origin)),
        title=_title(ctx, entry),
        kind="stay",
        category=ctx.L("Check-out"),
    )


# --- the trip at a glance ----------------------------------------------------------------------


def _where(ctx: Context, entry: Scheduled, title: str) -> str:
    """Where an item is, briefly: ``Boston → Miami`` for travel, the venue and its city."""
    if entry.item.moves:
        origin, destination = entry.origin, entry.destination
        if ctx.city(origin) != ctx.city(destination):
            return f"{ctx.where_short(origin)} → {ctx.where_short(destination)}"
        # Within one city: the airport by its code, the places by name.
        return f"{origin.iata or origin.name} → {destination.iata or destination.name}"
    if entry.origin.key is None:
        return str(ctx.L("Online"))
    city = ctx.city(entry.origin)
    name = entry.origin.name
    if name == title:  # a hotel is its own title: say which city it is in
        return city or name
    return f"{name}, {city}" if city and city not in name else name


def overview(ctx: Context, entries: list[Scheduled]) -> list[Row]:
    """Every item the reader sees, one row each in time order, and each check-out."""
    timed: list[tuple[datetime, date, Row]] = []
    for e in entries:
        title = _title(ctx, e)
        end = ctx.fmt.time(e.end)
        days_later = (e.end.date() - e.start.date()).days
        if days_later and not isinstance(e.item, Stay):
            end += f" (+{days_later})"
        span = (
            ctx.fmt.time(e.start) if isinstance(e.item, Stay) else f"{ctx.fmt.time(e.start)}–{end}"
        )
        home = ctx.fmt.time(e.start.astimezone(ctx.home)) if ctx.view.sees_home_time else None
        where = _where(ctx, e, title)
        timed.append(
            (e.start_utc, e.start.date(), Row("", span, home, title, _category(ctx, e), where))
        )
        if isinstance(e.item, Stay):
            home = ctx.fmt.time(e.end.astimezone(ctx.home)) if ctx.view.sees_home_time else None
            row = Row("", ctx.fmt.time(e.end), home, title, ctx.L("Check-out"), where)
            timed.append((e.end_utc, e.end.date(), row))
    timed.sort(key=lambda t: t[0])
    rows, last = [], None
    for _, day, row in timed:
        if day != last:
            row = Row(ctx.short_date(day), row.time, row.home, row.title, row.category, row.where)
            last = day
        rows.append(row)
    return rows
