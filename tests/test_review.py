"""The Word reader's review: tracked insertions, deletions and moves with author and date,
formatting changes counted, comments with their anchors; hostile review files stay bounded."""

import io
import time
from pathlib import Path

import pytest

from summarizer import create_app
from summarizer.extract import review, word
from tests import review_files

DATA = Path(__file__).parent / "data" / "review"


def read(data):
    return word.parse(data, max_chars=1_000_000)


def test_real_insertions_and_deletions_are_read_with_author_and_date():
    document = read((DATA / "poi__delins.docx").read_bytes())
    found = document.metadata["review"]
    kinds = [c["change"] for c in found["changes"]]
    assert kinds.count("deleted") >= 2 and kinds.count("inserted") >= 10
    assert {c["author"] for c in found["changes"]} == {"pavel"}
    assert all(c["date"].startswith("2009-07-24") for c in found["changes"])
    assert found["formatting_changes"] > 0
    deleted = next(c for c in found["changes"] if c["change"] == "deleted")
    assert "Hindu women" in deleted["text"]
    assert "Hindu women" not in document.text, "deleted text is not the document as it reads"
    inserted = next(c for c in found["changes"] if c["change"] == "inserted")
    assert inserted["text"] in document.text
    paragraph = inserted["locator"]["paragraph"]
    assert any(b.locator.get("paragraph") == paragraph for b in document.blocks)


@pytest.mark.parametrize("name, authors", [
    ("docling__docx_comments.docx", {"John Reviewer", "Jane Editor", ""}),
    ("pydocx__comments-rich-para.docx", {"Steve Canny", ""}),
])
def test_real_comments_carry_author_date_and_anchored_text(name, authors):
    document = read((DATA / name).read_bytes())
    comments = document.metadata["review"]["comments"]
    assert {c["author"] for c in comments} == authors
    for comment in comments:
        assert comment["text"] and comment["date"]
        assert comment["anchor"] and comment["anchor"] in document.text
        block = next(b for b in document.blocks
                     if b.locator.get("paragraph") == comment["locator"]["paragraph"])
        assert comment["anchor"] in block.text


def test_made_contract_review():
    document = read(review_files.contract())
    found = document.metadata["review"]
    by_kind = {(c["change"], c["text"]): c for c in found["changes"]}
    replaced = by_kind[("replaced", "14 days")]  # a deletion and an insertion side by side
    assert replaced["old"] == "30 days" and replaced["author"] == "Alice Moreau"
    assert replaced["context"] == "The supplier delivers within 14 days of each purchase order."
    assert by_kind[("deleted", "a penalty of 2 percent of the order value per week")]["author"] == "Bob Lind"
    assert ("moved", "Disputes go to the courts of Norwick.") in by_kind
    assert found["formatting_changes"] == 1
    assert "30 days" not in document.text and "14 days" in document.text
    [comment] = found["comments"]
    assert comment["author"] == "Carol Diaz" and "wear parts" in comment["text"]
    assert comment["anchor"].startswith("The warranty covers")


def test_a_document_without_marks_has_no_review():
    assert "review" not in read(review_files.plain()).metadata


def test_thousands_of_tiny_revisions_are_bounded_and_counted():
    began = time.perf_counter()
    found = read(review_files.tiny_revisions(5000)).metadata["review"]
    assert time.perf_counter() - began < 10
    assert len(found["changes"]) == review.MAX_CHANGES
    assert found["changes_total"] == 5000


def test_an_insertion_inside_a_deletion_is_one_deletion():
    found = read(review_files.nested_insert_in_delete()).metadata["review"]
    assert [(c["change"], c["text"], c["author"]) for c in found["changes"]] == \
        [("deleted", "forty and fifty", "Bob Lind")]


def test_a_comment_without_an_anchor_is_located_as_a_comment():
    [comment] = read(review_files.unanchored_comment()).metadata["review"]["comments"]
    assert comment["anchor"] == "" and comment["locator"] == {"comment": comment["id"]}


def test_extract_returns_the_review(redis_url):
    client = create_app({"TESTING": True, "REDIS_URL": redis_url, "PARSE_TIMEOUT": "60"}).test_client()
    response = client.post("/extract", data={"file": (io.BytesIO(review_files.contract()), "c.docx")},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    found = response.get_json()["metadata"]["review"]
    assert {c["change"] for c in found["changes"]} == {"replaced", "inserted", "deleted", "moved"}
    assert found["comments"][0]["author"] == "Carol Diaz"


@pytest.mark.parametrize("make", [review_files.tiny_revisions, review_files.nested_insert_in_delete,
                                  review_files.unanchored_comment])
def test_hostile_review_files_are_read_through_the_api_or_cleanly_refused(redis_url, make):
    client = create_app({"TESTING": True, "REDIS_URL": redis_url, "PARSE_TIMEOUT": "60"}).test_client()
    response = client.post("/extract", data={"file": (io.BytesIO(make()), "hostile.docx")},
                           content_type="multipart/form-data")
    assert response.status_code in (200, 413, 422), response.get_data(as_text=True)[:300]
    if response.status_code == 200:
        found = response.get_json()["metadata"]["review"]
        assert len(found["changes"]) <= review.MAX_CHANGES
    else:
        assert response.get_json()["error"]["code"]
