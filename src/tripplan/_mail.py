"""Invitations by email (iMIP, RFC 6047), in the one shape every common mail client offers to accept.

An .ics file that someone imports is a copy; an iMIP message is an invitation: the client shows
Accept / Decline, files the answer with the organizer, and applies later revisions (a higher
SEQUENCE) and cancellations to the event it already has. Which part a client reads differs, so
each message carries the calendar twice, as CalConnect's iMIP best practices recommend from
interoperability testing::

    multipart/mixed
      multipart/alternative
        text/plain                                       the caller's text, for any mail reader
        text/html                                        the caller's HTML
        text/calendar; charset=UTF-8; method=REQUEST     what Outlook, Apple Mail, Thunderbird
                                                         and Notes read as the invitation
      application/ics; name=invite.ics (attachment)      what Gmail and some others read

* The ``method`` parameter is the calendar's own METHOD (REQUEST, CANCEL, ...): RFC 6047 requires
  them to be equal, and clients that see no method show a plain attachment.
* Both calendar parts are base64, which every MIME reader decodes the same way: HCL Notes has
  mangled quoted-printable calendar data, and raw 8-bit needs a server that offers 8BITMIME.
  Text bodies go as 7-bit or quoted-printable for the same reason.
* One invitation (one UID) per message, as CalConnect recommends for generators.
* Headers are built by :mod:`email.headerregistry` under the ``SMTP`` policy, so display names with
  accents, commas and quotes are encoded (RFC 2047) or quoted as the standards say.
* Given a date and a Message-ID domain the message is the same bytes on every build: the Message-ID
  comes from the calendar's UID, SEQUENCE and METHOD and the recipients, and the MIME boundaries
  from the content.

Every header value is checked before a message is built (``header_problem``): a line break or
another control character in a name, an address or the subject is refused, naming the field, so
nothing a trip file holds can add a header (``Bcc:``) or reach a reader's terminal as an escape.

``send_mail`` (from ``_mail_delivery``, offered here too) delivers them over SMTP;
``check_mail_url`` refuses a URL it would refuse before anything is written.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime
from email import policy as email_policy
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from icalendar import Calendar

from ._exceptions import InvitationError
from ._itip import Invitation
from ._jsonld import invitation_markup
from ._mail_delivery import check_mail_url, send_mail
from ._model import Trip

__all__ = ["check_mail_url", "header_problem", "imip_message", "invitation_mail", "send_mail"]

# CRLF line ends, as SMTP sends them; 7-bit, so no body is ever sent as raw 8-bit (which needs a
# server that offers 8BITMIME): non-ASCII text goes quoted-printable or base64.
_POLICY = email_policy.SMTP.clone(cte_type="7bit")
_SCHEDULING = frozenset({"VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY"})
_TOKEN = re.compile(r"[A-Za-z0-9-]+")  # RFC 5545 iana-token: what METHOD may be
_DOMAIN = re.compile(
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
)
_ATTACHMENT = "invite.ics"


# --- the message ---------------------------------------------------------------------------------


def header_problem(value: str, *, display_name: bool = False) -> str | None:
    """Why ``value`` cannot go into a mail header, or ``None``: a line break or another control
    character (Unicode category Cc), named by its code point; and, but in a ``display_name``,
    a line or paragraph separator (U+2028, U+2029), which the mail library takes for a line
    break. (In a name they are harmless: a name that is not ASCII goes as RFC 2047 encoded
    words, where no character is a line break.)

    >>> header_problem("Rodrigo Ibáñez, CEO") is None
    True
    >>> header_problem("Dana\\r\\nBcc: someone@example.org")
    'contains a carriage return (U+000D), which a mail header cannot hold'
    """
    refused = ("Cc",) if display_name else ("Cc", "Zl", "Zp")
    for char in value:
        if unicodedata.category(char) in refused:
            name = _CONTROL_NAMES.get(char, "control character")
            return f"contains a {name} (U+{ord(char):04X}), which a mail header cannot hold"
    return None


_CONTROL_NAMES = {
    "\r": "carriage return",
    "\n": "line feed",
    "\t": "tab",
    "\x00": "NUL",
    "\x85": "next-line character",
    "\u2028": "line separator",
    "\u2029": "paragraph separator",
}


def invitation_mail(
    trip: Trip, invitation: Invitation, *, date: datetime | None = None
) -> EmailMessage:
    """The iMIP mail of one invitation, from its organizer to its recipients, with its subject
    and bodies. Given a ``date`` the message is reproducible: its Message-ID derives from the
    invitation and the organizer's domain.

    Every header value is checked first: a name, address or subject that cannot go into a mail
    header (``header_problem``), or an address tripplan cannot send to, is an
    ``InvitationError`` naming the field (``people.dana.name: contains a line feed …``).
    """

    def who(key: str) -> tuple[str, str]:
        person = trip.people[key]
        if person.email is None:
            raise InvitationError(f"people.{key} has no email; an invitation cannot reach them")
        for field, value in (("name", person.name), ("email", person.email)):
            problem = header_problem(value, display_name=field == "name")
            if problem is not None:
                raise InvitationError(f"people.{key}.{field}: {problem}")
        try:
            _address((person.name, person.email))
        except ValueError as error:
            raise InvitationError(f"people.{key}.email: {error}") from None
        return person.name, person.email

    sender = who(invitation.organizer)
    to = [who(k) for k in invitation.recipients]
    try:
        where = f"items[{trip.index(invitation.item_id)}]"
    except KeyError:
        where = f"item {invitation.item_id!r}"
    problem = header_problem(invitation.subject)
    if problem is not None:
        raise InvitationError(f"{where}: the subject of its invitation {problem}")
    domain = sender[1].rpartition("@")[2]
    if date is not None and not _DOMAIN.fullmatch(domain):
        raise InvitationError(
            f"people.{invitation.organizer}.email: {domain!r} is not a domain name a "
            "Message-ID can use"
        )
    try:
        return imip_message(
            invitation.calendar,
            sender=sender,
            to=to,
            subject=invitation.subject,
            text=invitation.text,
            html=_with_markup(trip, invitation),
            date=date,
            message_id_domain=domain if date else None,
        )
    except ValueError as error:  # the calendar itself: no METHOD, not one UID
        raise InvitationError(f"{where}: {error}") from None


def _with_markup(trip: Trip, invitation: Invitation) -> str:
    """The invitation's HTML with the meeting as schema.org markup, for mail clients that read
    it (Gmail, KDE Itinerary): the same facts the calendar part carries for these recipients."""
    markup = invitation_markup(
        trip, invitation.item_id, invitation.recipients, cancelled=invitation.method == "CANCEL"
    )
    html = invitation.html
    end = html.rfind("</body>")
    return html[:end] + markup + html[end:] if end >= 0 else html + markup


def imip_message(
    calendar: Calendar,
    *,
    sender: tuple[str, str],
    to: Sequence[tuple[str, str]],
    subject: str,
    text: str,
    html: str,
    date: datetime | None = None,
    message_id_domain: str | None = None,
) -> EmailMessage:
    """The iMIP message for one invitation: ``calendar`` (with a METHOD) as an email.

    ``sender`` and ``to`` are (display name, address) pairs; ``subject``, ``text`` and ``html`` are
    shown as given, so the caller localizes them. ``date`` (aware) defaults to now; with
    ``message_id_domain`` the Message-ID is derived from the invitation instead of being random, so
    the same arguments give the same bytes. Raises ValueError for a calendar without METHOD or
    without exactly one UID, for addresses that are not plain ASCII addresses, and for a name,
    address or subject that cannot go into a header (``header_problem``), naming which.
    """
    method = _method(calendar)
    identity = _identity(calendar)
    if not to:
        raise ValueError("an invitation needs at least one recipient")
    fields = [
        ("sender name", sender[0]),
        ("sender address", sender[1]),
        *((f"to[{i}] name", pair[0]) for i, pair in enumerate(to)),
        *((f"to[{i}] address", pair[1]) for i, pair in enumerate(to)),
        ("subject", subject),
    ]
    for field, value in fields:
        problem = header_problem(value, display_name=field.endswith(" name"))
        if problem is not None:
            raise ValueError(f"{field}: {problem}")
    if date is None:
        date = datetime.now(UTC)
    elif date.utcoffset() is None:
        raise ValueError(f"the Date of a message must be an aware datetime, not {date!r}")
    recipients = [_address(pair) for pair in to]
    ics = calendar.to_ical()

    origin = _address(sender)

    message = EmailMessage(policy=_POLICY)
    message["From"] = origin
    message["To"] = recipients
    message["Subject"] = subject
    message["Date"] = date
    message["Message-ID"] = _message_id(
        identity, method, recipients, message_id_domain, origin.domain
    )
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    message.add_alternative(
        ics,
        maintype="text",
        subtype="calendar",
        cte="base64",
        params={"charset": "UTF-8", "method": method},
    )
    message.add_attachment(
        ics,
        maintype="application",
        subtype="ics",
        cte="base64",
        filename=_ATTACHMENT,
        params={"name": _ATTACHMENT},
    )
    alternative = message.get_payload(0)
    if not isinstance(alternative, EmailMessage):  # the tree built just above
        raise TypeError("the message has no multipart/alternative part to set a boundary on")
    for part in message.walk():
        if part is not message:
            del part["MIME-Version"]  # the library repeats it in every part; once is the rule

    # Boundaries from a digest of the headers and parts: the same on every build (the library's
    # own are random), and a part would have to contain the digest of itself to contain its
    # boundary ("=_" never occurs in base64 or quoted-printable text).
    content = [f"{name}: {value}".encode() for name, value in message.items()]
    content += [bytes(part) for part in message.walk() if not part.is_multipart()]
    tag = hashlib.sha256(b"\0".join(content)).hexdigest()[:32]
    alternative.set_boundary(f"=_tripplan_alternative_{tag}")
    message.set_boundary(f"=_tripplan_mixed_{tag}")
    return message


def _method(calendar: Calendar) -> str:
    """The calendar's METHOD, which the MIME ``method`` parameter must repeat (RFC 6047)."""
    method = str(calendar.get("METHOD", "")).strip()
    if not method:
        raise ValueError(
            "the calendar has no METHOD property: an invitation needs one (REQUEST, CANCEL, ...)"
        )
    if not _TOKEN.fullmatch(method):
        raise ValueError(f"the calendar's METHOD {method!r} is not an iCalendar token")
    return method


def _identity(calendar: Calendar) -> str:
    """What makes this invitation revision unique: its UID, RECURRENCE-IDs and SEQUENCE numbers.

    iTIP sends one UID per message (an event and its overridden instances); several would be
    several invitations, which clients answer one at a time.
    """
    components = [c for c in calendar.subcomponents if c.name in _SCHEDULING]
    if not components:
        raise ValueError("the calendar holds no VEVENT, VTODO, VJOURNAL or VFREEBUSY to send")
    uids = {str(c.get("UID", "")) for c in components}
    if "" in uids:
        raise ValueError("every component of an invitation needs a UID")
    if len(uids) != 1:
        raise ValueError(
            f"one invitation per message: the calendar holds {len(uids)} UIDs ({', '.join(sorted(uids))})"
        )
    revisions = sorted(
        (_ical_text(c["RECURRENCE-ID"]) if "RECURRENCE-ID" in c else "", int(c.get("SEQUENCE", 0)))
        for c in components
    )
    return "\n".join([uids.pop(), *(f"{rid} {sequence}" for rid, sequence in revisions)])


def _ical_text(value: Any) -> str:
    ical = value.to_ical()
    return ical.decode() if isinstance(ical, bytes) else str(ical)


def _address(pair: tuple[str, str]) -> Address:
    """(display name, address) as a header address; the library encodes the name as needed."""
    name, addr_spec = pair
    if not addr_spec.isascii():
        raise ValueError(
            f"{addr_spec!r}: tripplan sends to ASCII addresses only (others need SMTPUTF8)"
        )
    try:
        address = Address(display_name=name, addr_spec=addr_spec)
    except (ValueError, HeaderParseError):
        address = None
    if address is None or not address.domain:
        raise ValueError(f"{addr_spec!r} is not an email address")
    return address


def _message_id(
    identity: str, method: str, recipients: Sequence[Address], domain: str | None, fallback: str
) -> str:
    """A deterministic Message-ID when a domain is given, else a random one at the sender's domain.

    The recipients are part of it because the same invitation goes to each attendee in a message
    of its own, and every message needs its own Message-ID.
    """
    if domain is None:
        return make_msgid(domain=fallback)
    if not _DOMAIN.fullmatch(domain):
        raise ValueError(f"{domain!r} is not a domain name for a Message-ID")
    addresses = sorted(a.addr_spec.lower() for a in recipients)
    key = "\0".join([identity, method.upper(), *addresses])
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"<{digest}.{method.lower()}@{domain}>"
