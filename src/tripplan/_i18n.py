"""Translations of tripplan's fixed labels, from the gettext catalogs shipped in ``locale/``.

Catalogs are managed the Babel way (``pybabel extract/update/compile``; see docs/translating.md).
The package ships the ``.po`` files and compiles them in memory on first use, so a catalog is
one text file to review and nothing binary goes stale beside it. A locale is negotiated against
the catalogs there are (``es_CL`` -> ``es``, ``pt_BR`` -> ``pt``); one with no catalog gets the
English labels, and ``catalog_language`` says so, for the warning a sheet gives.

The curated country texts (``data/countries.toml``: tipping) are translated the same way, with
the English text as the msgid (``%`` doubled: ``country_msgid``): ``extract_country_texts`` is
the extractor ``babel.cfg`` names for that file, so ``pybabel extract`` puts them in the template
beside the labels, and ``country_text`` looks them up.
"""

from __future__ import annotations

import functools
import gettext
import io
import tomllib
from collections.abc import Collection, Iterator, Mapping
from importlib import resources
from typing import IO, Any

__all__ = [
    "CATEGORIES",
    "N_",
    "catalog_language",
    "catalog_languages",
    "country_msgid",
    "country_text",
    "extract_country_texts",
    "label_language",
    "translations",
]

DOMAIN = "tripplan"
# The fields of data/countries.toml whose text a sheet prints (the others are numbers and codes).
COUNTRY_TEXTS = ("tipping",)


def N_(message: str) -> str:
    """Marks a label for extraction (``pybabel extract -k N_``) where it is translated later."""
    return message


# What an item is, by its type or, for meetings, its kind: every output's category label.
CATEGORIES: dict[str, str] = {
    "flight": N_("Flight"),
    "transfer": N_("Transfer"),
    "train": N_("Train"),
    "drive": N_("Drive"),
    "stay": N_("Hotel"),
    "activity": N_("Activity"),
    "internal": N_("Internal meeting"),
    "it_staff_day": N_("IT staff day"),
    "executive_meeting": N_("Executive meeting"),
    "demo": N_("Demonstration"),
    "meal": N_("Meal"),
    "other": N_("Meeting"),
}


@functools.cache
def catalog_languages() -> tuple[str, ...]:
    """The languages that have a catalog, e.g. ``('de', 'en', 'es', 'fr', 'pt')``."""
    root = resources.files("tripplan").joinpath("locale")
    return tuple(
        sorted(
            p.name for p in root.iterdir() if p.joinpath("LC_MESSAGES", f"{DOMAIN}.po").is_file()
        )
    )


@functools.cache
def catalog_language(locale: str) -> str | None:
    """The catalog that serves ``locale`` (``es_CL`` -> ``es``), None where none does."""
    from babel import Locale, negotiate_locale

    wanted = str(Locale.parse(locale.replace("-", "_")))
    return negotiate_locale([wanted, wanted.split("_")[0]], list(catalog_languages()))


def label_language(locale: str) -> str:
    """The language the labels for ``locale`` are printed in, as a BCP 47 tag for HTML ``lang``:
    the locale itself where a catalog serves it (``pt-BR``), else ``en`` (the fallback)."""
    if catalog_language(locale) is None:
        return "en"
    return locale.replace("_", "-")


@functools.cache
def translations(locale: str) -> gettext.NullTranslations:
    """The translations for ``locale`` (negotiated), English labels when there is no catalog."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    language = catalog_language(locale)
    if language is None:
        return gettext.NullTranslations()
    source = resources.files("tripplan").joinpath("locale", language, "LC_MESSAGES", f"{DOMAIN}.po")
    with source.open("rb") as f:
        catalog = read_po(f, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def country_msgid(text: str) -> str:
    """The msgid of a curated text: the English text, with ``%`` written ``%%`` (gettext tools
    read a ``%`` as a placeholder, so the catalogs hold these texts as Python format strings
    without any placeholder: ``10%%`` in a msgid and in its translations)."""
    return text.replace("%", "%%")


def country_text(text: str, locale: str) -> str:
    """A curated English text (a country's tipping custom) in ``locale``, where the catalog has
    it; the English text where it has not."""
    return translations(locale).gettext(country_msgid(text)).replace("%%", "%")


def extract_country_texts(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """A Babel extractor for ``data/countries.toml``: each country's printed texts, with the
    English text as the msgid and the country as a comment for translators."""
    text = fileobj.read().decode("utf-8")
    lines = text.splitlines()
    for code, row in tomllib.loads(text).items():
        for field in COUNTRY_TEXTS:
            value = row.get(field) if isinstance(row, dict) else None
            if isinstance(value, str):
                lineno = next(
                    (
                        n
                        for n, line in enumerate(lines, 1)
                        if line.startswith(f"{field} = ") and value in line
                    ),
                    0,
                )
                yield lineno, None, country_msgid(value), [f"{field}, {code}"]
