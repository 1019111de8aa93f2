"""The rules of a scheduled repeat, without a crawl: when a site is revalidated (settings, past run
reports), which inventory dates vouch for an archived post (date-only lastmod, RSS dates), and how a
comment of the WordPress comments endpoint names its post."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.utils.test import get_crawler

from archive.config import ConfigError
from crawler.config import CrawlConfig
from crawler.discovery import Entry, parse_feed, parse_rest_comments, parse_sitemap
from crawler.revalidation import RecrawlConfig, due, parse_age, revalidated_sites, site_runs
from crawler.spiders.blog import BlogSpider

SITE = "blog.example"
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def report(day: int, revalidated: bool = False, sites: tuple[str, ...] = (SITE,)) -> dict[str, object]:
    return {"started": (T0 + timedelta(days=day)).isoformat(), "sites": list(sites),
            "revalidated": [SITE] if revalidated else []}


# -- settings and past runs ---------------------------------------------------------------------
def test_ages_read_as_people_write_them() -> None:
    assert parse_age("X", "30 days") == timedelta(days=30)
    assert parse_age("X", "12 hours") == timedelta(hours=12)
    assert parse_age("X", "2 weeks") == timedelta(weeks=2)
    assert parse_age("X", "1 second") == timedelta(seconds=1)
    assert parse_age("X", "") is None
    for bad in ("soon", "0 days", "-3 days", "30", "days"):
        with pytest.raises(ConfigError, match="use an age such as"):
            parse_age("RECRAWL_REVALIDATE_AFTER", bad)


def test_settings_are_checked_at_start() -> None:
    config = CrawlConfig.from_settings({"RECRAWL_REVALIDATE_EVERY": "7",
                                        "RECRAWL_REVALIDATE_AFTER": "30 days"}).recrawl
    assert config == RecrawlConfig(True, 7, timedelta(days=30))
    with pytest.raises(ConfigError, match="RECRAWL_REVALIDATE_EVERY='x'"):
        CrawlConfig.from_settings({"RECRAWL_REVALIDATE_EVERY": "x"})
    with pytest.raises(ConfigError, match="RECRAWL_TRUST_INVENTORY='sometimes'"):
        CrawlConfig.from_settings({"RECRAWL_TRUST_INVENTORY": "sometimes"})


def test_runs_are_counted_from_the_last_revalidation_or_the_first_crawl() -> None:
    reports = [report(0), report(1), report(2, revalidated=True), report(3),
               report(4, sites=("other.example",))]
    runs = site_runs(reports, SITE)
    assert runs is not None
    assert (runs.since_revalidation, runs.last_revalidation) == (1, T0 + timedelta(days=2))
    first = site_runs(reports[:2], SITE)
    assert first is not None and first.last_revalidation == T0  # the first crawl fetched all
    assert site_runs(reports, "never.example") is None


def test_every_nth_run_and_after_an_age() -> None:
    every3 = RecrawlConfig(True, 3, None)
    history = [report(0)]
    decisions = []
    for day in range(1, 7):
        decision = due(every3, site_runs(history, SITE), T0 + timedelta(days=day))
        decisions.append(decision)
        history.append(report(day, revalidated=decision))
    assert decisions == [False, True, False, False, True, False]  # runs 3 and 6 (the first: 1)
    weekly = RecrawlConfig(True, 0, timedelta(days=7))
    assert not due(weekly, site_runs([report(0)], SITE), T0 + timedelta(days=6))
    assert due(weekly, site_runs([report(0)], SITE), T0 + timedelta(days=7))
    assert not due(RecrawlConfig(True, 0, None), site_runs(history, SITE), T0 + timedelta(days=99))
    assert not due(every3, None, T0)  # a first crawl has nothing to revalidate


def test_forced_or_untrusting_runs_revalidate_every_site() -> None:
    never = RecrawlConfig(True, 0, None)
    assert revalidated_sites(never, [], [SITE], T0, forced=True) == {SITE}
    assert revalidated_sites(RecrawlConfig(False, 0, None), [], [SITE], T0, False) == {SITE}
    assert revalidated_sites(never, [report(0)], [SITE], T0, forced=False) == set()


# -- inventory dates ----------------------------------------------------------------------------
def test_a_date_only_lastmod_counts_as_the_end_of_its_day_anywhere() -> None:
    doc = parse_sitemap(b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/'
                        b'sitemap/0.9"><url><loc>https://blog.example/a/</loc><lastmod>2024-05-01'
                        b'</lastmod></url><url><loc>https://blog.example/b/</loc><lastmod>'
                        b'2024-05-01T08:00:00+00:00</lastmod></url></urlset>')
    day, stamp = doc.entries
    assert day.date_only and day.changed_before == datetime(2024, 5, 2, 12, tzinfo=UTC)
    assert not stamp.date_only and stamp.changed_before == datetime(2024, 5, 1, 8, tzinfo=UTC)


def test_an_rss_date_is_a_publication_date_and_vouches_for_nothing() -> None:
    entries, _ = parse_feed(b"<rss><channel><item><link>https://blog.example/a/</link><pubDate>"
                            b"Wed, 01 May 2024 08:00:00 +0000</pubDate></item></channel></rss>",
                            "https://blog.example/feed/")
    assert entries[0].modified is not None and entries[0].changed_before is None


def test_an_atom_updated_date_vouches_and_a_published_one_does_not() -> None:
    entries, _ = parse_feed(b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><link href="https://'
                            b'blog.example/a/"/><updated>2024-05-01T08:00:00Z</updated></entry>'
                            b'<entry><link href="https://blog.example/b/"/><published>2024-05-01T'
                            b'08:00:00Z</published></entry></feed>', "https://blog.example/feed/")
    assert [e.changed_before for e in entries] == [datetime(2024, 5, 1, 8, tzinfo=UTC), None]


def test_a_comment_names_its_post_without_anchor_or_comment_page() -> None:
    comments = parse_rest_comments(
        b'[{"id":5,"post":9,"link":"https://blog.example/2024/05/a/#comment-5",'
        b'"date_gmt":"2024-05-01T08:00:00"},{"id":6,"post":9,"link":'
        b'"https://blog.example/2024/05/a/comment-page-2/#comment-6","date_gmt":"2024-05-02T08:00:00"},'
        b'{"id":7,"link":"https://blog.example/x/"}]')
    assert comments is not None
    assert [(c.post_url, c.date) for c in comments] == [
        ("https://blog.example/2024/05/a/", datetime(2024, 5, 1, 8, tzinfo=UTC)),
        ("https://blog.example/2024/05/a/", datetime(2024, 5, 2, 8, tzinfo=UTC))]
    assert parse_rest_comments(b'{"code":"rest_not_logged_in"}') is None


# -- the spider's verdict on an archived post -----------------------------------------------------
@pytest.fixture
def spider(tmp_path: Path) -> BlogSpider:
    crawler = get_crawler(BlogSpider, {"ARCHIVE_DIR": str(tmp_path)})
    made = BlogSpider.from_crawler(crawler, url=f"https://{SITE}/")
    assert isinstance(made, BlogSpider)
    return made


def archived(spider: BlogSpider, url: str, captured: datetime) -> None:
    spider.ledger.db.execute("INSERT INTO priors VALUES (?,?,1,?,'rid','sha1:X',NULL,NULL,NULL,?)",
                             (url, url, captured.isoformat(), SITE))
    spider.site_states[SITE].trusted = True


@pytest.mark.parametrize(("lastmod", "vouched"), [
    ("2024-05-01", False),                    # the capture's own day: not vouched
    ("2024-04-30", True),                     # the day before, even at UTC-12
    ("2024-05-01T21:59:59+00:00", True),      # a second before the capture
    ("2024-05-01T22:00:00+00:00", False)])    # the capture's second
def test_which_lastmod_vouches_for_a_capture(spider: BlogSpider, lastmod: str,
                                             vouched: bool) -> None:
    url = f"https://{SITE}/2024/05/a/"
    archived(spider, url, datetime(2024, 5, 1, 22, 0, 0, 500000, tzinfo=UTC))
    doc = parse_sitemap(f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>'
                        f"{url}</loc><lastmod>{lastmod}</lastmod></url></urlset>".encode())
    out = list(spider._candidates(spider.site_states[SITE], doc.entries, "sitemap", True))
    assert (list(spider.ledger.vouched(SITE)) == [url]) is vouched
    assert [r.url for r in out if isinstance(r, Request)] == ([] if vouched else [url])


def test_a_later_inventory_saying_changed_overrides_one_that_vouched(spider: BlogSpider) -> None:
    url = f"https://{SITE}/2024/05/a/"
    archived(spider, url, datetime(2024, 5, 1, 22, tzinfo=UTC))
    state = spider.site_states[SITE]
    old, new = Entry(url, datetime(2024, 4, 1, tzinfo=UTC)), Entry(url, datetime(2024, 6, 1, tzinfo=UTC))
    assert list(spider._candidates(state, [old], "sitemap", True)) == []
    assert [r.url for r in spider._candidates(state, [new], "rest", True)] == [url]
    assert list(spider.ledger.vouched(SITE)) == []
    assert list(spider._candidates(state, [new], "rest", True)) == []  # asked once
