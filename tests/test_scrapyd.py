"""Scheduled crawls: the project deployed to a real Scrapyd with scrapyd-deploy, a job run to the end.

Scrapyd runs on 127.0.0.1 with a free port and a private working directory. The project is deployed
from a copy (scrapyd-deploy writes ``setup.py``, ``build/`` and ``*.egg-info`` next to
``scrapy.cfg``, and the copy's ``[deploy]`` URL points at this Scrapyd), so the repository is left as
it was. Needs ``scrapyd`` and ``scrapyd-client``; run with ``pytest -m scrapyd``.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import time
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from archive.layout import Layout
from tests.conftest import BIN, ROOT
from tests.fixtures.blogs import BLOGS
from tests.fixtures.server import FixtureServer
from tests.test_replay_tools import free_port, wait_for

pytestmark = pytest.mark.scrapyd
PROJECT = "blogarchive"
PACKAGES = ("crawler", "pipelines", "archive")


@dataclass
class Scrapyd:
    url: str
    root: Path

    def get(self, endpoint: str, **params: str) -> dict[str, Any]:
        query = urllib.parse.urlencode(params)
        with urllib.request.urlopen(f"{self.url}{endpoint}?{query}", timeout=10) as reply:
            data: dict[str, Any] = json.load(reply)
        return data

    def post(self, endpoint: str, fields: list[tuple[str, str]]) -> dict[str, Any]:
        body = urllib.parse.urlencode(fields).encode()
        with urllib.request.urlopen(self.url + endpoint, data=body, timeout=10) as reply:
            data: dict[str, Any] = json.load(reply)
        return data

    def log(self, job: str) -> str:
        logs = list((self.root / "logs").rglob(f"{job}.log"))
        return logs[0].read_text(errors="replace") if logs else "(no job log)"


def scrapyd_conf(root: Path, port: int) -> str:
    dirs = {name: root / name for name in ("eggs", "logs", "dbs")}
    for path in dirs.values():
        path.mkdir()
    return (f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\n"
            f"eggs_dir = {dirs['eggs']}\nlogs_dir = {dirs['logs']}\ndbs_dir = {dirs['dbs']}\n"
            "items_dir =\njobs_to_keep = 5\nmax_proc = 2\npoll_interval = 0.5\n")


@pytest.fixture(scope="module")
def scrapyd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scrapyd]:
    if shutil.which("scrapyd", path=str(BIN)) is None:
        pytest.fail("scrapyd is not installed in the test environment (pip install scrapyd)")
    root = tmp_path_factory.mktemp("scrapyd")
    port = free_port()
    (root / "scrapyd.conf").write_text(scrapyd_conf(root, port))
    log = (root / "scrapyd.out").open("wb")
    # The deployed egg's own settings, not the test suite's (tests/conftest.py sets both for crawls).
    env = {k: v for k, v in os.environ.items() if k not in ("SCRAPY_SETTINGS_MODULE", "PYTHONPATH")}
    process = subprocess.Popen([str(BIN / "scrapyd")], cwd=root, stdout=log, stderr=subprocess.STDOUT,
                               env=env)
    try:
        wait_for(port)
        yield Scrapyd(f"http://127.0.0.1:{port}/", root)
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()


def project_copy(target: Path, scrapyd_url: str) -> Path:
    """The files a deploy needs, with the ``[deploy]`` target pointed at ``scrapyd_url``."""
    for name in PACKAGES:
        shutil.copytree(ROOT / name, target / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, target / name)
    config = (ROOT / "scrapy.cfg").read_text()
    assert "url = http://127.0.0.1:6800/" in config
    (target / "scrapy.cfg").write_text(config.replace("url = http://127.0.0.1:6800/",
                                                      f"url = {scrapyd_url}"))
    return target


@pytest.fixture(scope="module")
def source(scrapyd: Scrapyd, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return project_copy(tmp_path_factory.mktemp("project"), scrapyd.url)


@pytest.fixture(scope="module")
def egg(source: Path) -> Path:
    """The egg ``scrapyd-deploy`` builds from the project (``--build-egg``)."""
    path = source.parent / "blogarchive.egg"
    before = sorted(p.name for p in ROOT.iterdir())
    result = subprocess.run([str(BIN / "scrapyd-deploy"), "--build-egg", str(path)], cwd=source,
                            capture_output=True, text=True, timeout=300, check=False)
    assert sorted(p.name for p in ROOT.iterdir()) == before, "the build left files in the repo"
    assert result.returncode == 0 and path.exists(), result.stderr[-3000:]
    return path


@pytest.fixture(scope="module")
def deployed(scrapyd: Scrapyd, source: Path, egg: Path) -> Path:
    """``scrapyd-deploy default`` (the ``[deploy]`` target of scrapy.cfg) with that egg."""
    result = subprocess.run([str(BIN / "scrapyd-deploy"), "default", "-v", "r1", "--egg", str(egg)],
                            cwd=source, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    answer = json.loads(result.stdout.strip().splitlines()[0])
    assert answer["status"] == "ok", answer.get("message", answer)
    assert scrapyd.get("listprojects.json")["projects"] == [PROJECT]
    assert scrapyd.get("listspiders.json", project=PROJECT)["spiders"] == ["blog"]
    [stored] = (scrapyd.root / "eggs" / PROJECT).glob("*.egg")
    return stored


def test_egg_holds_every_package_and_the_settings_entry_point(egg: Path) -> None:
    """Scrapyd's runner finds the settings module through the egg's ``scrapy`` entry point."""
    with zipfile.ZipFile(egg) as archive:
        names = archive.namelist()
        entry_points = archive.read("EGG-INFO/entry_points.txt").decode()
    for package in PACKAGES:
        assert f"{package}/__init__.py" in names, package
    assert "archive/cli/__init__.py" in names and "crawler/spiders/blog.py" in names
    assert "pipelines/text.py" in names
    assert not [n for n in names if n.startswith("tests/")], "the egg should not carry the tests"
    assert "[scrapy]" in entry_points and "settings = crawler.settings" in entry_points, entry_points


def test_scheduled_job_archives_every_post(scrapyd: Scrapyd, deployed: Path, server: FixtureServer,
                                           tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    server.reset()
    job = scrapyd.post("schedule.json", [
        ("project", PROJECT), ("spider", "blog"), ("url", server.urls["classic"]),
        ("setting", f"ARCHIVE_DIR={archive}"), ("setting", "AUTOTHROTTLE_ENABLED=0"),
        ("setting", "PROGRESS_INTERVAL=1"), ("setting", "ARCHIVE_REQUISITE_HOSTS=localhost"),
    ])
    assert job["status"] == "ok", job
    jobid = job["jobid"]
    deadline = time.monotonic() + 120
    state = "pending"
    while time.monotonic() < deadline:
        jobs = scrapyd.get("listjobs.json", project=PROJECT)
        finished = [j for j in jobs["finished"] if j["id"] == jobid]
        if finished:
            state = "finished"
            break
        time.sleep(0.5)
    log = scrapyd.log(jobid)
    assert state == "finished", f"job still not finished after 120 s:\n{log[-3000:]}"
    assert "Crawl finished (finished)" in log, log[-4000:]
    db = sqlite3.connect(Layout(archive).catalog_path)
    urls = {row[0] for row in db.execute("SELECT url FROM posts")}
    assert urls == set(BLOGS["classic"].post_urls(server.urls["classic"]))
    assert list((archive / "runs").glob("*.json"))
    assert list(Layout(archive).warc_dir.glob("*.warc.gz"))
