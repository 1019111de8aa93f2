"""What changed in an archive, run by run: new posts, edits, deletions and new comments.

``changes(catalog, layout, since=..., site=...)`` gives the events grouped by the crawl run whose
time window holds them (``runs.py``); ``events.py`` reads them from the catalog. The command line
(``blogarchive changes``) and the web reader's Atom feeds (``archive/web/feeds.py``) both show
this one list.
"""

from archive.changes.events import Event, NewComment, Query, read_events
from archive.changes.runs import Group, changes, group_by_run

__all__ = ["Event", "Group", "NewComment", "Query", "changes", "group_by_run", "read_events"]
