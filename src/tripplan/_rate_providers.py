"""Where exchange rates come from: the providers, and the values they answer with.

    EcbProvider         the European Central Bank's euro reference rates (~30 currencies, no CLP)
    ErApiProvider       ExchangeRate-API's open endpoint (~160 currencies, attribution required)
    RateProvider        what any other source must offer to ``exchange_rate``

A provider answers one request with a whole ``RateTable`` (every currency against its own base),
parsed defensively: an answer that cannot be read is a ``RatesError`` naming the provider's URL,
and no binary float ever touches a value. A value that is not a plausible rate (``rate_value``: a
finite positive number between ``RATE_FLOOR`` and ``RATE_CEILING`` with at most ``MAX_DIGITS``
significant digits) leaves out that currency only: the table lists why in ``rejected``.
``RateTable.rate`` gives any pair, crossed through the table's base; a cross rate keeps
``PRECISION`` significant digits, because the sources publish five or six and a quotient cannot
be more precise than its parts. Choosing among providers, the cache and what to do offline are
``_rates``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Context, Decimal, InvalidOperation
from typing import TYPE_CHECKING, ClassVar, Final, Protocol
from xml.etree import ElementTree

from ._exceptions import RatesError
from ._http import DEFAULT_TIMEOUT, get
from ._urls import redact_url

if TYPE_CHECKING:
    import requests

__all__ = [
    "CODE",
    "MAX_DIGITS",
    "PRECISION",
    "RATE_CEILING",
    "RATE_FLOOR",
    "EcbProvider",
    "ErApiProvider",
    "Rate",
    "RateProvider",
    "RateTable",
    "check_aware",
    "check_code",
    "default_providers",
    "positive",
    "rate_value",
]

#: Significant digits kept in a cross rate.
PRECISION: Final = 6
#: An ISO 4217 currency code, as every source writes it.
CODE: Final = re.compile(r"[A-Z]{3}")
#: Rates outside (RATE_FLOOR, RATE_CEILING) are no currency's against another's: the sources'
#: tables run from about 0.3 (dinars per dollar) to about 10^5 (rials, dong per dollar).
RATE_FLOOR: Final = Decimal("1e-6")
RATE_CEILING: Final = Decimal("1e9")
#: Significant digits a rate may have; the sources publish five or six.
MAX_DIGITS: Final = 30
#: Characters of a number's text that are read at all: anything longer is not a rate.
_MAX_TEXT: Final = 64


def check_code(code: str, what: str) -> str:
    """``code`` if it is three capital letters, else ``ValueError`` naming ``what`` it is."""
    if not isinstance(code, str) or not CODE.fullmatch(code):
        raise ValueError(f"{what} must be an ISO 4217 code of three capital letters, not {code!r}")
    return code


def check_aware(moment: datetime, what: str) -> datetime:
    """``moment`` if it is timezone-aware, else ``ValueError`` naming ``what`` it is."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, not {moment!r}")
    return moment


@dataclass(frozen=True, slots=True)
class Rate:
    """One ``base`` buys ``value`` ``quote``, according to ``source`` on ``as_of``.

    ``fetched_at`` is when tripplan got it (``None`` for a rate the user stated).

    >>> r = Rate("USD", "CLP", Decimal("948.37"), date(2027, 3, 5), "ExchangeRate-API")
    >>> str(r)
    '1 USD = 948.37 CLP (ExchangeRate-API, 2027-03-05)'
    >>> r.age(datetime(2027, 3, 8, 9, 0, tzinfo=UTC)).days
    3
    """

    base: str
    quote: str
    value: Decimal
    as_of: date
    source: str
    fetched_at: datetime | None = None

    def __post_init__(self) -> None:
        check_code(self.base, "base")
        check_code(self.quote, "quote")
        if not isinstance(self.value, Decimal) or not self.value.is_finite() or self.value <= 0:
            raise ValueError(f"a rate must be a positive finite Decimal, not {self.value!r}")
        if self.fetched_at is not None:
            check_aware(self.fetched_at, "fetched_at")

    def age(self, now: datetime) -> timedelta:
        """Whole days from the rates' date to ``now``'s date in UTC (never negative).

        Days, not hours: the sources publish one set of rates per day, dated, not timed.
        """
        days = (check_aware(now, "now").astimezone(UTC).date() - self.as_of).days
        return timedelta(days=max(days, 0))

    def inverse(self) -> Rate:
        """The same rate the other way round (1 ``quote`` = 1/value ``base``)."""
        value = Context(prec=PRECISION).divide(Decimal(1), self.value)
        return replace(self, base=self.quote, quote=self.base, value=value)

    def __str__(self) -> str:
        return f"1 {self.base} = {self.value} {self.quote} ({self.source}, {self.as_of})"


@dataclass(frozen=True, slots=True)
class RateTable:
    """Everything one answer said: units of each currency per one ``base``, on ``as_of``."""

    source: str
    base: str
    as_of: date
    rates: Mapping[str, Decimal]
    fetched_at: datetime
    url: str
    #: Currencies the answer listed with a value that is not a plausible rate, and why.
    rejected: Mapping[str, str] = field(default_factory=dict)

    def rate(self, quote: str, base: str) -> Rate | None:
        """1 ``base`` in ``quote``, crossed through the table's base; ``None`` if either is absent."""
        per_base = {**self.rates, self.base: Decimal(1)}
        if quote not in per_base or base not in per_base:
            return None
        if base == self.base:
            value = per_base[quote]
        else:
            value = Context(prec=PRECISION).divide(per_base[quote], per_base[base])
        return Rate(base, quote, value, self.as_of, self.source, self.fetched_at)

    def lists(self, code: str) -> bool:
        return code == self.base or code in self.rates

    def why_not(self, quote: str, base: str) -> str | None:
        """Why the pair has no rate when the answer listed a currency of it with a value that
        is not a rate (``rate for JPY is not a plausible rate: …``); else ``None``."""
        for code in (base, quote):
            if code in self.rejected:
                return f"rate for {code} is {self.rejected[code]}"
        return None


class RateProvider(Protocol):
    """A source of exchange rates: one request, one whole table, parsed defensively.

    ``key`` names its cache entry, ``name`` is shown beside the rate, and a cached table younger
    than ``fresh_for`` is used without asking. ``fetch`` raises ``NetworkError`` (``RatesError``
    for an answer it cannot use) and nothing else on purpose.
    """

    @property
    def key(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def fresh_for(self) -> timedelta: ...
    @property
    def attribution(self) -> str | None: ...

    def fetch(self, session: requests.Session, now: datetime) -> RateTable: ...


def positive(text: object) -> Decimal | None:
    """``text`` as a positive finite Decimal, or ``None``; floats never enter."""
    if isinstance(text, bool) or not isinstance(text, str | Decimal):
        return None
    try:
        value = Decimal(text.strip()) if isinstance(text, str) else text
    except InvalidOperation:
        return None
    return value if value.is_finite() and value > 0 else None


def _shown(text: object) -> str:
    """A value as a message may quote it: short, whatever was sent."""
    if isinstance(text, Decimal):
        text = str(text)
    shown = repr(text) if isinstance(text, str) else type(text).__name__
    return shown if len(shown) <= 40 else f"{shown[:24]}… ({len(shown):,} characters)"


def rate_value(raw: object) -> Decimal | str:
    """``raw`` (a rate's text, or a Decimal read from JSON) as a plausible rate, else why not.

    >>> rate_value("948.37")
    Decimal('948.37')
    >>> rate_value("1e999999999")
    "not a plausible rate: '1e999999999' is over 1,000,000,000"
    """
    if isinstance(raw, str) and len(raw.strip()) > _MAX_TEXT:
        return f"not a plausible rate: a number of {len(raw.strip()):,} characters"
    value = positive(raw)
    if value is None:
        return f"not a positive number: {_shown(raw)}"
    digits = len(value.as_tuple().digits)
    if digits > MAX_DIGITS:
        return f"not a plausible rate: {digits:,} significant digits (at most {MAX_DIGITS})"
    if value >= RATE_CEILING:
        return f"not a plausible rate: {_shown(raw)} is over {RATE_CEILING:,f}"
    if value <= RATE_FLOOR:
        return f"not a plausible rate: {_shown(raw)} is under {RATE_FLOOR:f}"
    return value


@dataclass(frozen=True, slots=True)
class EcbProvider:
    """The European Central Bank's euro foreign exchange reference rates, published each
    working day around 16:00 CET: about 30 currencies against EUR (no CLP)."""

    base_url: str = "https://www.ecb.europa.eu"
    timeout: tuple[float, float] | None = None  # None: _http.DEFAULT_TIMEOUT
    max_bytes: int = 256 * 1024  # the real file is under 2 KiB

    key: ClassVar[str] = "ecb"
    name: ClassVar[str] = "European Central Bank"
    path: ClassVar[str] = "/stats/eurofxref/eurofxref-daily.xml"
    fresh_for: ClassVar[timedelta] = timedelta(hours=12)
    attribution: ClassVar[str | None] = None

    @property
    def url(self) -> str:
        return self.base_url.rstrip("/") + self.path

    def fetch(self, session: requests.Session, now: datetime) -> RateTable:
        answer = get(
            session,
            self.url,
            accept="application/xml, text/xml",
            timeout=self.timeout or DEFAULT_TIMEOUT,
            max_bytes=self.max_bytes,
        )
        return self.parse(answer.content, fetched_at=now)

    def parse(self, content: bytes, *, fetched_at: datetime) -> RateTable:
        """The ECB's ``gesmes:Envelope`` → a table; ``RatesError`` for anything unexpected.

        A document type declaration is refused outright: the ECB never sends one, and refusing
        it shuts out entity-expansion tricks that ElementTree would otherwise process.
        """

        def bad(why: str) -> RatesError:
            return RatesError(redact_url(self.url), f"{self.name} answer is not usable: {why}")

        if b"<!DOCTYPE" in content or b"<!ENTITY" in content:
            raise bad("it declares a document type")
        try:
            root = ElementTree.fromstring(content)
        except (ElementTree.ParseError, ValueError, LookupError) as exc:
            raise bad(f"not well-formed XML ({exc})") from None
        day = root.find(".//{*}Cube[@time]")
        if day is None:
            raise bad("no <Cube time='…'> element")
        try:
            as_of = date.fromisoformat(day.get("time", ""))
        except ValueError:
            raise bad(f"date {_shown(day.get('time'))} is not YYYY-MM-DD") from None
        rates: dict[str, Decimal] = {}
        rejected: dict[str, str] = {}
        for cube in day.findall("{*}Cube"):
            code = cube.get("currency", "")
            if not CODE.fullmatch(code):
                raise bad(f"currency {_shown(code)} is not a three-letter code")
            value = rate_value(cube.get("rate"))
            if isinstance(value, str):
                rejected.setdefault(code, value)
            elif code not in rejected:
                rates.setdefault(code, value)
        return _table(self.name, "EUR", as_of, rates, rejected, fetched_at, self.url, bad)


class _Constant(str):
    """``NaN``, ``Infinity`` or ``-Infinity`` in JSON, which is not JSON: kept as its name, so
    it is refused where it stands (a rate, a timestamp) rather than sinking the whole answer."""


#: A Unix time past 9999 is no publication date.
_LAST_STAMP: Final = Decimal(253402300800)


def _table(
    name: str,
    base: str,
    as_of: date,
    rates: dict[str, Decimal],
    rejected: dict[str, str],
    fetched_at: datetime,
    url: str,
    bad: Callable[[str], RatesError],
) -> RateTable:
    """The parsed table; ``bad`` when it has no rate at all, not even one refused."""
    if not rates and not rejected:
        raise bad("no rates in it")
    if not rates:
        code, why = next(iter(sorted(rejected.items())))
        raise bad(f"no usable rate in it (rate for {code} is {why})")
    return RateTable(name, base, as_of, rates, fetched_at, url, rejected)


@dataclass(frozen=True, slots=True)
class ErApiProvider:
    """ExchangeRate-API's open access endpoint: no key, about 160 currencies, updated daily.

    Its terms ask for attribution (``attribution``) and for no more than about one request an
    hour; the cache keeps tripplan well under that.
    """

    base_url: str = "https://open.er-api.com"
    currency: str = "USD"  # the table's base; every other pair is a cross rate through it
    timeout: tuple[float, float] | None = None  # None: _http.DEFAULT_TIMEOUT
    max_bytes: int = 256 * 1024  # the real answer is about 4 KiB

    key: ClassVar[str] = "er-api"
    name: ClassVar[str] = "ExchangeRate-API"
    fresh_for: ClassVar[timedelta] = timedelta(hours=12)
    attribution: ClassVar[str | None] = (
        "Rates By Exchange Rate API (https://www.exchangerate-api.com)"
    )

    @property
    def url(self) -> str:
        return f"{self.base_url.rstrip('/')}/v6/latest/{self.currency}"

    def fetch(self, session: requests.Session, now: datetime) -> RateTable:
        answer = get(
            session,
            self.url,
            accept="application/json",
            timeout=self.timeout or DEFAULT_TIMEOUT,
            max_bytes=self.max_bytes,
        )
        return self.parse(answer.content, fetched_at=now)

    def parse(self, content: bytes, *, fetched_at: datetime) -> RateTable:
        """The endpoint's JSON (``result``, ``base_code``, ``time_last_update_unix``, ``rates``).

        Numbers are read as Decimal straight from the text, so no binary float ever rounds them.
        """

        def bad(why: str) -> RatesError:
            return RatesError(redact_url(self.url), f"{self.name} answer is not usable: {why}")

        try:
            data = json.loads(
                content,
                parse_float=Decimal,
                parse_int=Decimal,
                parse_constant=_Constant,
            )
        except (ValueError, RecursionError) as exc:
            raise bad(f"not valid JSON ({exc})") from None
        if not isinstance(data, dict):
            raise bad("not a JSON object")
        if data.get("result") != "success":
            result, error = _shown(data.get("result")), _shown(data.get("error-type"))
            raise bad(f"result {result}, error-type {error}")
        base = data.get("base_code")
        if not isinstance(base, str) or not CODE.fullmatch(base):
            raise bad(f"base_code {_shown(base)} is not a three-letter code")
        stamp = data.get("time_last_update_unix")
        if not isinstance(stamp, Decimal) or not stamp.is_finite() or stamp != stamp.to_integral():
            raise bad(f"time_last_update_unix {_shown(stamp)} is not a whole number")
        if not 0 <= stamp < _LAST_STAMP:  # int() of 1e999999999 would not finish
            raise bad(f"time_last_update_unix {_shown(stamp)} is out of range")
        try:
            as_of = datetime.fromtimestamp(int(stamp), UTC).date()
        except (OverflowError, OSError, ValueError):
            raise bad(f"time_last_update_unix {_shown(stamp)} is out of range") from None
        table = data.get("rates")
        if not isinstance(table, dict) or not table:
            raise bad("no rates object")
        rates: dict[str, Decimal] = {}
        rejected: dict[str, str] = {}
        for code, number in table.items():
            if not CODE.fullmatch(code):
                raise bad(f"currency {_shown(code)} is not a three-letter code")
            if code == base:
                continue  # 1, by definition
            # A JSON number only: "1.5" in quotes is not one.
            value = rate_value(number) if isinstance(number, Decimal) else None
            if isinstance(value, Decimal):
                rates[code] = value
            else:
                rejected[code] = value or f"not a positive number: {_shown(number)}"
        return _table(self.name, base, as_of, rates, rejected, fetched_at, self.url, bad)


def default_providers() -> tuple[RateProvider, ...]:
    """The ECB first (the official reference), then ExchangeRate-API for what it lacks."""
    return (EcbProvider(), ErApiProvider())
