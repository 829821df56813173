"""Translations of tripplan's fixed labels, from the gettext catalogs shipped in ``locale/``.

Catalogs are managed the Babel way (``pybabel extract/update/compile``; see docs/translating.md).
The package ships the ``.po`` files and compiles them in memory on first use, so a catalog is
one text file to review and nothing binary goes stale beside it. A locale is negotiated against
the catalogs there are (``es_CL`` -> ``es``); one with no catalog gets the English labels.
"""

from __future__ import annotations

import functools
import gettext
import io
from importlib import resources

__all__ = ["CATEGORIES", "N_", "catalog_languages", "translations"]

DOMAIN = "tripplan"


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
    """The languages that have a catalog, e.g. ``('en', 'es')``."""
    root = resources.files("tripplan").joinpath("locale")
    return tuple(
        sorted(
            p.name for p in root.iterdir() if p.joinpath("LC_MESSAGES", f"{DOMAIN}.po").is_file()
        )
    )


@functools.cache
def translations(locale: str) -> gettext.NullTranslations:
    """The translations for ``locale`` (negotiated), English labels when there is no catalog."""
    from babel import Locale, negotiate_locale
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    wanted = str(Locale.parse(locale.replace("-", "_")))
    language = negotiate_locale([wanted, wanted.split("_")[0]], list(catalog_languages()))
    if language is None:
        return gettext.NullTranslations()
    source = resources.files("tripplan").joinpath("locale", language, "LC_MESSAGES", f"{DOMAIN}.po")
    with source.open("rb") as f:
        catalog = read_po(f, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)
