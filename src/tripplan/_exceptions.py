"""The one exception tree of tripplan.

    TripplanError                  catch this to catch anything tripplan raises on purpose
    ├── TripFileError              a trip cannot be read or is invalid; carries every Problem found
    ├── OptionError                an option that cannot be used: an unknown check code, language...
    ├── ZoneError                  an IANA zone name or IATA code that no data knows (API callers)
    ├── AudienceError              an output whose audience cannot be made (which customer?)
    ├── InvitationError            an invitation that cannot be made (an organizer without email)
    ├── BookingError               a booking source (mail, page, JSON-LD, .ics) that cannot be read
    │                              or used: ``source``, ``path`` in it, ``reason``
    └── NetworkError               talking to something outside failed: ``source`` (a URL without
        │                          credentials, a host:port, a path), ``reason``, HTTP ``status``
        ├── FeedError              a calendar feed that cannot be read
        ├── CalDAVError            a CalDAV server refused a publish, or cannot be reached
        ├── RatesError             an exchange-rate answer that cannot be used
        └── MailError              mail not delivered; ``sent`` lists what went out before

Every ``NetworkError`` is one line, ``f"{source}: {reason}"``, and never holds a password: catch
``NetworkError`` for "the outside world failed", or one subclass for one integration.

Bad input is always a ``TripFileError`` listing all its problems at once, each located by file,
path in the document (``items[5].attendees[2]``) and, where the format gives one, line; the
command prints one line per problem and exits 2.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

__all__ = [
    "PROBLEM_CODES",
    "AudienceError",
    "BookingError",
    "CalDAVError",
    "FeedError",
    "InvitationError",
    "MailError",
    "NetworkError",
    "OptionError",
    "Problem",
    "RatesError",
    "TripFileError",
    "TripplanError",
    "ZoneError",
]


class TripplanError(Exception):
    """Base class of every error tripplan raises on purpose.

    ``kind`` names the family for programs (``--format json`` prints it beside the message):
    ``trip-file``, ``option``, ``zone``, ``audience``, ``invitation``, ``booking``, ``network``,
    ``feed``, ``caldav``, ``rates``, ``mail``.
    """

    kind: ClassVar[str] = "error"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a trip, located in its source."""

    message: str
    path: str = ""
    file: str | None = None
    line: int | None = None
    #: The path as keys and indexes, ``("items", 5, "attendees", 2)``: to find the line.
    location: tuple[str | int, ...] = field(default=(), compare=False, repr=False)
    #: What kind of problem it is, stable for programs: ``syntax``, ``unknown-field``,
    #: ``missing-field``, ``wrong-type``, ``unknown-reference``, ``dst-gap``, ``dst-fold``,
    #: ``time-order``, ``bad-value``... (see ``PROBLEM_CODES``); told from the message when not
    #: given.
    code: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not self.code:
            object.__setattr__(self, "code", _code_of(self.message))

    def __str__(self) -> str:
        where = self.file or "<trip>"
        if self.line is not None:
            where += f":{self.line}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


#: Every code a Problem may carry, with its meaning.
PROBLEM_CODES: dict[str, str] = {
    "syntax": "the text is not well-formed YAML, JSON or TOML (or nests too deeply)",
    "encoding": "the bytes are not UTF-8 text",
    "unreadable": "the file cannot be read, or its format cannot be told from its name",
    "unknown-field": "a field the format does not have",
    "missing-field": "a required field is missing",
    "wrong-type": "a value of the wrong kind: text for a number, a list for a mapping...",
    "unknown-reference": "a key of people or places (or an airport code) that is not there",
    "dst-gap": "a local time that does not exist: the clocks skip it",
    "dst-fold": "a local time that happens twice: write the offset meant",
    "time-order": "an end that is not after its start",
    "conflict": "values that do not agree with each other: a zone that does not keep the clocks "
    "of the place's country, a place with no zone to tell, a subdivision its country lacks, an "
    "offset that does not match the zone, two items with one id",
    "bad-value": "a value of the right kind that is not allowed",
}

_MESSAGE_CODES = (
    (
        (
            "YAML syntax error",
            "JSON syntax error",
            "TOML syntax error",
            "JSON: duplicate key",
            "duplicate key",
            "unsupported YAML tag",
            "an alias",
            "a key must be plain text",
            "the document is nested too deeply",
            "the document is too large",
        ),
        "syntax",
    ),
    (("not UTF-8",), "encoding"),
    (("cannot read the file", "cannot tell the format"), "unreadable"),
    (("unknown field",), "unknown-field"),
    (("missing required field", "missing field"), "missing-field"),
    (("the document is", "expected "), "wrong-type"),
    (
        ("unknown person", "unknown place", "unknown IATA airport code", "unknown time zone"),
        "unknown-reference",
    ),
)


_CONFLICTS = (
    "does not keep the clocks of",
    "give the place a timezone",
    "give a place, or a timezone",
    "is ambiguous:",
    "a subdivision needs",
    "unknown subdivision",
    "have the same id",
    "does not match",
)


def _code_of(message: str) -> str:
    """The code of a problem told by its message alone (problems made without one)."""
    for prefixes, code in _MESSAGE_CODES:
        if message.startswith(prefixes):
            return code
    if "does not exist in" in message and "clocks skip" in message:
        return "dst-gap"
    if "happens twice in" in message:
        return "dst-fold"
    if message.startswith("ends at ") and ", not after its " in message:
        return "time-order"
    if any(part in message for part in _CONFLICTS):
        return "conflict"
    return "bad-value"


class TripFileError(TripplanError):
    """A trip file that cannot be loaded: every problem in it, in document order."""

    kind = "trip-file"

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class OptionError(TripplanError, ValueError):
    """An option that cannot be used (an unknown check code, a language no locale data has)."""

    kind = "option"


class ZoneError(TripplanError, ValueError):
    """A time zone name or airport code that the bundled data does not know."""

    kind = "zone"


class AudienceError(TripplanError, ValueError):
    """An output whose audience cannot be made from this trip (e.g. which customer is meant)."""

    kind = "audience"


class InvitationError(TripplanError):
    """An invitation that cannot be made: e.g. a meeting whose organizer has no email."""

    kind = "invitation"


class BookingError(TripplanError):
    """A booking source that cannot be read or used, in one line: the file (and the part of a
    mail), the path of the value in the schema.org object or calendar, and what is expected."""

    kind = "booking"

    def __init__(self, source: str, reason: str, *, path: str = "") -> None:
        super().__init__(f"{source}: {path}: {reason}" if path else f"{source}: {reason}")
        self.source = source
        self.path = path
        self.reason = reason


class NetworkError(TripplanError):
    """Something outside tripplan failed, in one line: ``f"{source}: {reason}"``.

    ``source`` says where: a URL without credentials or query, a mail server's host:port, a
    path. ``reason`` says why, and ``status`` is the HTTP status when a server answered with an
    error, else ``None``. Each integration raises its own subclass; ``NetworkError`` itself comes
    from a plain HTTP request.
    """

    kind = "network"

    def __init__(self, source: str, reason: str, *, status: int | None = None) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason
        self.status = status

    @property
    def url(self) -> str:
        """``source``, by the name callers of a URL-based integration expect."""
        return self.source


class FeedError(NetworkError):
    """A calendar feed that cannot be read: the path or URL (no credentials) and why."""

    kind = "feed"


class CalDAVError(NetworkError):
    """The CalDAV server refused what tripplan asked, or cannot be asked: the URL (without
    credentials) and why. ``status`` is the HTTP status when the server answered."""

    kind = "caldav"


class RatesError(NetworkError):
    """A rates answer that cannot be used (malformed XML or JSON, values that make no sense): the
    provider's URL and what was wrong."""

    kind = "rates"


class MailError(NetworkError):
    """Mail could not be delivered: the server (host:port), the step that failed and why.

    ``sent`` holds the Message-IDs the server had accepted for all recipients before it failed,
    so a caller can tell the user which invitations went out.
    """

    kind = "mail"

    def __init__(
        self,
        source: str,
        reason: str,
        *,
        status: int | None = None,
        sent: Sequence[str] = (),
    ) -> None:
        super().__init__(source, reason, status=status)
        self.sent: tuple[str, ...] = tuple(sent)
