"""What a reader sees of the seed-1 DSMB report: no code-list code or id in the text, and the
simulated data said on every section.

Scanned: the rendered HTML's text nodes (:func:`.truth.visible_text`), i.e. what a reader sees
- not tags, attributes, ids, links or the CSV file names in them, nor the stylesheet. A code
here is an identifier no reader should meet: a code-list code written with ``_`` or ``-``
(``disease_progression``, ``continue_systemic``, ``screen_failure``, ``part_a``,
``non-CR-non-PD``), an agent id (``hipec-paclitaxel``, ``s-1``; the agent's name ``S-1`` is
not one), a visit or phase id (``tumour-assessment-preop``, ``maintenance-operated``). The
cytoreduction scores ``CC-0`` … ``CC-3`` are the clinical notation itself (their labels start
with them) and are not counted.

The whole report is scanned, and the tables that once showed codes (population rules,
morbidity listings, the course listing, data-quality notes) each have their own test.
"""

from __future__ import annotations

import re

import pytest

from .truth import Built, body, find_table, visible_text

WORD = re.compile(r"[A-Za-z0-9][\w-]*[A-Za-z0-9]")



@pytest.fixture(scope="module")
def codes(built: Built) -> set[str]:
    p = built.protocol
    found = {item.code for cl in p.codelists if cl.id != "cc-score" for item in cl.items
             if "_" in item.code or "-" in item.code}
    found |= {a.id for a in p.agents if "-" in a.id}
    found |= {v.id for v in p.visits if "-" in v.id} | {ph.id for ph in p.phases if "-" in ph.id}
    return found


def leaked(text: str, codes: set[str]) -> set[str]:
    return set(WORD.findall(text)) & codes


def test_the_scanner_sees_codes_in_text_and_not_in_attributes(codes: set[str]) -> None:
    html = ('<p title="disease_progression" id="s-1">S-1 given; <a href="listings/x_y.csv">file</a></p>'
            '<table id="t"><tr><td>continue_systemic</td></tr></table>')
    assert leaked(visible_text(html), codes) == {"continue_systemic"}
    assert leaked(visible_text(html, skip=frozenset({"t"})), codes) == set()


def test_no_code_reaches_the_reader_anywhere_in_the_html(built: Built, codes: set[str]) -> None:
    assert leaked(visible_text(built.html), codes) == set()


def _cells(built: Built, table_id: str) -> str:
    table = find_table(built.report, table_id)
    return " ".join(c for row in body(table) for c in row)


def test_population_rules_name_the_agent_and_the_operation_in_words(built: Built, codes: set[str]) -> None:
    assert leaked(_cells(built, "table-populations"), codes) == set()


@pytest.mark.parametrize("listing", ["records-surgical-morbidity-30d-itt", "records-surgical-morbidity-90d-itt",
                                     "records-surgical-morbidity-30d-operated",
                                     "records-surgical-morbidity-90d-operated"])
def test_morbidity_listings_name_the_operation_in_words(built: Built, codes: set[str], listing: str) -> None:
    assert leaked(_cells(built, listing), codes) == set()


def test_course_listing_shows_study_part_and_response_in_words(built: Built, codes: set[str]) -> None:
    assert leaked(_cells(built, "listing-courses"), codes) == set()


def test_data_quality_notes_name_the_agent_in_words(built: Built, codes: set[str]) -> None:
    assert leaked(_cells(built, "listing-data-quality"), codes) == set()


def test_every_section_says_the_data_are_simulated(built: Built) -> None:
    sections = built.html.count('<section id="')
    notices = built.html.count('<p class="data-notice-inline" role="note">SIMULATED DATA: virtual participants, '
                               'not patients</p>')
    assert sections > 10
    assert notices == sections
