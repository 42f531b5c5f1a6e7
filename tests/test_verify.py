"""POST /verify and `summarizer verify`: claims checked against a document exactly as a summary's
items are, without the model and without the queue (issue 21, item 4)."""

import io
import subprocess
import sys

import pytest

from summarizer import create_app
from summarizer.document import Document
from summarizer.engine import grounding, revise
from summarizer.options import SummaryOptions
from tests.conftest import REPO, TEST_SETTINGS

DOCUMENT = (
    "The river authority opened a new flood barrier in the old harbour on Monday.\n\n"
    "The barrier cost 40 million euros and protects 3,000 homes along the east bank. Engineers "
    "tested it during the spring tides, when the water rose by two metres.\n\n"
    "The mayor, Clarence J. Brown, said the city will add two more barriers by 2030. Critics said "
    "the money should have gone to the railway line to the coast, which floods every winter.\n\n"
    "Fishermen in the harbour said the gates close too slowly in a storm."
)
COMPARED = ("supported", "score", "sources")
"""What a claim's verdict shares with the summary item's citation (`status` names the path that
made the item: "replaced", "extracted"; a claim is a claim)."""


def verdicts(client, **body):
    response = client.post("/verify", json=body)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_verdicts_are_the_summary_pipelines_for_the_same_items(client, worker):
    """A real summary by the real model, then its items sent back as claims."""
    seen = set()
    for kind in ("key-points", "tldr", "headline"):
        result = client.post("/summarize?wait=true", json={"text": DOCUMENT, "type": kind, "length": "long",
                                                           "cache": False}).get_json()
        citations = result["citations"]
        assert citations, result
        answer = verdicts(client, document_id=result["document_id"], claims=[c["text"] for c in citations])
        for citation, claim in zip(citations, answer["claims"], strict=True):
            assert {k: claim[k] for k in COMPARED} == {k: citation[k] for k in COMPARED}, (citation, claim)
            assert claim["missing"] == citation.get("missing", [])
            seen.add(citation["status"])
        # The model's own words of a replaced item are what the check turned away.
        originals = [c["original"] for c in citations if c.get("status") == "replaced"]
        if originals:
            answer = verdicts(client, document_id=result["document_id"], claims=originals)
            assert not any(claim["supported"] for claim in answer["claims"])
    assert seen & {"supported", "replaced", "extracted"}


BORDERLINE = [
    "The new flood barrier in the harbour cost 40 million euros.",
    "Engineers tested the barrier when the water rose.",
    "The barrier protects homes and the railway line to the coast.",
    "Mayor Brown said more barriers will follow.",
    "Fishermen said the gates are slow.",
    "The authority opened the barrier on Monday after the spring tides.",
    "Critics wanted the money for the railway, which floods every winter.",
    "The city will add three more barriers by 2030.",
    "Rotterdam opened a new flood barrier in the old harbour on Monday.",  # named in the title only
]
"""Paraphrases near the support threshold, and distortions: where a different check would differ."""


def test_borderline_items_get_the_verdict_the_summary_pipeline_gives_them(client):
    """The pipeline's own code (revise.revise over the SourceIndex it builds) on the same items."""
    paragraphs = "".join(f"<p>{paragraph}</p>" for paragraph in DOCUMENT.split("\n\n"))
    html = f"<html><head><title>Rotterdam opens its harbour barrier</title></head><body><article>" \
           f"{paragraphs}</article></body></html>"
    kept = client.post("/extract", json={"html": html}).get_json()
    document = Document.from_dict(kept)
    assert "Rotterdam" in document.title and "Rotterdam" not in " ".join(b.text for b in document.blocks)
    index = grounding.SourceIndex(document.blocks, document.title)
    strict = SummaryOptions(type="key-points", length="long", strict=True)
    answer = verdicts(client, document_id=kept["document_id"], claims=BORDERLINE)
    for item, claim in zip(BORDERLINE, answer["claims"], strict=True):
        citations, _ = revise.revise([item], document, strict, index)
        assert claim["supported"] == bool(citations), (item, claim)
        if citations:
            assert {k: claim[k] for k in COMPARED} == {k: citations[0][k] for k in COMPARED}
    scores = [claim["score"] for claim in answer["claims"]]
    assert any(abs(score - grounding.SUPPORT_THRESHOLD) <= 0.15 for score in scores), scores  # near the threshold
    assert {claim["supported"] for claim in answer["claims"]} == {True, False}


def test_a_claim_gets_its_verdict_score_missing_facts_and_located_sources(client):
    answer = verdicts(client, text=DOCUMENT, claims=(
        "The barrier cost 40 million euros and protects 3,000 homes. "
        "The barrier cost 90 million euros. Clarence J. Brown promised two more barriers by 2030."))
    first, wrong, named = answer["claims"]
    assert [c["item"] for c in answer["claims"]] == [0, 1, 2]
    assert named["text"] == "Clarence J. Brown promised two more barriers by 2030."  # not cut at "J."
    assert first["supported"] and first["status"] == "supported" and first["missing"] == []
    assert first["sources"][0]["locator"] == {"paragraph": 1}
    assert first["sources"][0]["quote"].startswith("The barrier cost 40 million euros")
    assert not wrong["supported"] and wrong["status"] == "unverified" and "90" in " ".join(wrong["missing"])
    assert answer["supported_share"] == round(sum(c["supported"] for c in answer["claims"]) / 3, 3)
    assert answer["document_id"]


def test_every_input_the_service_reads_is_accepted(client):
    html = f"<html><head><title>Barrier</title></head><body><article><p>{DOCUMENT}</p></article></body></html>"
    from_html = verdicts(client, html=html, claims=["The barrier protects 3,000 homes."])
    upload = client.post("/verify", content_type="multipart/form-data", data={
        "file": (io.BytesIO(DOCUMENT.encode()), "barrier.md"),
        "claims": ["The barrier protects 3,000 homes.", "The barrier protects 9,000 homes."]})
    assert upload.status_code == 200, upload.get_json()
    from_file = upload.get_json()
    assert [c["supported"] for c in from_file["claims"]] == [True, False]  # one claim per field
    again = verdicts(client, document_id=from_file["document_id"], claims="The barrier protects 3,000 homes.")
    assert from_html["claims"][0]["supported"] and again["claims"][0]["supported"]


def test_no_model_and_no_queue(redis_url, queue):
    """Without any worker, and leaving the queue as it was."""
    client = create_app({"TESTING": True, "REDIS_URL": redis_url, **TEST_SETTINGS}).test_client()
    before = queue.count
    assert verdicts(client, text=DOCUMENT, claims=["The barrier protects 3,000 homes."])["claims"][0]["supported"]
    assert queue.count == before


@pytest.mark.parametrize("body, code", [
    ({"text": DOCUMENT}, "no_claims"),
    ({"text": DOCUMENT, "claims": ""}, "no_claims"),
    ({"text": DOCUMENT, "claims": "   "}, "no_claims"),
    ({"text": DOCUMENT, "claims": []}, "no_claims"),
    ({"text": DOCUMENT, "claims": ["A claim.", " "]}, "no_claims"),
    ({"text": DOCUMENT, "claims": [1]}, "bad_claims"),
    ({"text": DOCUMENT, "claims": {"a": "b"}}, "bad_claims"),
    ({"text": DOCUMENT, "claims": ["x"] * 4}, "too_many_claims"),
    ({"text": DOCUMENT, "claims": "One. Two. Three. Four."}, "too_many_claims"),
    ({"text": DOCUMENT, "claims": ["x" * 201]}, "claim_too_long"),
    ({"text": DOCUMENT, "claims": "A claim.", "type": "headline"}, "unknown_field"),
    ({"claims": "A claim."}, "bad_input"),
])
def test_bad_claims_are_a_400_with_a_json_error(redis_url, body, code):
    client = create_app({"TESTING": True, "REDIS_URL": redis_url, "VERIFY_MAX_CLAIMS": 3,
                         "VERIFY_MAX_CLAIM_CHARS": 200}).test_client()
    response = client.post("/verify", json=body)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == code


def test_the_command_prints_verdicts_and_exits_by_them(live_server, tmp_path):
    document = tmp_path / "barrier.txt"
    document.write_text(DOCUMENT)

    def run(*claims):
        args = [arg for claim in claims for arg in ("--claims", claim)]
        return subprocess.run([sys.executable, "-m", "summarizer.cli", "verify", str(document), *args,
                               "--server", live_server.url, "--token", live_server.token],
                              capture_output=True, text=True, timeout=60, cwd=REPO)

    # Two of the document's own sentences, as one text: split, and both supported.
    done = run("The barrier cost 40 million euros and protects 3,000 homes along the east bank. "
               "Fishermen in the harbour said the gates close too slowly in a storm.")
    assert done.returncode == 0, done.stderr
    assert "2 of 2 claims supported" in done.stdout and "(paragraph 1)" in done.stdout
    done = run("The barrier cost 40 million euros and protects 3,000 homes along the east bank.",
               "The barrier cost 90 million euros and protects 3,000 homes along the east bank.")
    assert done.returncode == 3, done.stderr
    assert "NOT supported" in done.stdout and "missing from the source: 90" in done.stdout
    done = subprocess.run([sys.executable, "-m", "summarizer.cli", "verify", str(document), "--claims", "x",
                           "--server", live_server.url, "--token", "wrong"],
                          capture_output=True, text=True, timeout=60, cwd=REPO)
    assert done.returncode == 1 and "401" in done.stderr


MEETING_VTT = """WEBVTT

00:00:01.000 --> 00:00:09.000
<v Grad B>The route planner needs the building entrances {disfmarker} all of them. The map has none yet.
Last year we drew the paths by hand. The paths took two months.
Sometimes visitors only want to get close to a building.

00:00:09.500 --> 00:00:14.000
<v Professor C>Then we collect the entrances for the campus first {vocalsound}. The library has four.
The lab has two. Ask the caretakers for the keys.

00:00:14.500 --> 00:00:18.000
<v Grad B>That takes a week of walking around.

00:00:18.500 --> 00:00:21.000
<v Professor C>Fine, we start on Monday.
"""


def test_a_transcript_claim_is_checked_against_its_speaker_and_quoted_without_notes(client):
    """A WebVTT file as a user uploads it: Grad B's sentence, four sentences into the turn and far
    from any other of Grad B's, is Grad B's words; the same words are not Professor C's."""
    upload = client.post("/verify", content_type="multipart/form-data", data={
        "file": (io.BytesIO(MEETING_VTT.encode()), "meeting.vtt"),
        "claims": ["Grad B: Sometimes visitors only want to get close to a building.",
                   "Professor C: Sometimes visitors only want to get close to a building."]})
    assert upload.status_code == 200, upload.get_json()
    said, moved = upload.get_json()["claims"]
    assert said["supported"] and not moved["supported"], (said, moved)
    assert said["sources"][0]["locator"]["speaker"] == "Grad B"
    assert all("{" not in source["quote"] for claim in (said, moved) for source in claim["sources"])
