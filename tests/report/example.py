"""A small but complete example report, shared by the report tests.

It has every block kind: a 200-row listing in the appendix, shown inline (200 rows is the
default inline limit; it forces page splits), a 450-row adverse-event listing shown as its
summary, a figure drawn with matplotlib's object API (Agg, no pyplot), metrics and a table
cell that link to appendix targets, a callout of each kind, HTML-like text that must be
shown literally, non-ASCII text ("≥", "±", "µ", "–", a Chinese label), and a data notice.
"""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta, timezone

from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure as MplFigure

from hipectrial.report.document import (
    Align,
    BulletList,
    Callout,
    CalloutKind,
    Cell,
    Column,
    Figure,
    Listing,
    Metric,
    MetricGrid,
    Paragraph,
    Report,
    Section,
    Table,
)

CHINESE_LABEL = "腹腔热灌注化疗"  # "hyperthermic intraperitoneal chemotherapy"
SCRIPT_TEXT = "<script>alert('x')</script> & <b>not bold</b>"
LAST_ROW_ID = "P-200"
CONFIDENTIALITY = "Closed report — for the DSMB only"
DATA_NOTICE = "SIMULATED DATA — virtual participants, not patients"
AE_ROWS = 450
TERMS = ("Neutrophil count decreased", "Diarrhoea", "Peripheral sensory neuropathy")


def tiny_plot(*, svg: bool) -> tuple[bytes, bytes | None]:
    """A small bar chart as PNG (and SVG when asked), deterministic."""
    figure = MplFigure(figsize=(4, 2.5), dpi=60)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.bar(["DL1", "DL2", "DL3"], [0, 1, 2], color="0.4")
    axes.set_ylabel("DLTs")
    png = io.BytesIO()
    figure.savefig(png, format="png", metadata={"Software": None})
    if not svg:
        return png.getvalue(), None
    vector = io.BytesIO()
    with rc_context({"svg.hashsalt": "hipectrial-tests"}):  # stable clip-path ids across runs
        figure.savefig(vector, format="svg", metadata={"Date": None})
    return png.getvalue(), vector.getvalue()


def listing_rows(count: int = 200) -> tuple[tuple[str, str, int, float | None], ...]:
    return tuple((f"P-{i:03d}", f"Site {1 + i % 4}", i % 5, None if i % 7 == 0 else round(i * 0.5, 1))
                 for i in range(1, count + 1))


def ae_rows(count: int = AE_ROWS) -> tuple[tuple[str, str, str, int], ...]:
    """Participant SH01-001… (30 of them), onset date, term, grade 3 or 4."""
    return tuple((f"SH01-{1 + i % 30:03d}", f"2028-{1 + i % 12:02d}-{1 + i % 28:02d}", TERMS[i % 3], 3 + i % 2)
                 for i in range(count))


def ae_listing() -> Listing:
    """450 rows: summarised. Terms cycle with i % 3 and grades with i % 2, so each term has
    150 events, 75 of grade 3 and 75 of grade 4 (150 = 450 / 3; 75 = 150 / 2, since 3 and
    2 are coprime every term meets both grades equally)."""
    columns = (Column(name="Participant"), Column(name="Onset"), Column(name="Term"),
               Column(name="Grade", align=Align.RIGHT))
    summary = Table(caption="events by term and grade",
                    columns=(Column(name="Term"), Column(name="Grade 3", align=Align.RIGHT),
                             Column(name="Grade 4", align=Align.RIGHT)),
                    rows=tuple((term, 75, 75) for term in TERMS), note="Counts of events, not participants.")
    return Listing(table=Table(id="tbl-ae", caption="Adverse events of grade ≥ 3", columns=columns,
                               rows=ae_rows(), note="Grades by CTCAE v5.0."),
                   name="ae-severe", summary=summary)


def example_report(*, svg: bool = True, title: str = "DSMB report") -> Report:
    png, vector = tiny_plot(svg=svg)
    listing = Table(
        id="tbl-listing", caption="Participants behind the R0 rate",
        columns=(Column(name="Participant"), Column(name="Site"), Column(name="PCI", align=Align.RIGHT),
                 Column(name="CEA (µg/L)", align=Align.RIGHT)),
        rows=listing_rows(), note="Empty CEA: not measured.")
    summary = Section(id="summary", title="Summary", blocks=(
        Paragraph(text="Enrolment is **on track**; *all* sites active. Ages ≥ 18 y, mean ± SD."),
        Paragraph(text=SCRIPT_TEXT),
        MetricGrid(metrics=(
            Metric(label="R0 resection (ITT)", value="9/31 = 29.0 %", detail="95 % CI 14.2–48.0",
                   link="tbl-listing"),
            Metric(label="Enrolled", value="31"),
            Metric(label="Serious AEs", value="4", link="listing"),
            Metric(label=f"{CHINESE_LABEL} cycles", value="62"),
            Metric(label="Grade ≥ 3 AEs", value="26/62\u00a0=\u00a041.9\u00a0%",
                   detail="95\u00a0% CI 29.5–55.2; exact Clopper-Pearson interval; 450 events in 30 participants",
                   link="tbl-ae"))),
        Callout(kind=CalloutKind.INFO, title="Data current to the cut-off", text="Queries open: 3."),
        Callout(kind=CalloutKind.OK, title="Simon stage 1: continue", text="≥ 3 responses of 13."),
        Callout(kind=CalloutKind.WARNING, title="Site 3 behind schedule"),
        Callout(kind=CalloutKind.STOP, title="BOIN: eliminate dose level 3", text="P(DLT rate > φ) > 0.95."),
    ))
    safety = Section(id="safety", title="Safety", blocks=(
        BulletList(items=("No deaths on treatment.", "Grade ≥ 3 neutropenia in *two* participants.")),
        Table(id="tbl-dlt", caption="DLTs by dose level",
              columns=(Column(name="Dose level"), Column(name="Treated", align=Align.RIGHT),
                       Column(name="DLTs", align=Align.RIGHT)),
              rows=(("DL1", 3, Cell(text="0", link="tbl-listing")), ("DL2", 6, 1), ("DL3", 3, 2))),
        Figure(id="fig-dlt", caption="DLTs by dose level", png=png, svg=vector, width_in=4.0),
    ), subsections=(
        Section(id="safety-labs", title="Laboratory", blocks=(
            Paragraph(text=f"Protocol label: {CHINESE_LABEL} (HIPEC)."),)),
    ))
    appendix = (
        Section(id="listing", title="Listings", blocks=(
            Paragraph(text="Listings follow."), Listing(table=listing, name="participants"), ae_listing())),
    )
    return Report(
        title=title, subtitle="Interim analysis 1", trial_id="HIPEC-GC-01", protocol_version="2.1",
        data_cutoff=date(2025, 6, 30),
        generated_at=datetime(2025, 7, 1, 9, 30, tzinfo=timezone(timedelta(hours=8))),
        confidentiality=CONFIDENTIALITY, sections=(summary, safety), appendix=appendix,
        data_notice=DATA_NOTICE)
