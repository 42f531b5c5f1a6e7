"""Follow-ups without re-uploading: every result names its `document_id`; a request may send it
instead of the document while the server keeps it (document_ttl after its last use), without
extracting it again; an expired, unknown or other token's ID is 404 `document_expired`."""

import io

import pytest

from summarizer import create_app
from summarizer.queue import documents, keys
from summarizer.web import api
from tests.conftest import TEST_SETTINGS
from tests.test_extract_formats import VTT, make_pptx

LOCAL = documents.owner_digest("local")
"""Key names of documents kept without tokens (every client is jobs.LOCAL_OWNER)."""

DECK = make_pptx([("Harbour plan", ["The northern quay is rebuilt in stone by 2027.",
                                     "Ships wait two days less for a berth."]),
                  ("Costs", ["Costs rise by a tenth, paid by a fee on cargo landed at night."])])


def upload(client, name, data, **fields):
    return client.post("/summarize?wait=true", data={"file": (io.BytesIO(data), name), **fields},
                       content_type="multipart/form-data")


@pytest.mark.model
def test_a_follow_up_names_the_document_and_it_is_not_extracted_again(client, worker, monkeypatch, redis_client):
    first = upload(client, "plan.pptx", DECK, cache="false")
    assert first.status_code == 200, first.get_json()
    document_id = first.get_json()["document_id"]
    assert first.headers["X-Document-Id"] == document_id
    assert 0 < redis_client.ttl(keys.document(LOCAL, document_id)) <= 3600

    def no_extraction(*_args, **_kwargs):
        raise AssertionError("the kept document was extracted again")

    monkeypatch.setattr(api, "extract", no_extraction)
    follow_up = client.post("/summarize?wait=true", json={
        "document_id": document_id, "query": "How much do costs rise?", "type": "tldr", "cache": False})
    assert follow_up.status_code == 200, follow_up.get_json()
    result = follow_up.get_json()
    assert result["document_id"] == document_id and result["timings"]["extract_ms"] == 0
    assert result["answered"] is True and result["citations"]
    # the answer's sources are located by slide, as the uploaded deck's blocks were
    assert all("slide" in s["locator"] for c in result["citations"] for s in c["sources"])


def test_the_same_document_has_one_id_per_token_and_extract_returns_it(redis_url):
    app = create_app({"TESTING": True, "REDIS_URL": redis_url, **TEST_SETTINGS, "API_TOKENS": "one,two"})
    client = app.test_client()
    ids = [client.post("/extract", json={"text": "The quay is rebuilt in stone."},
                       headers={"Authorization": f"Bearer {token}"}).get_json()["document_id"]
           for token in ("one", "one", "two")]
    assert ids[0] == ids[1] != ids[2]
    # one token's ID is as unknown to another as one never issued
    other = client.post("/extract", json={"document_id": ids[0]}, headers={"Authorization": "Bearer two"})
    assert other.status_code == 404 and other.get_json()["error"]["code"] == "document_expired"
    same = client.post("/extract", json={"document_id": ids[0]}, headers={"Authorization": "Bearer one"})
    assert same.status_code == 200 and same.get_json()["text"] == "The quay is rebuilt in stone."


@pytest.mark.parametrize("document_id", ["0" * 32, "not-an-id", "../../etc"])
def test_unknown_document_ids_are_404_document_expired(client, document_id):
    response = client.post("/summarize", json={"document_id": document_id, "query": "Why?"})
    assert response.status_code == 404
    error = response.get_json()["error"]
    assert error["code"] == "document_expired" and "send the document itself again" in error["message"]


def test_an_expired_document_is_404_and_a_used_one_lives_on(client, redis_client):
    document_id = client.post("/extract", data={"file": (io.BytesIO(VTT.encode()), "m.vtt")},
                              content_type="multipart/form-data").get_json()["document_id"]
    redis_client.expire(keys.document(LOCAL, document_id), 1000)
    assert client.post("/extract", json={"document_id": document_id}).status_code == 200
    assert redis_client.ttl(keys.document(LOCAL, document_id)) > 1000  # each use keeps it document_ttl more
    redis_client.delete(keys.document(LOCAL, document_id))  # what the TTL does when it runs out
    response = client.post("/extract", json={"document_id": document_id})
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "document_expired"


def test_a_document_id_and_a_document_together_are_refused(client):
    response = client.post("/summarize", json={"document_id": "0" * 32, "text": "Some text."})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_input"


def test_ids_are_content_hashes_of_the_extracted_document():
    from summarizer.document import Block, Document

    one = Document("T", [Block("Same text.", {"paragraph": 0})], {"filename": "a.txt"})
    renamed = Document("T", [Block("Same text.", {"paragraph": 0})], {"filename": "b.txt"})
    moved = Document("T", [Block("Same text.", {"paragraph": 1})])
    assert documents.document_id(one, "local") == documents.document_id(renamed, "local")
    assert documents.document_id(one, "local") != documents.document_id(moved, "local")
    assert documents.document_id(one, "local") != documents.document_id(one, "token:abc")
