"""Private by default: request records keep no ``Authorization`` or ``Cookie`` header unless
``ARCHIVE_STORE_CREDENTIALS`` is set, the warcinfo says which policy was used, and credentials
given to the crawler never reach its log or run report."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.layout import Layout
from tests.conftest import CrawlRun, run_crawl
from tests.fixtures.server import FixtureServer

pytestmark = pytest.mark.e2e
USER, PASSWORD = "archivist", "Sup3r-s3cret-Pa55"
AUTH = ("-s", f"HTTPAUTH_USER={USER}", "-s", f"HTTPAUTH_PASS={PASSWORD}")


def request_headers(archive: Path) -> list[dict[str, str]]:
    found = []
    for path in sorted(Layout(archive).warc_dir.glob("*.warc.gz")):
        with open(path, "rb") as handle:
            for record in ArchiveIterator(handle):
                if record.rec_type == "request":
                    found.append({k.lower(): v for k, v in record.http_headers.headers})
    return found


def warcinfo(archive: Path) -> str:
    path = sorted(Layout(archive).warc_dir.glob("*.warc.gz"))[0]
    with open(path, "rb") as handle:
        record = next(iter(ArchiveIterator(handle)))
        return str(record.content_stream().read().decode("utf-8"))


@pytest.fixture(scope="module", params=[False, True], ids=["default", "store_credentials"])
def crawl(request: pytest.FixtureRequest, server: FixtureServer,
          tmp_path_factory: pytest.TempPathFactory) -> tuple[CrawlRun, bool]:
    store = bool(request.param)
    server.restore()
    domain = server.urls["classic"].split("/")[2]  # Scrapy matches host:port
    run = run_crawl(server, tmp_path_factory.mktemp("privacy"), ["classic"], *AUTH,
                    "-s", f"HTTPAUTH_DOMAIN={domain}",
                    "-s", "CONCURRENT_REQUESTS=1", "-s", f"ARCHIVE_STORE_CREDENTIALS={store}")
    assert run.returncode == 0, run.log[-3000:]
    return run, store


def test_the_crawler_sent_the_cookie_and_the_credentials(crawl: tuple[CrawlRun, bool]) -> None:
    run, _ = crawl
    sent = [r["headers"] for r in run.requests if r["blog"] == "classic"]
    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    assert any(h.get("Authorization") == f"Basic {token}" for h in sent), sent[:2]
    assert any("Cookie" in h for h in sent), sent[:2]


def test_request_records_keep_credentials_only_when_asked(crawl: tuple[CrawlRun, bool]) -> None:
    run, store = crawl
    headers = request_headers(run.archive)
    with_auth = [h for h in headers if "authorization" in h]
    with_cookie = [h for h in headers if "cookie" in h]
    if store:
        assert with_auth and with_cookie
    else:
        assert not with_auth and not with_cookie, (with_auth[:1], with_cookie[:1])


def test_warcinfo_names_the_policy(crawl: tuple[CrawlRun, bool]) -> None:
    run, store = crawl
    info = warcinfo(run.archive)
    expected = ("credentials: stored" if store
                else "credentials: Authorization and Cookie request headers not stored")
    assert expected in info


def test_credentials_never_reach_the_log_or_report(crawl: tuple[CrawlRun, bool]) -> None:
    run, _ = crawl
    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    for text in (run.log, *(p.read_text() for p in (run.archive / "runs").glob("*.json"))):
        assert PASSWORD not in text and token not in text


def test_only_user_set_secrets_and_only_emitted_records_are_redacted() -> None:
    import logging

    from scrapy.settings import Settings

    from crawler import redact

    settings = Settings({"HTTPAUTH_PASS": "hunter22"}, priority="cmdline")
    assert settings.get("FTP_PASSWORD") == "guest"  # Scrapy's default: no secret of the user's
    previous_factory, previous_handlers = logging.getLogRecordFactory(), logging.root.handlers[:]
    handler = logging.StreamHandler()
    handler.setLevel(logging.WARNING)
    logging.root.handlers = [handler]
    try:
        redact.install(settings, {})
        formatted: list[str] = []

        class Spy:
            def __repr__(self) -> str:
                formatted.append("repr")
                return "hunter22 guest"

        debug = logging.getLogRecordFactory()("t", logging.DEBUG, __file__, 1, "%r", (Spy(),), None)
        assert formatted == []  # a record no handler emits is not formatted
        warning = logging.getLogRecordFactory()("t", logging.WARNING, __file__, 1, "%r", (Spy(),),
                                                None)
        assert warning.getMessage() == "*** guest" and formatted == ["repr"]
        assert debug.args  # untouched
    finally:
        logging.setLogRecordFactory(previous_factory)
        logging.root.handlers = previous_handlers
