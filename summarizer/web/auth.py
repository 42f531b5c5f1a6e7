"""API tokens (Bearer) and CORS: who may call the API, and from which browser origins; and who
owns a job.

Jobs belong to the token that submitted them: another token's job is 404 (status, events,
cancel), and identical requests share a job only under the same token, so the cache never tells
one token holder what another summarized. A job records a digest of the token, never the token;
rotating a token therefore hides the jobs submitted with the old one (they expire with result_ttl).
Without tokens (loopback only) every client is one owner, owners.LOCAL_OWNER, and the browser is the
threat: a web page can reach 127.0.0.1 through DNS rebinding (its own name, resolved to 127.0.0.1:
the Host header gives it away) or post to it cross-site (the Origin header does). So without
tokens only loopback Host names (and `allowed_hosts`) are answered, and a request with an Origin
is refused unless it is this server's own origin or one of `cors_origins`.
"""

import fnmatch
import hmac
import ipaddress

from flask import current_app, request

from summarizer.errors import BadRequest, Forbidden, NotFound, Unauthorized
from summarizer.owners import LOCAL_OWNER, of_token

CORS_ALLOW_HEADERS = "Authorization, Content-Type, Last-Event-ID, Accept"
CORS_EXPOSE_HEADERS = "X-Job-Id, X-Summarizer-Cache, X-Document-Id, X-Heartbeat-Seconds, Location, Retry-After"
CORS_MAX_AGE_SECONDS = "600"
"""How long a browser may cache a preflight answer."""


def public(view):
    """Mark a view as reachable without a token (health checks, the add-in's static files)."""
    view.public = True
    return view


METRICS_PORT_ENDPOINTS = ("ops.prometheus_metrics", "ops.healthz")
"""What the metrics port serves, without a token: a scraper has none (Prometheus' pod annotations
cannot give one), and the port is not behind the Ingress."""


def init_app(app):
    app.before_request(metrics_port_rules)
    app.before_request(require_local_browser_rules)
    app.before_request(answer_preflight)
    app.before_request(require_token)
    app.after_request(add_cors_headers)


def answer_preflight():
    """A CORS preflight from an allowed origin gets 204 on any path, so a client pointed at a
    wrong path sees the server's 404 (JSON, with its reason) instead of a blocked request that
    looks like a server that is down."""
    origin = request.headers.get("Origin")
    if request.method == "OPTIONS" and origin and origin_allowed(
            origin, current_app.config["SETTINGS"].cors_origin_list):
        return current_app.response_class(status=204)
    return None


def on_metrics_port():
    """Whether the request came in on `metrics_port`: the listener's port as gunicorn reports it,
    from before ProxyFix, which would take it from a header the client may write."""
    port = current_app.config["SETTINGS"].metrics_port
    environ = request.environ.get("werkzeug.proxy_fix.orig", request.environ)
    return bool(port) and environ.get("SERVER_PORT") == str(port)


def metrics_port_rules():
    """On the metrics port only /metrics and /healthz exist."""
    if on_metrics_port() and request.endpoint not in METRICS_PORT_ENDPOINTS:
        raise NotFound("not_found", "The metrics port serves /metrics and /healthz only.")


def require_local_browser_rules():
    """Without tokens: refuse Host names that are not loopback or allowed, and foreign origins."""
    settings = current_app.config["SETTINGS"]
    if settings.token_list or on_metrics_port():
        return
    name = host_name(request.host)
    if not (is_loopback_name(name) or host_allowed(name, settings.allowed_host_list)):
        raise BadRequest(
            "host_not_allowed",
            f"Without API tokens this server answers to loopback names only, not {name[:100]!r} "
            "(a web page may be trying DNS rebinding); add names with SUMMARIZER_ALLOWED_HOSTS.",
        )
    origin = request.headers.get("Origin")
    own = request.host_url.rstrip("/")
    if origin is not None and origin.rstrip("/") != own and not origin_allowed(
            origin, settings.cors_origin_list):
        raise Forbidden(
            "origin_not_allowed",
            f"Requests from the origin {origin[:100]!r} are refused: without API tokens only this "
            "server's pages and the origins in SUMMARIZER_CORS_ORIGINS (the extension, the Word "
            "add-in) may call it.",
        )


def host_name(host):
    """The name part of a Host header value, lower-cased, without port or IPv6 brackets."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    return host.rpartition(":")[0] if host.count(":") == 1 else host


def is_loopback_name(name):
    """localhost, *.localhost (browsers resolve those to loopback themselves) or a loopback IP."""
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def host_allowed(name, allowed):
    """Exact names, ".suffix" for subdomains, or "*" for any."""
    return any(pattern == "*" or name == pattern or (pattern.startswith(".") and name.endswith(pattern))
               for pattern in allowed)


def require_token():
    """Refuse requests without a valid `Authorization: Bearer` token when tokens are configured."""
    tokens = current_app.config["SETTINGS"].token_list
    if not tokens or request.method == "OPTIONS" or on_metrics_port():
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
    return of_token(presented_token())


def client_key():
    """Whom a rate limit counts: the token's owner, or without tokens the address (an
    Authorization header is then whatever the client invents, one per request if it likes)."""
    if current_app.config["SETTINGS"].token_list:
        return owner()
    return "address:" + (request.remote_addr or "-")


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
