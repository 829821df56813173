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

:func:`send` delivers messages with :mod:`smtplib`: TLS always (``smtps://``, or STARTTLS on
``smtp://``) except to a server on this machine (loopback), credentials only from the environment
or netrc, and every failure raised as one :class:`MailError` naming the server and the step.
"""

from __future__ import annotations

import contextlib
import hashlib
import netrc
import os
import re
import smtplib
import socket
import ssl
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy as email_policy
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any, TypeVar
from urllib.parse import urlsplit

from icalendar import Calendar

from ._exceptions import InvitationError, MailError
from ._http import is_loopback_host as _is_loopback_host
from ._itip import Invitation
from ._model import Trip

__all__ = [
    "PASSWORD_VARIABLE",
    "USERNAME_VARIABLE",
    "MailError",
    "imip_message",
    "invitation_mail",
    "send_mail",
]

USERNAME_VARIABLE = "TRIPPLAN_SMTP_USERNAME"
PASSWORD_VARIABLE = "TRIPPLAN_SMTP_PASSWORD"

# CRLF line ends, as SMTP sends them; 7-bit, so no body is ever sent as raw 8-bit (which needs a
# server that offers 8BITMIME): non-ASCII text goes quoted-printable or base64.
_POLICY = email_policy.SMTP.clone(cte_type="7bit")
_SCHEDULING = frozenset({"VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY"})
_TOKEN = re.compile(r"[A-Za-z0-9-]+")  # RFC 5545 iana-token: what METHOD may be
_DOMAIN = re.compile(
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
)
_ATTACHMENT = "invite.ics"
_PORTS = {"smtp": 587, "smtps": 465}

_T = TypeVar("_T")


# --- the message ---------------------------------------------------------------------------------


def invitation_mail(
    trip: Trip, invitation: Invitation, *, date: datetime | None = None
) -> EmailMessage:
    """The iMIP mail of one invitation, from its organizer to its recipients, with its subject
    and bodies. Given a ``date`` the message is reproducible: its Message-ID derives from the
    invitation and the organizer's domain."""

    def who(key: str) -> tuple[str, str]:
        person = trip.people[key]
        if person.email is None:
            raise InvitationError(f"people.{key} has no email; an invitation cannot reach them")
        return person.name, person.email

    sender = who(invitation.organizer)
    return imip_message(
        invitation.calendar,
        sender=sender,
        to=[who(k) for k in invitation.recipients],
        subject=invitation.subject,
        text=invitation.text,
        html=invitation.html,
        date=date,
        message_id_domain=sender[1].rpartition("@")[2] if date else None,
    )


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
    without exactly one UID, and for addresses that are not plain ASCII addresses.
    """
    method = _method(calendar)
    identity = _identity(calendar)
    if not to:
        raise ValueError("an invitation needs at least one recipient")
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
    assert isinstance(alternative, EmailMessage)
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


# --- delivery ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Server:
    """Where to send and how: ``loopback`` allows plain SMTP when the server offers no STARTTLS."""

    host: str
    port: int
    implicit_tls: bool
    loopback: bool

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


@dataclass(frozen=True, slots=True)
class _Credentials:
    username: str
    password: str = field(repr=False)


def send_mail(
    messages: Iterable[EmailMessage],
    url: str,
    *,
    env: Mapping[str, str] | None = None,
    netrc_path: str | None = None,
    ssl_context: ssl.SSLContext | None = None,
    timeout: float = 30,
) -> list[str]:
    """Deliver ``messages`` over one SMTP connection; the Message-IDs the server accepted.

    ``url`` is ``smtps://host[:465]`` (implicit TLS) or ``smtp://host[:587]`` (STARTTLS, required
    unless the host is this machine). Login happens only when credentials exist: the environment
    variables TRIPPLAN_SMTP_USERNAME and TRIPPLAN_SMTP_PASSWORD (read from ``env``, default
    ``os.environ``), else a netrc entry for the host (``netrc_path``, default ``~/.netrc``); a URL
    with credentials is refused, since it would show the password in shell history and process
    lists. A refused recipient does not stop the other messages; every failure is reported in one
    :class:`MailError` at the end, with the Message-IDs that did go out in ``sent``.
    """
    server = _parse_url(url)
    batch = list(messages)
    for message in batch:
        if message["Message-ID"] is None or message["From"] is None:
            raise ValueError("every message to send needs a From and a Message-ID header")
    credentials = _credentials(server.host, os.environ if env is None else env, netrc_path)
    if not batch:
        return []  # the URL and the login were checked; there is nothing to connect for
    context = ssl.create_default_context() if ssl_context is None else ssl_context
    return _deliver(batch, server, credentials, context, timeout)


def _parse_url(url: str) -> _Server:
    """``smtp://host[:port]`` or ``smtps://host[:port]``; never echoes the URL, which may hold a secret."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _PORTS:
        raise MailError(
            f"unsupported mail URL scheme {scheme!r}: use smtps://host[:465] (TLS) "
            "or smtp://host[:587] (STARTTLS)"
        )
    if parts.username is not None or parts.password is not None:
        raise MailError(
            "the mail URL holds credentials, which would show in shell history and process "
            f"lists: set {USERNAME_VARIABLE} and {PASSWORD_VARIABLE} in the environment, or put "
            "the login in a netrc entry for the host"
        )
    try:
        port = parts.port
    except ValueError:
        port = -1
    host = parts.hostname
    if not host or port == -1 or parts.path not in ("", "/") or parts.query or parts.fragment:
        raise MailError(f"not a mail URL: expected {scheme}://host[:port] and nothing more")
    return _Server(
        host=host,
        port=_PORTS[scheme] if port is None else port,
        implicit_tls=scheme == "smtps",
        loopback=_is_loopback_host(host),
    )


def _credentials(host: str, env: Mapping[str, str], netrc_path: str | None) -> _Credentials | None:
    """The login for ``host``: the environment first, then netrc; None when there is none."""
    username = env.get(USERNAME_VARIABLE) or None
    password = env.get(PASSWORD_VARIABLE) or None
    if username is not None and password is not None:
        return _Credentials(username, password)
    if username is not None or password is not None:
        given, missing = (
            (USERNAME_VARIABLE, PASSWORD_VARIABLE)
            if username is not None
            else (PASSWORD_VARIABLE, USERNAME_VARIABLE)
        )
        raise MailError(f"{given} is set but {missing} is not: set both, or neither")
    problem: str | None = None
    try:
        entries = netrc.netrc(netrc_path)
    except FileNotFoundError:
        if netrc_path is None:
            return None
        problem = f"netrc file {netrc_path} does not exist"
    except netrc.NetrcParseError as error:
        # A parse error quotes the token it stopped at, which may be a password: say only where.
        detail = error.msg if error.msg.startswith("~/.netrc") else "cannot parse it"
        problem = f"netrc file {error.filename}, line {error.lineno}: {detail}"
    except OSError as error:
        problem = f"netrc file {error.filename}: {error.strerror}"
    if problem is not None:
        raise MailError(problem)  # outside the except block: no chained parse error
    entry = entries.authenticators(host)
    if entry is None:
        return None
    login, _account, secret = entry
    return _Credentials(login, secret) if login and secret else None


def _deliver(
    messages: Sequence[EmailMessage],
    server: _Server,
    credentials: _Credentials | None,
    context: ssl.SSLContext,
    timeout: float,
) -> list[str]:
    """Connect, secure, log in and send: the policy of :func:`send` for an already parsed URL."""
    secret = credentials.password if credentials is not None else None

    def step(what: str, action: Callable[[], _T]) -> _T:
        return _step(server, what, action, secret, timeout)

    def connect() -> smtplib.SMTP:
        if server.implicit_tls:
            return smtplib.SMTP_SSL(server.host, server.port, timeout=timeout, context=context)
        return smtplib.SMTP(server.host, server.port, timeout=timeout)

    connection = step("connecting", connect)
    try:
        step("EHLO", connection.ehlo)
        if not server.implicit_tls:
            if connection.has_extn("starttls"):
                step("STARTTLS", lambda: connection.starttls(context=context))
                step("EHLO after STARTTLS", connection.ehlo)
            elif not (server.loopback and _peer_is_loopback(connection)):
                raise MailError(
                    f"{server}: the server offers no STARTTLS, and tripplan sends without TLS "
                    "only to a server on this machine: use smtps:// or a server with STARTTLS"
                )
        if credentials is not None:
            _login(connection, server, credentials, timeout)
        sent, failures = _send_all(connection, messages, server, secret, timeout)
        with contextlib.suppress(smtplib.SMTPException, OSError):
            connection.quit()  # everything was handed over; a lost goodbye changes nothing
    finally:
        connection.close()
    if failures:
        raise MailError(
            _scrub(
                f"{server}: {len(failures)} of {len(messages)} messages not delivered: "
                + "; ".join(failures),
                secret,
            ),
            sent=sent,
        )
    return sent


def _login(
    connection: smtplib.SMTP, server: _Server, credentials: _Credentials, timeout: float
) -> None:
    """Log in with one mechanism the server offers, once.

    ``smtplib.SMTP.login`` tries every mechanism in turn, so a wrong password counts as several
    failed logins where servers lock accounts after a few. PLAIN and LOGIN both send the password,
    which here only ever travels inside TLS or over loopback; CRAM-MD5 is the last resort.
    """
    offered = (connection.esmtp_features.get("auth") or "").upper().split()
    if not offered:
        raise MailError(f"{server}: credentials are set but the server offers no AUTH")
    mechanism = next((m for m in ("PLAIN", "LOGIN", "CRAM-MD5") if m in offered), None)
    if mechanism is None:
        raise MailError(
            f"{server}: the server offers no login mechanism tripplan knows (AUTH {' '.join(offered)})"
        )
    # The documented way to run one mechanism: set user and password, pass the auth_* method.
    connection.user, connection.password = credentials.username, credentials.password
    authobject = getattr(connection, "auth_" + mechanism.lower().replace("-", "_"))
    _step(
        server,
        f"login as {credentials.username}",
        lambda: connection.auth(mechanism, authobject),
        credentials.password,
        timeout,
    )


def _send_all(
    connection: smtplib.SMTP,
    messages: Sequence[EmailMessage],
    server: _Server,
    secret: str | None,
    timeout: float,
) -> tuple[list[str], list[str]]:
    """Send each message; a refused recipient or message is noted and the next one goes on."""
    sent: list[str] = []
    failures: list[str] = []
    for message in messages:
        message_id = str(message["Message-ID"])
        refused: dict[str, tuple[int, bytes]] = {}
        failure: str | None = None
        fatal: str | None = None
        try:
            refused = connection.send_message(message)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as error:
            failure = _describe(error, timeout)  # the server reset; the connection goes on
        except (smtplib.SMTPException, OSError) as error:
            fatal = _describe(error, timeout)
        if fatal is not None:
            raise MailError(
                _scrub(f"{server}: sending {message_id} failed: {fatal}", secret), sent=sent
            )
        if failure is None and refused:
            failure = _refusals(refused) + " (the other recipients got it)"
        if failure is None:
            sent.append(message_id)
        else:
            failures.append(f"{message_id}: {failure}")
    return sent, failures


def _step(
    server: _Server, what: str, action: Callable[[], _T], secret: str | None, timeout: float
) -> _T:
    """Run one step of the SMTP dialogue; a failure becomes a MailError saying which step failed.

    The MailError is raised after the except block, so it chains no smtplib exception whose
    arguments could hold anything secret, and its text has the password scrubbed all the same.
    """
    try:
        return action()
    except (smtplib.SMTPException, OSError) as error:
        detail = _describe(error, timeout)
    raise MailError(_scrub(f"{server}: {what} failed: {detail}", secret))


def _describe(error: BaseException, timeout: float) -> str:
    """One line saying what went wrong, in words rather than exception class names."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return _refusals(error.recipients)
    if isinstance(error, smtplib.SMTPSenderRefused):
        return f"sender {error.sender} refused ({_reply(error.smtp_code, error.smtp_error)})"
    if isinstance(error, smtplib.SMTPResponseException):
        return _reply(error.smtp_code, error.smtp_error)
    if isinstance(error, smtplib.SMTPServerDisconnected):
        # smtplib turns a read that timed out into "Connection unexpectedly closed".
        if isinstance(error.__context__, TimeoutError):
            return f"no answer within {timeout:g} s"
        return "the server closed the connection"
    if isinstance(error, TimeoutError):
        return f"no answer within {timeout:g} s"
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"the server's TLS certificate is not trusted ({error.verify_message})"
    if isinstance(error, ssl.SSLError):
        return f"TLS error ({error.reason or error})"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, socket.gaierror):
        return f"cannot resolve the host name ({error.strerror})"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__


def _refusals(recipients: Mapping[str, tuple[int, bytes | str]]) -> str:
    return ", ".join(
        f"{address} refused ({_reply(code, text)})" for address, (code, text) in recipients.items()
    )


def _reply(code: int, text: bytes | str) -> str:
    """An SMTP reply as one line: ``550 5.1.1 No such user``."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return " ".join([str(code), *text.split()])


def _peer_is_loopback(connection: smtplib.SMTP) -> bool:
    """Whether the connected address is loopback, whatever the host name resolved through."""
    try:
        peer = connection.sock.getpeername() if connection.sock is not None else None
    except OSError:
        return False
    return isinstance(peer, tuple) and _is_loopback_host(str(peer[0]))


def _scrub(text: str, secret: str | None) -> str:
    """``text`` with the password removed, should a server ever echo it back."""
    return text.replace(secret, "***") if secret else text
