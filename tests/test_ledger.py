"""The crawl ledger: per-URL sets and archive priors in scratch SQLite, read from real catalogs."""

from __future__ import annotations

from pathlib import Path

from archive.catalog import Catalog, VersionRow
from archive.extract.model import Extraction
from crawler.ledger import BATCH, Ledger


def _version(url: str, captured_at: str, record: str, site: str = "http://a.test") -> VersionRow:
    return VersionRow(url=url, site=site, captured_at=captured_at, fetched_url=url,
                      metadata=Extraction.from_dict({"title": "t"}), text_path="t.txt", meta_path="t.json",
                      warc_file="w.warc.gz", warc_offset=0, warc_length=10, record_id=record,
                      payload_digest="sha1:AAAA", etag=f'"{record}"')


def _catalog(path: Path, rows: list[VersionRow]) -> Path:
    catalog = Catalog(path)
    for row in rows:
        catalog.add_version(row)
    catalog.close()
    return path


def test_claim_and_see_answer_true_once() -> None:
    ledger = Ledger()
    assert ledger.claim("http://a.test/1/") and not ledger.claim("http://a.test/1/")
    assert ledger.is_claimed("http://a.test/1/") and not ledger.is_claimed("http://a.test/2/")
    assert ledger.see("http://a.test/1/") and not ledger.see("http://a.test/1/")
    ledger.close()


def test_priors_latest_version_newest_catalog_wins_and_sites_filter(tmp_path: Path) -> None:
    main = _catalog(tmp_path / "catalog.sqlite", [
        _version("http://a.test/1/", "2024-01-01T00:00:00+00:00", "<urn:1a>"),
        _version("http://a.test/1/", "2024-02-01T00:00:00+00:00", "<urn:1b>"),
        _version("http://a.test/2/", "2024-03-01T00:00:00+00:00", "<urn:2a>"),
        _version("http://b.test/9/", "2024-03-01T00:00:00+00:00", "<urn:9>", site="http://b.test"),
    ])
    shard = _catalog(tmp_path / "shard.sqlite", [  # a scale-out worker saw post 2 later, 1 earlier
        _version("http://a.test/2/", "2024-04-01T00:00:00+00:00", "<urn:2b>"),
        _version("http://a.test/1/", "2023-12-01T00:00:00+00:00", "<urn:1old>"),
    ])
    ledger = Ledger()
    assert ledger.load_priors([main, shard], ["http://a.test"]) == 2
    first, second = ledger.prior("http://a.test/1/"), ledger.prior("http://a.test/2/")
    assert first is not None and first.record_id == "<urn:1b>" and first.version == 2
    assert first.etag == '"<urn:1b>"'
    assert second is not None and second.record_id == "<urn:2b>"
    assert ledger.prior("http://b.test/9/") is None and not ledger.is_known("http://b.test/9/")
    assert ledger.is_known("http://a.test/1/")
    assert Catalog(main).db.execute("SELECT COUNT(*) FROM versions").fetchone()[0] == 4  # read only


def test_priors_stream_in_batches_while_claiming(tmp_path: Path) -> None:
    count = BATCH * 2 + 7
    rows = [_version(f"http://a.test/{n:05d}/", "2024-01-01T00:00:00+00:00", f"<urn:{n}>")
            for n in range(count)]
    rows.append(_version("http://b.test/x/", "2024-01-01T00:00:00+00:00", "<urn:x>",
                         site="http://b.test"))
    path = _catalog(tmp_path / "catalog.sqlite", rows)
    ledger = Ledger()
    ledger.load_priors([path], ["http://a.test", "http://b.test"])
    urls = []
    for prior in ledger.priors("http://a.test"):
        assert ledger.claim(prior.url)  # writing while reading must not disturb the iteration
        urls.append(prior.url)
    assert len(urls) == count == len(set(urls))
    assert [p.url for p in ledger.priors("http://b.test")] == ["http://b.test/x/"]
    assert len(list(ledger.priors())) == count + 1


def test_no_catalog_no_priors() -> None:
    ledger = Ledger()
    assert ledger.load_priors([], ["http://a.test"]) == 0
    assert list(ledger.priors()) == []


def test_catalog_path_with_uri_characters(tmp_path: Path) -> None:
    folder = tmp_path / "a dir?#%"
    folder.mkdir()
    path = _catalog(folder / "catalog.sqlite",
                    [_version("http://a.test/1/", "2024-01-01T00:00:00+00:00", "<urn:1>")])
    ledger = Ledger()
    assert ledger.load_priors([path], ["http://a.test"]) == 1
    assert all(p.name.startswith("catalog.sqlite") for p in folder.iterdir())  # no stray new file


def test_a_shard_without_tables_yet_holds_no_priors(tmp_path: Path) -> None:
    """A scale-out worker's shard file exists a moment before its tables: another worker starting
    then reads it as empty instead of failing its start (``no such table: catalog1.posts``)."""
    import sqlite3

    main = _catalog(tmp_path / "catalog.sqlite", [
        _version("http://a.test/1/", "2024-01-01T00:00:00+00:00", "<urn:1a>")])
    bare = tmp_path / "shard.sqlite"
    sqlite3.connect(bare).close()  # the file, and no schema yet
    assert Ledger().load_priors([main, bare], ["http://a.test"]) == 1
