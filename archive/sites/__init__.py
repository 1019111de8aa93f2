"""The blogs an archive keeps: the list, each blog's health, and OPML in and out.

Configuration and health, not derived data: it lives beside the catalog (``sites.sqlite``) and no
maintenance command rebuilds or removes it.
"""

from archive.sites.opml import OpmlError, Subscription, read_opml, write_opml
from archive.sites.registry import Outcome, Registry, Site
from archive.urls import home_url

__all__ = ["OpmlError", "Outcome", "Registry", "Site", "Subscription", "home_url", "read_opml",
           "write_opml"]
