"""Pending requests wait on disk, not in memory, with or without JOBDIR; nothing is left behind."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy import FormRequest, Request, Spider

from crawler.scheduler import NamedCallbackDiskQueue, method_names
from tests.conftest import CrawlRun, run_crawl
from tests.fixtures.server import FixtureServer


def test_the_shared_crawl_queued_on_disk(crawled: CrawlRun) -> None:
    stats = crawled.stats
    assert stats.get("scheduler/enqueued/disk", 0) > 10
    # Without JOBDIR, page requisites wait in memory (asked for right after their page); every
    # other request goes to disk.
    assert stats.get("requisites/requested", 0) > 0
    assert stats.get("scheduler/enqueued/memory", 0) == stats["requisites/requested"]


def test_scratch_queue_is_removed_after_the_crawl(server: FixtureServer, tmp_path: Path) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    run = run_crawl(server, tmp_path / "archive", ["classic"], env={"TMPDIR": str(scratch)})
    assert run.returncode == 0, run.log[-3000:]
    assert run.stats.get("scheduler/enqueued/disk", 0) > 10
    assert run.report["new"] > 0
    assert not list(scratch.glob("blogarchive-queue-*"))


def test_jobdir_keeps_the_queue_where_scrapy_puts_it(server: FixtureServer, tmp_path: Path) -> None:
    scratch, jobdir = tmp_path / "tmp", tmp_path / "job"
    scratch.mkdir()
    run = run_crawl(server, tmp_path / "archive", ["classic"], "-s", f"JOBDIR={jobdir}",
                    env={"TMPDIR": str(scratch)})
    assert run.returncode == 0, run.log[-3000:]
    assert (jobdir / "requests.queue" / "active.json").exists()
    assert run.stats.get("scheduler/enqueued/disk", 0) > 10
    # With JOBDIR every request, page requisites too, is on disk: a resumed crawl fetches them.
    assert run.stats.get("requisites/requested", 0) > 0
    assert run.stats.get("scheduler/enqueued/memory", 0) == 0


class _Spider(Spider):
    name = "queue-test"

    def parse_post(self, response: Any) -> None: ...

    def on_error(self, failure: Any) -> None: ...


def _queue(tmp_path: Path) -> tuple[NamedCallbackDiskQueue, _Spider]:
    spider = _Spider()
    crawler = SimpleNamespace(spider=spider)
    return NamedCallbackDiskQueue.from_crawler(crawler, str(tmp_path / "q")), spider


def test_queue_round_trips_callbacks_as_scrapy_does(tmp_path: Path) -> None:
    queue, spider = _queue(tmp_path)
    requests = [
        Request("http://127.0.0.1/a", callback=spider.parse_post, errback=spider.on_error,
                meta={"k": 1}, cb_kwargs={"n": 2}, priority=3),
        Request("http://127.0.0.1/b"),
        FormRequest("http://127.0.0.1/c", formdata={"q": "x"}, callback=spider.parse),
    ]
    for request in requests:
        queue.push(request)
    for request in requests:
        popped = queue.pop()
        assert popped is not None
        assert popped.to_dict(spider=spider) == request.to_dict(spider=spider)
        assert type(popped) is type(request)
    queue.close()


def test_queue_refuses_what_scrapy_refuses(tmp_path: Path) -> None:
    queue, _ = _queue(tmp_path)
    with pytest.raises(ValueError):  # the scheduler then keeps the request in memory
        queue.push(Request("http://127.0.0.1/d", callback=lambda response: None))
    queue.close()


def test_method_names_skip_nested_classes() -> None:
    names = method_names(_Spider)
    assert names[_Spider.parse_post] == "parse_post"
    assert all(not isinstance(function, type) for function in names)
