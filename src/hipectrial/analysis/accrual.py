"""Accrual by site and month, and how current each site's data are.

* **By site** — the site's activation date, people screened (everyone who consented),
  registered, and the first and last registration dates.
* **By month** — every calendar month from the first site activation (or the first consent,
  if earlier) to the cut-off month, **months without anyone included** (a pause in accrual is
  what a safety board asks about): people screened (by consent date) and registered (by
  registration date), in total and per site.
* **Data currency per site** — registered participants; the last visit done
  (``Visit.actual_date``) and the days from it to the cut-off; the last data entry (the
  latest ``entered_at`` or ``changed_at`` of the provenance of any record about the site's
  participants; ``None`` when the records carry no provenance); records entered late: a
  record whose provenance ``entered_at`` date is more than the protocol's
  ``data_management.entry_within_days`` after the date of what it records (the visit, dose,
  adverse-event onset, lab, assessment, operation or contact date; a CRF record by its
  visit's date); and the open validation warnings about those participants' records.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from hipectrial.analysis.data_check import DataWarning, record_subject, visit_dates
from hipectrial.data import Provenance, TrialData, Visit
from hipectrial.protocol import Protocol


@dataclass(frozen=True, slots=True)
class SiteAccrual:
    site_id: str
    name: str
    activation_date: dt.date | None
    screened: int
    registered: int
    first_registration: dt.date | None
    last_registration: dt.date | None


@dataclass(frozen=True, slots=True)
class MonthAccrual:
    """One calendar month (``YYYY-MM``); ``registered_by_site`` in the order of ``Accrual.site_ids``."""

    month: str
    screened: int
    registered: int
    registered_by_site: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Accrual:
    site_ids: tuple[str, ...]
    by_site: tuple[SiteAccrual, ...]
    by_month: tuple[MonthAccrual, ...]


@dataclass(frozen=True, slots=True)
class SiteCurrency:
    site_id: str
    registered: int
    last_visit: dt.date | None
    days_since_last_visit: int | None
    last_entry: dt.date | None
    records: int
    records_with_entry_date: int
    entered_late: int
    late_keys: tuple[str, ...]
    open_warnings: int


@dataclass(frozen=True, slots=True)
class DataCurrency:
    entry_within_days: int | None
    sites: tuple[SiteCurrency, ...]


def _month(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _months(first: dt.date, last: dt.date) -> list[str]:
    """Every month from ``first``'s to ``last``'s, both included.

    >>> _months(dt.date(2027, 11, 30), dt.date(2028, 2, 1))
    ['2027-11', '2027-12', '2028-01', '2028-02']
    """
    out = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def accrual(trial: TrialData, cutoff: dt.date) -> Accrual:
    """Accrual by site (data's site order, then sites only named by participants) and by month,
    to the cut-off's month."""
    site_ids = [s.id for s in trial.sites]
    site_ids += sorted({p.site_id for p in trial.participants} - set(site_ids))
    names = {s.id: s.name for s in trial.sites}
    activation = {s.id: s.activation_date for s in trial.sites}
    by_site = []
    for sid in site_ids:
        people = [p for p in trial.participants if p.site_id == sid]
        registrations = sorted(p.registration_date for p in people if p.registration_date is not None)
        by_site.append(SiteAccrual(sid, names.get(sid, sid), activation.get(sid), len(people),
                                   len(registrations), registrations[0] if registrations else None,
                                   registrations[-1] if registrations else None))
    starts = [d for d in activation.values() if d is not None] + [p.consent_date for p in trial.participants]
    starts = [d for d in starts if d <= cutoff]
    if not starts:
        return Accrual(tuple(site_ids), tuple(by_site), ())
    screened = Counter(_month(p.consent_date) for p in trial.participants)
    registered = Counter((_month(p.registration_date), p.site_id) for p in trial.participants
                         if p.registration_date is not None)
    months = []
    for month in _months(min(starts), cutoff):
        per_site = tuple(registered[(month, sid)] for sid in site_ids)
        months.append(MonthAccrual(month, screened[month], sum(per_site), per_site))
    return Accrual(tuple(site_ids), tuple(by_site), tuple(months))


def _entry_dates(provenance: Provenance | None) -> tuple[dt.date | None, dt.date | None]:
    """(date first entered, date last entered or changed), each in its own UTC offset."""
    if provenance is None:
        return None, None
    entered = provenance.entered_at.date()
    changed = provenance.changed_at.date() if provenance.changed_at is not None else None
    return entered, max(entered, changed) if changed is not None else entered


def data_currency(*, trial: TrialData, protocol: Protocol, cutoff: dt.date,
                  warnings: Sequence[DataWarning]) -> DataCurrency:
    """How current each site's data are (module docstring) in ``trial`` as known at ``cutoff``
    (:func:`~hipectrial.analysis.cutoff.at_cutoff`); ``warnings`` are its validation warnings
    (:meth:`~hipectrial.analysis.data_check.DataCheck.as_of`)."""
    within = protocol.data_management.entry_within_days if protocol.data_management else None
    site_of = {p.id: p.site_id for p in trial.participants}
    dates = visit_dates(trial)
    last_visit: dict[str, dt.date] = {}
    last_entry: dict[str, dt.date] = {}
    records: Counter[str] = Counter()
    dated: Counter[str] = Counter()
    late: dict[str, list[str]] = {}
    for _kind, _index, record in trial.all_records():
        found = record_subject(record, dates)
        if found is None:
            continue
        pid, when = found
        site = site_of.get(pid)
        if site is None:
            continue
        records[site] += 1
        if isinstance(record, Visit) and record.actual_date is not None:
            last_visit[site] = max(last_visit.get(site, record.actual_date), record.actual_date)
        entered, latest = _entry_dates(record.provenance)
        if entered is None or latest is None:
            continue
        dated[site] += 1
        last_entry[site] = max(last_entry.get(site, latest), latest)
        if within is not None and when is not None and (entered - when).days > within:
            late.setdefault(site, []).append(record.key)
    open_warnings = Counter(w.site_id for w in warnings if w.site_id is not None)
    sites = []
    for row in accrual(trial, cutoff).by_site:
        sid = row.site_id
        seen = last_visit.get(sid)
        sites.append(SiteCurrency(sid, row.registered, seen, (cutoff - seen).days if seen else None,
                                  last_entry.get(sid), records[sid], dated[sid], len(late.get(sid, ())),
                                  tuple(late.get(sid, ())), open_warnings[sid]))
    return DataCurrency(within, tuple(sites))
