"""The files that set a REDCap project up besides its dictionary: arms, events, the
instrument-event mapping, the repeating instruments and events, and a README.

Formats are REDCap's (15.7.6): arms ``arm_num,name`` (``Classes/Arm.php``, names up to 50
characters); events ``event_name,arm_num,day_offset,offset_min,offset_max,
unique_event_name,custom_event_label`` (``Classes/Event.php``, ``addEvents``: event names up
to 30 characters; a ``unique_event_name`` not yet in the project creates the event);
mapping ``arm_num,unique_event_name,form`` (``Event::saveEventMapping``); repeating
instruments and events ``event_name,form_name,custom_form_label`` with the unique event name
and an empty ``form_name`` for a repeating event (``API/repeatingFormsEvents/import.php``;
REDCap sets repetition in its API or its Project Setup page, not in a CSV upload).

``day_offset`` is the event's position: the protocol's visit days count from different
anchors (registration, HIPEC, cycle start, surgery, last dose), which REDCap's one-offset
scheduling cannot state, so the offsets only order the events as the protocol does.
"""

from __future__ import annotations

import textwrap

from hipectrial.export.redcap.design import (
    ARM,
    ARM_NAME,
    PARTICIPANT_EVENT,
    STUDY_EVENT,
    TYPED_PREFIX,
    Project,
)
from hipectrial.export.redcap.dictionary import DataDictionary, csv_text
from hipectrial.export.redcap.languages import LANGUAGE_KEY
from hipectrial.protocol import Protocol

DICTIONARY = "redcap_data_dictionary.csv"
ARMS = "redcap_arms.csv"
EVENTS = "redcap_events.csv"
MAPPING = "redcap_instrument_event_mapping.csv"
REPEATING = "redcap_repeating_instruments_events.csv"
LANGUAGE = f"redcap_mlm_{LANGUAGE_KEY}.json"
RECORDS = "redcap_records.csv"
README = "README.txt"


def arms_csv(project: Project) -> str:
    return csv_text((("arm_num", "name"), (str(ARM), ARM_NAME)))


def events_csv(project: Project) -> str:
    rows = [("event_name", "arm_num", "day_offset", "offset_min", "offset_max", "unique_event_name",
             "custom_event_label")]
    rows += [
        (e.name, str(ARM), str(e.day_offset), "0", "0", e.unique_name, e.label_en) for e in project.events
    ]
    return csv_text(tuple(rows))


def mapping_csv(project: Project) -> str:
    rows = [("arm_num", "unique_event_name", "form")]
    rows += [(str(ARM), d.event.unique_name, d.instrument.name) for d in project.designations]
    return csv_text(tuple(rows))


def repeating_rows(project: Project) -> tuple[tuple[str, str, str], ...]:
    rows: list[tuple[str, str, str]] = []
    for event in project.events:
        if event.repeats:
            rows.append((event.unique_name, "", ""))
        rows += [(event.unique_name, d.instrument.name, "") for d in project.designations
                 if d.event is event and d.repeating]
    return tuple(rows)


def repeating_csv(project: Project) -> str:
    return csv_text((("event_name", "form_name", "custom_form_label"), *repeating_rows(project)))


def readme_text(
    *, protocol: Protocol, project: Project, dictionary: DataDictionary, with_records: bool
) -> str:
    """The project's setup instructions (deterministic text)."""
    study = protocol.study
    repeating_events = [e.unique_name for e in project.events if e.repeats]
    lines = [
        f"REDCap project files for {study.id} ({study.short_title}), protocol version {study.version}",
        "Written by hipectrial (`hipectrial export redcap`).",
        "",
        "FILES",
        f"  {DICTIONARY}  data dictionary: {len(project.instruments)} instruments, "
        f"{len(dictionary.rows)} variables",
        f"  {ARMS}  one arm ({ARM_NAME})",
        f"  {EVENTS}  {len(project.events)} events: '{PARTICIPANT_EVENT}' (the participant's typed records),",
        f"      one per protocol visit, '{STUDY_EVENT}' (the trial and its sites)",
        f"  {MAPPING}  which instruments are entered at which event ({len(project.designations)} pairs)",
        f"  {REPEATING}  repeating events and repeating instruments",
        f"  {LANGUAGE}  Simplified Chinese labels (REDCap Multi-Language Management)",
    ]
    if with_records:
        lines.append(f"  {RECORDS}  the trial's data as a REDCap flat record file (raw values)")
    lines += [
        "",
        "SETTING UP THE PROJECT (file formats as REDCap 15.7.6 reads them)",
        "  1. Create a project; in Project Setup enable 'Use longitudinal data collection with defined",
        "     events' and 'Repeating instruments and events'; disable record auto-numbering (record IDs",
        f"     are participant IDs; the trial's own record is {project.study_record}).",
        f"  2. Project Setup > Data Dictionary: upload {DICTIONARY}.",
        f"  3. Define My Events > Upload or download arms/events: upload {ARMS}, then {EVENTS};",
        "     delete REDCap's default event 'Event 1'.",
        "  4. Designate Instruments for My Events > Upload or download instrument mappings:",
        f"     upload {MAPPING}.",
        f"  5. Repeating instruments and events: import {REPEATING} with the API",
        "     (content=repeatingFormsEvents, format=csv), or tick them by hand in Project Setup:",
    ]
    lines += [f"       {event}: {form or 'the whole event repeats'}"
              for event, form, _ in repeating_rows(project)]
    lines += [
        f"  6. Multi-Language Management > Add a new language > import {LANGUAGE}.",
    ]
    if with_records:
        lines.append(f"  7. Data Import Tool: upload {RECORDS} (CSV, raw values, dates Y-M-D).")
    lines += [
        "",
        "HOW THE TRIAL IS LAID OUT",
        "  A record is a participant; each protocol visit is an event; each CRF an instrument named by",
        "  its form id, its fields keeping their protocol ids. The typed records of the trial (visits,",
        "  doses, adverse events, labs, tumour assessments and lesions, operations and complications,",
        f"  follow-ups) are instruments rec_<table> at the '{PARTICIPANT_EVENT}' event, their variables",
        *textwrap.wrap("prefixed: " + ", ".join(f"{t} {p}_" for t, p in TYPED_PREFIX.items()) + ".",
                       width=92, initial_indent="  ", subsequent_indent="  "),
        "  REDCap cannot repeat an instrument inside a repeating event: a visit that repeats is a",
        "  repeating event only when none of its forms repeats"
        + (f" ({', '.join(repeating_events)})" if repeating_events else "") + "; otherwise its forms",
        "  are repeating instruments there, and a repeating form's records carry their visit",
        "  occurrence and repeat number (<form>_visit_repeat, <form>_repeat).",
        "  The protocol's visit windows and cohort restrictions are in the event labels, not enforced by",
        "  REDCap; edit checks are not carried (REDCap keeps them as Data Quality rules, set by hand);",
        "  the protocol marks no identifiers, so mark the dictionary's 'Identifier?' as your",
        "  institution requires (e.g. dates of birth).",
    ]
    if dictionary.refusals:
        lines += [
            "",
            "SHOW-IF CONDITIONS WITHOUT BRANCHING LOGIC (the field is always shown; its note says when",
            "to answer it)",
        ]
        lines += [f"  {r}" for r in dictionary.refusals]
    if dictionary.long_names:
        lines += [
            "",
            f"VARIABLE NAMES LONGER THAN REDCAP'S RECOMMENDED 26 CHARACTERS ({len(dictionary.long_names)};",
            "REDCap warns and accepts them, up to 100)",
        ]
        lines += [f"  {name}" for name in dictionary.long_names]
    return "\n".join(lines) + "\n"
