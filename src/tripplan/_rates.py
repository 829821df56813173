"""Exchange rates for the briefing sheet: where they come from, the disk cache, and offline.

    exchange_rate(quote, base)      what the sheet calls; never raises for a network failure
      stated rate                   the user's own figure: always wins, nothing is fetched
      providers, in order           EcbProvider (euro reference rates, ~30 currencies, no CLP),
                                    ErApiProvider (ExchangeRate-API's open endpoint, ~160)
        fresh cache entry           used without a request (fetched within ``fresh_for``)
        network                     fetched through _http.get, then cached atomically
      stale cache entries           when no provider could answer: the newest that has the pair
      nothing                       rate None and a plain note

A provider answers with a whole table (every currency against its own base), so one cached file
per provider serves every pair; other pairs are cross rates through that base. Values are
``Decimal`` as published; a cross rate keeps ``PRECISION`` significant digits, because the sources
publish five or six and a quotient cannot be more precise than its parts.

``requests`` is imported only when something is fetched: a stated rate or a fresh cache entry
costs no network library.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Context, Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Final, Literal, Protocol
from xml.etree import ElementTree

from ._exceptions import RatesError

if TYPE_CHECKING:
    import requests

__all__ = [
    "CACHE_ENV",
    "EcbProvider",
    "ErApiProvider",
    "Rate",
    "RateProvider",
    "RateResult",
    "RateTable",
    "RatesError",
    "default_cache_dir",
    "default_providers",
    "exchange_rate",
]

_log = logging.getLogger(__name__)

#: Environment variable naming the cache folder (rates go in its ``rates/`` subfolder).
CACHE_ENV: Final = "TRIPPLAN_CACHE_DIR"
#: Significant digits kept in a cross rate.
PRECISION: Final = 6
_CACHE_FORMAT: Final = 1
_CODE = re.compile(r"[A-Z]{3}")

Origin = Literal["stated", "identity", "network", "cache", "stale", "none"]


def _check_code(code: str, what: str) -> str:
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise ValueError(f"{what} must be an ISO 4217 code of three capital letters, not {code!r}")
    return code


def _check_aware(moment: datetime, what: str) -> datetime:
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
        _check_code(self.base, "base")
        _check_code(self.quote, "quote")
        if not isinstance(self.value, Decimal) or not self.value.is_finite() or self.value <= 0:
            raise ValueError(f"a rate must be a positive finite Decimal, not {self.value!r}")
        if self.fetched_at is not None:
            _check_aware(self.fetched_at, "fetched_at")

    def age(self, now: datetime) -> timedelta:
        """Whole days from the rates' date to ``now``'s date in UTC (never negative).

        Days, not hours: the sources publish one set of rates per day, dated, not timed.
        """
        days = (_check_aware(now, "now").astimezone(UTC).date() - self.as_of).days
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


@dataclass(frozen=True, slots=True)
class RateResult:
    """What the sheet shows: a rate or none, and a note when the reader should know more.

    ``origin`` says where the rate came from: ``stated`` (the user), ``identity`` (same
    currency), ``network``, ``cache`` (fresh enough not to ask), ``stale`` (an old cached rate,
    because no source could be reached) or ``none``. ``note`` is a plain English sentence for
    ``stale`` and ``none``; a translated sheet builds its own from ``origin`` and the rate.
    ``attribution`` is text the source's terms require beside the rate. ``problems`` lists why
    each source failed, one line each, for logs and ``--verbose``.
    """

    rate: Rate | None
    note: str | None = None
    origin: Origin = "none"
    attribution: str | None = None
    problems: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: the value as a decimal string, the date in ISO 8601."""
        rate = self.rate
        return {
            "origin": self.origin,
            "note": self.note,
            "attribution": self.attribution,
            "rate": None
            if rate is None
            else {
                "base": rate.base,
                "quote": rate.quote,
                "value": str(rate.value),
                "as_of": rate.as_of.isoformat(),
                "source": rate.source,
            },
        }


class RateProvider(Protocol):
    """A source of exchange rates: one request, one whole table, parsed defensively.

    ``key`` names its cache file, ``name`` is shown beside the rate, and a cached table younger
    than ``fresh_for`` is used without asking. ``fetch`` raises ``NetworkError`` (from
    ``tripplan._http``) or ``RatesError`` and nothing else on purpose.
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


def _positive(text: object) -> Decimal | None:
    """``text`` as a positive finite Decimal, or ``None``; floats never enter."""
    if isinstance(text, bool) or not isinstance(text, str | Decimal):
        return None
    try:
        value = Decimal(text.strip()) if isinstance(text, str) else text
    except InvalidOperation:
        return None
    return value if value.is_finite() and value > 0 else None


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
        from ._http import DEFAULT_TIMEOUT, get

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
            return RatesError(f"{self.name} answer from {self.url} is not usable: {why}")

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
            raise bad(f"date {day.get('time')!r} is not YYYY-MM-DD") from None
        rates: dict[str, Decimal] = {}
        for cube in day.findall("{*}Cube"):
            code, text = cube.get("currency", ""), cube.get("rate")
            if not _CODE.fullmatch(code):
                raise bad(f"currency {code!r} is not a three-letter code")
            value = _positive(text)
            if value is None:
                raise bad(f"rate for {code} is not a positive number: {text!r}")
            rates.setdefault(code, value)
        if not rates:
            raise bad("no rates in it")
        return RateTable(self.name, "EUR", as_of, rates, fetched_at, self.url)


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not a number")


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
        from ._http import DEFAULT_TIMEOUT, get

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
            return RatesError(f"{self.name} answer from {self.url} is not usable: {why}")

        try:
            data = json.loads(
                content,
                parse_float=Decimal,
                parse_int=Decimal,
                parse_constant=_reject_constant,
            )
        except (ValueError, RecursionError) as exc:
            raise bad(f"not valid JSON ({exc})") from None
        if not isinstance(data, dict):
            raise bad("not a JSON object")
        if data.get("result") != "success":
            raise bad(f"result {data.get('result')!r}, error-type {data.get('error-type')!r}")
        base = data.get("base_code")
        if not isinstance(base, str) or not _CODE.fullmatch(base):
            raise bad(f"base_code {base!r} is not a three-letter code")
        stamp = data.get("time_last_update_unix")
        if not isinstance(stamp, Decimal) or not stamp.is_finite() or stamp != stamp.to_integral():
            raise bad(f"time_last_update_unix {stamp!r} is not a whole number")
        try:
            as_of = datetime.fromtimestamp(int(stamp), UTC).date()
        except (OverflowError, OSError, ValueError):
            raise bad(f"time_last_update_unix {stamp} is out of range") from None
        table = data.get("rates")
        if not isinstance(table, dict) or not table:
            raise bad("no rates object")
        rates: dict[str, Decimal] = {}
        for code, number in table.items():
            if not _CODE.fullmatch(code):
                raise bad(f"currency {code!r} is not a three-letter code")
            value = _positive(number) if isinstance(number, Decimal) else None  # not "1.5"
            if value is None:
                raise bad(f"rate for {code} is not a positive number: {number!r}")
            if code != base:
                rates[code] = value
        return RateTable(self.name, base, as_of, rates, fetched_at, self.url)


def default_providers() -> tuple[RateProvider, ...]:
    """The ECB first (the official reference), then ExchangeRate-API for what it lacks."""
    return (EcbProvider(), ErApiProvider())


def default_cache_dir() -> Path:
    """tripplan's per-user cache folder: ``$TRIPPLAN_CACHE_DIR`` if set, else the platform's.

    Linux and other Unixes: ``$XDG_CACHE_HOME/tripplan`` (an absolute XDG_CACHE_HOME only, as
    the XDG spec says), else ``~/.cache/tripplan``; macOS: ``~/Library/Caches/tripplan``;
    Windows: ``%LOCALAPPDATA%\\tripplan\\Cache``.
    """
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser()
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA")
        root = Path(local) if local else Path.home() / "AppData" / "Local"
        return root / "tripplan" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "tripplan"
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return root / "tripplan"


def _cache_path(folder: Path, provider: RateProvider) -> Path:
    return folder / "rates" / f"{provider.key}.json"


def _read_cache(folder: Path, provider: RateProvider) -> RateTable | None:
    """The provider's cached table, or ``None`` if absent, unreadable, or from another URL."""
    path = _cache_path(folder, provider)
    try:
        data = json.loads(path.read_bytes())
        if data.get("format") != _CACHE_FORMAT or data.get("url") != provider.url:
            return None
        rates = {str(k): Decimal(v) for k, v in data["rates"].items()}
        if not all(_CODE.fullmatch(k) and _positive(v) for k, v in rates.items()):
            return None
        fetched_at = _check_aware(datetime.fromisoformat(data["fetched_at"]), "fetched_at")
        return RateTable(
            source=str(data["source"]),
            base=_check_code(data["base"], "base"),
            as_of=date.fromisoformat(data["as_of"]),
            rates=rates,
            fetched_at=fetched_at,
            url=provider.url,
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, KeyError, AttributeError, InvalidOperation) as exc:
        _log.info("ignoring unreadable rate cache %s: %s", path, exc)
        return None


def _write_cache(folder: Path, provider: RateProvider, table: RateTable) -> None:
    """Replace the provider's cache file atomically; a failure is logged, never raised."""
    from ._output import write_atomic

    entry = {
        "format": _CACHE_FORMAT,
        "source": table.source,
        "url": provider.url,
        "base": table.base,
        "as_of": table.as_of.isoformat(),
        "fetched_at": table.fetched_at.isoformat(),
        "rates": {code: str(value) for code, value in sorted(table.rates.items())},
    }
    path = _cache_path(folder, provider)
    try:
        write_atomic(path, json.dumps(entry, indent=1) + "\n")
    except OSError as exc:
        _log.warning("could not cache exchange rates in %s: %s", path, exc)


def _is_fresh(table: RateTable, provider: RateProvider, now: datetime) -> bool:
    return table.fetched_at <= now < table.fetched_at + provider.fresh_for


def _orient(stated: Rate, base: str, quote: str) -> Rate:
    if (stated.base, stated.quote) == (base, quote):
        return stated
    if (stated.base, stated.quote) == (quote, base):
        return stated.inverse()
    raise ValueError(f"the stated rate is for {stated.base}/{stated.quote}, not {base}/{quote}")


def _days(age: timedelta) -> str:
    return "1 day" if age.days == 1 else f"{age.days} days"


def exchange_rate(
    quote: str,
    base: str,
    *,
    stated: Rate | None = None,
    session: requests.Session | None = None,
    providers: Sequence[RateProvider] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    now: datetime | None = None,
) -> RateResult:
    """How many ``quote`` one ``base`` buys (``exchange_rate("CLP", "USD")``: pesos per dollar).

    A ``stated`` rate (either way round) is returned as it is, with no request and no cache.
    Otherwise each provider in turn answers from a fresh cache entry or the network, and the
    first that lists both currencies wins; a fresh answer is cached in ``cache_dir`` (default
    ``default_cache_dir()``). If no provider can answer, the newest stale cache entry that has
    the pair is used and the note says how old it is; failing that the rate is ``None`` and
    the note says why.

    Network and data failures never raise out of here, and every request is bounded by the
    timeouts in ``tripplan._http``. Bad arguments (a code that is not three capital letters, a
    naive ``now``, a stated rate for another pair) raise ``ValueError``.
    """
    _check_code(quote, "quote")
    _check_code(base, "base")
    now = _check_aware(now, "now") if now is not None else datetime.now(UTC)
    if stated is not None:
        return RateResult(_orient(stated, base, quote), origin="stated")
    if quote == base:
        same = Rate(base, quote, Decimal(1), now.astimezone(UTC).date(), "identity")
        return RateResult(same, origin="identity")

    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    sources = default_providers() if providers is None else tuple(providers)
    stale: list[tuple[RateProvider, RateTable]] = []
    problems: list[str] = []
    unlisted: list[str] = []  # providers that answered without the pair
    unreachable: list[str] = []  # providers that failed with nothing cached
    for provider in sources:
        cached = _read_cache(folder, provider)
        origin: Origin = "cache"
        table: RateTable | str
        if cached is not None and _is_fresh(cached, provider, now):
            table = cached
        else:
            origin = "network"
            table = _fetch(provider, session, now)
            if isinstance(table, str):
                problems.append(table)
                if cached is not None:
                    stale.append((provider, cached))
                else:
                    unreachable.append(provider.name)
                continue
            _write_cache(folder, provider, table)
        rate = table.rate(quote, base)
        if rate is not None:
            return RateResult(rate, None, origin, provider.attribution, tuple(problems))
        unlisted.append(provider.name)

    for provider, cached in sorted(stale, key=lambda pair: pair[1].as_of, reverse=True):
        rate = cached.rate(quote, base)
        if rate is not None:
            note = (
                f"no current rate could be fetched; showing the cached {rate.source} rate of "
                f"{rate.as_of.isoformat()} ({_days(rate.age(now))} old)"
            )
            return RateResult(rate, note, "stale", provider.attribution, tuple(problems))
        unlisted.append(provider.name)

    if not unlisted:
        note = "no exchange rate: offline and nothing cached"
    elif not unreachable:
        note = f"no exchange rate: no source lists both {base} and {quote}"
    else:
        note = (
            f"no exchange rate: {_names(unlisted)} lacking {base}/{quote}, "
            f"{_names(unreachable)} unreachable and nothing cached"
        )
    return RateResult(None, note, "none", None, tuple(problems))


def _names(names: Sequence[str]) -> str:
    return " and ".join(dict.fromkeys(names))


def _fetch(
    provider: RateProvider, session: requests.Session | None, now: datetime
) -> RateTable | str:
    """One provider's table from the network, or why not (one line)."""
    from ._http import NetworkError, default_session

    try:
        return provider.fetch(session if session is not None else default_session(), now)
    except (NetworkError, RatesError) as exc:
        _log.info("exchange rates: %s", exc)
        return str(exc)
