"""The blog every real generator builds in the test suite: known posts, one About page, two images.

Each engine's adapter (``tests/generators/<engine>.py``) writes these as that engine's sources
(Markdown with its own front matter), runs the real generator, and the suite serves the output on
127.0.0.1 and crawls it. What a post *is* lives here once, so every engine is held to the same
truth: title, date with its offset, author, categories, tags and body.

Bodies are Markdown every engine renders alike (CommonMark plus GFM tables, which Hugo's goldmark,
kramdown, Python-Markdown ``extra``, marked and markdown-it all support). ``expected_text`` is the
body's words as a reader sees them, for recall and precision against the archived text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from lxml import html as lxml_html
from markdown_it import MarkdownIt

from bench.assets import png_file


@dataclass(frozen=True)
class Post:
    slug: str
    title: str
    date: datetime  # aware: each post keeps its own offset
    author: str
    categories: tuple[str, ...]
    tags: tuple[str, ...]
    body: str  # Markdown; images are ``/images/<name>.png``, links to posts ``{{post:SLUG}}``

    @property
    def offset(self) -> str:
        """``+02:00``: the offset the archived date must keep."""
        return self.date.strftime("%z")[:3] + ":" + self.date.strftime("%z")[3:]


def _tz(hours: float) -> timezone:
    return timezone(timedelta(hours=hours))


SHORT = Post(
    slug="hello-harbour", title="Hello, harbour", date=datetime(2021, 1, 3, 8, 0, tzinfo=_tz(-5)),
    author="Ada Lovelace", categories=("Notes",), tags=("intro",),
    body="The first note from the harbour: grey water, three boats and a heron that will not move.\n")

LONG = Post(
    slug="keeping-a-tide-log", title="Keeping a tide log", author="Ada Lovelace",
    date=datetime(2021, 3, 14, 18, 45, tzinfo=_tz(1)), categories=("Field notes",),
    tags=("tides", "logbooks"),
    body="""For a year I wrote down the height of the water at the harbour wall twice a day. This post
explains how, and what the numbers showed once there were enough of them.

## Why bother

The tide tables are predictions. They are very good predictions, but the wind and the pressure
push the water around, and a log shows by how much on the days that matter.

![The harbour wall at low water](/images/harbour.png)

## What you need

1. A painted scale on the wall, in centimetres.
2. A notebook that does not mind getting wet.
3. A watch set to the same clock as the tables.

The scale matters most. Mine is painted on the north side, where the swell is smallest.

### Reading the scale

- Read at eye level, never from above.
- Wait for three waves and take the middle value.
- Write the time first, then the height.

> The sea keeps its own counsel; a logbook only asks it the same question every day.
>
> — the harbour master

## The numbers

| Month | Highest (cm) | Lowest (cm) |
| --- | --- | --- |
| January | 512 | 38 |
| April | 488 | 61 |
| October | 530 | 22 |

October had the biggest range, as the equinox tides said it would. A short script turns the
notebook into these figures:

```python
def tidal_range(readings):
    heights = [height for _, height in readings]
    return max(heights) - min(heights)
```

After a year the log agreed with the tables to within ten centimetres on most days, and missed by
forty on the stormy ones. That difference is the point of keeping it.
""")

ACCENTS = Post(
    slug="cafe-in-zurich", title="Café in Zürich, tea in 東京", author="Grace Hopper",
    date=datetime(2022, 6, 1, 7, 30, tzinfo=_tz(9)), categories=("Travel",),
    tags=("cafés", "日本"),
    body="""Le café près du lac à Zürich ouvre à six heures, et la serveuse connaît déjà la commande.

In Tokyo the tea house near the station writes its menu by hand: 抹茶, ほうじ茶 and a seasonal
special that nobody could translate for us.

Straße, naïve, façade: the words travel better than the luggage did.
""")

QUOTES = Post(
    slug="on-quoting-others", title="On quoting others", author="Grace Hopper",
    date=datetime(2022, 9, 20, 21, 15, tzinfo=_tz(-7)), categories=("Notes", "Writing"),
    tags=("quotes",),
    body="""When I started [this harbour blog]({{post:hello-harbour}}) I promised to quote other people
*accurately* and to say **who** said what.

> Be generous with credit and careful with words.

A longer passage, from a letter I was lent, deserves its own block:

> The tide came in over the causeway faster than we had been told, and we waited on the island
> until the evening.
>
> We did not mind.

The [style guide I follow](https://www.example.org/style) says the same thing at greater length.
""")

CODE = Post(
    slug="a-script-for-the-log", title="A script for the log", author="Ada Lovelace",
    date=datetime(2023, 2, 11, 10, 0, tzinfo=_tz(0)), categories=("Field notes",),
    tags=("code", "tides"),
    body="""The notebook now goes into a CSV file, and `tides.py` reads it:

```python
import csv

with open("tides.csv", newline="") as log:
    for when, height in csv.reader(log):
        print(when, int(height))
```

Run it with `python tides.py` and the readings scroll past in order.
""")

GALLERY = Post(
    slug="boats-of-the-winter", title="Boats of the winter", author="Grace Hopper",
    date=datetime(2023, 12, 24, 16, 5, tzinfo=_tz(5.5)), categories=("Photos",),
    tags=("boats", "winter"),
    body="""Only two boats stayed in the water this winter.

![The blue boat at its mooring](/images/boat.png)

The blue one belongs to the harbour master, who takes it out on every calm morning.
""")

POSTS = (SHORT, LONG, ACCENTS, QUOTES, CODE, GALLERY)

ABOUT_TITLE = "About this blog"
ABOUT_BODY = "This blog is a record of one harbour, kept by two people with notebooks.\n"


def body_for(post: Post, link: str) -> str:
    """The body with ``{{post:SLUG}}`` replaced by ``link.format(slug=SLUG)`` (each engine's URL)."""
    body = post.body
    for other in POSTS:
        body = body.replace("{{post:" + other.slug + "}}", link.format(slug=other.slug))
    return body


def expected_text(post: Post) -> str:
    """The body's words as a reader sees them (Markdown rendered, tags and markers dropped)."""
    html = MarkdownIt("commonmark").enable("table").render(body_for(post, "/"))
    return " ".join(lxml_html.fromstring(f"<div>{html}</div>").text_content().split())


def png(red: int, green: int, blue: int, width: int = 48, height: int = 32) -> bytes:
    """A small solid PNG, so the images are real files a browser draws."""
    return png_file(width, height, (b"\x00" + bytes((red, green, blue)) * width) * height, 2)


IMAGES = {"harbour.png": png(40, 90, 160), "boat.png": png(20, 60, 200)}
