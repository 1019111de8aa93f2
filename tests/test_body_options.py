"""The per-call trafilatura options are a copy of a cached template, equal to a freshly built one."""

from __future__ import annotations

import pytest
from trafilatura.settings import Extractor

from archive.extract.body import BodyOptions


def _fresh(options: BodyOptions, url: str, fast: bool) -> Extractor:
    extractor = Extractor(
        output_format="python", fast=fast, precision=options.favor_precision,
        recall=options.favor_recall, comments=False, formatting=options.include_formatting,
        tables=options.include_tables, dedup=options.deduplicate, url=url,
        links=options.include_links, images=options.include_images)
    if options.min_extracted_size is not None:
        extractor.min_extracted_size = options.min_extracted_size
    return extractor


@pytest.mark.parametrize("options", [BodyOptions(), BodyOptions(favor_precision=True, favor_recall=False,
                                                                 min_extracted_size=None, fast=False)])
@pytest.mark.parametrize("scoped", [True, False])
def test_copied_options_equal_fresh_ones(options: BodyOptions, scoped: bool) -> None:
    for url in ("http://127.0.0.1/a/", "http://127.0.0.1/caf\u00e9/"):
        copied = options.extractor(url, scoped)
        fresh = _fresh(options, url, options.fast and scoped)
        assert {k: getattr(copied, k) for k in Extractor.__slots__} == \
            {k: getattr(fresh, k) for k in Extractor.__slots__}


def test_calls_do_not_share_their_options() -> None:
    first = BodyOptions().extractor("http://127.0.0.1/a/", True)
    first.focus = "precision"  # trafilatura may change its options during a call
    second = BodyOptions().extractor("http://127.0.0.1/b/", True)
    assert second.focus == "recall" and second.url == "http://127.0.0.1/b/"
