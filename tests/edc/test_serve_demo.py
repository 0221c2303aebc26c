"""The main job: ``hipectrial serve --demo`` on a new data directory seeds the demonstration
database, prints the URL and serves it with gunicorn; a coordinator logs in and sees their
site's participants."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.edc.processes import Browser, Server, free_port

pytestmark = pytest.mark.timeout(300)


def test_serve_demo_serves_a_working_edc(tmp_path: Path) -> None:
    from hipectrial.protocol import load_protocol

    study = load_protocol().study.id
    port = free_port()
    server = Server(tmp_path / "serve.log", "--demo", "--data-dir", tmp_path / "demo", "--port", str(port),
                    "--workers", "1", "--threads", "2")
    try:
        server.wait_ready(port)
        printed = server.output()
        assert f"Open http://127.0.0.1:{port}/" in printed
        assert "demo-coordinator " in printed
        assert "demo-coordinator-2026" in printed

        browser = Browser(f"http://127.0.0.1:{port}")
        status, _, page = browser.get("/accounts/login/")
        assert status == 200
        assert study in page
        status, url, page = browser.login("demo-coordinator", "demo-coordinator-2026")
        assert status == 200
        assert not url.endswith("/accounts/login/"), page
        assert 'data-testid="participant-list"' in page
        table = page[page.index('data-testid="participant-list"'):]
        shown = set(re.findall(r">([A-Z]{2}\d{2})-\d{3}<", table))
        assert len(re.findall(r">[A-Z]{2}\d{2}-\d{3}<", table)) > 5
        assert len(shown) == 1  # the coordinator's own site only
        site = shown.pop()
        assert re.search(rf"demo-coordinator\s+demo-coordinator-2026\s+coordinator at {site}\b", printed)

        _, url, page = Browser(f"http://127.0.0.1:{port}").login("demo-coordinator", "wrong-password")
        assert url.endswith("/accounts/login/")
        assert 'data-testid="participant-list"' not in page
    finally:
        server.stop()
    assert server.process.returncode is not None
