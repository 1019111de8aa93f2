"""A plain ``pip install blogarchive`` (no extras) supports every command, as a new user meets it.

One test, because it is slow: a fresh venv (no system site-packages, nothing of the suite's venv),
``pip install`` of the project from a copy of its sources (pip downloads the dependencies from
PyPI the first time, then uses its cache: about 40 s here), then every ``blogarchive`` command's
``--help``, a real crawl of a fixture blog from a folder that is not the project, ``cdxj``,
``export --format wacz``, and ``REDIS_URL`` without the ``scale`` extra. Every command runs
from the venv's own ``bin`` with an environment that names neither the project nor its settings.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import click
import pytest

from archive.cli import main
from tests.conftest import ROOT, FixtureServer

pytestmark = pytest.mark.e2e
SOURCES = ("pyproject.toml", "README.md", "archive", "crawler", "pipelines")
LOOPBACK = ("-s", "ARCHIVE_REQUISITE_HOSTS=localhost", "-s", "AUTOTHROTTLE_ENABLED=0")


def every_command(group: click.Group = main, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [prefix]
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found += every_command(command, (*prefix, name))
        else:
            found.append((*prefix, name))
    return found


def install(tmp: Path) -> Path:
    """The project as pip installs it for a user; the venv's ``bin``."""
    source = tmp / "source"  # a copy: pip's build leaves build/ and *.egg-info beside the sources
    source.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, source / name)
    subprocess.run([sys.executable, "-m", "venv", str(tmp / "venv")], check=True, timeout=120)
    bin_ = tmp / "venv" / "bin"
    result = subprocess.run([str(bin_ / "pip"), "install", "--quiet", str(source)],
                            capture_output=True, text=True, timeout=600, check=False, env=clean_env())
    assert result.returncode == 0, result.stderr[-3000:]
    return bin_


def clean_env() -> dict[str, str]:
    drop = {"PYTHONPATH", "SCRAPY_SETTINGS_MODULE", "VIRTUAL_ENV", "ARCHIVE_DIR", "PYTHONHOME"}
    return {k: v for k, v in os.environ.items() if k not in drop}


def test_a_plain_install_runs_every_command(server: FixtureServer, tmp_path: Path) -> None:
    bin_ = install(tmp_path)
    home = tmp_path / "user"
    home.mkdir()

    def run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(bin_ / "blogarchive"), *args], cwd=home, env=clean_env(),
                              capture_output=True, text=True, timeout=timeout, check=False)

    assert run("crawl", "--help").returncode == 0  # the installed copy, not the suite's
    lacking = subprocess.run([str(bin_ / "python"), "-c", "import scrapy_redis"], env=clean_env(),
                             capture_output=True, check=False)
    assert lacking.returncode != 0  # no extras: scrapy-redis is not there
    for command in every_command():
        helped = run(*command, "--help", timeout=60)
        assert helped.returncode == 0 and "Example" in helped.stdout, (command, helped.stderr)

    archive = tmp_path / "archive"
    crawled = run("--archive", str(archive), "crawl", server.urls["classic"], *LOOPBACK)
    assert crawled.returncode == 0, crawled.stderr[-3000:]
    listed = run("--archive", str(archive), "list", "--json")
    assert len(listed.stdout.splitlines()) >= 10, listed.stderr

    index = run("--archive", str(archive), "cdxj", "-o", str(tmp_path / "index.cdxj"))
    assert index.returncode == 0, index.stderr[-3000:]
    lines = (tmp_path / "index.cdxj").read_text().splitlines()
    assert lines and all(json.loads(line.split(" ", 2)[2])["url"] for line in lines)

    packed = run("--archive", str(archive), "export", "--format", "wacz", str(tmp_path / "all.wacz"))
    assert packed.returncode == 0, packed.stderr[-3000:]
    with zipfile.ZipFile(tmp_path / "all.wacz") as wacz:
        names = wacz.namelist()
    assert "datapackage.json" in names and any(n.startswith("archive/") for n in names), names

    scaled = run("--archive", str(archive), "crawl", server.urls["classic"],
                 "-s", "REDIS_URL=redis://127.0.0.1:1/0", timeout=120)
    errors = scaled.stderr.strip().splitlines()
    assert scaled.returncode == 2 and "Traceback" not in scaled.stderr, scaled.stderr[-3000:]
    assert len(errors) == 1 and "pip install 'blogarchive[scale]'" in errors[0], errors
