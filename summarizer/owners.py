"""Who owns a job or a kept document: one rule, read by the API (web/auth.py, which names the
owner of a request) and the queue (queue/jobs.py, which hides another owner's job).

A job records a digest of the token that submitted it, never the token. Without API tokens
(loopback only) every client is one owner, LOCAL_OWNER.
"""

import hashlib

LOCAL_OWNER = "local"
"""The owner of jobs submitted without API tokens, and of jobs that name none (queued before
owners were recorded): without tokens they stay visible, with tokens they belong to no token."""

TOKEN_DIGEST_CHARS = 24
"""Hex characters of the token's SHA-256 kept as its owner: 96 bits, no collision among any
realistic number of tokens, and the token itself is never stored."""


def of_token(token):
    """The owner that requests with `token` act for."""
    return "token:" + hashlib.sha256(token.encode()).hexdigest()[:TOKEN_DIGEST_CHARS]


def owns(owner, recorded):
    """Whether `owner` may see what records `recorded` as its owner (None: nobody named, which
    is LOCAL_OWNER's); an `owner` of None is the service itself, which sees everything."""
    return owner is None or (recorded or LOCAL_OWNER) == owner
