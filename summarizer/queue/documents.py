"""Extracted documents kept for follow-up requests: a result's `document_id` lets a client ask
another question (or another summary) of the same document without sending it again, and without
it being extracted again, for `Settings.document_ttl` seconds after its last use.

A document ID is a content hash of the extracted document (title and blocks with their locators)
and of its owner (the API token's digest, or owners.LOCAL_OWNER), so one token can neither use nor
learn of another's documents: the same file sent with two tokens has two IDs, and an ID sent with
another token is as unknown as one never issued (the same rule as jobs per token, issue 14). The
key itself is named by the owner too, so asking for another token's document reads nothing: it
costs what an unknown ID costs (a 10 MB document of another token took 93-364 ms to refuse, an
unknown ID 4-9 ms: the difference told that the ID existed).

What a document may cost (issue 23: a 79 KB text was kept as a 100 MB key, three as 300 MB):
- it is stored compressed, so a locator part every block repeats (the heading it falls under) is
  stored about once, and refused (413) when it still takes more than STORED_RATIO times its text;
- each owner keeps at most `kept_documents` documents and `kept_mb` MiB of them: keeping one more
  forgets the owner's least recently used ones;
- a Redis that nears its `maxmemory` forgets the least recently used documents of every owner
  before it would refuse a write (queue/redis_embed.py runs it with `noeviction`: jobs, events and
  workers are never what goes).
"""

import hashlib
import json
import re
import time
import zlib

import redis

from summarizer.document import Document
from summarizer.errors import NotFound, PayloadTooLarge, ServiceUnavailable
from summarizer.extract.offload import off_loop
from summarizer.queue import keys

DOCUMENT_ID = re.compile(r"[0-9a-f]{32}")
"""What a document ID is: 128 bits of a SHA-256, in hex."""

STORED_RATIO = 4
"""Most stored (compressed) bytes per byte of a document's text, beyond STORED_SLACK: text
compresses to about a third, so a real document stores at well under one; what is over four is
what the document carries besides its text."""

STORED_SLACK = 64 * 1024
"""Stored bytes every document may take besides STORED_RATIO times its text (title, metadata,
block locators of a short document)."""

ROOM_FRACTION = 0.75
"""Share of Redis's maxmemory past which keeping a document first forgets least recently used
documents: the rest is for the queue, which must never meet a full Redis."""

COMPRESSION_LEVEL = 1
"""zlib's fastest level: 5x on the corpus' extracted documents, tens of MB/s."""


def document_id(document, owner):
    """The ID of `document` for `owner`: equal documents of one owner share it."""
    material = [owner, document.title, [[b.text, b.locator] for b in document.blocks]]
    if document.metadata.get("review"):  # a Word file's review (extract/review.py) is part of it;
        material.append(document.metadata["review"])  # without one, IDs stay as they were
    material = json.dumps(material, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(material.encode("utf-8", "replace")).hexdigest()[:32]


def owner_digest(owner):
    """The owner as it appears in key names: never a token itself."""
    return hashlib.sha256(owner.encode("utf-8", "replace")).hexdigest()[:24]


def _packed(document, owner):
    """(ID, stored bytes, text bytes) of `document`: CPU proportional to it, run off the loop."""
    found = document_id(document, owner)
    body = json.dumps({"owner": owner, "document": document.to_dict()}, ensure_ascii=False)
    text_bytes = len(document.text.encode("utf-8", "replace"))
    return found, zlib.compress(body.encode("utf-8", "replace"), COMPRESSION_LEVEL), text_bytes


def keep(connection, settings, document, owner):
    """Keep `document` for follow-ups (or keep it longer, when it is kept already); its ID."""
    found, stored, text_bytes = off_loop(_packed, document, owner)
    digest = owner_digest(owner)
    key = keys.document(digest, found)
    # An identical document is already there: refresh its lifetime instead of writing megabytes.
    if connection.expire(key, settings.document_ttl):
        _touch(connection, settings, digest, found)
        return found
    if len(stored) > STORED_RATIO * text_bytes + STORED_SLACK:
        raise PayloadTooLarge(
            "document_too_large", f"This document takes {len(stored)} bytes to keep for "
            f"{text_bytes} bytes of text: what it carries besides its text is out of proportion.")
    if len(stored) > settings.kept_mb * 2**20:
        raise PayloadTooLarge(
            "document_too_large", f"This document takes {len(stored) // 2**20} MiB to keep; a "
            f"token keeps at most {settings.kept_mb} MiB of documents (SUMMARIZER_KEPT_MB).")
    _make_room(connection, len(stored))
    try:
        connection.register_script(_KEEP)(
            keys=[key, keys.kept(digest), keys.kept_sizes(digest), keys.KEPT_ALL],
            args=[found, stored, settings.document_ttl, time.time(), settings.kept_documents,
                  settings.kept_mb * 2**20, keys.document(digest, "")])
    except redis.OutOfMemoryError:  # full of queue state, with no document left to forget
        raise ServiceUnavailable("redis_full", "The service's Redis is full; retry shortly.",
                                 headers={"Retry-After": "30"}) from None
    return found


_KEEP = """
local prefix, ttl, now = ARGV[7], tonumber(ARGV[3]), tonumber(ARGV[4])
for _, gone in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now - ttl)) do
    redis.call('ZREM', KEYS[2], gone)
    redis.call('HDEL', KEYS[3], gone)
end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ttl)
redis.call('ZADD', KEYS[2], now, ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], string.len(ARGV[2]))
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now - ttl)
redis.call('ZADD', KEYS[4], now, prefix .. ARGV[1])
local function total()
    local sum = 0
    for _, size in ipairs(redis.call('HVALS', KEYS[3])) do sum = sum + tonumber(size) end
    return sum
end
while redis.call('ZCARD', KEYS[2]) > tonumber(ARGV[5]) or total() > tonumber(ARGV[6]) do
    local oldest = redis.call('ZRANGE', KEYS[2], 0, 0)[1]
    if oldest == nil or oldest == ARGV[1] then break end
    redis.call('DEL', prefix .. oldest)
    redis.call('ZREM', KEYS[2], oldest)
    redis.call('HDEL', KEYS[3], oldest)
    redis.call('ZREM', KEYS[4], prefix .. oldest)
end
redis.call('EXPIRE', KEYS[2], ttl)
redis.call('EXPIRE', KEYS[3], ttl)
"""
"""Store one document and forget the owner's least recently used ones beyond its quota (count
and bytes), in one step so that concurrent requests of one token cannot both pass the quota.
KEYS: the document, the owner's documents by last use, their sizes, every owner's documents by
last use. ARGV: ID, stored bytes, TTL, now, most documents, most bytes, the owner's key prefix."""


def _touch(connection, settings, digest, found):
    """A kept document was used: it is the owner's most recently used one."""
    now = time.time()
    pipe = connection.pipeline(transaction=False)
    pipe.zadd(keys.kept(digest), {found: now}, xx=True)
    pipe.zadd(keys.KEPT_ALL, {keys.document(digest, found): now}, xx=True)
    pipe.expire(keys.kept(digest), settings.document_ttl)
    pipe.expire(keys.kept_sizes(digest), settings.document_ttl)
    pipe.execute()


def _make_room(connection, needed):
    """Forget least recently used documents (of any owner) while Redis is past ROOM_FRACTION of
    its maxmemory; nothing when it has none."""
    try:
        limit = int(connection.config_get("maxmemory").get("maxmemory") or 0)
    except redis.ResponseError:  # a managed Redis that does not allow CONFIG: its own policy rules
        return
    if not limit:
        return
    while connection.info("memory")["used_memory"] + needed > ROOM_FRACTION * limit:
        oldest = connection.zpopmin(keys.KEPT_ALL)
        if not oldest:
            return
        connection.delete(oldest[0][0])


def load(connection, settings, found, owner):
    """The kept Document with ID `found` for `owner`, kept for document_ttl more seconds; 404
    `document_expired` when it is not kept (expired, never sent, or another owner's)."""
    digest = owner_digest(owner)
    valid = DOCUMENT_ID.fullmatch(found or "")
    raw = connection.get(keys.document(digest, found)) if valid else None
    stored = off_loop(_unpacked, raw) if raw else None
    if not stored or stored.get("owner") != owner:
        named = f"The document {found!r}" if valid else "This document_id"  # never echo megabytes
        raise NotFound(
            "document_expired",
            f"{named} is no longer kept (documents are kept {settings.document_ttl} s after their "
            "last use, SUMMARIZER_DOCUMENT_TTL) or was sent with another token: send the document "
            "itself again.")
    connection.expire(keys.document(digest, found), settings.document_ttl)
    _touch(connection, settings, digest, found)
    return Document.from_dict(stored["document"])


def _unpacked(raw):
    try:
        return json.loads(zlib.decompress(raw))
    except (zlib.error, ValueError):
        return None
