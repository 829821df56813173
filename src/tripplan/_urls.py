"""URLs and hosts as the integrations judge them: what a message may show, what stays local.

``redact_url`` is the form of a URL every message and cache entry uses: no user, no password, no
query (keys and feed tokens live there). ``is_loopback_host`` decides where credentials may go
without TLS (mail, CalDAV); ``redirect_allowed`` which redirects an HTTP fetch may follow.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit, urlunsplit

__all__ = ["is_loopback_host", "redact_url", "redirect_allowed"]


def is_loopback_host(host: str) -> bool:
    """``localhost`` or an address in 127.0.0.0/8 or ::1: traffic that never leaves this machine."""
    if host.lower() == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host.partition("%")[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def redact_url(url: str) -> str:
    """``url`` fit for a message: no user or password, and ``?…`` for a query (keys live there).

    >>> redact_url("https://ann:secret@example.org:8443/rates?key=abc#top")
    'https://example.org:8443/rates?…'
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "<invalid URL>"
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{port}" if port is not None else host
    return urlunsplit((parts.scheme, netloc, parts.path, "…" if parts.query else "", ""))


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or {"http": 80, "https": 443}.get(scheme)
    return scheme, (parts.hostname or "").lower(), port


def redirect_allowed(source: str, target: str) -> bool:
    """Same origin, or the same host moving from http to https on the default port."""
    try:
        before, after = _origin(source), _origin(target)
    except ValueError:
        return False
    if after == before:
        return True
    return before[0] == "http" and after == ("https", before[1], 443)
