"""Search latency on a large synthetic archive: is ``blogarchive search`` fast enough?

Builds a catalog of N synthetic posts (default 100,000; a few hundred words each drawn from a
Zipf-distributed vocabulary, as real text is, plus titles, authors, categories, tags, dates over
ten years and twenty sites), bulk-loads the search index, then times ~50 varied queries (common and
rare words, phrases, prefixes, boolean operators, filters) through ``archive.search.search`` and
prints the median and 95th percentile against the 100 ms target.

    python bench/search.py [--posts 100000] [--seed 1] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archive.catalog import Catalog, fulltext
from archive.search import search

TARGET_MS = 100.0
COMMON_TEXT = ("the of and to in a is that for it as was with be by on not he this are or his from at "
          "which but have an they you were her she there one all we their been has when who will "
          "more if out so said what up its about into than them can only other new some could "
          "time these two may then do first any my now such like our over man me even most made "
          "after also did many before must through back years where much your way well down "
          "should because each just those people how too little state good very make world still "
          "own see men work long get here between both life being under never day same another "
          "know while last might us great old year off come since against go came right used take "
          "three")
COMMON = COMMON_TEXT.split()
CATEGORIES = ["News", "Politics", "Energy", "Travel", "Science", "Books", "Climate", "Economy",
              "Europe", "Technology", "Health", "Culture", "Sport", "Food", "History"]
FIRST = ["Anna", "Tom", "Rui", "Maria", "John", "Lena", "Omar", "Sofia", "Peter", "Yuki"]
LAST = ["Keller", "Berger", "Silva", "Novak", "Smith", "Okafor", "Tanaka", "Rossi", "Dubois"]


def vocabulary(rng: random.Random, size: int = 30_000) -> list[str]:
    """Common English words first (most frequent), then pronounceable invented words."""
    consonants, vowels = "bcdfghjklmnprstvwz", "aeiou"
    words = list(dict.fromkeys(COMMON))
    seen = set(words)
    while len(words) < size:
        word = "".join(rng.choice(consonants) + rng.choice(vowels)
                       for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def posts(count: int, rng: random.Random, words: list[str]) -> Iterator[fulltext.Document]:
    """Synthetic posts; body word frequencies follow Zipf's law (s = 1.1), as real text does."""
    cumulative, total = [], 0.0
    for rank in range(1, len(words) + 1):
        total += 1.0 / (rank ** 1.1)
        cumulative.append(total)
    start = datetime(2015, 1, 1, tzinfo=UTC)
    for post_id in range(1, count + 1):
        body_words = rng.choices(words, cum_weights=cumulative, k=rng.randint(150, 450))
        yield fulltext.Document(
            post_id=post_id, version_id=post_id, site=f"blog{post_id % 20}.example",
            title=" ".join(rng.choices(words[100:5000], k=rng.randint(3, 8))).capitalize(),
            categories=rng.sample(CATEGORIES, rng.randint(1, 2)),
            tags=rng.sample(words[200:2000], rng.randint(0, 4)),
            author=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            published=(start + timedelta(minutes=rng.randint(0, 10 * 365 * 24 * 60))).isoformat(),
            body="\n".join(" ".join(body_words[i:i + 60]) + "."
                           for i in range(0, len(body_words), 60)))


def build(path: Path, count: int, seed: int) -> list[str]:
    """The synthetic archive, bulk-inserted in one transaction; returns the vocabulary."""
    rng = random.Random(seed)
    words = vocabulary(rng)
    catalog = Catalog(path)
    db = catalog.db

    def stored(documents: Iterator[fulltext.Document]) -> Iterator[fulltext.Document]:
        for doc in documents:  # catalog rows first, as a crawl would leave them
            url = f"https://{doc.site}/{(doc.published or '')[:4]}/post-{doc.post_id}/"
            db.execute("INSERT INTO posts (id, url, site, first_seen, last_seen) VALUES (?,?,?,?,?)",
                       (doc.post_id, url, doc.site, doc.published, doc.published))
            db.execute(
                """INSERT INTO versions (id, post_id, version, captured_at, fetched_url, title,
                   author, published, categories, tags, word_count, text_path, meta_path,
                   warc_file, warc_offset, warc_length, record_id)
                   VALUES (?,?,1,?,?,?,?,?,?,?,?,?,?,'bench.warc.gz',0,0,?)""",
                (doc.version_id, doc.post_id, doc.published, url, doc.title, doc.author,
                 doc.published, json.dumps(doc.categories), json.dumps(doc.tags),
                 len(doc.body.split()), f"posts/{doc.post_id}.txt", f"posts/{doc.post_id}.json",
                 f"<urn:bench:{doc.post_id}>"))
            yield doc

    fulltext.add_documents(db, stored(posts(count, rng, words)))
    db.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
    db.commit()
    catalog.close()
    return words


def queries(words: list[str]) -> list[str]:
    """~50 queries of the kinds people type, spread over common, mid and rare words."""
    mid, rare = words[300:3000], words[10_000:30_000]
    rng = random.Random(7)
    picked: list[str] = []
    picked += [rng.choice(words[20:300]) for _ in range(6)]                 # common words
    picked += [rng.choice(mid) for _ in range(6)]                           # mid-frequency
    picked += [rng.choice(rare) for _ in range(4)]                          # rare
    picked += [f"{rng.choice(mid)} {rng.choice(mid)}" for _ in range(5)]    # two words (AND)
    picked += [f'"{rng.choice(COMMON)} {rng.choice(COMMON)}"' for _ in range(4)]   # phrases
    picked += [f'"{rng.choice(mid)} {rng.choice(COMMON)}"' for _ in range(3)]
    picked += [rng.choice(mid)[:3] + "*" for _ in range(4)]                 # prefixes
    picked += [rng.choice(words[20:300])[:2] + "*" for _ in range(2)]       # short prefixes
    picked += [f"{rng.choice(mid)} OR {rng.choice(mid)}" for _ in range(3)]
    picked += [f"{rng.choice(words[20:300])} -{rng.choice(words[20:300])}" for _ in range(2)]
    picked += [f"{rng.choice(mid)} site:blog{rng.randint(0, 19)}.example" for _ in range(3)]
    picked += [f"{rng.choice(mid)} since:2020-01-01 until:2021-06-30" for _ in range(2)]
    picked += [f'author:"{rng.choice(FIRST)} {rng.choice(LAST)}" {rng.choice(mid)}',
               f"category:{rng.choice(CATEGORIES)} {rng.choice(mid)}",
               f"tag:{rng.choice(words[200:2000])}", "site:blog3.example since:2023-01-01",
               f"title:{rng.choice(words[100:5000])}", f"category:{rng.choice(CATEGORIES)}"]
    return picked


def run(path: Path, words: list[str]) -> list[tuple[str, float, int]]:
    catalog = Catalog(path)
    timings = []
    try:
        search(catalog, "warmup", limit=20)
        for query in queries(words):
            started = time.perf_counter()
            hits = search(catalog, query, limit=20)
            timings.append((query, (time.perf_counter() - started) * 1000, len(hits)))
    finally:
        catalog.close()
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=100_000, help="synthetic posts to index")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, default=None, help="build the archive in this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        root = args.keep or Path(work)
        path = root / "catalog.sqlite"
        started = time.perf_counter()
        words = build(path, args.posts, args.seed)
        print(f"built {args.posts} posts in {time.perf_counter() - started:.1f} s "
              f"({path.stat().st_size / 1e6:.0f} MB catalog)")
        timings = run(path, words)
    for query, ms, count in sorted(timings, key=lambda t: -t[1])[:8]:
        print(f"  slowest: {ms:7.1f} ms  {count:3d} hits  {query}")
    values = sorted(ms for _, ms, _ in timings)
    median = statistics.median(values)
    p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
    verdict = "PASS" if p95 <= TARGET_MS else "FAIL"
    print(f"{len(values)} queries over {args.posts} posts: median {median:.1f} ms, "
          f"p95 {p95:.1f} ms (target {TARGET_MS:.0f} ms): {verdict}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
