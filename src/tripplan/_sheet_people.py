"""Who's who on a briefing sheet: the people of the visit, grouped by organization.

For our side (the traveller, the team) the customer's people come first, then ours; for the
customer, the visitors first, then their own participants. Each person has their title, the
meetings they attend that the reader sees, their language, how to reach them, and the notes on
them the reader may read (``View.person_notes``: a bio, and public, team and private notes).
"""

from __future__ import annotations

import phonenumbers
from babel import Locale, UnknownLocaleError

from ._items import Meeting
from ._sheet import Card, Group, Label, Labels, Line
from ._sheet_context import Context
from ._timeline import Scheduled
from ._zones import zone_country

__all__ = ["groups", "phones"]


def phones(number: str, home_country: str | None, L: Labels) -> list[Line]:
    """A number written three ways: international, local (as dialled in its country), and
    from the traveller's home country (``home_country`` None: not that one)."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return [Line(None, number)]
    lines = [
        Line(
            L("From abroad"),
            phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
        ),
        Line(
            L("Locally"),
            phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL),
        ),
    ]
    region = phonenumbers.region_code_for_number(parsed)
    if home_country and region and home_country != region:
        home = phonenumbers.format_out_of_country_calling_number(parsed, home_country)
        lines.append(Line(L("From home"), home))
    return lines


def _language(tag: str | None, ctx: Context) -> str | None:
    if tag is None:
        return None
    try:
        return Locale.parse(tag.replace("-", "_")).get_display_name(ctx.fmt.locale)
    except (UnknownLocaleError, ValueError):
        return tag


def _attends(ctx: Context, key: str, entries: list[Scheduled]) -> list[str]:
    """The meetings ``key`` takes part in, among those the reader sees: ``Tue, Mar 9 · title``."""
    return [
        f"{ctx.short_date(e.start.date())} · {e.name(str(ctx.L('Meeting')))}"
        for e in entries
        if isinstance(e.item, Meeting) and ctx.trip.attends(key, e.item)
    ]


def _card(ctx: Context, key: str, entries: list[Scheduled]) -> Card:
    person = ctx.trip.people[key]
    home = zone_country(ctx.home.key) if ctx.view.dials_from_home else None
    return Card(
        name=person.name,
        title=person.title,
        attends=_attends(ctx, key, entries),
        language=_language(person.language, ctx),
        phones=phones(person.phone, home, ctx.L) if person.phone else [],
        email=person.email,
        notes=ctx.notes(ctx.view.person_notes(key)),
    )


def groups(ctx: Context, entries: list[Scheduled]) -> list[Group]:
    """The people the reader sees, by organization, in the order that reader wants them."""
    trip, view, L = ctx.trip, ctx.view, ctx.L
    ours = trip.people[trip.traveller].organization
    found: dict[tuple[str, str], list[str]] = {}
    seen = set(view.people())
    for key in (k for k in trip.people if k in seen):  # in the trip's order
        person = trip.people[key]
        found.setdefault((person.side, person.organization or person.name), []).append(key)
    first = "team" if view.hosts_the_visit else "customer"

    def order(group: tuple[str, str]) -> tuple[int, int]:
        side, organization = group
        return (side != first, organization != ours)

    sides: dict[str, Label] = (
        {"team": L("Visitors"), "customer": L("Your participants")}
        if view.hosts_the_visit
        else {"customer": L("Customer"), "team": L("Our team")}
    )
    return [
        Group(organization, sides[side], [_card(ctx, k, entries) for k in keys])
        for (side, organization), keys in sorted(found.items(), key=lambda kv: order(kv[0]))
    ]
