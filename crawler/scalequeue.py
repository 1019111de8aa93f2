"""The shared request queue of a scaled-out crawl: scrapy-redis's priority queue with acknowledgements.

scrapy-redis pops a request from the queue before downloading it, so a killed worker loses what it
had in flight. ``ReliableQueue.pop`` moves the request atomically (Lua ``POP``) into the worker's
in-flight hash instead; ``ack`` removes it once Scrapy has finished with its result, and ``REQUEUE``
gives a stopping or dead worker's in-flight requests back to the queue (the scheduler,
``crawler/scale.py``, decides when).

Requests are stored as JSON (``JsonCodec``), never pickled: a shared Redis must not be able to run
code here.
"""

from __future__ import annotations

import base64
import json
from dataclasses import asdict
from datetime import datetime
from typing import Any

from scrapy import Request, Spider
from scrapy_redis.queue import PriorityQueue

from archive.catalog import Prior
from archive.lock import worker_name
from archive.when import iso_date
from crawler.ledger import ResourcePrior
from crawler.meta import SCALE_TOKEN

# Pop the best request into the worker's in-flight hash: KEYS queue, inflight, counter.
POP = """
local item = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #item == 0 then return false end
redis.call('ZREM', KEYS[1], item[1])
local token = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[2], token, item[2] .. ' ' .. item[1])
return {token, item[1]}
"""
# Give a gone worker's requests back and release its claims: KEYS queue, inflight, workers,
# discovery; ARGV worker.
REQUEUE = """
local entries = redis.call('HGETALL', KEYS[2])
for i = 1, #entries, 2 do
  local value = entries[i + 1]
  local cut = string.find(value, ' ', 1, true)
  redis.call('ZADD', KEYS[1], string.sub(value, 1, cut - 1), string.sub(value, cut + 1))
end
redis.call('DEL', KEYS[2])
redis.call('HDEL', KEYS[3], ARGV[1])
local claims = redis.call('HGETALL', KEYS[4])
for i = 1, #claims, 2 do
  if claims[i + 1] == ARGV[1] then redis.call('HDEL', KEYS[4], claims[i]) end
end
return #entries / 2
"""


class JsonCodec:
    """Requests as JSON (bytes, datetimes and archive priors tagged); never pickle."""

    @staticmethod
    def dumps(data: dict[str, Any]) -> str:
        data = {**data, "headers": [[k, v] for k, v in data.get("headers", {}).items()]}
        return json.dumps(data, default=_tag, separators=(",", ":"))

    @staticmethod
    def loads(text: bytes | str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(text, object_hook=_untag)
        return data


def _tag(value: Any) -> dict[str, Any]:
    if isinstance(value, bytes):
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, Prior):
        return {"$prior": asdict(value)}
    if isinstance(value, ResourcePrior):  # a page that is not a post (meta PAGE_PRIOR)
        return {"$page_prior": asdict(value)}
    raise TypeError(f"cannot store {type(value).__name__} in a shared request queue")


def _untag(data: dict[str, Any]) -> Any:
    if "$bytes" in data:
        return base64.b64decode(data["$bytes"])
    if "$datetime" in data:
        return iso_date(data["$datetime"])
    if "$prior" in data:
        return Prior(**data["$prior"])
    if "$page_prior" in data:
        return ResourcePrior(**data["$page_prior"])
    return data


class ReliableQueue(PriorityQueue):  # type: ignore[misc]
    """scrapy-redis's priority queue whose pop keeps the request in flight until acknowledged."""

    def __init__(self, server: Any, spider: Spider, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer or JsonCodec)
        self.worker = worker_name()
        self.inflight = self.inflight_key(spider.name, self.worker)
        self._pop = server.register_script(POP)

    @staticmethod
    def inflight_key(name: str, worker: str) -> str:
        return f"{name}:inflight:{worker}"

    def pop(self, timeout: int = 0) -> Request | None:
        found = self._pop(keys=[self.key, self.inflight, f"{self.spider.name}:tokens"])
        if not found:
            return None
        token, data = found
        request: Request = self._decode_request(data)
        request.meta[SCALE_TOKEN] = token.decode() if isinstance(token, bytes) else str(token)
        return request

    def ack(self, token: str) -> None:
        self.server.hdel(self.inflight, token)
