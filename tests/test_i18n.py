"""The gettext catalogs: up to date with the code, and complete in every shipped language."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tripplan._i18n import catalog_languages, translations

LOCALE = Path(__file__).parent.parent / "src" / "tripplan" / "locale"


def msgids(path: Path) -> set[str]:
    with path.open("rb") as f:
        return {str(m.id) for m in read_po(f) if m.id}


def test_template_is_up_to_date_with_the_code(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.pot"
    root = LOCALE.parent.parent.parent
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "L",
            "-k",
            "N_",
            "--no-location",
            "-o",
            str(fresh),
            "src/tripplan",
        ],
        cwd=root,
        check=True,
        capture_output=True,
    )
    assert msgids(fresh) == msgids(LOCALE / "tripplan.pot"), (
        "run the pybabel extract/update steps in docs/translating.md"
    )


@pytest.mark.parametrize("language", ["en", "es"])
def test_catalog_is_complete(language: str) -> None:
    with (LOCALE / language / "LC_MESSAGES" / "tripplan.po").open("rb") as f:
        catalog = read_po(f)
    missing = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
    assert missing == []
    assert {str(m.id) for m in catalog if m.id} == msgids(LOCALE / "tripplan.pot")


def test_placeholders_survive_translation() -> None:
    with (LOCALE / "es" / "LC_MESSAGES" / "tripplan.po").open("rb") as f:
        for message in read_po(f):
            if message.id:
                assert placeholders(message.id) == placeholders(message.string), message.id


def placeholders(text: object) -> list[str]:
    return sorted(part.split("}")[0] for part in str(text).split("{")[1:])


def test_negotiation() -> None:
    assert catalog_languages() == ("en", "es")
    assert translations("es_CL").gettext("Flight") == "Vuelo"
    assert translations("pt_BR").gettext("Flight") == "Flight"  # no catalog yet: English labels
