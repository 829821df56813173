"""Invitations by email: the iMIP message shape, and delivery to real SMTP servers on 127.0.0.1.

Every message here goes through a real aiosmtpd server (``tests/_smtp.py``) and is read back
from the bytes the server received; the calendar parts are also read by ical.js and libical,
the parsers of Thunderbird and Evolution.
"""

from __future__ import annotations

import copy
import dataclasses
import re
import socket
import ssl
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage, MIMEPart
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar, Event, vCalAddress
from icalendar.enums import PARTSTAT, ROLE, STATUS

from tripplan import (
    InvitationError,
    MailError,
    NetworkError,
    Trip,
    TripFileError,
    TripplanError,
    build_invitations,
    imip_message,
    invitation_mail,
    load_trip,
    send_mail,
)
from tripplan._credentials import Credentials
from tripplan._mail_delivery import (
    PASSWORD_VARIABLE,
    USERNAME_VARIABLE,
    _deliver,
    _parse_url,
    check_mail_url,
)
from tripplan._urls import is_loopback_host

from ._interop import ParsedEvent, assert_clients_agree, read_icaljs, read_libical
from ._radicale import RadicaleServer
from ._smtp import TestServer, client_context, make_certificate, server_context, smtp_server

UID = "ceo-meeting-2027-03-09@tripplan.example"
ORGANIZER = ('Dana "DW" Whitfield, Northwind', "dana@northwind.example")
ATTENDEE = ("Rodrigo Ibáñez, CEO", "rodrigo@cordillera.example")
REFUSED = ("Nadie", "nobody@cordillera.example")
SUMMARY = "Reunión con el CEO — Viña Los Aromos"
START = datetime(2027, 3, 9, 14, 0, tzinfo=UTC)
END = datetime(2027, 3, 9, 15, 30, tzinfo=UTC)
SUBJECT = "Invitación: Reunión con el CEO — «Viña Los Aromos», jueves 9 de marzo"
TEXT = "Hola Rodrigo:\n\nTe invito a la reunión del jueves 9 de marzo a las 11:00 en Viña Los Aromos.\n"
HTML = "<p>Hola Rodrigo:</p><p>Te invito a la reunión del <b>jueves 9 de marzo</b>.</p>\n"
DATE = datetime(2027, 1, 15, 9, 30, tzinfo=UTC)
DOMAIN = "northwind.example"
USER = "dana"
PASSWORD = "Xq7-t0ps3cret-pw"
METHODS = ["REQUEST", "CANCEL"]


def build_calendar(method: str | None, *, sequence: int = 0, uid: str = UID) -> Calendar:
    """An invitation as iTIP (RFC 5546) wants it: ORGANIZER, ATTENDEE, UID, DTSTAMP, SEQUENCE."""
    attendee = vCalAddress.new(
        ATTENDEE[1],
        cn=ATTENDEE[0],
        role=ROLE.REQ_PARTICIPANT,
        partstat=PARTSTAT.NEEDS_ACTION,
        rsvp=True,
    )
    event = Event.new(
        uid=uid,
        summary=SUMMARY,
        start=START,
        end=END,
        stamp=datetime(2027, 1, 15, 9, 0, tzinfo=UTC),
        sequence=sequence,
        organizer=vCalAddress.new(ORGANIZER[1], cn=ORGANIZER[0]),
        attendees=[attendee],
        status=STATUS.CANCELLED if method == "CANCEL" else STATUS.CONFIRMED,
    )
    return Calendar.new(
        method=method, prodid="-//tripplan//tests//EN", uid="cal-1", subcomponents=[event]
    )


def invitation(calendar: Calendar, **changes: Any) -> EmailMessage:
    arguments: dict[str, Any] = {
        "sender": ORGANIZER,
        "to": [ATTENDEE],
        "subject": SUBJECT,
        "text": TEXT,
        "html": HTML,
        "date": DATE,
        "message_id_domain": DOMAIN,
    }
    arguments.update(changes)
    return imip_message(calendar, **arguments)


def parse(data: bytes) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(data)
    assert isinstance(message, EmailMessage)
    return message


def shape(part: MIMEPart) -> Any:
    """The MIME tree as nested (content type, children) pairs; a leaf is its content type."""
    if part.is_multipart():
        return (part.get_content_type(), [shape(child) for child in part.iter_parts()])
    return part.get_content_type()


def calendar_parts(message: EmailMessage) -> list[EmailMessage]:
    return [
        part
        for part in message.walk()
        if part.get_content_type() in ("text/calendar", "application/ics")
    ]


def credentials_env(password: str = PASSWORD) -> dict[str, str]:
    return {USERNAME_VARIABLE: USER, PASSWORD_VARIABLE: password}


@pytest.fixture(autouse=True)
def _no_personal_credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read the machine's ~/.netrc or the caller's TRIPPLAN_SMTP_* variables."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv(USERNAME_VARIABLE, raising=False)
    monkeypatch.delenv(PASSWORD_VARIABLE, raising=False)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def plain_server() -> Iterator[TestServer]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def starttls_server(certificate: tuple[Path, Path]) -> Iterator[TestServer]:
    with smtp_server(starttls=server_context(*certificate), users={USER: PASSWORD}) as server:
        yield server


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port that refuses connections: bound (so nothing else takes it), not listening."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        yield holder.getsockname()[1]


def deliver(server: TestServer, calendar: Calendar) -> EmailMessage:
    """Send one invitation through ``server`` and parse what it received."""
    message = invitation(calendar)
    assert send_mail([message], server.url(), env={}) == [message["Message-ID"]]
    [received] = server.recorder.messages
    assert received.mail_from == ORGANIZER[1]
    assert received.rcpt_tos == [ATTENDEE[1]]
    return parse(received.data)


# --- the message ---------------------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_received_message_has_the_imip_shape(plain_server: TestServer, method: str) -> None:
    calendar = build_calendar(method, sequence=1)
    received = deliver(plain_server, calendar)

    assert shape(received) == (
        "multipart/mixed",
        [
            ("multipart/alternative", ["text/plain", "text/html", "text/calendar"]),
            "application/ics",
        ],
    )
    inline, attachment = calendar_parts(received)
    assert inline.get_param("method") == method == str(calendar["METHOD"])
    assert str(inline.get_param("charset")).upper() == "UTF-8"
    assert inline.get_content_disposition() is None
    assert attachment.get_content_disposition() == "attachment"
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_param("name") == "invite.ics"
    for part in (inline, attachment):
        encoding = part["Content-Transfer-Encoding"].lower()
        raw = part.get_payload()
        assert isinstance(raw, str)
        assert encoding == "base64" or (encoding == "7bit" and raw.isascii())
        assert max(len(line) for line in raw.splitlines()) <= 76
        assert part.get_payload(decode=True) == calendar.to_ical()

    for part in received.walk():  # every part travels as 7-bit, whatever the server offers
        assert part["Content-Transfer-Encoding"] in (None, "7bit", "base64", "quoted-printable")
    text, html = (received.get_body(preferencelist=(kind,)) for kind in ("plain", "html"))
    # Mail text has CRLF line ends (RFC 5322); the caller's LF comes back as CRLF.
    assert text is not None and text.get_content() == TEXT.replace("\n", "\r\n")
    assert html is not None and html.get_content() == HTML.replace("\n", "\r\n")


@pytest.mark.parametrize("method", METHODS)
def test_calendar_part_holds_the_same_event(plain_server: TestServer, method: str) -> None:
    calendar = build_calendar(method, sequence=2)
    [inline, _] = calendar_parts(deliver(plain_server, calendar))
    raw = inline.get_payload(decode=True)
    assert isinstance(raw, bytes)
    parsed = Calendar.from_ical(raw)
    assert isinstance(parsed, Calendar)
    assert parsed.method == method
    [event] = parsed.events
    assert (event.uid, event.summary, event.start, event.end, event.sequence) == (
        UID,
        SUMMARY,
        START,
        END,
        2,
    )
    assert str(event["ORGANIZER"]) == f"mailto:{ORGANIZER[1]}"
    [attendee] = event.attendees
    assert attendee.params["CN"] == ATTENDEE[0]
    assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"


@pytest.mark.parametrize("method", METHODS)
def test_ical_js_and_libical_read_the_calendar_parts(
    plain_server: TestServer, method: str, tmp_path: Path, radicale_server: RadicaleServer
) -> None:
    """Thunderbird's and Evolution's parsers read both calendar parts as the event that was sent."""
    received = deliver(plain_server, build_calendar(method))
    expected = [ParsedEvent(UID, SUMMARY, START, END, all_day=False)]
    for index, part in enumerate(calendar_parts(received)):
        path = tmp_path / f"part-{index}.ics"
        data = part.get_payload(decode=True)
        assert isinstance(data, bytes)
        path.write_bytes(data)
        assert read_icaljs(path) == expected
        libical = read_libical(path)
        assert libical.events == expected
        assert libical.errors == []
        assert libical.restrictions_ok
        assert assert_clients_agree(path, radicale_server) == expected  # and Radicale stores it


def test_names_and_subject_round_trip_encoded(plain_server: TestServer) -> None:
    received = deliver(plain_server, build_calendar("REQUEST"))
    [sender] = received["From"].addresses
    [recipient] = received["To"].addresses
    assert (sender.display_name, sender.addr_spec) == ORGANIZER
    assert (recipient.display_name, recipient.addr_spec) == ATTENDEE
    assert received["Subject"] == SUBJECT
    data = plain_server.recorder.messages[0].data
    assert data.isascii()  # RFC 2047 words and 7-bit bodies: nothing needs SMTPUTF8 or 8BITMIME


def test_same_arguments_give_the_same_bytes() -> None:
    calendar = build_calendar("REQUEST")
    first = invitation(calendar)
    assert bytes(first) == bytes(invitation(build_calendar("REQUEST")))
    assert first["Date"] == "Fri, 15 Jan 2027 09:30:00 +0000"
    assert re.fullmatch(r"<[0-9a-f]{32}\.request@northwind\.example>", first["Message-ID"])
    others = [
        invitation(build_calendar("REQUEST", sequence=1)),
        invitation(build_calendar("CANCEL")),
        invitation(build_calendar("REQUEST", uid="other@tripplan.example")),
        invitation(calendar, to=[("Someone else", "else@cordillera.example")]),
    ]
    ids = {first["Message-ID"], *(message["Message-ID"] for message in others)}
    assert len(ids) == 1 + len(others)


def test_without_a_domain_the_message_id_is_random_at_the_senders_domain() -> None:
    calendar = build_calendar("REQUEST")
    first, second = (invitation(calendar, message_id_domain=None) for _ in range(2))
    assert first["Message-ID"] != second["Message-ID"]
    assert first["Message-ID"].endswith("@northwind.example>")


def test_date_defaults_to_now() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    message = invitation(build_calendar("REQUEST"), date=None)
    assert before <= message["Date"].datetime <= datetime.now(UTC)


@pytest.mark.parametrize(
    ("calendar", "changes", "error"),
    [
        (build_calendar(None), {}, "no METHOD property"),
        (Calendar.new(method="REQUEST", prodid="-//t//EN"), {}, "holds no VEVENT"),
        (
            Calendar.new(
                method="REQUEST",
                prodid="-//t//EN",
                subcomponents=[
                    *build_calendar("REQUEST").events,
                    *build_calendar("REQUEST", uid="second@tripplan.example").events,
                ],
            ),
            {},
            "one invitation per message: the calendar holds 2 UIDs",
        ),
        (build_calendar("REQUEST"), {"to": []}, "at least one recipient"),
        (build_calendar("REQUEST"), {"date": datetime(2027, 1, 15, 9, 30)}, "aware datetime"),
        (build_calendar("REQUEST"), {"to": [("X", "not an address")]}, "not an email address"),
        (build_calendar("REQUEST"), {"to": [("X", "josé@example.com")]}, "ASCII addresses"),
        (build_calendar("REQUEST"), {"message_id_domain": "a b"}, "not a domain name"),
    ],
    ids=[
        "no-method",
        "no-event",
        "two-uids",
        "no-recipient",
        "naive-date",
        "bad-address",
        "non-ascii-address",
        "bad-domain",
    ],
)
def test_refuses_what_is_not_one_invitation(
    calendar: Calendar, changes: dict[str, Any], error: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(error)):
        invitation(calendar, **changes)


# --- delivery ------------------------------------------------------------------------------------


@pytest.mark.parametrize("source", ["env argument", "os.environ"])
def test_starttls_and_login_with_credentials_from_the_environment(
    starttls_server: TestServer,
    certificate: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    source: str,
) -> None:
    message = invitation(build_calendar("REQUEST"))
    env: dict[str, str] | None = credentials_env()
    if source == "os.environ":
        for name, value in credentials_env().items():
            monkeypatch.setenv(name, value)
        env = None
    sent = send_mail(
        [message], starttls_server.url(), env=env, ssl_context=client_context(certificate[0])
    )
    assert sent == [message["Message-ID"]]
    recorder = starttls_server.recorder
    assert recorder.logins == [(USER, True)]
    assert recorder.tls_sessions == [True]
    assert [parse(m.data)["Message-ID"] for m in recorder.messages] == sent


@pytest.mark.parametrize("location", ["netrc_path", "~/.netrc"])
def test_login_with_credentials_from_netrc(
    starttls_server: TestServer, certificate: tuple[Path, Path], tmp_path: Path, location: str
) -> None:
    path = tmp_path / "netrc" if location == "netrc_path" else tmp_path / "home" / ".netrc"
    path.write_text(
        f"machine elsewhere.example login someone password other\n"
        f"machine 127.0.0.1 login {USER} password {PASSWORD}\n"
    )
    path.chmod(0o600)  # Python refuses a ~/.netrc with a password that others can read
    message = invitation(build_calendar("REQUEST"))
    send_mail(
        [message],
        starttls_server.url(),
        env={},
        netrc_path=str(path) if location == "netrc_path" else None,
        ssl_context=client_context(certificate[0]),
    )
    assert starttls_server.recorder.logins == [(USER, True)]
    assert len(starttls_server.recorder.messages) == 1


def test_smtps_with_implicit_tls(certificate: tuple[Path, Path]) -> None:
    message = invitation(build_calendar("REQUEST"))
    with smtp_server(implicit_tls=server_context(*certificate), users={USER: PASSWORD}) as server:
        sent = send_mail(
            [message],
            server.url("smtps"),
            env=credentials_env(),
            ssl_context=client_context(certificate[0]),
        )
        assert sent == [message["Message-ID"]]
        assert server.recorder.logins == [(USER, True)]
        assert server.recorder.tls_sessions == [True]


def test_wrong_password_is_one_clear_error(
    starttls_server: TestServer, certificate: tuple[Path, Path]
) -> None:
    wrong = "Wr0ng-pa55word-42"
    with pytest.raises(MailError) as caught:
        send_mail(
            [invitation(build_calendar("REQUEST"))],
            starttls_server.url(),
            env=credentials_env(wrong),
            ssl_context=client_context(certificate[0]),
        )
    error = caught.value
    assert isinstance(error, NetworkError) and isinstance(error, TripplanError)
    assert (error.source, error.status) == (f"127.0.0.1:{starttls_server.port}", None)
    text = str(error)
    assert text.startswith(f"127.0.0.1:{starttls_server.port}: login as {USER} failed: 535")
    assert "\n" not in text
    assert wrong not in text and wrong not in repr(error) and wrong not in repr(error.args)
    assert error.__cause__ is None and error.__context__ is None  # no smtplib exception chained
    assert starttls_server.recorder.logins == [(USER, False)]
    assert starttls_server.recorder.messages == []


def test_a_password_that_the_server_echoes_is_scrubbed(certificate: tuple[Path, Path]) -> None:
    wrong = "Wr0ng-pa55word-42"
    context = server_context(*certificate)
    with (
        smtp_server(starttls=context, users={USER: PASSWORD}, echo_password=True) as server,
        pytest.raises(MailError) as caught,
    ):
        send_mail(
            [invitation(build_calendar("REQUEST"))],
            server.url(),
            env=credentials_env(wrong),
            ssl_context=client_context(certificate[0]),
        )
    assert (
        str(caught.value)
        == f"127.0.0.1:{server.port}: login as {USER} failed: 535 5.7.8 *** is wrong"
    )


def test_untrusted_certificate_stops_before_login(starttls_server: TestServer) -> None:
    with pytest.raises(
        MailError, match=r"STARTTLS failed: the server's TLS certificate is not trusted"
    ):
        send_mail(
            [invitation(build_calendar("REQUEST"))], starttls_server.url(), env=credentials_env()
        )
    assert starttls_server.recorder.logins == []
    assert starttls_server.recorder.messages == []


def test_plain_smtp_is_allowed_only_to_this_machine() -> None:
    """A server without STARTTLS: the same server, once as the loopback host it is and once not.

    The URL policy decides loopback from the host; here that decision is turned off for a server
    that does run on 127.0.0.1, which is the only way to reach a plain server from a test without
    sending traffic off this machine. Nothing may be sent then: no login, no message.
    """
    message = invitation(build_calendar("REQUEST"))
    with smtp_server(users={USER: PASSWORD}) as server:
        target = dataclasses.replace(_parse_url(server.url()), loopback=False)
        with pytest.raises(MailError) as caught:
            _deliver(
                [message], target, Credentials(USER, PASSWORD), ssl.create_default_context(), 5
            )
        assert str(caught.value).startswith(
            f"127.0.0.1:{server.port}: the server offers no STARTTLS"
        )
        assert PASSWORD not in str(caught.value)
        assert server.recorder.logins == []
        assert server.recorder.messages == []

        assert send_mail([message], server.url(), env=credentials_env()) == [message["Message-ID"]]
        assert server.recorder.logins == [(USER, True)]
        assert server.recorder.tls_sessions == [False]


def test_credentials_are_not_offered_to_a_server_without_auth(plain_server: TestServer) -> None:
    with pytest.raises(MailError, match=r"credentials are set but the server offers no AUTH"):
        send_mail(
            [invitation(build_calendar("REQUEST"))], plain_server.url(), env=credentials_env()
        )
    assert plain_server.recorder.messages == []


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("localhost", True),
        ("LocalHost", True),
        ("::ffff:127.0.0.1", True),
        ("mail.example.com", False),
        ("localhost.example.com", False),
        ("10.0.0.1", False),
        ("192.168.1.10", False),
        ("::ffff:10.0.0.1", False),
        ("2001:db8::1", False),
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


@pytest.mark.parametrize(
    ("url", "where", "implicit_tls", "loopback"),
    [
        ("smtp://mail.example.com", "mail.example.com:587", False, False),
        ("smtps://mail.example.com", "mail.example.com:465", True, False),
        ("SMTP://Mail.Example.com:2525/", "mail.example.com:2525", False, False),
        ("smtp://[::1]:2525", "[::1]:2525", False, True),
    ],
)
def test_mail_urls(url: str, where: str, implicit_tls: bool, loopback: bool) -> None:
    server = _parse_url(url)
    assert (str(server), server.implicit_tls, server.loopback) == (where, implicit_tls, loopback)


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("http://mail.example.com", "unsupported mail URL scheme 'http'"),
        ("smtp://", "not a mail URL"),
        ("smtp://mail.example.com/inbox", "not a mail URL"),
        ("smtp://mail.example.com:99999", "not a mail URL"),
        ("smtp://mail.example.com?user=x", "not a mail URL"),
    ],
)
def test_bad_urls(url: str, error: str) -> None:
    with pytest.raises(MailError, match=re.escape(error)):
        send_mail([], url, env={})


def test_credentials_in_the_url_are_refused_before_connecting(closed_port: int) -> None:
    # Were a connection tried, the port would refuse it and the error would say so instead.
    message = invitation(build_calendar("REQUEST"))
    with pytest.raises(MailError) as caught:
        send_mail([message], f"smtp://{USER}:{PASSWORD}@127.0.0.1:{closed_port}", env={})
    text = str(caught.value)
    assert "credentials" in text and USERNAME_VARIABLE in text and "netrc" in text
    assert PASSWORD not in text and "refused" not in text


def test_half_set_credentials_are_refused_before_connecting(closed_port: int) -> None:
    with pytest.raises(
        MailError, match=f"{USERNAME_VARIABLE} is set but {PASSWORD_VARIABLE} is not"
    ):
        send_mail(
            [invitation(build_calendar("REQUEST"))],
            f"smtp://127.0.0.1:{closed_port}",
            env={USERNAME_VARIABLE: USER},
        )


def test_netrc_errors_do_not_quote_the_file(closed_port: int, tmp_path: Path) -> None:
    """A malformed entry makes Python quote the token it stopped at: part of a password here."""
    path = tmp_path / "netrc"
    path.write_text(f"machine 127.0.0.1 login {USER} password Zq9 leakcheck\n")
    message = invitation(build_calendar("REQUEST"))
    with pytest.raises(MailError) as caught:
        send_mail([message], f"smtp://127.0.0.1:{closed_port}", env={}, netrc_path=str(path))
    text = str(caught.value)
    assert re.fullmatch(rf"netrc file {re.escape(str(path))}, line \d+: cannot parse it", text)
    assert "leakcheck" not in text
    assert caught.value.__context__ is None


def test_missing_netrc_file_that_was_named(closed_port: int, tmp_path: Path) -> None:
    path = tmp_path / "absent"
    message = invitation(build_calendar("REQUEST"))
    with pytest.raises(MailError, match=f"netrc file {re.escape(str(path))}: does not exist"):
        send_mail([message], f"smtp://127.0.0.1:{closed_port}", env={}, netrc_path=str(path))


def test_connection_refused(closed_port: int) -> None:
    with pytest.raises(MailError) as caught:
        send_mail(
            [invitation(build_calendar("REQUEST"))], f"smtp://127.0.0.1:{closed_port}", env={}
        )
    assert str(caught.value) == f"127.0.0.1:{closed_port}: connecting failed: connection refused"


def test_timeout() -> None:
    """A server that accepts the connection but never greets."""
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        with pytest.raises(MailError) as caught:
            send_mail(
                [invitation(build_calendar("REQUEST"))],
                f"smtp://127.0.0.1:{port}",
                env={},
                timeout=0.5,
            )
    assert str(caught.value) == f"127.0.0.1:{port}: connecting failed: no answer within 0.5 s"


def test_refused_recipient_is_reported_and_the_rest_go_out() -> None:
    calendar = build_calendar("REQUEST")
    refused = invitation(calendar, to=[REFUSED])
    accepted = invitation(calendar)
    with smtp_server(refuse=frozenset({REFUSED[1]})) as server:
        with pytest.raises(MailError) as caught:
            send_mail([refused, accepted], server.url(), env={})
        assert [parse(m.data)["Message-ID"] for m in server.recorder.messages] == [
            accepted["Message-ID"]
        ]
    assert str(caught.value) == (
        f"127.0.0.1:{server.port}: 1 of 2 messages not delivered: {refused['Message-ID']}: "
        f"{REFUSED[1]} refused (550 5.1.1 No such user here)"
    )
    assert caught.value.sent == (accepted["Message-ID"],)


def test_partly_refused_recipients_are_reported() -> None:
    message = invitation(build_calendar("REQUEST"), to=[ATTENDEE, REFUSED])
    with smtp_server(refuse=frozenset({REFUSED[1]})) as server:
        with pytest.raises(
            MailError,
            match=r"nobody@cordillera\.example refused \(550 5\.1\.1 No such user here\) \(the other recipients got it\)",
        ) as caught:
            send_mail([message], server.url(), env={})
        [received] = server.recorder.messages
    assert received.rcpt_tos == [ATTENDEE[1]]
    assert caught.value.sent == ()


def test_nothing_to_send_opens_no_connection(closed_port: int) -> None:
    assert send_mail([], f"smtp://127.0.0.1:{closed_port}", env={}) == []


def test_messages_need_a_message_id(closed_port: int) -> None:
    message = invitation(build_calendar("REQUEST"))
    del message["Message-ID"]
    with pytest.raises(ValueError, match="Message-ID"):
        send_mail([message], f"smtp://127.0.0.1:{closed_port}", env={})


def test_importing_tripplan_does_not_load_mail() -> None:
    code = "import sys, tripplan; print('tripplan._mail' in sys.modules, 'smtplib' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "False"]


# --- header values and the URL, checked before anything is written or sent ------------------------

REFERENCE = load_trip(Path(__file__).parent.parent / "examples" / "santiago-customer-visit.yaml")
HEADER_BREAKERS = {
    "crlf": ("Dana\r\nBcc: all@evil.example", "a carriage return (U+000D)"),
    "lf": ("Dana\nBcc: all@evil.example", "a line feed (U+000A)"),
    "escape": ("Dana\x1b[2J", "a control character (U+001B)"),
    "nul": ("Dana\x00", "a NUL (U+0000)"),
    "next line": ("Dana\x85Bcc: all@evil.example", "a next-line character (U+0085)"),
    "delete": ("Dana\x7f", "a control character (U+007F)"),
}


def refused(trip: Trip, change: Any) -> list[str]:
    """The paths of the problems the model finds in ``trip`` with its data changed."""
    data = trip.model_dump(by_alias=True, mode="json", exclude_unset=True)
    change(data)
    try:
        Trip.model_validate(data)
    except TripFileError as error:
        return [problem.path for problem in error.problems]
    return []


def unchecked(trip: Trip, path: tuple[Any, ...], value: str) -> Trip:
    """A copy of ``trip`` with one field set without validation, as a script could (frozen
    models only stop the polite): the mail layer must refuse what the model would have."""
    copied = copy.deepcopy(trip)
    target: Any = copied
    for part in path[:-1]:
        target = target[part] if isinstance(target, dict | list | tuple) else getattr(target, part)
    object.__setattr__(target, path[-1], value)
    return copied


@pytest.mark.parametrize(("text", "named"), HEADER_BREAKERS.values(), ids=HEADER_BREAKERS.keys())
@pytest.mark.parametrize("who", ["dana", "rodrigo"], ids=["organizer", "recipient"])
def test_a_control_character_in_a_name_is_an_error_naming_the_person(
    text: str, named: str, who: str
) -> None:
    def rename(data: dict[str, Any]) -> None:
        data["people"][who]["name"] = text

    assert refused(REFERENCE, rename) == [f"people.{who}.name"]  # the model refuses it first
    trip = unchecked(REFERENCE, ("people", who, "name"), text)
    invitations = [
        i for i in build_invitations(trip, now=DATE) if who in (i.organizer, *i.recipients)
    ]
    assert invitations
    for one in invitations:
        with pytest.raises(InvitationError) as caught:
            invitation_mail(trip, one, date=DATE)
        assert str(caught.value) == (
            f"people.{who}.name: contains {named}, which a mail header cannot hold"
        )


@pytest.mark.parametrize("separator", ["\u2028", "\u2029"])
def test_a_line_separator_in_a_name_stays_inside_its_encoded_word(separator: str) -> None:
    """U+2028 and U+2029 are no line break in a mail header's name: a name that is not ASCII
    goes as RFC 2047 encoded words. The message keeps its headers and its one recipient."""
    message = invitation(
        build_calendar("REQUEST"), to=[(f"Rodrigo{separator}Bcc: x@evil.example", ATTENDEE[1])]
    )
    received = parse(message.as_bytes())
    assert received.get_all("Bcc") is None
    assert [a.addr_spec for a in received["To"].addresses] == [ATTENDEE[1]]
    assert received["To"].addresses[0].display_name == f"Rodrigo{separator}Bcc: x@evil.example"
    head = message.as_bytes().decode("ascii").split("\r\n\r\n")[0]
    assert not [line for line in head.split("\r\n") if line.lower().startswith("bcc")]


def test_a_control_character_in_a_subject_is_an_error_naming_the_item() -> None:
    def retitle(data: dict[str, Any]) -> None:
        (index,) = [
            i
            for i, item in enumerate(data["items"])
            if item.get("title") == "Partner preparation with Andes Partners"
        ]
        data["items"][index]["title"] = "Partner preparation\rBcc: all@evil.example"

    (index,) = [
        i
        for i, item in enumerate(REFERENCE.items)
        if item.title == "Partner preparation with Andes Partners"
    ]
    assert refused(REFERENCE, retitle) == [f"items[{index}].title"]  # the model refuses it first
    trip = unchecked(
        REFERENCE, ("items", index, "title"), "Partner preparation\rBcc: all@evil.example"
    )
    (one,) = [i for i in build_invitations(trip, now=DATE) if "Partner preparation" in i.subject]
    index = trip.index(one.item_id)
    with pytest.raises(InvitationError) as caught:
        invitation_mail(trip, one, date=DATE)
    assert str(caught.value) == (
        f"items[{index}]: the subject of its invitation contains a carriage return (U+000D), "
        "which a mail header cannot hold"
    )


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        (
            {"to": [("Rodrigo\r\nBcc: x@evil.example", ATTENDEE[1])]},
            "to[0] name: contains a carriage return",
        ),
        (
            {"to": [ATTENDEE, ("Ana\x07", "ana@cordillera.example")]},
            "to[1] name: contains a control character (U+0007)",
        ),
        (
            {"sender": ("Dana\x7f", ORGANIZER[1])},
            "sender name: contains a control character (U+007F)",
        ),
        ({"subject": "Invitación\u2028Bcc: x@evil.example"}, "subject: contains a line separator"),
        (
            {"to": [(ATTENDEE[0], "rodrigo@cordillera.example\r\nBcc: x@evil.example")]},
            "to[0] address: contains a carriage return",
        ),
    ],
    ids=["to-name-crlf", "second-to-name-bell", "sender-name", "subject", "to-address"],
)
def test_imip_message_names_the_header_value_it_refuses(
    changes: dict[str, Any], error: str
) -> None:
    with pytest.raises(ValueError) as caught:
        invitation(build_calendar("REQUEST"), **changes)
    assert str(caught.value).startswith(error)
    assert "is not an email address" not in str(caught.value)


def test_an_organizer_domain_a_message_id_cannot_use_is_an_invitation_error() -> None:
    def underscore(data: dict[str, Any]) -> None:
        data["people"]["dana"]["email"] = "dana@north_wind.example"

    assert refused(REFERENCE, underscore) == []  # an address the model lets through
    data = REFERENCE.model_dump(by_alias=True, mode="json", exclude_unset=True)
    underscore(data)
    trip = Trip.model_validate(data)
    one = next(i for i in build_invitations(trip, now=DATE) if i.organizer == "dana")
    with pytest.raises(InvitationError, match=r"^people\.dana\.email: 'north_wind\.example'"):
        invitation_mail(trip, one, date=DATE)


SECRET_URLS = {
    "user and password": f"smtp://{USER}:{PASSWORD}@127.0.0.1:{{port}}",
    "password with a slash": "smtp://dana:12345/s3cr3t@127.0.0.1:{port}",
    "password with an at sign": "smtp://dana:p@ss-s3cr3t@127.0.0.1:{port}",
    "password with a question mark": "smtp://dana:pa?ss-s3cr3t@127.0.0.1:{port}",
    "no slashes": "smtp:dana:s3cr3t@127.0.0.1:{port}",
}


@pytest.mark.parametrize("template", SECRET_URLS.values(), ids=SECRET_URLS.keys())
def test_credentials_in_the_url_are_refused_and_never_shown(
    closed_port: int, template: str
) -> None:
    url = template.format(port=closed_port)
    secret = url.partition("://")[2].rpartition("@")[0] if "://" in url else url.rpartition("@")[0]
    password = secret.partition(":")[2] if "://" in url else secret.rpartition(":")[2]
    for attempt in (
        lambda: check_mail_url(url, env={}),
        lambda: send_mail([invitation(build_calendar("REQUEST"))], url, env={}),
    ):
        with pytest.raises(MailError) as caught:
            attempt()
        text = str(caught.value)
        assert "the mail URL holds credentials" in text, text
        assert password not in text and "s3cr3t" not in text and "12345" not in text
        assert "connecting failed" not in text  # no connection was tried


def test_check_mail_url_refuses_what_send_mail_would_before_anything_happens(
    closed_port: int, tmp_path: Path
) -> None:
    good = f"smtp://127.0.0.1:{closed_port}"
    check_mail_url(good, env={})  # no error, and no connection: the port would refuse it
    check_mail_url("smtps://mail.example.com", env={})
    with pytest.raises(MailError, match="unsupported mail URL scheme 'https'"):
        check_mail_url("https://mail.example.com", env={})
    with pytest.raises(MailError, match=f"{USERNAME_VARIABLE} is set but {PASSWORD_VARIABLE}"):
        check_mail_url(good, env={USERNAME_VARIABLE: USER})
    with pytest.raises(MailError, match="does not exist"):
        check_mail_url(good, env={}, netrc_path=tmp_path / "absent")
    with pytest.raises(MailError, match="not a mail URL"):
        check_mail_url("smtp://mail.example.com/inbox", env={})
