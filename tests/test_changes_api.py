"""focus "changes" and `since` through the API, with the real worker and model: a Word file's
review summarized with every item cited to a change; an unchanged page says so; an expired or
malformed `since` is a clean 4xx."""

import io

import pytest

from tests import review_files

PAGE = ("The harbour board met on Monday. It agreed to rebuild the northern quay in stone by 2027.\n\n"
        "Ships will wait two days less for a berth.\n\nCosts rise by a tenth, paid by a fee on cargo.")


def kept(client, text):
    response = client.post("/extract", json={"text": text})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["document_id"]


@pytest.mark.model
def test_a_word_review_is_summarized_with_every_item_cited_to_a_change(client, worker):
    response = client.post("/summarize?wait=true", data={
        "file": (io.BytesIO(review_files.contract()), "contract.docx"), "focus": "changes",
        "cache": "false"}, content_type="multipart/form-data")
    assert response.status_code == 200, response.get_json()
    result = response.get_json()
    assert result["focus"] == "changes" and result["citations"]
    assert all(c["change"]["change"] in ("inserted", "deleted", "replaced", "moved", "comment")
               for c in result["citations"])
    assert all(c["supported"] for c in result["citations"])
    assert set(result["changes"]["authors"]) == {"Alice Moreau", "Bob Lind", "Carol Diaz"}


@pytest.mark.model
def test_an_unchanged_page_says_nothing_changed_without_the_model(client, worker):
    earlier = kept(client, PAGE)
    response = client.post("/summarize?wait=true", json={"text": PAGE, "since": earlier, "cache": False})
    assert response.status_code == 200, response.get_json()
    result = response.get_json()
    assert result["summary"] == "Nothing changed since the earlier version."
    assert result["method"] == "none" and result["usage"]["completion_tokens"] == 0
    assert result["since"] == earlier


@pytest.mark.model
def test_a_changed_page_is_summarized_from_its_changes(client, worker):
    earlier = kept(client, PAGE)
    later = PAGE.replace("by a tenth", "by a fifth") + "\n\nThe work starts in May."
    response = client.post("/summarize?wait=true", json={"text": later, "since": earlier, "cache": False})
    assert response.status_code == 200, response.get_json()
    result = response.get_json()
    kinds = {c["change"]["change"] for c in result["citations"]}
    assert result["citations"] and kinds <= {"edited", "added"}
    assert result["changes"]["count"] == 2


def test_an_unknown_since_is_404_and_a_malformed_one_400(client):
    unknown = client.post("/summarize", json={"text": PAGE, "since": "0" * 32})
    assert unknown.status_code == 404 and unknown.get_json()["error"]["code"] == "document_expired"
    malformed = client.post("/summarize", json={"text": PAGE, "since": "yesterday"})
    assert malformed.status_code == 400 and malformed.get_json()["error"]["code"] == "bad_option"
