"""Logins for the servers tripplan talks to (SMTP, CalDAV), looked up one way.

    a pair of environment variables     both set: the login; one alone: an error; none: go on
    netrc                               the file named, else $NETRC, else ~/.netrc: the host's
                                        entry (or the file's ``default`` one)
    nothing                             None: the caller goes on without logging in

Never from a URL: callers refuse URLs with credentials, which would show in shell history and
process lists. A password appears in no message: a netrc file that cannot be parsed is reported
by file and line only, because Python's own error quotes the token it stopped at.
"""

from __future__ import annotations

import netrc
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ._exceptions import NetworkError

__all__ = ["Credentials", "find_credentials", "read_netrc"]


@dataclass(frozen=True, slots=True)
class Credentials:
    """A user name and a password (left out of ``repr``)."""

    username: str
    password: str = field(repr=False)


def find_credentials(
    host: str,
    variables: tuple[str, str],
    *,
    source: str,
    error: type[NetworkError],
    env: Mapping[str, str] | None = None,
    netrc_path: str | os.PathLike[str] | None = None,
) -> Credentials | None:
    """The login for ``host``: the environment variables ``variables`` (user name, password)
    first, then netrc; ``None`` when there is neither.

    ``env`` defaults to ``os.environ``; an empty variable counts as unset. Setting only one of
    the pair is an ``error`` (the integration's ``NetworkError`` subclass) from ``source`` (its
    server, as its messages name it); so is a netrc file that cannot be read (see ``read_netrc``).
    """
    environment = os.environ if env is None else env
    username_variable, password_variable = variables
    username = environment.get(username_variable) or None
    password = environment.get(password_variable) or None
    if username is not None and password is not None:
        return Credentials(username, password)
    if username is not None or password is not None:
        given, missing = (
            (username_variable, password_variable)
            if username is not None
            else (password_variable, username_variable)
        )
        raise error(source, f"{given} is set but {missing} is not: set both, or neither")
    return read_netrc(host, netrc_path, env=environment, error=error)


def read_netrc(
    host: str,
    path: str | os.PathLike[str] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    error: type[NetworkError] = NetworkError,
) -> Credentials | None:
    """``host``'s login in a netrc file: ``path``, else the file ``$NETRC`` names, else
    ``~/.netrc`` (which Python refuses when others may read it and it holds a password).

    A ``path`` given that does not exist is an ``error``; a default file that does not exist is
    no login. An entry without a login or a password is no login either.
    """
    named = path if path is not None else (os.environ if env is None else env).get("NETRC")
    problem: tuple[str, str] | None = None
    try:
        # None lets Python find ~/.netrc itself, so its check of the file's permissions runs.
        entries = netrc.netrc(os.fspath(named) if named else None)
    except FileNotFoundError:
        if path is None:
            return None
        problem = (f"netrc file {Path(path)}", "does not exist")
    except netrc.NetrcParseError as exc:
        # The message quotes the token it stopped at, which may be a password: say only where.
        detail = exc.msg if exc.msg.startswith("~/.netrc") else "cannot parse it"
        problem = (f"netrc file {exc.filename}, line {exc.lineno}", detail)
    except OSError as exc:
        problem = (f"netrc file {exc.filename}", exc.strerror or type(exc).__name__)
    if problem is not None:
        raise error(*problem)  # outside the except block: no chained parse error
    entry = entries.authenticators(host)
    if entry is None:
        return None
    login, _account, secret = entry
    return Credentials(login, secret) if login and secret else None
