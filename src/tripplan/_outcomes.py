"""What the command and the MCP server tell, whatever their arguments look like: errors as JSON
and as one line each, the destination facts, checked languages.

``_commands`` (argparse) and ``_mcp`` (typed tools) both call these, so a problem, an error's
``kind`` or a bad option reads the same through either.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from ._exceptions import MailError, OptionError, TripFileError, TripplanError
from ._facts import DestinationFacts, destination_facts, exchange, facts_to_dict
from ._model import home_zone
from ._rates import RateResult
from ._types import check_locale
from ._zones import country_codes

__all__ = [
    "check_languages",
    "destination",
    "error_report",
    "escape",
    "facts_data",
    "problem_lines",
    "problems_report",
]


def check_languages(tags: Iterable[str], option: str = "--lang") -> list[str]:
    """The locales ``tags`` name, each checked; a language no locale data has is an
    ``OptionError`` naming ``option``."""
    try:
        return [check_locale(tag) for tag in tags]
    except ValueError as error:
        raise OptionError(f"{option}: {error}") from None


def destination(
    country: str,
    first: date,
    last: date,
    *,
    lang: str,
    home: str | None,
    network: bool,
    option: str = "--",
) -> tuple[DestinationFacts, str, ZoneInfo | None, RateResult | None]:
    """A country's facts over some dates, for ``facts`` and the MCP server's tool: the facts,
    the language checked, the home zone (a zone or an IATA code), and the exchange rate. Bad
    values are ``OptionError``s naming the option (``option`` is how names are prefixed)."""
    code = country.upper()
    if code not in country_codes():
        raise OptionError(f"{country!r} is not an ISO 3166-1 alpha-2 country code")
    language = check_languages([lang], f"{option}lang")[0]
    zone = None
    if home:
        try:
            zone = home_zone(home)
        except ValueError as error:
            raise OptionError(f"{option}home: {error}") from None
    facts = destination_facts(code, first, last, locale=language, home=zone)
    return facts, language, zone, exchange(facts, zone, network=network)


def facts_data(facts: DestinationFacts, rate: RateResult | None) -> dict[str, Any]:
    """The facts as ``facts --format json`` prints them, with the exchange rate (or null)."""
    data = facts_to_dict(facts)
    data["exchange_rate"] = rate.to_dict() if rate is not None else None
    return data


def problems_report(error: TripFileError, source: str) -> dict[str, Any]:
    """A trip that does not load, as ``--format json`` prints it: every problem located, with its
    stable ``code`` (``PROBLEM_CODES``)."""
    return {
        "file": source,
        "problems": [
            {
                "file": p.file if p.file is not None else source,
                "line": p.line,
                "path": p.path,
                "message": p.message,
                "code": p.code,
            }
            for p in error.problems
        ],
    }


def error_report(error: TripplanError | OSError, source: str) -> dict[str, Any]:
    """Any error, as ``--format json`` prints it: the problems of a trip that does not load, or
    the error's ``kind`` (``file`` for a file that cannot be read or written) and one-line
    message (and, for mail, what had gone out before)."""
    if isinstance(error, TripFileError):
        return problems_report(error, source)
    if isinstance(error, OSError):
        return {"file": source, "error": {"kind": "file", "message": _os_message(error)}}
    report: dict[str, Any] = {"file": source, "error": {"kind": error.kind, "message": str(error)}}
    if isinstance(error, MailError):
        report["error"]["sent"] = list(error.sent)
    return report


def problem_lines(exc: TripplanError | OSError) -> list[str]:
    """One line per problem: a line break or control character inside a message (from a name,
    a key) is shown escaped, so a line is always one problem."""
    if isinstance(exc, TripFileError):
        return [escape(str(problem)) for problem in exc.problems]
    if isinstance(exc, OSError):
        return [escape(f"tripplan: {_os_message(exc)}")]
    return [escape(str(exc))]


def _os_message(error: OSError) -> str:
    where = f"{error.filename}: " if error.filename else ""
    return f"{where}{error.strerror or error}"


def escape(text: str) -> str:
    """``text`` with line breaks and other control characters shown escaped (``\\n``)."""
    return "".join(
        c if c.isprintable() or c == "\t" else c.encode("unicode_escape").decode("ascii")
        for c in text
    )
