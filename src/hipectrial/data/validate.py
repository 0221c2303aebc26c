"""Check a ``TrialData`` against its protocol: every record that contradicts it, located."""

from __future__ import annotations

from hipectrial.data.check_events import (
    check_adverse_events,
    check_doses,
    check_follow_ups,
    check_surgeries,
    check_tumour_assessments,
)
from hipectrial.data.check_forms import check_form_records, check_lab_results
from hipectrial.data.check_people import check_participants, check_sites, check_trial, check_visits
from hipectrial.data.findings import Checker, Finding
from hipectrial.data.trial import TrialData
from hipectrial.data.vocab import RecordKind
from hipectrial.protocol import Protocol

_CHECKS = (
    check_trial, check_sites, check_participants, check_visits, check_form_records, check_doses,
    check_adverse_events, check_lab_results, check_tumour_assessments, check_surgeries,
    check_follow_ups,
)


def validate(trial: TrialData, protocol: Protocol) -> list[Finding]:
    """Every record of ``trial`` that contradicts ``protocol`` or itself.

    Checks (errors unless marked *warning*):

    * trial: built under another protocol id (*warning* for another version);
    * ids: duplicate site, participant, visit or form-record keys; a participant id not
      prefixed by its site id; a record about a participant who is not in the data; an
      unknown site, cohort, dose level, visit, form, field, agent or phase;
    * codes of typed fields: an end-of-treatment or end-of-study reason, a cause of death or
      an operation that is not in its protocol code list (``vocab.CODED_FIELDS``);
    * CRF values: wrong type for the field, a code not in the field's code list, a number
      outside the field's min/max (naming field, value, range and unit), more decimals than
      the field records (*warning*), a required field left blank where it is shown
      (*warning*), a failing edit check (at the check's severity), a form not of its
      visit or with no visit record (*warnings*), a repeat number on a form that does not
      repeat or none on one that does. Edit checks and ``show_if`` conditions run on the
      record's own values; one that needs values of another form is not decided here;
    * identity: a ``sex``, ``birth_date`` or ``consent_date`` on the ``demographics`` form
      that differs from the participant record's (the one source of them; a blank one does
      not contradict), naming the field, the form's value and the record's;
    * visits: an occurrence beyond what the schedule allows; a visit of another cohort;
    * units: a lab result in a unit other than the one the protocol's field with that
      CDISC code declares (then its min/max apply); a dose in a unit other than the
      agent's dose-rule unit, its dose-level unit, or ``mg``; an unknown unit;
    * doses: an agent the participant's cohort does not receive or not given in the phase,
      a cycle beyond the phase, a day that is not a dosing day (*warning*), a given dose
      differing from the prescribed one without a reason (*warning*);
    * adverse events: attribution to an unknown agent or one the cohort does not receive;
      grade 5 without outcome fatal and the reverse; a DLT not attributed to any agent
      (*warning*);
    * dates out of order: birth, consent, registration, off treatment, off study; an AE
      resolved before onset; a visit, dose or surgery before registration (screening and
      unscheduled visits excepted) or with no registration; a complication before its
      surgery; progression or death after the follow-up that reports it, or before
      registration; any record after the participant's death; dates before consent
      (*warning* for labs, AEs and tumour assessments, which may predate consent).

    Findings come in document order: the trial first, then by record kind (sites,
    participants, visits, form records, doses, adverse events, lab results, tumour
    assessments, surgeries, follow-ups) and position.

    Parameters
    ----------
    trial
        The records to check.
    protocol
        The protocol they were captured under.

    Returns
    -------
    list of Finding
        Empty when nothing contradicts the protocol.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from hipectrial.protocol import load_protocol
    >>> protocol = load_protocol()
    >>> trial = TrialData(protocol_id="HIPEC-PD1-SOX", protocol_version="0.9",
    ...                   generated_at=datetime(2025, 3, 1, tzinfo=timezone.utc))
    >>> for finding in validate(trial=trial, protocol=protocol):
    ...     print(finding)
    warning protocol_version (HIPEC-PD1-SOX): the data were built under protocol version '0.9'; ...
    """
    checker = Checker(trial=trial, protocol=protocol)
    for check in _CHECKS:
        check(checker)
    order = list(RecordKind)
    return sorted(checker.findings, key=lambda f: (order.index(f.kind), f.index or 0))
