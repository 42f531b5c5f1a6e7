"""API tokens on every route but the health check, CORS only for configured origins, and jobs
that belong to the token that submitted them."""

import time

import pytest

from summarizer import create_app
from summarizer.web.auth import origin_allowed, token_matches
from tests.conftest import TEST_SETTINGS


@pytest.fixture
def secured(redis_url, tmp_path):
    tokens = tmp_path / "tokens"
    tokens.write_text("# rotated monthly\nfile-token\n")
    return create_app({"TESTING": True, "REDIS_URL": redis_url, "API_TOKENS": "env-token",
                       "API_TOKENS_FILE": str(tokens),
                       "CORS_ORIGINS": "chrome-extension://abcdef, moz-extension://*"}), tokens


@pytest.mark.parametrize("method, path", [
    ("post", "/summarize"), ("post", "/extract"), ("get", "/jobs/x"), ("delete", "/jobs/x"),
    ("get", "/jobs/x/events"), ("get", "/readyz"), ("get", "/metrics"),
])
def test_every_route_needs_a_token(secured, method, path):
    app, _ = secured
    response = getattr(app.test_client(), method)(path)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "bad_token"
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_health_check_is_public(secured):
    assert secured[0].test_client().get("/healthz").status_code == 200


@pytest.mark.parametrize("header", ["Bearer wrong", "Basic env-token", "env-token", "Bearer "])
def test_wrong_tokens_are_refused(secured, header):
    response = secured[0].test_client().post("/extract", json={"text": "x"},
                                             headers={"Authorization": header})
    assert response.status_code == 401


def test_tokens_from_the_environment_and_from_a_file_that_is_reread(secured):
    app, tokens = secured
    client = app.test_client()

    def extract(token):
        return client.post("/extract", json={"text": "Some text."},
                           headers={"Authorization": f"Bearer {token}"}).status_code

    assert extract("env-token") == 200 and extract("file-token") == 200
    tokens.write_text("rotated-token\n")
    import os
    os.utime(tokens, ns=(1, 2_000_000_000_000_000_000))  # a new mtime, whatever the clock
    assert extract("rotated-token") == 200 and extract("file-token") == 401


def test_cors_only_for_configured_origins_and_never_with_credentials(secured):
    client = secured[0].test_client()
    allowed = client.options("/summarize", headers={"Origin": "chrome-extension://abcdef",
                                                    "Access-Control-Request-Method": "POST"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "chrome-extension://abcdef"
    assert "Authorization" in allowed.headers["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in allowed.headers
    other = client.options("/summarize", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    firefox = client.get("/healthz", headers={"Origin": "moz-extension://1234-5678"})
    assert firefox.headers["Access-Control-Allow-Origin"] == "moz-extension://1234-5678"


def test_a_preflight_to_a_wrong_path_is_answered_so_the_404_can_be_read(secured):
    """A client pointed at http://host/api asks the browser, which preflights first: a 404 to the
    preflight would block the request and look like a server that is down."""
    client = secured[0].test_client()
    origin = {"Origin": "chrome-extension://abcdef", "Access-Control-Request-Method": "GET",
              "Access-Control-Request-Headers": "authorization"}
    preflight = client.options("/api/options", headers=origin)
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "chrome-extension://abcdef"
    actual = client.get("/api/options", headers={"Origin": "chrome-extension://abcdef",
                                                 "Authorization": "Bearer env-token"})
    assert actual.status_code == 404 and actual.get_json()["error"]["code"] == "not_found"
    assert actual.headers["Access-Control-Allow-Origin"] == "chrome-extension://abcdef"
    foreign = client.options("/api/options", headers={**origin, "Origin": "https://evil.example"})
    assert foreign.status_code == 404 and "Access-Control-Allow-Origin" not in foreign.headers


def test_origin_patterns():
    assert origin_allowed("chrome-extension://x/", ["chrome-extension://x"])
    assert not origin_allowed("chrome-extension://y", ["chrome-extension://x"])
    assert not origin_allowed("https://a.example", [])


def test_token_comparison():
    assert token_matches("b", ["a", "b"]) and not token_matches("c", ["a", "b"])
    assert not token_matches("", ["a"])


def test_jobs_belong_to_the_token_that_submitted_them(redis_url, worker):
    app = create_app({"TESTING": True, "REDIS_URL": redis_url, **TEST_SETTINGS,
                      "API_TOKENS": "alpha-token,beta-token"})
    client = app.test_client()
    alpha = {"Authorization": "Bearer alpha-token"}
    beta = {"Authorization": "Bearer beta-token"}
    text = f"The ferry to the island now leaves at seven. Request {time.monotonic_ns()}."
    first = client.post("/summarize", json={"text": text}, headers=alpha)
    assert first.status_code == 202 and first.headers["X-Summarizer-Cache"] == "miss"
    job_id = first.get_json()["job_id"]
    same_text = client.post("/summarize", json={"text": text}, headers=beta)
    assert same_text.headers["X-Summarizer-Cache"] == "miss", "the cache told beta about alpha's job"
    assert same_text.get_json()["job_id"] != job_id
    for method, path in [("get", f"/jobs/{job_id}"), ("get", f"/jobs/{job_id}/events"),
                         ("delete", f"/jobs/{job_id}")]:
        response = getattr(client, method)(path, headers=beta)
        assert response.status_code == 404, (method, path)
        assert response.get_json()["error"]["code"] == "unknown_job"
    assert client.get(f"/jobs/{job_id}", headers=alpha).get_json()["status"] != "canceled"
    again = client.post("/summarize", json={"text": text}, headers=alpha)
    assert again.get_json()["job_id"] == job_id, "the same token still shares its work"
    assert again.headers["X-Summarizer-Cache"] in ("attached", "hit")
    client.delete(f"/jobs/{job_id}", headers=alpha)
    client.delete(f"/jobs/{same_text.get_json()['job_id']}", headers=beta)


@pytest.fixture
def tokenless(redis_url):
    """No tokens (loopback use), the extension's origin and one LAN name configured."""
    return create_app({"TESTING": True, "REDIS_URL": redis_url, "API_TOKENS": "",
                       "CORS_ORIGINS": "chrome-extension://abcdef", "ALLOWED_HOSTS": "summarizer.lan"})


@pytest.mark.parametrize("host, answered", [
    ("localhost:8000", True), ("127.0.0.1:8000", True), ("[::1]:8000", True), ("127.0.0.2", True),
    ("pane.localhost:8000", True), ("summarizer.lan:8000", True),
    ("rebind.evil.example", False), ("rebind.evil.example:8000", False), ("localhost.evil.example", False),
    ("127.0.0.1.nip.io", False), ("summarizer.lan.evil.example", False), ("[::2]", False),
])
def test_without_tokens_only_loopback_and_configured_host_names_are_answered(tokenless, host, answered):
    response = tokenless.test_client().post("/extract", json={"text": "Some text."},
                                            headers={"Host": host})
    if answered:
        assert response.status_code == 200, response.get_json()
    else:
        assert response.status_code == 400
        assert response.get_json()["error"]["code"] == "host_not_allowed"


@pytest.mark.parametrize("origin, answered", [
    (None, True), ("http://localhost", True), ("chrome-extension://abcdef", True),
    ("https://evil.example", False), ("null", False), ("http://localhost:9999", False),
    ("chrome-extension://another", False),
])
def test_without_tokens_cross_site_requests_are_refused(tokenless, origin, answered):
    headers = {"Origin": origin} if origin else {}
    response = tokenless.test_client().post("/extract", data="Some text.", headers=headers,
                                            content_type="text/plain")  # a "simple" request
    if answered:
        assert response.status_code == 200, response.get_json()
    else:
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "origin_not_allowed"


def test_with_tokens_the_token_is_what_counts(secured):
    response = secured[0].test_client().post(
        "/extract", json={"text": "Some text."},
        headers={"Host": "summarizer.example.org", "Origin": "https://elsewhere.example",
                 "Authorization": "Bearer env-token"})
    assert response.status_code == 200
