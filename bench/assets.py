"""What a WordPress page loads besides itself, for the crawl benchmark's blog (``bench/sitegen.py``).

A Twenty Twenty-One blog with a site icon, a web font and a lazy-load plugin makes a browser fetch:

- the theme's ``style.css`` (linked by the fixture theme), which ``@import``\\ s
  ``assets/css/fonts.css`` (an ``@font-face`` with a woff2 file and a woff fallback), ``url()``\\ s a
  background image and holds a ``data:`` URL that nobody should fetch;
- jQuery in the head and the theme's navigation script before ``</body>`` (next to the fixture
  theme's ``comment-reply.min.js``);
- the site icon WordPress prints: ``rel=icon`` at 32 and 192 pixels and an ``apple-touch-icon``;
- per post one to three uploads under ``/wp-content/uploads/YYYY/MM/``, each an ``<img src srcset
  sizes>`` of its ``-300x200``, ``-768x512`` and ``-1024x683`` files as WordPress core writes it; every
  third one lazy as Jetpack's and a3's lazy loaders write it (placeholder ``src``, ``data-src``,
  ``data-srcset``, the real ``<img>`` in ``<noscript>``);
- a Gravatar per comment, served from ``/avatar/HASH`` on the blog itself: the benchmark must not
  reach the internet. Gravatar answers every unknown address's ``d=mm`` URL with the same picture, so
  these are hard links to one PNG (identical payloads under many URLs, as on the real host).

Image bytes are deterministic and JPEG-like (SOI, a JFIF APP0 and a SOF0 header naming the size,
pseudo-random scan data, EOI): content sniffing and
their name both say ``image/jpeg``; 3 to 32 KB by variant, about 45 KB per upload, two uploads per
post on average. The first ``DISTINCT`` uploads get bytes of their own (every upload of a blog of up
to 12,500 posts, as on a real blog: no two payloads alike); later ones are hard links to those, so a
100,000-post blog does not need 9 GB. 10,000 posts: 60,000 upload files, 950 MB, written in 16 s
(two cores shared with other work). Icons and the background are real PNGs.
"""

from __future__ import annotations

import os
import random
import re
import struct
import zlib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

THEME = "/wp-content/themes/twentytwentyone"
ICON = "/wp-content/uploads/2019/05/cropped-site-icon"
VARIANTS = ((300, 200, 3_000), (768, 512, 10_000), (1024, 683, 16_000))  # width, height, bytes
DISTINCT = 25_000
PLACEHOLDER = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"
SIZES = "(max-width: 1024px) 100vw, 1024px"
STYLE_CSS = "".join(f".wp-block-{n} {{ margin: 0 0 {n % 7}em; padding: {n % 3}px; }}\n"
                    for n in range(200))
THEME_CSS = ('@import url("assets/css/fonts.css");\n'
             'body { font-family: "Inter var", sans-serif; background: #d1e4dd '
             'url("assets/images/paper.png") repeat; }\n'
             '.search-submit { background-image: url("data:image/svg+xml,%3Csvg xmlns=%27http://'
             'www.w3.org/2000/svg%27/%3E"); }\n' + STYLE_CSS)
FONTS_CSS = ('@font-face { font-family: "Inter var"; font-weight: 100 900; font-display: swap; '
             'src: url("../fonts/inter/Inter-upright-var.woff2") format("woff2"), '
             'url("../fonts/inter/Inter-upright-var.woff") format("woff"); }\n')


GRAVATAR = "https://secure.gravatar.com/avatar/"
AVATAR = re.compile(r"/avatar/([0-9a-f]{32})")


def upload_path(published: datetime, post_id: int, number: int, width: int, height: int) -> str:
    return f"/wp-content/uploads/{published:%Y/%m}/photo-{post_id}-{number}-{width}x{height}.jpg"


def images_of(post_id: int) -> int:
    return 1 + post_id % 3


def _figure(base: str, published: datetime, post_id: int, number: int) -> str:
    urls = [base + upload_path(published, post_id, number, w, h).lstrip("/") for w, h, _ in VARIANTS]
    srcset = ", ".join(f"{url} {w}w" for url, (w, _, _) in zip(urls, VARIANTS, strict=True))
    image_class = f"wp-image-{post_id * 10 + number}"
    eager = (f'<img loading="lazy" decoding="async" width="1024" height="683" src="{urls[-1]}" '
             f'alt="" class="{image_class}" srcset="{srcset}" sizes="{SIZES}" />')
    if (post_id + number) % 3:
        return f'<figure class="wp-block-image size-large">{eager}</figure>'
    return (f'<figure class="wp-block-image size-large"><img width="1024" height="683" '
            f'src="{PLACEHOLDER}" data-src="{urls[-1]}" data-srcset="{srcset}" data-sizes="auto" '
            f'class="lazyload {image_class}" alt="" /><noscript>{eager}</noscript></figure>')


def with_images(html: str, base: str, published: datetime, post_id: int) -> str:
    """The post page with its uploads after its first, third and fifth paragraphs."""
    position = html.index('<div class="entry-content">')
    parts = []
    for number in range(1, images_of(post_id) + 1):
        for _ in range(2 if number > 1 else 1):
            position = html.index("</p>", position) + len("</p>")
        parts.append((position, _figure(base, published, post_id, number)))
    for at, figure in reversed(parts):
        html = f"{html[:at]}\n{figure}{html[at:]}"
    return html


def decorate(html: str, base: str) -> str:
    """Any page: the site icon and jQuery in the head, the theme's script before ``</body>``."""
    head = "\n".join([
        f"<script src='{base}wp-includes/js/jquery/jquery.min.js?ver=3.7.1' id='jquery-core-js'>"
        "</script>",
        f'<link rel="icon" href="{base}{ICON[1:]}-32x32.png" sizes="32x32" />',
        f'<link rel="icon" href="{base}{ICON[1:]}-192x192.png" sizes="192x192" />',
        f'<link rel="apple-touch-icon" href="{base}{ICON[1:]}-180x180.png" />'])
    script = (f"<script src='{base}{THEME[1:]}/assets/js/primary-navigation.js?ver=2.0' "
              "id='twenty-twenty-one-primary-navigation-script-js'></script>")
    html = html.replace(GRAVATAR, f"{base}avatar/")
    return html.replace("</head>", f"{head}\n</head>", 1).replace("</body>", f"{script}\n</body>", 1)


def write_avatars(root: Path, html: str) -> int:
    """The ``/avatar/HASH`` files ``html`` shows that do not exist yet: links to one PNG."""
    default = root / "avatar" / "mystery-man.png"
    if not default.exists():
        default.parent.mkdir(parents=True, exist_ok=True)
        default.write_bytes(png(60, 60, 60))
    written = 0
    for digest in set(AVATAR.findall(html)):
        path = default.parent / digest
        if not path.exists():
            os.link(default, path)
            written += 1
    return written


def png(width: int, height: int, seed: int) -> bytes:
    """A valid greyscale PNG of low-entropy noise (so it compresses as photos' PNGs do: some)."""
    rng = random.Random(seed)
    rows = b"".join(b"\x00" + bytes(rng.randrange(96, 160, 8) for _ in range(width))
                    for _ in range(height))
    return png_file(width, height, rows, colour_type=0)


def png_file(width: int, height: int, rows: bytes, colour_type: int) -> bytes:
    """A PNG from filtered scanlines (8 bits; colour type 0 grey, 2 RGB), with zlib alone."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


def jpeg_like(width: int, height: int, size: int, seed: int) -> bytes:
    """``size`` bytes that start and end as a baseline JPEG of ``width`` x ``height`` does."""
    head = (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
            + b"\xff\xc0\x00\x11\x08" + struct.pack(">HH", height, width)
            + b"\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01")
    scan = random.Random(seed).randbytes(max(0, size - len(head) - 2)).replace(b"\xff", b"\xfe")
    return head + scan + b"\xff\xd9"


def static_files() -> Iterator[tuple[str, bytes]]:
    """(path, bytes) of the files every page loads."""
    yield f"{THEME}/style.css", THEME_CSS.encode()
    yield f"{THEME}/assets/css/fonts.css", FONTS_CSS.encode()
    yield f"{THEME}/assets/fonts/inter/Inter-upright-var.woff2", b"wOF2" + random.Random(
        "woff2").randbytes(24_000)
    yield f"{THEME}/assets/fonts/inter/Inter-upright-var.woff", b"wOFF" + random.Random(
        "woff").randbytes(36_000)
    yield f"{THEME}/assets/images/paper.png", png(96, 96, 1)
    yield f"{THEME}/assets/js/primary-navigation.js", b"".join(
        b"function toggle%d(e){e.classList.toggle('is-open');}\n" % n for n in range(60))
    yield "/wp-includes/js/jquery/jquery.min.js", b"/*! jQuery v3.7.1 */\n" + b"".join(
        b"!function(e,t){e.fn%d=function(){return this.each(t)}}(window,%d);" % (n, n)
        for n in range(500))
    for size in (32, 192, 180):
        yield f"{ICON}-{size}x{size}.png", png(size, size, size)


def write_uploads(root: Path, posts: Iterator[tuple[datetime, int]]) -> int:
    """Every post's upload files under ``root``; (published, id) per post. Returns the file count."""
    first: list[list[Path]] = []
    written = 0
    for published, post_id in posts:
        for number in range(1, images_of(post_id) + 1):
            serial = len(first) if len(first) < DISTINCT else written // len(VARIANTS) % DISTINCT
            paths = [root / upload_path(published, post_id, number, w, h).lstrip("/")
                     for w, h, _ in VARIANTS]
            paths[0].parent.mkdir(parents=True, exist_ok=True)
            for variant, (path, (w, h, size)) in enumerate(zip(paths, VARIANTS, strict=True)):
                if len(first) < DISTINCT:
                    jitter = size * (serial * 37 % 100) // 100
                    path.write_bytes(jpeg_like(w, h, size + jitter, serial * 4 + variant))
                else:
                    os.link(first[serial][variant], path)
                written += 1
            if len(first) < DISTINCT:
                first.append(paths)
    return written
