"""GET /openapi.json describes the real API: schemathesis generates requests from it against the
real app (real Redis, a real worker), and every answer must be a documented non-5xx response.

Generated /summarize cases drop `?wait=true` (it would hold each case until the worker finished a
real summary) and cancel the job they queued, so the worker never builds a backlog; the wait and
stream answers are checked against the description by the explicit tests below instead. Random job
IDs never exist, so /jobs/{job_id}/events answers its documented 404 there and never streams.
"""

import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from summarizer import create_app
from summarizer.web import openapi
from tests.conftest import TEST_SETTINGS

TOKEN = "openapi-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}

MAX_EXAMPLES = 50
"""Generated cases per operation in the fuzzing phase (the examples and coverage phases add their
own boundary cases): enough to walk every body type, bounded for time (about 20 s in all)."""

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance, negative_data_rejection]
"""positive_data_acceptance is left out on purpose: a schema-valid body can still be an unreadable
document (random bytes as `file`, an unresolvable `url`), which is a documented 4xx, not a bug."""

MAX_STREAM_EVENTS = 500
"""Events schemathesis reads from one stream: far above a short test summary's (about 40)."""

RAW_TEXT_TYPES = ("text/plain", "text/markdown")
"""A raw text body has no type to violate: digits or `{}` are text too, so schemathesis's
"negative" text bodies are valid documents and are not held to negative_data_rejection."""

UNDESCRIBED_ENDPOINTS = {"static", "addin.index", "addin.manifest", "addin.static_file"}
"""The Word add-in's static files are served by the API but are not part of its contract."""


@pytest.fixture(scope="module")
def api_app(redis_url, worker):
    """The real app with tokens on (so 401s are exercised) and short fetch/parse limits."""
    return create_app({"TESTING": True, "REDIS_URL": redis_url, **TEST_SETTINGS,
                       "API_TOKENS": TOKEN, "FETCH_TIMEOUT": 1, "PARSE_TIMEOUT": 5,
                       "WAIT_TIMEOUT": 120})


def configured_schema():
    """The description, loaded once at collection (schemathesis parametrizes from it)."""
    loaded = schemathesis.openapi.from_dict(openapi.document())
    loaded.config.update(headers=AUTH)
    # A whole stream (preview, status, progress, every token, done) is more than schemathesis's
    # default 20 events; reading past them is what the explicit stream tests below check.
    loaded.config.max_stream_events = MAX_STREAM_EVENTS
    # Unknown query parameters are ignored, as HTTP servers do; do not count that as a failure.
    loaded.config.generation.update(max_examples=MAX_EXAMPLES, deterministic=True,
                                    allow_extra_parameters=False)
    loaded.config.phases.update(phases=["examples", "coverage", "fuzzing"])
    return loaded


SCHEMA = configured_schema()


@pytest.fixture(scope="module")
def api_client(api_app):
    return api_app.test_client()


def call(api_app, path, method, headers=None, **kwargs):
    """A hand-made case of one documented operation, sent and validated like the generated ones."""
    case = SCHEMA[path][method].Case(**kwargs)
    return case.call_and_validate(app=api_app, checks=CHECKS, headers={**AUTH, **(headers or {})})


def header(response, name):
    """One header of a schemathesis response (its header names are lower-cased lists)."""
    return {key.lower(): value for key, value in response.headers.items()}[name.lower()][0]


def test_description_is_public(api_client):
    response = api_client.get("/openapi.json")
    assert response.status_code == 200
    assert response.json == openapi.document()  # what the generated cases below come from
    assert api_client.get("/jobs/x").status_code == 401  # while the rest needs a token


def test_every_route_is_described(api_app, api_client):
    described = set(api_client.get("/openapi.json").json["paths"])
    routed = {rule.rule.replace("<", "{").replace(">", "}") for rule in api_app.url_map.iter_rules()
              if rule.endpoint not in UNDESCRIBED_ENDPOINTS}
    assert routed == described


def test_wait_and_stream_answers_conform(api_app):
    body = {"text": "Tides rise and fall twice a day because the moon pulls on the oceans.",
            "type": "headline"}
    response = call(api_app, "/summarize", "POST", body=body, query={"wait": "true"},
                    media_type="application/json")
    assert response.status_code == 200 and response.json()["summary"]
    # The same request again is a cache hit: its stream replays the finished job at once.
    response = call(api_app, "/summarize", "POST", body=body, media_type="application/json",
                    headers={"Accept": "text/event-stream"})
    assert header(response, "Content-Type").startswith("text/event-stream")
    assert "event: done" in response.text
    job_id = header(response, "X-Job-Id")
    response = call(api_app, "/jobs/{job_id}/events", "GET", path_parameters={"job_id": job_id})
    assert "event: done" in response.text
    response = call(api_app, "/jobs/{job_id}", "GET", path_parameters={"job_id": job_id})
    assert response.json()["status"] == "finished"


@pytest.mark.timeout(300)
@SCHEMA.parametrize()
def test_api_conforms_to_its_description(case, api_app, api_client):
    if case.operation.path == "/summarize":
        case.query = {k: v for k, v in (case.query or {}).items() if k != "wait"}
    checks = CHECKS
    if case.media_type in RAW_TEXT_TYPES:
        checks = [check for check in CHECKS if check is not negative_data_rejection]
    response = case.call_and_validate(app=api_app, checks=checks)
    if response.status_code == 202:  # never leave work for the worker
        api_client.delete(f"/jobs/{response.json()['job_id']}", headers=AUTH)
