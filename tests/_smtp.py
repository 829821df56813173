"""Real SMTP servers on 127.0.0.1 for the mail tests: aiosmtpd in a thread, on a free port.

A server records what it received (envelope sender, recipients and the raw bytes) and every login
attempt, and can offer STARTTLS or implicit TLS with a certificate the tests make, require a
login, or refuse some recipients. Nothing listens anywhere but on the loopback address, and
``smtp_server`` stops the server when its block ends.

aiosmtpd warns when a server requires AUTH without (STARTTLS) TLS; no server here does that (one
without STARTTLS offers AUTH without requiring it), so the suite's ``filterwarnings = error`` holds
without filtering anything.
"""

from __future__ import annotations

import asyncio
import ipaddress
import ssl
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

__all__ = [
    "Received",
    "Recorder",
    "TestServer",
    "client_context",
    "make_certificate",
    "server_context",
    "smtp_server",
]

HOST = "127.0.0.1"


@dataclass(frozen=True, slots=True)
class Received:
    """One message as the server took it: envelope and the bytes after DATA."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes


@dataclass
class Recorder:
    """The server's handler: keeps messages and login attempts, refuses the listed recipients."""

    refuse: frozenset[str] = frozenset()
    users: Mapping[str, str] = field(default_factory=dict)
    echo_password: bool = False  # a careless server: quote a rejected password in the reply
    messages: list[Received] = field(default_factory=list)
    logins: list[tuple[str, bool]] = field(default_factory=list)  # (username, accepted)
    tls_sessions: list[bool] = field(default_factory=list)  # per MAIL FROM: was TLS on?

    async def handle_MAIL(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        mail_options: list[str],
    ) -> str:
        transport = server.transport
        self.tls_sessions.append(
            transport is not None and transport.get_extra_info("ssl_object") is not None
        )
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if address.lower() in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        assert envelope.mail_from is not None and envelope.original_content is not None
        self.messages.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
        )
        return "250 Message accepted for delivery"

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        """aiosmtpd's authenticator hook: LOGIN and PLAIN hand over a LoginPassword."""
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        username = auth_data.login.decode()
        accepted = self.users.get(username) == auth_data.password.decode()
        self.logins.append((username, accepted))
        # handled=False: aiosmtpd answers (235 or 535) itself; True would leave the client waiting.
        echo = f"535 5.7.8 {auth_data.password.decode()} is wrong" if self.echo_password else None
        return AuthResult(success=accepted, handled=False, message=None if accepted else echo)


@dataclass(frozen=True, slots=True)
class TestServer:
    """A running server: where it listens and what it recorded."""

    __test__ = False  # a helper, not a test class for pytest to collect

    host: str
    port: int
    recorder: Recorder

    def url(self, scheme: str = "smtp") -> str:
        return f"{scheme}://{self.host}:{self.port}"


class _Controller(Controller):
    """aiosmtpd's Controller on a port the system picks, so parallel runs never collide."""

    def _trigger_server(self) -> None:
        # The server is bound (to port 0) before this runs; connect to the port it got.
        assert isinstance(self.server, asyncio.Server)
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()  # type: ignore[no-untyped-call]  # aiosmtpd leaves it untyped


@contextmanager
def smtp_server(
    *,
    starttls: ssl.SSLContext | None = None,
    implicit_tls: ssl.SSLContext | None = None,
    users: Mapping[str, str] | None = None,
    refuse: frozenset[str] = frozenset(),
    echo_password: bool = False,
) -> Iterator[TestServer]:
    """Run an SMTP server on 127.0.0.1 for the block.

    ``starttls``: a server context offered by STARTTLS, and required before MAIL and AUTH.
    ``implicit_tls``: TLS from the first byte (an ``smtps://`` server). ``users``: logins the
    server accepts; it offers AUTH then, and requires it behind STARTTLS. ``refuse``: recipients
    it answers 550. ``echo_password``: it quotes a rejected password in its 535 reply.
    """
    recorder = Recorder(
        refuse=frozenset(a.lower() for a in refuse),
        users=dict(users or {}),
        echo_password=echo_password,
    )
    controller = _Controller(
        recorder,
        hostname=HOST,
        port=0,
        ssl_context=implicit_tls,
        server_hostname="tripplan-test-smtp",  # no getfqdn() lookup in the server thread
        tls_context=starttls,
        require_starttls=starttls is not None,
        authenticator=recorder.authenticate if users is not None else None,
        # aiosmtpd counts only STARTTLS as TLS for AUTH, so AUTH is required behind STARTTLS and
        # merely offered otherwise (plain or implicit TLS): requiring it where aiosmtpd sees no
        # TLS is what it warns about. Without users no AUTH is offered at all.
        auth_required=users is not None and starttls is not None,
        auth_require_tls=users is None or starttls is not None,
    )
    controller.start()
    try:
        yield TestServer(HOST, controller.port, recorder)
    finally:
        controller.stop()


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, with its key: (cert.pem, key.pem)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "tripplan test SMTP server")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(HOST))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path = directory / "cert.pem"
    key_path = directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    """The server side of TLS with the test certificate."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def client_context(cert: Path) -> ssl.SSLContext:
    """A client context that trusts the test certificate and nothing else."""
    return ssl.create_default_context(cafile=str(cert))
