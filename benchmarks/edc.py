"""Benchmark: the EDC's main job and its pages, as a user meets them.

* ``hipectrial serve --demo --prepare-only`` on a new data directory (what the README's main
  command does before it serves: migrations, the demo trial simulated, 8 users with Argon2
  passwords, every record imported with its audit entry), against the baseline measured in
  the same run: ``hipectrial simulate`` of the same demo trial written to a file (the
  simulation alone). Wall time (median and minimum of the repeats) and the ratio.
* Pages of the served demo (gunicorn, as ``hipectrial serve`` runs it), logged in as the
  demo coordinator: the participant list, a registered participant's page (eligibility
  panel or timeline from the core) and a CRF page; median of repeated requests, against the
  login page (no database work beyond the session) as baseline.

Run: ``python benchmarks/edc.py [--repeat N]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.cookiejar
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

BIN = Path(sys.executable).with_name("hipectrial")


def _run(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        [str(BIN), *args], check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - start


def _env() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "HIPECTRIAL_DATA_DIR")
    }
    env["HIPECTRIAL_CACHE_DIR"] = ""
    return env


def _simulate_baseline(folder: Path, env: dict[str, str]) -> float:
    """The demo trial simulated and written (the same trial serve --demo imports)."""
    code = (
        "import datetime as dt, pathlib, sys; from hipectrial.edc.bootstrap import setup; "
        f"setup(pathlib.Path({str(folder / 'sim')!r})); from hipectrial.edc.demo import demo_trial; "
        f"pathlib.Path({str(folder / 'trial.json')!r}).write_text(demo_trial(dt.date.today()).to_json())"
    )
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    return time.perf_counter() - start


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pages(folder: Path, env: dict[str, str], repeat: int) -> list[tuple[str, float, float]]:
    data = folder / "served"
    subprocess.run(
        [str(BIN), "serve", "--demo", "--prepare-only", "--data-dir", str(data)],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    port = _free_port()
    server = subprocess.Popen(
        [str(BIN), "serve", "--data-dir", str(data), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/accounts/login/", timeout=2)
                break
            except OSError:
                time.sleep(0.1)
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(base + "/accounts/login/").read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        body = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token,
                "username": "demo-coordinator",
                "password": "demo-coordinator-2026",
            }
        ).encode()
        listing = (
            opener.open(
                urllib.request.Request(
                    base + "/accounts/login/", data=body, headers={"Referer": base + "/accounts/login/"}
                )
            )
            .read()
            .decode()
        )
        pid = re.findall(r"/participants/([A-Z0-9]+-\d{3})/", listing)[0]
        urls = [
            ("login page (baseline)", "/accounts/login/"),
            ("participant list", "/"),
            (f"participant page {pid}", f"/participants/{pid}/"),
            ("CRF page (vital signs at screening)", f"/participants/{pid}/visits/screening/1/vital_signs/"),
        ]
        rows = []
        for label, path in urls:
            times = []
            for _ in range(repeat):
                start = time.perf_counter()
                opener.open(base + path).read()
                times.append(time.perf_counter() - start)
            rows.append((label, statistics.median(times), min(times)))
        return rows
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    env = _env()
    print(
        f"hipectrial EDC benchmark, {dt.date.today()}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}"
    )
    folder = Path(tempfile.mkdtemp(prefix="hipectrial-edc-bench-"))
    try:
        prepare, baseline = [], []
        for i in range(args.repeat):
            baseline.append(_simulate_baseline(folder / f"b{i}", env))
            prepare.append(
                _run(["serve", "--demo", "--prepare-only", "--data-dir", str(folder / f"d{i}")], env)
            )
        b, p = statistics.median(baseline), statistics.median(prepare)
        print(
            f"baseline: the demo trial simulated and written   median {b:6.2f} s  min {min(baseline):6.2f} s"
        )
        print(
            f"serve --demo --prepare-only (new data directory)  median {p:6.2f} s  min {min(prepare):6.2f} s"
            f"  ratio {p / b:4.2f}"
        )
        rows = _pages(folder, env, max(5, args.repeat * 3))
        login = rows[0][1]
        for label, median, low in rows:
            print(
                f"page: {label:40} median {median * 1000:7.1f} ms  min {low * 1000:7.1f} ms"
                f"  ratio {median / login:5.2f}"
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
