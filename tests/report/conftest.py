"""Renders the example report once per test session (rendering the PDF takes ~0.5 s), and builds
the seed-1 trial with its DSMB report once for the truth tests."""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from hipectrial.report.document import Report
from hipectrial.report.html import render_html
from hipectrial.report.pdf import render_pdf

from .example import example_report
from .truth import Built, Records, index, seed1


@pytest.fixture(scope="session")
def report() -> Report:
    return example_report()


@pytest.fixture(scope="session")
def html(report: Report) -> str:
    return render_html(report=report)


@pytest.fixture(scope="session")
def pdf(report: Report) -> bytes:
    return render_pdf(report=report)


@pytest.fixture(scope="session")
def reader(pdf: bytes, tmp_path_factory: pytest.TempPathFactory) -> PdfReader:
    path = tmp_path_factory.mktemp("pdf") / "report.pdf"
    path.write_bytes(pdf)
    return PdfReader(path)


@pytest.fixture(scope="session")
def page_texts(reader: PdfReader) -> list[str]:
    return [page.extract_text() for page in reader.pages]


@pytest.fixture(scope="session")
def built() -> Built:
    """The seed-1 simulated trial and its DSMB report (the truth tests read it)."""
    return seed1()


@pytest.fixture(scope="session")
def records(built: Built) -> Records:
    return index(built.trial)
