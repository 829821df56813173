"""Exchange rates over the network, against a real HTTP server on 127.0.0.1 (tests/_http_server).

Every request here goes through ``tripplan._http`` and a real socket; nothing is mocked. The
server's answers are small hand-made copies of what the ECB and ExchangeRate-API publish.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from requests.adapters import HTTPAdapter

import tripplan
from tripplan import NetworkError, Rate, RatesError, TripplanError, exchange_rate
from tripplan._cache import CACHE_ENV, Cache, cache_dir
from tripplan._http import get, make_session
from tripplan._rate_providers import (
    RATE_CEILING,
    RATE_FLOOR,
    EcbProvider,
    ErApiProvider,
    RateProvider,
)
from tripplan._urls import redact_url

from ._http_server import Reply, TestServer, http_server

ECB_PATH = "/stats/eurofxref/eurofxref-daily.xml"
ER_PATH = "/v6/latest/USD"

ECB_XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
\t<gesmes:subject>Reference rates</gesmes:subject>
\t<gesmes:Sender>
\t\t<gesmes:name>European Central Bank</gesmes:name>
\t</gesmes:Sender>
\t<Cube>
\t\t<Cube time='2027-03-05'>
\t\t\t<Cube currency='USD' rate='1.0850'/>
\t\t\t<Cube currency='JPY' rate='160.70'/>
\t\t\t<Cube currency='GBP' rate='0.84120'/>
\t\t\t<Cube currency='CHF' rate='0.9568'/>
\t\t\t<Cube currency='SEK' rate='11.1570'/>
\t\t\t<Cube currency='BRL' rate='6.1234'/>
\t\t\t<Cube currency='CAD' rate='1.4710'/>
\t\t\t<Cube currency='MXN' rate='18.9912'/>
\t\t</Cube>
\t</Cube>
</gesmes:Envelope>
"""

ER_JSON = b"""{
  "result": "success",
  "provider": "https://www.exchangerate-api.com",
  "documentation": "https://www.exchangerate-api.com/docs/free",
  "terms_of_use": "https://www.exchangerate-api.com/terms",
  "time_last_update_unix": 1804204801,
  "time_last_update_utc": "Fri, 05 Mar 2027 00:00:01 +0000",
  "time_next_update_unix": 1804291351,
  "time_next_update_utc": "Sat, 06 Mar 2027 00:02:31 +0000",
  "time_eol_unix": 0,
  "base_code": "USD",
  "rates": {
    "USD": 1,
    "ARS": 1061.25,
    "BRL": 5.6437,
    "CLP": 948.37,
    "EUR": 0.921659,
    "GBP": 0.775287,
    "JPY": 148.11,
    "MXN": 17.5034
  }
}
"""

NOW = datetime(2027, 3, 6, 9, 0, tzinfo=UTC)
FAST = (1.0, 1.0)  # (connect, read) seconds: loopback answers in milliseconds


@pytest.fixture(autouse=True)
def no_server_thread_left() -> Iterator[None]:
    """Every test server, and every thread it started for a request, is gone after the test."""
    yield
    left = [
        t.name
        for t in threading.enumerate()
        if t.name.startswith("http-test-server") or "process_request_thread" in t.name
    ]
    assert not left, f"threads left running: {left}"


@pytest.fixture
def server() -> Iterator[TestServer]:
    with http_server() as running:
        yield running


@pytest.fixture
def session() -> Iterator[requests.Session]:
    """Two retries with a tiny backoff: the retry logic runs, the clock barely moves."""
    with make_session(retries=2, backoff=0.01) as made:
        yield made


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def ecb(server: TestServer, *, max_bytes: int = 256 * 1024) -> EcbProvider:
    return EcbProvider(base_url=server.url, timeout=FAST, max_bytes=max_bytes)


def er_api(server: TestServer) -> ErApiProvider:
    return ErApiProvider(base_url=server.url, timeout=FAST)


# --- normal answers ---------------------------------------------------------------------------


def test_ecb_answer_gives_a_direct_rate_and_a_cross_rate(
    server: TestServer, session: requests.Session, cache: Path
) -> None:
    server.script(ECB_PATH, Reply(200, ECB_XML, {"Content-Type": "text/xml"}))
    provider = ecb(server)

    direct = exchange_rate(
        "USD", "EUR", providers=[provider], session=session, cache_dir=cache, now=NOW
    )
    assert direct.origin == "network"
    assert direct.note is None
    assert direct.rate == Rate(
        "EUR", "USD", Decimal("1.0850"), date(2027, 3, 5), "European Central Bank", NOW
    )

    cross = exchange_rate(
        "JPY", "USD", providers=[provider], session=session, cache_dir=cache, now=NOW
    )
    assert cross.rate is not None
    assert cross.rate.value == Decimal("148.111")  # 160.70 / 1.0850 to six significant digits
    assert cross.origin == "cache"  # the first answer was cached: one request served both
    assert server.hits(ECB_PATH) == 1

    seen = server.requests[0]
    assert seen.headers["User-Agent"].startswith(f"tripplan/{tripplan.__version__} ")
    assert "xml" in seen.headers["Accept"]


def test_er_api_answer_covers_the_chilean_peso(
    server: TestServer, session: requests.Session, cache: Path
) -> None:
    server.script(ER_PATH, Reply(200, ER_JSON, {"Content-Type": "application/json"}))
    provider = er_api(server)

    result = exchange_rate(
        "CLP", "USD", providers=[provider], session=session, cache_dir=cache, now=NOW
    )
    assert result.rate is not None
    assert (result.rate.base, result.rate.quote, result.rate.value) == (
        "USD",
        "CLP",
        Decimal("948.37"),
    )
    assert result.rate.as_of == date(2027, 3, 5)  # from time_last_update_unix, in UTC
    assert result.rate.source == "ExchangeRate-API"
    assert result.attribution is not None and "exchangerate-api.com" in result.attribution

    per_euro = exchange_rate(
        "CLP", "EUR", providers=[provider], session=session, cache_dir=cache, now=NOW
    )
    assert per_euro.rate is not None and per_euro.rate.value == Decimal("1028.98")


def test_ecb_lacks_clp_so_the_next_provider_answers(
    server: TestServer, session: requests.Session, cache: Path
) -> None:
    server.script(ECB_PATH, Reply(200, ECB_XML))
    server.script(ER_PATH, Reply(200, ER_JSON))

    result = exchange_rate(
        "CLP",
        "USD",
        providers=[ecb(server), er_api(server)],
        session=session,
        cache_dir=cache,
        now=NOW,
    )
    assert result.rate is not None and result.rate.source == "ExchangeRate-API"
    assert (server.hits(ECB_PATH), server.hits(ER_PATH)) == (1, 1)
    assert sorted(p.name for p in (cache / "rates").iterdir()) == ["ecb.cache", "er-api.cache"]


# --- timeouts, retries, limits ----------------------------------------------------------------


def test_a_slow_answer_gives_up_at_the_read_timeout(
    server: TestServer, session: requests.Session, cache: Path
) -> None:
    server.script(ECB_PATH, Reply(200, ECB_XML, delay=3.0))
    provider = EcbProvider(base_url=server.url, timeout=(1.0, 0.2))

    started = time.monotonic()
    result = exchange_rate(
        "USD", "EUR", providers=[provider], session=session, cache_dir=cache, now=NOW
    )
    elapsed = time.monotonic() - started

    assert elapsed < 1.5  # the server would have answered after 3 s
    assert result.rate is None
    assert result.note == "no exchange rate: offline and nothing cached"
    assert "no answer within 0.2 s" in result.problems[0]
    assert server.hits(ECB_PATH) == 1  # a read timeout is not retried


def test_a_trickling_body_is_cut_off_by_the_body_timeout(
    server: TestServer, session: requests.Session
) -> None:
    # A byte every 50 ms never trips the 1 s read timeout; only the whole-body bound stops it.
    server.script("/slow", Reply(200, b"x" * 200, piece=1, pause=0.05))
    started = time.monotonic()
    with pytest.raises(NetworkError, match=r"took longer than 0\.3 s"):
        get(session, f"{server.url}/slow", timeout=FAST, body_timeout=0.3)
    assert time.monotonic() - started < 2.0


def test_500_then_500_then_success_is_retried(
    server: TestServer, session: requests.Session, cache: Path
) -> None:
    server.script(ECB_PATH, Reply(500), Reply(500), Reply(200, ECB_XML))
    result = exchange_rate(
        "USD", "EUR", providers=[ecb(server)], session=session, cache_dir=cache, now=NOW
    )
    assert result.rate is not None and result.rate.value == Decimal("1.0850")
    assert server.hits(ECB_PATH) == 3


def test_a_server_that_keeps_failing_is_reported_after_the_last_retry(
    server: TestServer, session: requests.Session
) -> None:
    server.script("/down", Reply(503))
    with pytest.raises(NetworkError) as failure:
        get(session, f"{server.url}/down", timeout=FAST)
    assert failure.value.status == 503
    assert str(failure.value) == f"{server.url}/down: HTTP 503 Service Unavailable after 3 attempts"
    assert server.hits("/down") == 3
    assert isinstance(failure.value, TripplanError)


def test_retry_after_is_respected_within_reason(
    server: TestServer, session: requests.Session
) -> None:
    server.script("/busy", Reply(503, headers={"Retry-After": "1"}), Reply(200, b"ok"))
    started = time.monotonic()
    assert get(session, f"{server.url}/busy", timeout=FAST).content == b"ok"
    assert time.monotonic() - started >= 0.9  # waited as asked, not the 0.01 s backoff

    server.script("/later", Reply(503, headers={"Retry-After": "30"}), Reply(200, b"ok"))
    started = time.monotonic()
    with pytest.raises(NetworkError, match="asked to retry after 30"):
        get(session, f"{server.url}/later", timeout=FAST)
    assert time.monotonic() - started < 1.0
    assert (
        server.hits("/later") == 1
    )  # beyond RETRY_AFTER_LIMIT: no retry, no sleep (bounded even if that breaks)

    server.script("/odd", Reply(503, headers={"Retry-After": "soon"}), Reply(200, b"ok"))
    assert get(session, f"{server.url}/odd", timeout=FAST).content == b"ok"


def test_connection_refused_is_one_clear_error(session: requests.Session) -> None:
    with http_server() as gone:
        url = f"{gone.url}/rates"
    with pytest.raises(NetworkError) as failure:
        get(session, url, timeout=FAST)
    assert str(failure.value).startswith(f"{url}: connection failed")
    assert "\n" not in str(failure.value)


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "streamed"])
def test_an_oversized_body_is_refused(
    server: TestServer, session: requests.Session, cache: Path, declared: bool
) -> None:
    server.script(
        ECB_PATH, Reply(200, ECB_XML + b"<!--" + b"x" * 200_000 + b"-->", content_length=declared)
    )
    with pytest.raises(NetworkError, match="over the 10,000 byte limit"):
        get(session, server.url + ECB_PATH, timeout=FAST, max_bytes=10_000)

    provider = ecb(server, max_bytes=10_000)
    result = exchange_rate(
        "USD", "EUR", providers=[provider], session=session, cache_dir=cache, now=NOW
    )
    assert result.rate is None and "limit" in result.problems[0]


def test_an_answer_cut_short_is_an_error_not_a_short_document(
    server: TestServer, session: requests.Session
) -> None:
    # The server promises 1,000 bytes and closes after 300.
    server.script(
        "/cut", Reply(200, ECB_XML[:300], {"Content-Length": "1000"}, content_length=False)
    )
    with pytest.raises(NetworkError, match="the answer was cut off"):
        get(session, f"{server.url}/cut", timeout=FAST)


def test_the_size_cap_counts_decompressed_bytes(
    server: TestServer, session: requests.Session
) -> None:
    bomb = gzip.compress(b"\0" * 5_000_000)  # about 5 KB on the wire
    server.script("/bomb", Reply(200, bomb, {"Content-Encoding": "gzip"}))
    with pytest.raises(NetworkError, match="over the 100,000 byte limit"):
        get(session, f"{server.url}/bomb", timeout=FAST, max_bytes=100_000)


# --- redirects, credentials, TLS --------------------------------------------------------------


@pytest.fixture
def other_host() -> Iterator[TestServer]:
    """A second live server on another loopback address: a different host, reachable."""
    try:
        elsewhere = TestServer("127.0.0.2")
    except OSError:  # pragma: no cover - loopback aliases are not configured (macOS)
        pytest.skip("127.0.0.2 is not a usable loopback address here")
    try:
        yield elsewhere
    finally:
        elsewhere.stop()


def test_a_redirect_to_another_host_is_refused(
    server: TestServer, other_host: TestServer, session: requests.Session, cache: Path
) -> None:
    other_host.script(ECB_PATH, Reply(200, ECB_XML))
    server.script(ECB_PATH, Reply.redirect(other_host.url + ECB_PATH))

    result = exchange_rate(
        "USD", "EUR", providers=[ecb(server)], session=session, cache_dir=cache, now=NOW
    )
    assert result.rate is None
    assert f"redirect to another host refused ({other_host.url}{ECB_PATH})" in result.problems[0]
    assert other_host.hits() == 0  # nothing was sent there


def test_a_redirect_on_the_same_host_is_followed(
    server: TestServer, session: requests.Session
) -> None:
    server.script("/old", Reply.redirect("/stats/eurofxref/eurofxref-daily.xml", 301))
    server.script(ECB_PATH, Reply(200, ECB_XML))
    fetched = get(session, f"{server.url}/old", timeout=FAST)
    assert fetched.content == ECB_XML
    assert fetched.url == server.url + ECB_PATH
    assert [seen.path for seen in server.requests] == ["/old", ECB_PATH]


def test_messages_never_show_credentials_or_queries(
    server: TestServer, session: requests.Session
) -> None:
    url = f"http://ann:s3cret@127.0.0.1:{server.port}/missing?key=abc123"
    with pytest.raises(NetworkError) as failure:
        get(session, url, timeout=FAST)
    assert str(failure.value) == f"{server.url}/missing?…: HTTP 404 Not Found"
    assert redact_url("https://[::1]:8443/x") == "https://[::1]:8443/x"


def test_tls_is_verified_even_when_the_session_says_not_to(tmp_path: Path) -> None:
    from ._smtp import make_certificate, server_context

    cert, key = make_certificate(tmp_path)
    with http_server(tls=server_context(cert, key)) as secure, make_session(retries=0) as careless:
        secure.script("/r", Reply(200, b"secret"))
        careless.verify = False
        with pytest.raises(NetworkError, match="TLS certificate not trusted"):
            get(careless, f"{secure.url}/r", timeout=FAST)
        careless.verify = str(cert)  # a CA bundle the caller chose is honoured
        assert get(careless, f"{secure.url}/r", timeout=FAST).content == b"secret"


def test_the_session_identifies_tripplan_and_retries_only_gets() -> None:
    with make_session() as made:
        assert made.headers["User-Agent"] == (
            f"tripplan/{tripplan.__version__} python-requests/{requests.__version__}"
        )
        adapter = made.get_adapter("https://www.ecb.europa.eu")
        assert isinstance(adapter, HTTPAdapter)
        retry = adapter.max_retries
        assert (retry.total, retry.connect, retry.read) == (3, 3, 0)
        assert retry.allowed_methods == frozenset({"GET"})
        assert retry.backoff_factor == 0.5
        assert made.verify is True


# --- malformed answers ------------------------------------------------------------------------

BAD_XML = {
    "truncated": (ECB_XML[:300], "not well-formed XML"),
    "no dated cube": (b"<Envelope><Cube><Cube/></Cube></Envelope>", "no <Cube time="),
    "bad date": (ECB_XML.replace(b"2027-03-05", b"5 March"), "is not YYYY-MM-DD"),
    "no rate usable": (
        b"<Envelope><Cube><Cube time='2027-03-05'><Cube currency='USD' rate='x'/></Cube></Cube>"
        b"</Envelope>",
        "no usable rate in it (rate for USD is not a positive number: 'x')",
    ),
    "entity expansion": (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><x>&a;</x>',
        "declares a document type",
    ),
    "html error page": (b"<html><body>Service temporarily unavailable</body></html>", "no <Cube"),
}

BAD_JSON = {
    "truncated": (ER_JSON[:200], "not valid JSON"),
    "array": (b"[1, 2, 3]", "not a JSON object"),
    "error result": (b'{"result": "error", "error-type": "unsupported-code"}', "unsupported-code"),
    "huge timestamp": (
        ER_JSON.replace(b"1804204801", b"1e999999999"),
        "time_last_update_unix '1E+999999999' is out of range",
    ),
    "NaN timestamp": (ER_JSON.replace(b"1804204801", b"NaN"), "'NaN' is not a whole number"),
    "no timestamp": (
        ER_JSON.replace(b'"time_last_update_unix": 1804204801,', b""),
        "time_last_update_unix",
    ),
    "bad base": (ER_JSON.replace(b'"base_code": "USD"', b'"base_code": "dollars"'), "base_code"),
}


@pytest.mark.parametrize(("body", "why"), BAD_XML.values(), ids=BAD_XML.keys())
def test_malformed_xml_is_a_clear_error_not_a_traceback(
    server: TestServer, session: requests.Session, cache: Path, body: bytes, why: str
) -> None:
    server.script(ECB_PATH, Reply(200, body))
    result = exchange_rate(
        "USD", "EUR", providers=[ecb(server)], session=session, cache_dir=cache, now=NOW
    )
    assert result.rate is None
    assert result.note == "no exchange rate: offline and nothing cached"
    assert len(result.problems) == 1
    assert result.problems[0].startswith(
        f"{server.url}{ECB_PATH}: European Central Bank answer is not usable: "
    )
    assert why in result.problems[0]
    with pytest.raises(RatesError, match="is not usable"):
        ecb(server).parse(body, fetched_at=NOW)


@pytest.mark.parametrize(("body", "why"), BAD_JSON.values(), ids=BAD_JSON.keys())
def test_malformed_json_is_a_clear_error_not_a_traceback(
    server: TestServer, session: requests.Session, cache: Path, body: bytes, why: str
) -> None:
    server.script(ER_PATH, Reply(200, body))
    result = exchange_rate(
        "CLP", "USD", providers=[er_api(server)], session=session, cache_dir=cache, now=NOW
    )
    assert result.rate is None
    assert len(result.problems) == 1 and "ExchangeRate-API answer" in result.problems[0]
    assert why in result.problems[0]
    assert not (cache / "rates").exists()  # nothing unusable was cached


# --- values that are not rates -----------------------------------------------------------------

FIVE_THOUSAND_DIGITS = b"9" * 5000
# The value sent for one currency, and what the problem line says of it in the ECB's XML. In
# JSON a number is read as a Decimal, which writes some of them its own way (1E-7), so there
# the test checks only the kind of problem: not a positive number, or not a plausible rate.
IMPLAUSIBLE = {
    "comma": (b"1,0850", "is not a positive number: '1,0850'"),
    "negative": (b"-1.0850", "is not a positive number: '-1.0850'"),
    "zero": (b"0", "is not a positive number: '0'"),
    "NaN": (b"NaN", "is not a positive number: 'NaN'"),
    "infinity": (b"Infinity", "is not a positive number: 'Infinity'"),
    "huge exponent": (
        b"1e999999999",
        "is not a plausible rate: '1e999999999' is over 1,000,000,000",
    ),
    "tiny": (b"1e-999999999", "is not a plausible rate: '1e-999999999' is under 0.000001"),
    "too large": (b"2000000000", "is not a plausible rate: '2000000000' is over 1,000,000,000"),
    "too small": (b"0.0000001", "is not a plausible rate: '0.0000001' is under 0.000001"),
    "5,000 digits": (FIVE_THOUSAND_DIGITS, "is not a plausible rate: a number of 5,000 characters"),
    "31 digits": (
        b"1.085000000000000000000000000001",
        "is not a plausible rate: 31 significant digits (at most 30)",
    ),
}
NOT_JSON = {"comma"}  # not a number JSON could hold: the whole answer is unreadable


def ecb_with_usd(value: bytes) -> bytes:
    return ECB_XML.replace(b"'1.0850'", b"'" + value + b"'")


def er_with_clp(value: bytes) -> bytes:
    return ER_JSON.replace(b"948.37", value)


@pytest.mark.parametrize(("value", "why"), IMPLAUSIBLE.values(), ids=IMPLAUSIBLE.keys())
def test_an_implausible_ecb_rate_is_a_problem_for_that_currency_only(
    server: TestServer, session: requests.Session, cache: Path, value: bytes, why: str
) -> None:
    server.script(ECB_PATH, Reply(200, ecb_with_usd(value)))
    provider = ecb(server)

    usd = exchange_rate(
        "USD", "EUR", providers=[provider], session=session, cache_dir=cache, now=NOW
    )
    assert usd.rate is None and usd.origin == "none"
    assert usd.problems == (
        f"{server.url}{ECB_PATH}: European Central Bank answer is not usable: rate for USD {why}",
    )
    assert usd.note == "no exchange rate: European Central Bank with no usable EUR/USD rate"

    # The other currencies of the same answer serve, from the cache it was written to.
    gbp = exchange_rate(
        "GBP", "EUR", providers=[provider], session=session, cache_dir=cache, now=NOW
    )
    assert gbp.rate is not None and gbp.rate.value == Decimal("0.84120") and gbp.origin == "cache"
    cross = exchange_rate(
        "JPY", "USD", providers=[provider], session=session, cache_dir=cache, now=NOW
    )
    assert cross.rate is None and cross.problems == usd.problems  # a cross rate through USD too
    assert server.hits(ECB_PATH) == 1

    # Never cached: the entry has the other rates, and of USD only that it was refused, and why.
    entry = (cache / "rates" / "ecb.cache").read_bytes()
    table = json.loads(entry.partition(b"\n")[2])
    assert sorted(table["rates"]) == ["BRL", "CAD", "CHF", "GBP", "JPY", "MXN", "SEK"]
    assert f"is {table['rejected']['USD']}" == why
    assert len(entry) < 1_000


@pytest.mark.parametrize(
    ("value", "why"),
    [v for k, v in IMPLAUSIBLE.items() if k not in NOT_JSON],
    ids=[k for k in IMPLAUSIBLE if k not in NOT_JSON],
)
def test_an_implausible_er_api_rate_is_a_problem_for_that_currency_only(
    server: TestServer, session: requests.Session, cache: Path, value: bytes, why: str
) -> None:
    server.script(ER_PATH, Reply(200, er_with_clp(value)))
    provider = er_api(server)

    clp = exchange_rate(
        "CLP", "USD", providers=[provider], session=session, cache_dir=cache, now=NOW
    )
    assert clp.rate is None and clp.origin == "none"
    (problem,) = clp.problems
    kind = why.partition(":")[0]  # "is not a positive number", "is not a plausible rate"
    assert problem.startswith(
        f"{server.url}{ER_PATH}: ExchangeRate-API answer is not usable: rate for CLP {kind}: "
    )
    assert len(problem) < 250
    eur = exchange_rate(
        "EUR", "USD", providers=[provider], session=session, cache_dir=cache, now=NOW
    )
    assert eur.rate is not None and eur.rate.value == Decimal("0.921659")
    entry = (cache / "rates" / "er-api.cache").read_bytes()
    assert "CLP" not in json.loads(entry.partition(b"\n")[2])["rates"] and len(entry) < 1_000


def test_a_string_rate_in_json_is_not_a_number(
    server: TestServer, session: requests.Session, cache: Path
) -> None:
    server.script(ER_PATH, Reply(200, er_with_clp(b'"948.37"')))
    result = exchange_rate(
        "CLP", "USD", providers=[er_api(server)], session=session, cache_dir=cache, now=NOW
    )
    assert result.rate is None
    assert result.problems[0].endswith("rate for CLP is not a positive number: '948.37'")


def test_an_implausible_fresh_value_falls_back_to_the_older_cached_one(
    server: TestServer, session: requests.Session, cache: Path
) -> None:
    provider = ecb(server)
    server.script(ECB_PATH, Reply(200, ECB_XML))
    exchange_rate("USD", "EUR", providers=[provider], session=session, cache_dir=cache, now=NOW)

    server.script(ECB_PATH, Reply(200, ecb_with_usd(b"1e999999999").replace(b"03-05", b"03-08")))
    later = NOW + timedelta(days=3)
    result = exchange_rate(
        "USD", "EUR", providers=[provider], session=session, cache_dir=cache, now=later
    )
    assert result.origin == "stale"
    assert result.rate is not None and result.rate.value == Decimal("1.0850")
    assert "rate for USD is not a plausible rate" in result.problems[0]


def test_a_second_provider_answers_when_the_first_has_no_usable_value(
    server: TestServer, session: requests.Session, cache: Path
) -> None:
    server.script(ECB_PATH, Reply(200, ecb_with_usd(b"NaN")))
    server.script(ER_PATH, Reply(200, ER_JSON))
    result = exchange_rate(
        "EUR",
        "USD",
        providers=[ecb(server), er_api(server)],
        session=session,
        cache_dir=cache,
        now=NOW,
    )
    assert result.rate is not None and result.rate.source == "ExchangeRate-API"
    assert result.problems == (
        f"{server.url}{ECB_PATH}: European Central Bank answer is not usable: "
        "rate for USD is not a positive number: 'NaN'",
    )


# Answers built to make arithmetic or conversions blow up: none may raise out of exchange_rate.
HOSTILE = [
    ("ecb", ecb_with_usd(b"1e999999999").replace(b"'160.70'", b"'1e-999999999'")),
    ("ecb", ECB_XML.replace(b"2027-03-05", b"9" * 5000)),
    ("ecb", b"<Envelope>" + b"<Cube>" * 5000 + b"</Cube>" * 5000 + b"</Envelope>"),
    ("er", er_with_clp(b"1e999999999").replace(b"0.921659", b"1e-999999999")),
    ("er", ER_JSON.replace(b"1804204801", FIVE_THOUSAND_DIGITS)),
    ("er", ER_JSON.replace(b"1804204801", b"-1e999999999")),
    ("er", b"[" * 100_000 + b"]" * 100_000),
    ("er", ER_JSON.replace(b'"base_code": "USD"', b'"base_code": 1e999999999')),
]


@pytest.mark.parametrize(("which", "body"), HOSTILE, ids=[str(i) for i in range(len(HOSTILE))])
def test_no_provider_data_makes_exchange_rate_raise(
    server: TestServer, session: requests.Session, cache: Path, which: str, body: bytes
) -> None:
    path, provider = (ECB_PATH, ecb(server)) if which == "ecb" else (ER_PATH, er_api(server))
    server.script(path, Reply(200, body))
    for quote, base in (("CLP", "USD"), ("JPY", "USD"), ("USD", "EUR"), ("EUR", "USD")):
        result = exchange_rate(
            quote, base, providers=[provider], session=session, cache_dir=cache, now=NOW
        )
        assert result.rate is None or RATE_FLOOR**2 < result.rate.value < RATE_CEILING**2
        assert all("\n" not in line and len(line) < 400 for line in result.problems)


# --- the cache --------------------------------------------------------------------------------


def test_the_cache_serves_when_the_server_is_down_and_says_how_old(
    server: TestServer, session: requests.Session, cache: Path
) -> None:
    server.script(ECB_PATH, Reply(200, ECB_XML))
    provider = ecb(server)
    assert (
        exchange_rate(
            "USD", "EUR", providers=[provider], session=session, cache_dir=cache, now=NOW
        ).origin
        == "network"
    )

    server.stop()
    later = NOW + timedelta(days=3)  # the cached table is no longer fresh, so the network is tried
    result = exchange_rate(
        "USD", "EUR", providers=[provider], session=session, cache_dir=cache, now=later
    )

    assert result.origin == "stale"
    assert result.rate is not None and result.rate.value == Decimal("1.0850")
    assert result.rate.age(later) == timedelta(days=4)  # rates of 5 March, read on 9 March
    assert result.note == (
        "no current rate could be fetched; showing the cached European Central Bank rate of "
        "2027-03-05 (4 days old)"
    )
    assert "connection failed" in result.problems[0]


def test_a_fresh_cache_entry_is_used_without_a_request(
    server: TestServer, session: requests.Session, cache: Path
) -> None:
    server.script(ECB_PATH, Reply(200, ECB_XML))
    provider = ecb(server)
    exchange_rate("USD", "EUR", providers=[provider], session=session, cache_dir=cache, now=NOW)
    again = exchange_rate(
        "GBP",
        "EUR",
        providers=[provider],
        session=session,
        cache_dir=cache,
        now=NOW + timedelta(hours=11),
    )
    assert (
        again.origin == "cache"
        and again.rate is not None
        and again.rate.value == Decimal("0.84120")
    )
    assert server.hits() == 1
    exchange_rate(
        "GBP",
        "EUR",
        providers=[provider],
        session=session,
        cache_dir=cache,
        now=NOW + timedelta(hours=13),
    )
    assert server.hits() == 2  # past fresh_for (12 h) it asks again


def test_no_cache_and_no_network_gives_no_rate_and_a_plain_note(
    session: requests.Session, cache: Path
) -> None:
    with http_server() as gone:
        providers: list[RateProvider] = [ecb(gone), er_api(gone)]
    started = time.monotonic()
    result = exchange_rate(
        "CLP", "USD", providers=providers, session=session, cache_dir=cache, now=NOW
    )
    assert time.monotonic() - started < 3.0
    assert result.rate is None and result.origin == "none"
    assert result.note == "no exchange rate: offline and nothing cached"
    assert len(result.problems) == 2


def test_an_unreadable_cache_file_counts_as_no_cache(
    session: requests.Session, cache: Path
) -> None:
    with http_server() as gone:
        provider = ecb(gone)
    (cache / "rates").mkdir(parents=True)
    (cache / "rates" / "ecb.cache").write_text('{"format": 1, "rates": {"USD": "1.0')
    result = exchange_rate(
        "USD", "EUR", providers=[provider], session=session, cache_dir=cache, now=NOW
    )
    assert result.rate is None and result.note == "no exchange rate: offline and nothing cached"


def test_a_stated_rate_wins_without_any_request(
    server: TestServer, session: requests.Session, cache: Path
) -> None:
    server.script(ER_PATH, Reply(200, ER_JSON))
    stated = Rate("USD", "CLP", Decimal("950"), date(2027, 2, 20), "corporate travel desk")

    result = exchange_rate(
        "CLP",
        "USD",
        stated=stated,
        providers=[er_api(server)],
        session=session,
        cache_dir=cache,
        now=NOW,
    )
    assert result.rate is stated and result.origin == "stated" and result.note is None

    inverse = exchange_rate(
        "USD", "CLP", stated=stated, providers=[er_api(server)], session=session, cache_dir=cache
    )
    assert inverse.rate is not None and inverse.rate.value == Decimal("0.00105263")

    assert server.hits() == 0
    assert not cache.exists()
    with pytest.raises(ValueError, match="stated rate is for USD/CLP"):
        exchange_rate("ARS", "USD", stated=stated, cache_dir=cache)


def test_the_cache_folder_follows_the_environment_variable(
    server: TestServer, session: requests.Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen = tmp_path / "chosen"
    monkeypatch.setenv(CACHE_ENV, str(chosen))
    assert cache_dir() == chosen

    server.script(ECB_PATH, Reply(200, ECB_XML))
    exchange_rate("USD", "EUR", providers=[ecb(server)], session=session, now=NOW)
    entry = Cache("rates").load("ecb")
    assert entry is not None
    assert entry == Cache("rates", chosen).load("ecb")
    assert (entry.url, entry.fetched_at) == (server.url + ECB_PATH, NOW)
    table = json.loads(entry.content)
    assert (table["as_of"], table["base"], table["rates"]["USD"]) == ("2027-03-05", "EUR", "1.0850")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the XDG rules are for Linux")
def test_the_default_cache_folder_follows_xdg(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(CACHE_ENV, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "tripplan"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    assert cache_dir() == tmp_path / "home" / ".cache" / "tripplan"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache_dir() == tmp_path / "home" / ".cache" / "tripplan"


_WRITE_UNDER_A_SIZE_LIMIT = """
import json, resource, signal, sys
from datetime import datetime
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
resource.setrlimit(resource.RLIMIT_FSIZE, (64, 64))
from tripplan import exchange_rate
from tripplan._http import make_session
from tripplan._rate_providers import EcbProvider
with make_session(retries=0) as session:
    result = exchange_rate("USD", "EUR", providers=[EcbProvider(base_url=sys.argv[1])],
                           session=session, cache_dir=sys.argv[2],
                           now=datetime.fromisoformat(sys.argv[3]))
print(json.dumps([result.origin, result.rate.as_of.isoformat()]))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX resource limits")
def test_a_failed_cache_write_leaves_the_old_entry_whole(
    server: TestServer, session: requests.Session, cache: Path
) -> None:
    server.script(ECB_PATH, Reply(200, ECB_XML))
    exchange_rate("USD", "EUR", providers=[ecb(server)], session=session, cache_dir=cache, now=NOW)
    entry = cache / "rates" / "ecb.cache"
    before = entry.read_bytes()
    assert len(before) > 64

    # A newer table, fetched by a process that may not write more than 64 bytes to any file.
    server.script(ECB_PATH, Reply(200, ECB_XML.replace(b"2027-03-05", b"2027-03-08")))
    later = (NOW + timedelta(days=3)).isoformat()
    run = subprocess.run(
        [sys.executable, "-B", "-c", _WRITE_UNDER_A_SIZE_LIMIT, server.url, str(cache), later],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == ["network", "2027-03-08"]  # the rate still reached the sheet
    assert "could not cache exchange rates" in run.stderr  # the write was tried and failed
    assert entry.read_bytes() == before  # the old entry, whole
    assert [p.name for p in entry.parent.iterdir()] == ["ecb.cache"]  # no partial temp file


# --- the model and the import -----------------------------------------------------------------


def test_rate_checks_its_values_and_ages_in_whole_days() -> None:
    rate = Rate("USD", "CLP", Decimal("948.37"), date(2027, 3, 5), "test")
    assert rate.age(datetime(2027, 3, 5, 23, 59, tzinfo=UTC)) == timedelta(0)
    assert rate.age(datetime(2027, 3, 6, 1, 0, tzinfo=UTC)) == timedelta(days=1)
    assert rate.age(datetime(2027, 3, 1, tzinfo=UTC)) == timedelta(0)  # never negative
    assert rate.inverse().value == Decimal("0.00105444")
    with pytest.raises(ValueError, match="positive finite"):
        Rate("USD", "CLP", Decimal("0"), date(2027, 3, 5), "test")
    with pytest.raises(ValueError, match="three capital letters"):
        exchange_rate("clp", "USD")
    with pytest.raises(ValueError, match="timezone-aware"):
        exchange_rate("CLP", "USD", now=datetime(2027, 3, 5))


def test_integrations_load_without_the_network_library() -> None:
    """The command imports every integration; ``requests`` waits for the first request."""
    code = (
        "import sys, tripplan._rates, tripplan._feeds, tripplan._caldav, tripplan._mail; "
        "print('requests' in sys.modules, 'urllib3' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "False"]
