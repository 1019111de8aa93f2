"""What the real WordPress is filled with: a deterministic plan, handed to ``wp.php populate``.

Python decides everything (users, terms, posts, block markup, comment threads, images, statuses) from
a fixed seed, so a failing run can be reproduced; PHP only calls WordPress's own API with it. Post
content is the markup WordPress itself stores: Gutenberg block comments for most posts, classic
editor HTML (bare paragraphs, ``[caption]`` shortcodes, ``<!--more-->``) for some.
"""

from __future__ import annotations

import html
import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tests.fixtures.blogs.textgen import CODE, GARDEN, POLITICS, TRAVEL, Topic, comment_text, paragraphs
from tests.wordpress.structured import structured_posts

SEED_FILE = Path(__file__).resolve().parent.parent / "fixtures" / "seed" / (
    "naive-extraction-with-wordpress-chrome.txt")
SEED_TITLE = "With No Progress In Talks Russia Will Have To React"
SEED_DATE = "2022-01-12 14:25:00"
PUBLISHED = 312
USERS = [
    {"login": "anna", "display_name": "Anna Kowalski", "first": "Anna", "last": "Kowalski"},
    {"login": "ben", "display_name": "Ben Okafor", "first": "Ben", "last": "Okafor"},
    {"login": "chloe", "display_name": "Chloé Martin", "first": "Chloé", "last": "Martin"},
]
TOPICS: dict[str, Topic] = {"Politics": POLITICS, "Garden": GARDEN, "Code": CODE, "Travel": TRAVEL}
TAGS = ["energy", "europe", "budget", "tomatoes", "compost", "python", "testing", "trains",
        "photography", "long read", "q&a", "2020s"]
READERS = ["Maria", "jdoe", "Peter O'Neill", "\u00dcmit Y\u0131lmaz", "Sam & Alex", "Grumpy Reader",
           "Li Wei", "Fatima", "Tom"]
TITLE_FORMS = ["{obj} {tail}", "Why {subj} {verb} {obj}", "Notes: {subj} {verb} {obj}",
               "Q&A: what \"{obj}\" means", "{subj}'s week, {n}", "{subj} {verb} {obj} (part {n})"]


def seed_paragraphs() -> list[str]:
    """The seed post's body: from "Monday's negotiations" to the last line before the chrome."""
    text = SEED_FILE.read_text(encoding="utf-8")
    body = text[text.index("Monday\u2019s negotiations"):text.index("Leave a Reply")]
    return [p.strip() for p in body.split("\n\n") if p.strip()]


def block_paragraph(text: str, inner: str | None = None) -> str:
    """A paragraph block of ``text``, or of ``inner`` HTML when given (``inline_markup``)."""
    inner = html.escape(text, quote=False) if inner is None else inner
    return f"<!-- wp:paragraph -->\n<p>{inner}</p>\n<!-- /wp:paragraph -->"


def inline_markup(rng: random.Random, text: str, topic: Topic, number: int) -> str:
    """``text`` as HTML, now and then with one phrase emphasised, strong, code or a link (to an
    older post of the blog or out of it). Its own random stream: the rest of the plan is the same
    with or without it."""
    escaped = html.escape(text, quote=False)
    phrase = next((html.escape(o, quote=False) for o in topic.objects if o in text), None)
    roll = rng.random()
    if phrase is None or roll > 0.3:
        return escaped
    if roll < 0.08:
        wrapped = f"<em>{phrase}</em>"
    elif roll < 0.14:
        wrapped = f"<strong>{phrase}</strong>"
    elif roll < 0.18 and topic is CODE:
        wrapped = f"<code>{phrase}</code>"
    elif roll < 0.24 and number > 1:
        wrapped = f'<a href="{{{{permalink:post-{rng.randint(1, min(number - 1, 311))}}}}}">{phrase}</a>'
    else:
        wrapped = f'<a href="https://example.org/{phrase.replace(" ", "-")}/">{phrase}</a>'
    return escaped.replace(phrase, wrapped, 1)


def blocks(rng: random.Random, texts: list[str], image: str | None, topic: Topic, key: str) -> str:
    """Gutenberg markup: paragraphs with now and then a heading, list, quote, image or code."""
    out = []
    inline = random.Random(f"{key}-inline")
    for number, text in enumerate(texts):
        out.append(block_paragraph(text, inline_markup(inline, text, topic, post_number(key))))
        roll = rng.random()
        if number == 0 and image:
            out.append(f'<!-- wp:image {{"id":{{{{id:{image}}}}},"sizeSlug":"large"}} -->\n'
                       f'<figure class="wp-block-image size-large"><img src="{{{{url:{image}}}}}" '
                       f'alt="A picture for {image}" class="wp-image-{{{{id:{image}}}}}"/>'
                       f"<figcaption>Photo: {image.replace('-', ' ')}</figcaption></figure>\n"
                       "<!-- /wp:image -->")
        elif roll < 0.12 and number < len(texts) - 1:  # a heading always introduces a paragraph
            out.append(f"<!-- wp:heading -->\n<h2>{html.escape(rng.choice(topic.objects)).capitalize()}"
                       "</h2>\n<!-- /wp:heading -->")
        elif roll < 0.2:
            items = "".join(f"<li>{html.escape(rng.choice(topic.objects))} {rng.choice(topic.tails)}</li>"
                            for _ in range(3))
            out.append(f"<!-- wp:list -->\n<ul>{items}</ul>\n<!-- /wp:list -->")
        elif roll < 0.26:
            quote = html.escape(rng.choice(topic.subjects) + " said it would wait.")
            out.append('<!-- wp:quote -->\n<blockquote class="wp-block-quote"><p>'
                       f"{quote}</p><cite>{rng.choice(READERS)}</cite></blockquote>\n<!-- /wp:quote -->")
        elif roll < 0.29 and topic is CODE:
            out.append('<!-- wp:code -->\n<pre class="wp-block-code"><code>for item in items:\n'
                       "    check(item)  # &lt;- the slow part</code></pre>\n<!-- /wp:code -->")
    return "\n\n".join(out)


def classic(rng: random.Random, texts: list[str], image: str | None, topic: Topic, key: str) -> str:
    """Classic-editor content: blank-line paragraphs (wpautop adds <p>), caption shortcode, more tag."""
    inline = random.Random(f"{key}-inline")
    parts = [inline_markup(inline, t, topic, post_number(key)) for t in texts]
    if image:
        parts.insert(1, f'[caption id="attachment_{{{{id:{image}}}}}" align="aligncenter" width="300"]'
                        f'<img class="size-medium wp-image-{{{{id:{image}}}}}" src="{{{{url:{image}}}}}" '
                        f'alt="" width="300" height="200" /> A caption for {image}[/caption]')
    if len(parts) > 2 and rng.random() < 0.5:
        parts.insert(1, "<!--more-->")
    return "\n\n".join(parts)


def post_number(key: str) -> int:
    return int(key.rsplit("-", 1)[1])


def comments(rng: random.Random, key: str, published: datetime, topic: Topic,
             author: str) -> list[dict[str, Any]]:
    """A thread: top-level comments with replies up to three deep, one by the post's author,
    and one held for moderation plus one spam (neither is ever shown)."""
    out: list[dict[str, Any]] = []
    when = published
    for number in range(rng.randint(2, 7)):
        parent = None
        if out and rng.random() < 0.55:
            parent = rng.choice([c for c in out if c["depth"] < 3])
        when += timedelta(hours=rng.randint(1, 30), minutes=rng.randint(0, 59))
        by_author = parent is not None and rng.random() < 0.25
        out.append({"key": f"{key}-c{number}", "parent": parent["key"] if parent else None,
                    "depth": parent["depth"] + 1 if parent else 1,
                    "author": author if by_author else rng.choice(READERS),
                    "user": author if by_author else None,
                    "text": comment_text(f"{key}-{number}", topic),
                    "date": when.strftime("%Y-%m-%d %H:%M:%S"), "approved": "1"})
    for state in ("0", "spam"):
        when += timedelta(hours=2)
        out.append({"key": f"{key}-{state}", "parent": None, "depth": 1, "author": "Hidden Person",
                    "user": None, "text": f"This {state} comment must never be archived.",
                    "date": when.strftime("%Y-%m-%d %H:%M:%S"), "approved": state})
    return out


def title(rng: random.Random, topic: Topic, number: int) -> str:
    form = rng.choice(TITLE_FORMS)
    return form.format(subj=rng.choice(topic.subjects), verb=rng.choice(topic.verbs),
                       obj=rng.choice(topic.objects), tail=rng.choice(topic.tails),
                       n=number).strip().capitalize().replace(" q&a", " Q&A")


def post(rng: random.Random, number: int, when: datetime, status: str) -> dict[str, Any]:
    category = rng.choice(list(TOPICS))
    topic = TOPICS[category]
    key = f"post-{number}"
    image = f"image-{number}" if rng.random() < 0.08 else None
    texts = list(paragraphs(key, topic, rng.randint(2, 7)))
    author = rng.choice(USERS)["login"]
    use_blocks = rng.random() < 0.75
    content = blocks(rng, texts, image, topic, key) if use_blocks else classic(rng, texts, image, topic, key)
    extra = [rng.choice(list(TOPICS))] if rng.random() < 0.2 else []
    return {"key": key, "title": f"{title(rng, topic, number)} #{number}", "author": author,
            "date": when.strftime("%Y-%m-%d %H:%M:%S"), "status": status,
            "categories": sorted({category, *extra}),
            "tags": sorted(rng.sample(TAGS, rng.randint(0, 3))), "content": content,
            "image": image, "sticky": number == 7,
            "comments": comments(rng, key, when, topic, author) if rng.random() < 0.2 else []}


def seed_post() -> dict[str, Any]:
    body = "\n\n".join(block_paragraph(p) for p in seed_paragraphs())
    return {"key": "seed", "title": SEED_TITLE, "author": "anna", "date": SEED_DATE,
            "status": "publish", "categories": ["Politics"], "tags": ["europe"], "content": body,
            "image": None, "sticky": False, "comments": []}


def plan(seed: str = "blogarchive-wordpress") -> dict[str, Any]:
    """Everything to create: ``PUBLISHED`` posts from 2019 to 2024, the hand-written posts of
    ``structured.py``, plus drafts, private, pending and scheduled posts that must never be archived."""
    rng = random.Random(seed)
    start, span = datetime(2019, 1, 3, 8, 0), (datetime(2024, 12, 20) - datetime(2019, 1, 3)).days
    posts = [seed_post()]
    days = sorted(rng.sample(range(span), PUBLISHED - 1))
    for number, day in enumerate(days, start=1):
        when = start + timedelta(days=day, minutes=rng.randint(0, 14 * 60), seconds=rng.randint(0, 59))
        posts.append(post(rng, number, when, "publish"))
    # Just after midnight local time in summer: the UTC date is the day before.
    posts.append({**post(rng, 900, datetime(2021, 7, 1, 0, 30, 5), "publish"),
                  "title": "Just after midnight in July"})
    posts.extend(structured_posts())
    hidden = ["draft"] * 5 + ["private"] * 4 + ["pending"] * 2 + ["future"]
    for offset, status in enumerate(hidden):
        when = datetime(2030, 1, 1, 9) if status == "future" else datetime(2023, 3, 1 + offset, 10)
        item = post(rng, 1000 + offset, when, status)
        posts.append({**item, "title": f"Secret {status} post {offset}"})
    return {"users": USERS, "categories": list(TOPICS), "tags": TAGS, "posts": posts}
