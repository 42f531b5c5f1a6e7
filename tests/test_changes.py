"""The summary of changes (focus "changes"): grouped by author, every item cited to a change and
backed by the changed text, deleted text written as deleted, nothing to tell without a model call."""

from pathlib import Path

import pytest

from summarizer.changes import blocks, summary, versions
from summarizer.document import Block, Document
from summarizer.errors import BadRequest
from summarizer.extract import word
from summarizer.options import SummaryOptions, parse_options
from tests import review_files
from tests.changes_double import Run, ScriptedModel

DATA = Path(__file__).parent / "data" / "review"
CHANGES = SummaryOptions(focus="changes")


def review_of(data):
    return word.parse(data, max_chars=1_000_000).metadata.get("review")


def summarize(review, *answers, options=CHANGES, **extra):
    run = Run(ScriptedModel(*answers))
    return summary.summarize(run, review, options, {"prompt_tokens": 0, "completion_tokens": 0},
                             **extra), run.model


def assert_cites_changes(result):
    assert result["citations"], result
    for citation in result["citations"]:
        assert citation["change"]["change"] in ("inserted", "deleted", "replaced", "moved", "comment",
                                                "added", "removed", "edited")
        assert citation["sources"] and "change" in citation["sources"][0]["locator"]


def test_the_contract_review_is_summarized_by_author_with_each_item_cited():
    result, model = summarize(review_of(review_files.contract()),
                              "- Alice Moreau changed the delivery time from 30 days to 14 days.\n"
                              "- Bob Lind deleted the penalty of 2 percent of the order value per week.\n"
                              "- Carol Diaz asked whether the warranty should exclude wear parts.")
    assert len(model.calls) == 1 and result["focus"] == "changes"
    assert_cites_changes(result)
    authors = [c["change"].get("author") for c in result["citations"]]
    assert {"Alice Moreau", "Bob Lind", "Carol Diaz"} <= set(authors)
    assert authors == sorted(authors, key=authors.index)  # grouped: one run per author
    assert "**Alice Moreau**" in result["summary"] and "**Carol Diaz**" in result["summary"]
    assert result["supported_share"] >= 0.95
    assert result["changes"]["formatting_changes"] == 1
    assert set(result["changes"]["authors"]) == {"Alice Moreau", "Bob Lind", "Carol Diaz"}


def test_deleted_text_told_as_if_it_were_still_there_is_replaced_by_the_deletion():
    result, _ = summarize(review_of(review_files.contract()),
                          "- Late deliveries cost a penalty of 2 percent of the order value per week.")
    penalty = [c for c in result["citations"] if "2 percent" in c["text"]]
    assert penalty and all(c["change"]["change"] == "deleted" for c in penalty)
    assert all("deleted" in c["text"] for c in penalty)
    assert any(c["status"] == "replaced" for c in penalty)


def test_a_change_that_did_not_happen_is_not_reported():
    result, _ = summarize(review_of(review_files.contract()),
                          "- Alice Moreau deleted the confidentiality clause and the arbitration rules.")
    assert_cites_changes(result)
    assert not any("confidentiality" in c["text"] for c in result["citations"])


def test_a_document_without_marks_says_so_without_the_model():
    result, model = summarize(review_of(review_files.plain()))
    assert result["summary"] == "This document has no tracked changes and no comments."
    assert result["method"] == "none" and not model.calls and not result["citations"]


def test_real_deletions_and_insertions_are_summarized():
    result, _ = summarize(review_of((DATA / "poi__delins.docx").read_bytes()),
                          "- pavel inserted the Apache Tika 0.3 release news.\n"
                          "- pavel deleted the Tika Waylan entry.")
    assert_cites_changes(result)
    assert {c["change"]["change"] for c in result["citations"]} >= {"inserted", "deleted"}


def test_real_comments_are_summarized_with_their_authors():
    result, _ = summarize(review_of((DATA / "docling__docx_comments.docx").read_bytes()),
                          "- John Reviewer left a sample reviewer comment on the first paragraph.")
    assert_cites_changes(result)
    assert {c["change"]["change"] for c in result["citations"]} == {"comment"}
    assert "John Reviewer" in result["summary"]


def test_thousands_of_tiny_revisions_give_a_bounded_summary():
    result, _ = summarize(review_of(review_files.tiny_revisions(5000)), *["- Bot 1 inserted b."] * 3)
    assert result["changes"]["total"] == 5000 and result["changes"]["count"] <= 500
    assert len(result["citations"]) <= 3


def page(*texts):
    return Document("Harbour news", [Block(t, {"block": i}) for i, t in enumerate(texts)])


EARLIER = page("The council met on Monday to discuss the harbour.",
               "The new barrier will cost 40 million euros.",
               "Work starts in March.", "Residents can comment until Friday.")


def test_an_unchanged_page_says_so_without_the_model():
    result, model = summarize(versions.compare(EARLIER, EARLIER), since="a" * 32)
    assert result["summary"] == "Nothing changed since the earlier version."
    assert not model.calls and result["since"] == "a" * 32


def test_changes_since_an_earlier_version_are_cited_to_the_new_blocks():
    later = page("The council met on Monday to discuss the harbour.",
                 "The new barrier will cost 55 million euros.",
                 "Residents can comment until Friday.", "Work starts in March.",
                 "The mayor will present the plan in April.")
    found = versions.compare(EARLIER, later)
    assert {c["change"] for c in found["changes"]} == {"edited", "moved", "added"}
    result, _ = summarize(found, "- The barrier's cost changed from 40 million to 55 million euros.\n"
                                 "- The mayor will present the plan in April.")
    assert_cites_changes(result)
    edited = next(c for c in result["citations"] if c["change"]["change"] == "edited")
    assert edited["change"]["locator"] == {"block": 1}


def test_a_removed_block_is_cited_to_the_earlier_version():
    found = versions.compare(EARLIER, page(*[b.text for b in EARLIER.blocks[:3]]))
    [removed] = found["changes"]
    assert removed["change"] == "removed" and removed["locator"] == {"block": 3, "version": "earlier"}
    assert blocks.describe(removed).startswith("Removed: “Residents")


@pytest.mark.parametrize("raw", [{"since": "not-an-id"}, {"since": "a" * 32, "query": "Why?"},
                                 {"focus": "everything"}, {"since": "a" * 32, "focus": "document"}])
def test_bad_change_options_are_refused(raw):
    with pytest.raises(BadRequest):
        parse_options(raw)


def test_since_asks_for_changes():
    assert parse_options({"since": "A" * 32}) == SummaryOptions(focus="changes", since="a" * 32)


def test_an_item_the_support_check_passed_still_says_deleted_text_is_gone():
    """The rule on its own: whatever backed it, an item citing a deletion must say it is gone."""
    changes = blocks.document(review_of(review_files.contract()))
    index = summary.grounding.SourceIndex(changes.blocks, changes.title)
    deletion = next(b for b in changes.blocks if b.locator["change"] == "deleted")
    passed = {"item": 0, "text": "Late deliveries cost a penalty of 2 percent of the order value.",
              "supported": True, "status": "supported", "score": 0.9,
              "sources": [{"locator": dict(deletion.locator), "score": 0.9, "quote": deletion.text}]}
    [entry] = summary.cited_to_changes([passed], changes, index)
    assert entry["status"] == "replaced" and entry["text"] == deletion.text
    assert entry["original"] == passed["text"] and entry["change"]["change"] == "deleted"


def test_an_item_the_changed_text_does_not_back_becomes_the_changes_own_description():
    changes = blocks.document(review_of(review_files.contract()))
    index = summary.grounding.SourceIndex(changes.blocks, changes.title)
    comment = next(b for b in changes.blocks if b.locator["change"] == "comment")
    unbacked = {"item": 0, "text": "Carol Diaz wants a ten-year warranty.", "supported": False,
                "status": "unverified", "score": 0.1,
                "sources": [{"locator": dict(comment.locator), "score": 0.4, "quote": comment.text}]}
    [entry] = summary.cited_to_changes([dict(unbacked)], changes, index)
    assert entry["text"] == comment.text and entry["status"] == "replaced" and entry["supported"]
    [kept] = summary.cited_to_changes([dict(unbacked)], changes, index, translated=True)
    assert kept["text"] == unbacked["text"]  # a translation is not checked word by word
