"""API tokens on every route but the health check, and CORS only for configured origins."""

import pytest

from summarizer import create_app
from summarizer.web.auth import origin_allowed, token_matches


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


def test_origin_patterns():
    assert origin_allowed("chrome-extension://x/", ["chrome-extension://x"])
    assert not origin_allowed("chrome-extension://y", ["chrome-extension://x"])
    assert not origin_allowed("https://a.example", [])


def test_token_comparison():
    assert token_matches("b", ["a", "b"]) and not token_matches("c", ["a", "b"])
    assert not token_matches("", ["a"])
