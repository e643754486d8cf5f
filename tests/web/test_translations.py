"""The message catalogs: every message of the interface is translated into Danish and
English, and the compiled catalogs the app loads match their sources."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from ideabox.platform import i18n

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = ROOT / "ideabox" / "translations"


def _catalog(lang: str, kind: str):  # type: ignore[no-untyped-def]
    path = CATALOGS / lang / "LC_MESSAGES" / f"messages.{kind}"
    with path.open("rb") as handle:
        return read_po(handle) if kind == "po" else read_mo(handle)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> set[object]:
    """Every message the templates and the code ask for, as the extractor finds them."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    pybabel = str(Path(sys.executable).parent / "pybabel")
    subprocess.run([pybabel, "-q", "extract", "-F", "babel.cfg", "-k", "N_", "--no-location",
                    "-o", str(pot), "."],
                   cwd=ROOT, capture_output=True, check=True)
    with pot.open("rb") as handle:
        return {message.id for message in read_po(handle) if message.id}


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_message_is_translated(lang: str, extracted: set[object]) -> None:
    catalog = _catalog(lang, "po")
    translated = {m.id for m in catalog if m.id and m.string and
                  (all(m.string) if isinstance(m.string, tuple) else True)}
    assert extracted - translated == set(), f"untranslated in {lang}"
    assert not [m.id for m in catalog if m.fuzzy and m.id]


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_compiled_catalog_matches_its_source(lang: str) -> None:
    def plain(value: object) -> object:
        return tuple(value) if isinstance(value, list | tuple) else value

    source = {plain(m.id): plain(m.string) for m in _catalog(lang, "po") if m.id}
    compiled = {plain(m.id): plain(m.string) for m in _catalog(lang, "mo") if m.id}
    assert compiled == source, "run: pybabel compile -d ideabox/translations"


def test_danish_dates_and_numbers() -> None:
    from datetime import date
    assert i18n.format_date("da", date(2026, 11, 26)) == "26. november 2026"
    assert i18n.format_number("da", 1234) == "1.234"
    assert i18n.format_number("en", 1234) == "1,234"
    assert i18n.format_month("da", date(2026, 11, 1)) == "november 2026"


def test_language_negotiation() -> None:
    assert i18n.negotiate(None, "en-US,en;q=0.9", "da") == "en"
    assert i18n.negotiate(None, "de-DE,en;q=0.5,da;q=0.8", "da") == "da"
    assert i18n.negotiate(None, "fr", "da") == "da"
    assert i18n.negotiate("en", "da", "da") == "en"
    assert i18n.negotiate("xx", None, "en") == "en"
