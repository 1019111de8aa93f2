"""Hosts whose files a page loads but an archive should not fetch: trackers, analytics and ads.

A capture of them records nothing a reader sees (a 1x1 pixel, a script that phones home), costs a
request to a third party on every crawl and tells that party who archived the page. The crawler
skips them (``ARCHIVE_REQUISITE_SKIP_HOSTS``, which replaces this list when set) and a
completeness audit need not count them missing. A host matches an entry when it is the entry or a
subdomain of it (``www.google-analytics.com`` matches ``google-analytics.com``).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

TRACKER_HOSTS = (
    # Google analytics, tag manager and advertising
    "google-analytics.com", "googletagmanager.com", "googletagservices.com", "doubleclick.net",
    "googlesyndication.com", "googleadservices.com", "adservice.google.com",
    # Facebook pixel and SDK
    "facebook.net", "connect.facebook.net",
    # audience measurement
    "scorecardresearch.com", "quantserve.com", "quantcount.com", "chartbeat.com", "chartbeat.net",
    "hotjar.com", "mouseflow.com", "clarity.ms", "newrelic.com", "nr-data.net",
    # WordPress.com / Jetpack stats and ads (not i0-i3.wp.com or s0.wp.com: those are images/CSS)
    "pixel.wp.com", "stats.wp.com", "ads.wordpress.com",
    # ad networks and content recommendation
    "amazon-adsystem.com", "taboola.com", "outbrain.com", "criteo.com", "criteo.net",
    "adnxs.com", "pubmatic.com", "rubiconproject.com", "moatads.com", "media.net",
    # hosted Matomo/Piwik and other analytics clouds
    "matomo.cloud", "innocraft.cloud", "piwik.pro", "statcounter.com", "sitemeter.com",
    "clicky.com", "static.getclicky.com", "mixpanel.com", "segment.com", "segment.io",
    # other networks' pixels and tags
    "s.pubmine.com", "bat.bing.com", "mc.yandex.ru", "static.ads-twitter.com",
    "analytics.twitter.com", "px.ads.linkedin.com", "snap.licdn.com",
)


def host_listed(host: str, listed: Iterable[str]) -> bool:
    """Whether ``host`` is one of ``listed`` or a subdomain of one (case-insensitive)."""
    host = host.lower().rstrip(".")
    return any(host == entry or host.endswith("." + entry) for entry in listed)


def url_listed(url: str, listed: Iterable[str] = TRACKER_HOSTS) -> bool:
    """``host_listed`` for a URL; a URL without a readable host is never listed."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return False
    return bool(host) and host_listed(host, listed)
