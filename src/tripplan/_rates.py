"""Exchange rates for the briefing sheet: which source answers, the cache, and offline.

    exchange_rate(quote, base)      what the sheet calls; never raises for a network failure
      stated rate                   the user's own figure: always wins, nothing is fetched
      providers, in order           EcbProvider, ErApiProvider (``_rate_providers``)
        fresh cache entry           used without a request (fetched within ``fresh_for``)
        network                     fetched through _http.get, then cached atomically
      stale cache entries           when no provider could answer: the newest that has the pair
      nothing                       rate None and a plain note

A provider answers with a whole table, so one cache entry per provider (``rates/<key>`` in the
cache folder of ``_cache``) serves every pair. ``requests`` is imported only when something is
fetched: a stated rate or a fresh cache entry costs no network library.

Nothing a provider sends makes ``exchange_rate`` raise: an answer that cannot be read is a line
in ``problems``, and so is a currency whose value is not a plausible rate (``rate_value``), which
is left out of the table, and of the cache, while the other currencies serve.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Final, Literal

from ._cache import Cache, Entry
from ._exceptions import NetworkError, RatesError
from ._http import default_session
from ._rate_providers import (
    CODE,
    EcbProvider,
    ErApiProvider,
    Rate,
    RateProvider,
    RateTable,
    check_aware,
    check_code,
    default_providers,
    rate_value,
)
from ._urls import redact_url

if TYPE_CHECKING:
    import requests

__all__ = [
    "EcbProvider",
    "ErApiProvider",
    "Rate",
    "RateProvider",
    "RateResult",
    "RateTable",
    "RatesError",
    "default_providers",
    "exchange_rate",
]

_log = logging.getLogger(__name__)

#: The cache's folder for rate tables (``_cache``).
CACHE_KIND: Final = "rates"

Origin = Literal["stated", "identity", "network", "cache", "stale", "none"]


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


def _read_cache(cache: Cache, provider: RateProvider) -> RateTable | None:
    """The provider's cached table, or ``None`` if absent, unreadable, or from another URL."""
    entry = cache.load(provider.key)
    if entry is None or entry.url != redact_url(provider.url):
        return None
    try:
        data = json.loads(entry.content)
        values = {str(k): rate_value(v) for k, v in data["rates"].items()}
        rates = {k: v for k, v in values.items() if isinstance(v, Decimal) and CODE.fullmatch(k)}
        if len(rates) != len(values):
            raise ValueError("a cached rate is not a plausible rate")
        rejected = data.get("rejected", {})
        if not isinstance(rejected, dict):
            raise TypeError("rejected is not an object")
        return RateTable(
            source=str(data["source"]),
            base=check_code(data["base"], "base"),
            as_of=date.fromisoformat(data["as_of"]),
            rates=rates,
            fetched_at=check_aware(entry.fetched_at, "fetched_at"),
            url=provider.url,
            rejected={str(k): str(v) for k, v in rejected.items()},
        )
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
        _log.info("ignoring unreadable rate cache %s: %s", cache.path(provider.key), exc)
        return None


def _write_cache(cache: Cache, provider: RateProvider, table: RateTable) -> None:
    """Replace the provider's cache entry atomically; a failure is logged, never raised.

    Only plausible rates are in a table; the currencies refused are kept with why, not what.
    """
    data: dict[str, object] = {
        "source": table.source,
        "base": table.base,
        "as_of": table.as_of.isoformat(),
        "rates": {code: str(value) for code, value in sorted(table.rates.items())},
    }
    if table.rejected:
        data["rejected"] = dict(sorted(table.rejected.items()))
    content = (json.dumps(data, indent=1) + "\n").encode("utf-8")
    try:
        cache.store(provider.key, Entry(redact_url(provider.url), table.fetched_at, content))
    except OSError as exc:
        _log.warning("could not cache exchange rates in %s: %s", cache.path(provider.key), exc)


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
    first that lists both currencies wins; a fresh answer is cached in tripplan's cache folder
    (``cache_dir``, default ``$TRIPPLAN_CACHE_DIR`` or the platform's; in its ``rates/``). If
    no provider can answer, the newest stale cache entry that has the pair is used and the note
    says how old it is; failing that the rate is ``None`` and the note says why.

    Network and data failures never raise out of here, and every request is bounded by the
    timeouts of ``get`` in ``_http``. Bad arguments (a code that is not three capital letters, a
    naive ``now``, a stated rate for another pair) raise ``ValueError``.
    """
    check_code(quote, "quote")
    check_code(base, "base")
    now = check_aware(now, "now") if now is not None else datetime.now(UTC)
    if stated is not None:
        return RateResult(_orient(stated, base, quote), origin="stated")
    if quote == base:
        same = Rate(base, quote, Decimal(1), now.astimezone(UTC).date(), "identity")
        return RateResult(same, origin="identity")

    cache = Cache(CACHE_KIND, cache_dir)
    sources = default_providers() if providers is None else tuple(providers)
    stale: list[tuple[RateProvider, RateTable]] = []
    problems: list[str] = []
    unlisted: list[str] = []  # providers that answered without the pair
    unreachable: list[str] = []  # providers that failed with nothing cached
    unusable: list[str] = []  # providers that answered with a value for the pair that is no rate
    for provider in sources:
        cached = _read_cache(cache, provider)
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
            _write_cache(cache, provider, table)
        rate = table.rate(quote, base)
        if rate is not None:
            return RateResult(rate, None, origin, provider.attribution, tuple(problems))
        why = table.why_not(quote, base)
        if why is None:
            unlisted.append(provider.name)
            continue
        problems.append(f"{redact_url(provider.url)}: {provider.name} answer is not usable: {why}")
        if cached is not None and cached is not table:
            stale.append((provider, cached))  # an older answer may have had a rate
        else:
            unusable.append(provider.name)

    for provider, cached in sorted(stale, key=lambda pair: pair[1].as_of, reverse=True):
        rate = cached.rate(quote, base)
        if rate is not None:
            note = (
                f"no current rate could be fetched; showing the cached {rate.source} rate of "
                f"{rate.as_of.isoformat()} ({_days(rate.age(now))} old)"
            )
            return RateResult(rate, note, "stale", provider.attribution, tuple(problems))
        unlisted.append(provider.name)

    return RateResult(
        None,
        _none_note(base, quote, unlisted, unreachable, unusable),
        "none",
        None,
        tuple(problems),
    )


def _none_note(
    base: str, quote: str, unlisted: list[str], unreachable: list[str], unusable: list[str]
) -> str:
    """Why there is no rate, in one sentence."""
    if not unlisted and not unusable:
        return "no exchange rate: offline and nothing cached"
    if not unreachable and not unusable:
        return f"no exchange rate: no source lists both {base} and {quote}"
    parts = []
    if unlisted:
        parts.append(f"{_names(unlisted)} lacking {base}/{quote}")
    if unusable:
        parts.append(f"{_names(unusable)} with no usable {base}/{quote} rate")
    if unreachable:
        parts.append(f"{_names(unreachable)} unreachable and nothing cached")
    return "no exchange rate: " + ", ".join(parts)


def _names(names: Sequence[str]) -> str:
    return " and ".join(dict.fromkeys(names))


def _fetch(
    provider: RateProvider, session: requests.Session | None, now: datetime
) -> RateTable | str:
    """One provider's table from the network, or why not (one line).

    A provider is to raise only ``NetworkError`` (``RatesError`` for an answer it cannot use);
    should one of them trip over its data in another way, that is an unusable answer too.
    """
    try:
        return provider.fetch(session if session is not None else default_session(), now)
    except NetworkError as exc:  # RatesError too: an answer that could not be used
        _log.info("exchange rates: %s", exc)
        return str(exc)
    except (ValueError, ArithmeticError, LookupError, TypeError, RecursionError) as exc:
        _log.info("exchange rates: %s answer failed: %r", provider.name, exc)
        why = f"{provider.name} answer is not usable: {type(exc).__name__}"
        return f"{redact_url(provider.url)}: {why}"
