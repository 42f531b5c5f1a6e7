"""API tokens (Bearer) and CORS: who may call the API, and from which browser origins; and who
owns a job.

Jobs belong to the token that submitted them: another token's job is 404 (status, events,
cancel), and identical requests share a job only under the same token, so the cache never tells
one token holder what another summarized. A job records a digest of the token, never the token;
rotating a token therefore hides the jobs submitted with the old one (they expire with result_ttl).
Without tokens (loopback only) every client is one owner, jobs.LOCAL_OWNER.
"""

import fnmatch
import hashlib
import hmac

from flask import current_app, request

from summarizer.errors import Unauthorized
from summarizer.queue.jobs import LOCAL_OWNER

CORS_ALLOW_HEADERS = "Authorization, Content-Type, Last-Event-ID, Accept"
CORS_EXPOSE_HEADERS = "X-Job-Id, X-Summarizer-Cache, Location, Retry-After"
CORS_MAX_AGE_SECONDS = "600"
"""How long a browser may cache a preflight answer."""


def public(view):
    """Mark a view as reachable without a token (health checks, the add-in's static files)."""
    view.public = True
    return view


def init_app(app):
    app.before_request(require_token)
    app.after_request(add_cors_headers)


def require_token():
    """Refuse requests without a valid `Authorization: Bearer` token when tokens are configured."""
    tokens = current_app.config["SETTINGS"].token_list
    if not tokens or request.method == "OPTIONS":
        return
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "public", False):
        return
    presented = presented_token()
    if not presented or not token_matches(presented, tokens):
        raise Unauthorized(
            "bad_token", "Missing or wrong API token: send `Authorization: Bearer <token>`.",
            headers={"WWW-Authenticate": "Bearer"},
        )


def presented_token():
    """The bearer token of this request ("" when none)."""
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    return presented.strip() if scheme.lower() == "bearer" else ""


def owner():
    """Who this request acts for: a digest of its (already checked) token, or LOCAL_OWNER."""
    if not current_app.config["SETTINGS"].token_list:
        return LOCAL_OWNER
    return "token:" + hashlib.sha256(presented_token().encode()).hexdigest()[:24]


def token_matches(presented, tokens):
    """Constant-time comparison against every configured token (no early exit on a match)."""
    presented = presented.encode()
    matched = False
    for token in tokens:
        matched |= hmac.compare_digest(presented, token.encode())
    return matched


def origin_allowed(origin, allowed):
    """Exact origins, or patterns such as `chrome-extension://*` that the operator configured."""
    origin = origin.rstrip("/")
    return any(origin == pattern or ("*" in pattern and fnmatch.fnmatchcase(origin, pattern))
               for pattern in allowed)


def add_cors_headers(response):
    """CORS for configured origins only; no credentials are ever allowed (tokens, not cookies)."""
    origin = request.headers.get("Origin")
    allowed = current_app.config["SETTINGS"].cors_origin_list
    if origin and origin_allowed(origin, allowed):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Headers"] = CORS_ALLOW_HEADERS
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, DELETE, OPTIONS"
        response.headers["Access-Control-Expose-Headers"] = CORS_EXPOSE_HEADERS
        response.headers["Access-Control-Max-Age"] = CORS_MAX_AGE_SECONDS
        response.vary.add("Origin")
    return response
