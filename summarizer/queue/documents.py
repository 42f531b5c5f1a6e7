"""Extracted documents kept for follow-up requests: a result's `document_id` lets a client ask
another question (or another summary) of the same document without sending it again, and without
it being extracted again, for `Settings.document_ttl` seconds after its last use.

A document ID is a content hash of the extracted document (title and blocks with their locators)
and of its owner (the API token's digest, or jobs.LOCAL_OWNER), so one token can neither use nor
learn of another's documents: the same file sent with two tokens has two IDs, and an ID sent with
another token is as unknown as one never issued (the same rule as jobs per token, issue 14).
"""

import hashlib
import json
import re

from summarizer.document import Document
from summarizer.errors import NotFound
from summarizer.queue import keys

DOCUMENT_ID = re.compile(r"[0-9a-f]{32}")
"""What a document ID looks like: 128 bits of a SHA-256, in hex."""


def document_id(document, owner):
    """The ID of `document` for `owner`: equal documents of one owner share it."""
    material = json.dumps([owner, document.title, [[b.text, b.locator] for b in document.blocks]],
                          ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(material.encode("utf-8", "replace")).hexdigest()[:32]


def keep(connection, settings, document, owner):
    """Keep `document` for follow-ups (or keep it longer, when it is kept already); its ID."""
    found = document_id(document, owner)
    key = keys.document(found)
    # An identical document is already there: refresh its lifetime instead of writing megabytes.
    if not connection.expire(key, settings.document_ttl):
        body = json.dumps({"owner": owner, "document": document.to_dict()}, ensure_ascii=False)
        connection.set(key, body.encode("utf-8", "replace"), ex=settings.document_ttl)
    return found


def load(connection, settings, found, owner):
    """The kept Document with ID `found` for `owner`, kept for document_ttl more seconds; 404
    `document_expired` when it is not kept (expired, never sent, or another owner's)."""
    raw = connection.get(keys.document(found)) if DOCUMENT_ID.fullmatch(found or "") else None
    stored = json.loads(raw) if raw else None
    if not stored or stored.get("owner") != owner:
        raise NotFound(
            "document_expired",
            f"The document {found!r} is no longer kept (documents are kept "
            f"{settings.document_ttl} s after their last use, SUMMARIZER_DOCUMENT_TTL) or was sent "
            "with another token: send the document itself again.")
    connection.expire(keys.document(found), settings.document_ttl)
    return Document.from_dict(stored["document"])
