"""Delivering mail over SMTP: one connection, TLS always, one ``MailError`` for every failure.

``send_mail`` takes messages (``_mail`` builds the invitations) and an ``smtps://`` or
``smtp://`` URL (``check_mail_url`` refuses, before anything is written or sent, a URL or a login
setup it would refuse): TLS from the first byte, or STARTTLS, which is required except to a server on
this machine (loopback). The login comes from the environment or netrc (``_credentials``) and is
tried with one mechanism, once. Every failure is one ``MailError(server, reason)``: the server as
host:port, the step that failed and why, the password scrubbed should a server echo it, and
``sent`` the Message-IDs that went out before.
"""

from __future__ import annotations

import contextlib
import os
import smtplib
import socket
import ssl
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import TypeVar
from urllib.parse import urlsplit

from ._credentials import Credentials, find_credentials
from ._exceptions import MailError
from ._urls import is_loopback_host, redact_url

__all__ = ["PASSWORD_VARIABLE", "USERNAME_VARIABLE", "MailError", "check_mail_url", "send_mail"]

USERNAME_VARIABLE = "TRIPPLAN_SMTP_USERNAME"
PASSWORD_VARIABLE = "TRIPPLAN_SMTP_PASSWORD"

_PORTS = {"smtp": 587, "smtps": 465}

_T = TypeVar("_T")


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


def check_mail_url(
    url: str,
    *,
    env: Mapping[str, str] | None = None,
    netrc_path: str | os.PathLike[str] | None = None,
) -> None:
    """Refuse what ``send_mail`` would refuse before connecting, without connecting: a URL that
    is not ``smtp://host[:port]`` or ``smtps://host[:port]``, a URL with a user or password in it
    (the message never shows them), one login variable set without the other, a netrc file that
    cannot be read. A ``MailError``; ``None`` when all is well. Call it before writing anything a
    failed send would leave half done.
    """
    _login_for(_parse_url(url), env, netrc_path)


def send_mail(
    messages: Iterable[EmailMessage],
    url: str,
    *,
    env: Mapping[str, str] | None = None,
    netrc_path: str | os.PathLike[str] | None = None,
    ssl_context: ssl.SSLContext | None = None,
    timeout: float = 30,
) -> list[str]:
    """Deliver ``messages`` over one SMTP connection; the Message-IDs the server accepted.

    ``url`` is ``smtps://host[:465]`` (implicit TLS) or ``smtp://host[:587]`` (STARTTLS, required
    unless the host is this machine). Login happens only when credentials exist: the environment
    variables TRIPPLAN_SMTP_USERNAME and TRIPPLAN_SMTP_PASSWORD (read from ``env``, default
    ``os.environ``), else a netrc entry for the host (``netrc_path``, else the file ``NETRC``
    names, else ``~/.netrc``); a URL
    with credentials is refused, since it would show the password in shell history and process
    lists. A refused recipient does not stop the other messages; every failure is reported in one
    :class:`MailError` at the end, with the Message-IDs that did go out in ``sent``.
    """
    server = _parse_url(url)
    batch = list(messages)
    for message in batch:
        if message["Message-ID"] is None or message["From"] is None:
            raise ValueError("every message to send needs a From and a Message-ID header")
    credentials = _login_for(server, env, netrc_path)
    if not batch:
        return []  # the URL and the login were checked; there is nothing to connect for
    context = ssl.create_default_context() if ssl_context is None else ssl_context
    return _deliver(batch, server, credentials, context, timeout)


def _login_for(
    server: _Server, env: Mapping[str, str] | None, netrc_path: str | os.PathLike[str] | None
) -> Credentials | None:
    """The login for ``server``: the environment's variables, else netrc (``_credentials``)."""
    return find_credentials(
        server.host,
        (USERNAME_VARIABLE, PASSWORD_VARIABLE),
        source=str(server),
        error=MailError,
        env=env,
        netrc_path=netrc_path,
    )


def _parse_url(url: str) -> _Server:
    """``smtp://host[:port]`` or ``smtps://host[:port]``; errors show the URL redacted only.

    A mail URL has no ``@`` of its own: one means a user (and a password) in front of the host,
    and then nothing before the last ``@`` is shown, however the password confuses the URL's
    syntax (``smtp://dana:12345/x@host`` reads as host ``dana``, port 12345 and path ``/x@host``).
    """
    if "@" in url:
        scheme_part, separator, _ = url.partition("://")
        host_part = url.rpartition("@")[2]
        plain = separator and "@" not in scheme_part and "/" not in scheme_part
        raise MailError(
            redact_url(f"{scheme_part}://{host_part}") if plain else "<mail URL>",
            "the mail URL holds credentials, which would show in shell history and process "
            f"lists: set {USERNAME_VARIABLE} and {PASSWORD_VARIABLE} in the environment, or put "
            "the login in a netrc entry for the host",
        )
    try:
        parts = urlsplit(url)
    except ValueError:
        raise MailError(redact_url(url), "not a mail URL") from None
    scheme = parts.scheme.lower()
    shown = redact_url(url)
    if scheme not in _PORTS:
        raise MailError(
            shown,
            f"unsupported mail URL scheme {scheme!r}: use smtps://host[:465] (TLS) "
            "or smtp://host[:587] (STARTTLS)",
        )
    if parts.username is not None or parts.password is not None:
        raise MailError(
            shown,
            "the mail URL holds credentials, which would show in shell history and process "
            f"lists: set {USERNAME_VARIABLE} and {PASSWORD_VARIABLE} in the environment, or put "
            "the login in a netrc entry for the host",
        )
    try:
        port = parts.port
    except ValueError:
        port = -1
    host = parts.hostname
    if not host or port == -1 or parts.path not in ("", "/") or parts.query or parts.fragment:
        raise MailError(shown, f"not a mail URL: expected {scheme}://host[:port] and nothing more")
    return _Server(
        host=host,
        port=_PORTS[scheme] if port is None else port,
        implicit_tls=scheme == "smtps",
        loopback=is_loopback_host(host),
    )


def _deliver(
    messages: Sequence[EmailMessage],
    server: _Server,
    credentials: Credentials | None,
    context: ssl.SSLContext,
    timeout: float,
) -> list[str]:
    """Connect, secure, log in and send: the policy of ``send_mail`` for an already parsed URL."""
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
                    str(server),
                    "the server offers no STARTTLS, and tripplan sends without TLS "
                    "only to a server on this machine: use smtps:// or a server with STARTTLS",
                )
        if credentials is not None:
            _login(connection, server, credentials, timeout)
        sent, failures = _send_all(connection, messages, server, secret, timeout)
        with contextlib.suppress(smtplib.SMTPException, OSError):
            connection.quit()  # everything was handed over; a lost goodbye changes nothing
    finally:
        connection.close()
    if failures:
        delivered = f"{len(failures)} of {len(messages)} messages not delivered: "
        raise MailError(str(server), _scrub(delivered + "; ".join(failures), secret), sent=sent)
    return sent


def _login(
    connection: smtplib.SMTP, server: _Server, credentials: Credentials, timeout: float
) -> None:
    """Log in with one mechanism the server offers, once.

    ``smtplib.SMTP.login`` tries every mechanism in turn, so a wrong password counts as several
    failed logins where servers lock accounts after a few. PLAIN and LOGIN both send the password,
    which here only ever travels inside TLS or over loopback; CRAM-MD5 is the last resort.
    """
    offered = (connection.esmtp_features.get("auth") or "").upper().split()
    if not offered:
        raise MailError(str(server), "credentials are set but the server offers no AUTH")
    mechanism = next((m for m in ("PLAIN", "LOGIN", "CRAM-MD5") if m in offered), None)
    if mechanism is None:
        raise MailError(
            str(server),
            f"the server offers no login mechanism tripplan knows (AUTH {' '.join(offered)})",
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
            reason = _scrub(f"sending {message_id} failed: {fatal}", secret)
            raise MailError(str(server), reason, sent=sent)
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
    raise MailError(str(server), _scrub(f"{what} failed: {detail}", secret))


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
    return isinstance(peer, tuple) and is_loopback_host(str(peer[0]))


def _scrub(text: str, secret: str | None) -> str:
    """``text`` with the password removed, should a server ever echo it back."""
    return text.replace(secret, "***") if secret else text
