"""Questions (`query`): the model reads the sentences that answer them, the answer is cited like
any summary, and a document that does not answer says so (`answered: false`) without an invented
answer. The engine parts run without the model; the HTTP ones on the real worker and model."""

import pytest

from summarizer.engine import answer, excerpt, grounding, query
from summarizer.errors import BadRequest
from summarizer.extract import text as text_format
from summarizer.options import MAX_QUERY_CHARS, parse_options

TOPICS = [
    "Anna: The new website goes live in May after the design review.",
    "Ben: The support team answered twice as many tickets this quarter.",
    "Carla: Our office in Porto moves to a larger floor next year.",
    "Dev: The mobile app crashed less often after the last release.",
    "Anna: Hiring for the data team is slower than we planned.",
]
PARKING = [
    "Ben: About the parking garage, the council approved the permit on Monday.",
    "Carla: So the parking garage opens in October with two hundred spaces for staff.",
    "Dev: And the garage spaces cost staff thirty euros a month.",
]


SUBJECTS = "website support office app hiring invoices laptops training newsletter survey".split()
VERBS = "reviewed delayed finished discussed planned".split()


def transcript(repeats=30):
    """A long meeting: its general topics in many variants, the parking garage once, midway."""
    lines = list(TOPICS)
    for round_ in range(repeats):
        subject, verb = SUBJECTS[round_ % len(SUBJECTS)], VERBS[round_ % len(VERBS)]
        lines += [f"{name}: The {subject} team {verb} the {subject} work for week {round_} with the "
                  f"{SUBJECTS[(round_ + 3) % len(SUBJECTS)]} people." for name in ("Anna", "Ben")]
        if round_ == repeats // 2:
            lines += PARKING
    return text_format.extract("\n".join(lines))


def index_of(document):
    return grounding.SourceIndex(document.blocks, document.title)


def words(text):
    return len(text.split())


def test_the_excerpt_for_a_question_reads_the_part_that_answers_it():
    index = index_of(transcript())
    asked = query.focus(index, "What did they decide about the parking garage?")
    assert asked.answerable and asked.coverage == 1.0
    focused = excerpt.text(index, 120, words, ranked=asked.ranked)
    general = excerpt.text(index, 120, words)
    assert all(line.split(": ", 1)[1] in focused for line in PARKING), focused
    assert "parking" not in general  # what the model read before: the salient, not the asked


def test_a_question_the_document_does_not_answer_is_recognised():
    index = index_of(transcript())
    asked = query.focus(index, "What did they decide about the budget for the Christmas party?")
    assert not asked.answerable and asked.missing == ["budget", "Christmas", "party"]
    assert answer.not_answered_text(asked) == (
        "The document does not answer this question: it never mentions “budget”, “Christmas”, “party”.")


def test_a_questions_words_must_meet_near_each_other():
    """Issue 25.6: the topic words of a question spread over turns far apart ("budget" in one,
    "experiments" in another, "approve" in a third) answer nothing; met in neighbouring turns they
    do."""
    apart = list(TOPICS)
    for round_ in range(30):
        apart += [f"Ben: The {SUBJECTS[round_ % len(SUBJECTS)]} team met for week {round_}."]
        if round_ in (5, 15, 25):
            apart.append({5: "Anna: It's way out of my budget, honestly.",
                          15: "Dev: The experiments with the new sensors ran late.",
                          25: "Carla: We should approve the minutes next time."}[round_])
    question = "What budget did they approve for the experiments?"
    scattered = query.focus(index_of(text_format.extract("\n".join(apart))), question)
    assert not scattered.answerable, scattered.coverage
    near = apart + ["Anna: The board will approve a budget of ten thousand euros.",
                    "Ben: That budget covers the experiments with the new sensors."]
    assert query.focus(index_of(text_format.extract("\n".join(near))), question).answerable


def test_asking_words_alone_ask_for_the_whole():
    asked = query.focus(index_of(transcript(3)), "Summarize the discussion of the meeting, please.")
    assert asked.answerable and query.topic_words("Summarize the discussion of the meeting") == []


def test_neighbouring_turns_share_relevance():
    scores = query.spread({10: 1.0}, 20)
    assert scores[10] == 1.0 and scores[11] == scores[9] == 0.5 and scores[12] == 0.25 and 13 not in scores


def test_query_option_is_checked_and_tidied():
    assert parse_options({"query": "  What   about\nthe garage? "}).query == "What about the garage?"
    assert parse_options({}).query == ""
    with pytest.raises(BadRequest):
        parse_options({"query": "x" * (MAX_QUERY_CHARS + 1)})
    with pytest.raises(BadRequest):
        parse_options({"query": 3})


def test_the_prompt_asks_the_question_after_the_document():
    options = parse_options({"query": "When does the garage open?", "type": "tldr"})
    system, user = answer.messages_for("Carla: It opens in October.", options, "Staff meeting")
    assert "answer a question" in system["content"] and "When does" not in system["content"]
    assert user["content"].index("</document>") < user["content"].index("The reader's question: When does")


GARAGE_TEXT = " ".join(line.split(": ", 1)[1] for line in TOPICS[:3] + PARKING + TOPICS[3:])


def ask(client, **fields):
    response = client.post("/summarize?wait=true", json={"type": "tldr", "cache": False, **fields})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def read_per_attempt(result):
    """Prompt tokens the model read (not found in its cache), per attempt of the answer."""
    usage = result["usage"]
    return (usage["prompt_tokens"] - usage["cached_tokens"]) / len(result["guard"]["attempts"])


@pytest.mark.model
def test_an_answered_question_is_cited_like_a_summary(client, worker):
    result = ask(client, text=GARAGE_TEXT, query="When does the parking garage open?")
    assert result["answered"] is True and result["query"] == "When does the parking garage open?"
    assert "October" in result["summary"], result["summary"]  # what the transcript says
    supported = [c for c in result["citations"] if c["status"] in ("supported", "replaced", "extracted")]
    assert any("October" in s["quote"] for c in supported for s in c["sources"]), result["citations"]
    assert result["usage"]["prompt_tokens"] > 0
    assert len(result["document_id"]) == 32


@pytest.mark.model
def test_a_follow_up_reads_the_question_not_the_document_again(client, worker):
    """Issue 25: the worker kept what the model read of the document for the first question; the
    follow-up, even after another document, reads only its own part. (That its part holds the
    sentence the question needs is the prompt test below; whether SmolLM2-135M then copies the
    price into its answer depends on its wording, which any prompt change moves.)"""
    text = "\n".join(block.text for block in transcript().blocks)  # longer than the excerpt
    first = ask(client, text=text, query="What did they decide about the parking garage?")
    ask(client, text=GARAGE_TEXT.replace("garage", "depot"), query="When does the depot open?")
    follow = ask(client, document_id=first["document_id"], query="How much do the garage spaces cost?")
    assert follow["answered"] and follow["citations"], follow["summary"]
    assert all(s["quote"] in text for c in follow["citations"] for s in c["sources"])
    assert follow["usage"]["cached_tokens"] > 0
    assert read_per_attempt(follow) < read_per_attempt(first) / 4, (first["usage"], follow["usage"])
    assert follow["timings"]["reading_ms"] < first["timings"]["reading_ms"]


@pytest.mark.model
def test_an_unanswered_question_says_so_without_asking_the_model(client, worker):
    response = client.post("/summarize", json={
        "text": GARAGE_TEXT, "query": "What is the budget of the Christmas party?", "cache": False},
        headers={"Accept": "text/event-stream"}, buffered=False)
    from tests.sse import events_of

    events = events_of(response)
    preview, result = events[0].data, events[-1].data
    assert events[0].event == "preview" and preview["answered"] is False
    assert events[-1].event == "done" and result["answered"] is False
    assert result["summary"].startswith("The document does not answer this question")
    assert "“budget”" in result["summary"] and result["citations"] == []
    assert result["usage"] == {"prompt_tokens": 0, "completion_tokens": 0, "cached_tokens": 0}
    assert not [e for e in events if e.event == "token"], "nothing was invented"


@pytest.mark.model
def test_the_cli_asks_then_follows_up_by_document_id(live_server):
    import json
    import re
    import subprocess
    import sys

    from tests.conftest import REPO

    command = [sys.executable, "-m", "summarizer.cli", "summarize", "--server", live_server.url,
               "--token", live_server.token, "--type", "tldr"]
    first = subprocess.run(command + ["-", "--query", "When does the parking garage open?"],
                           input=GARAGE_TEXT, capture_output=True, text=True, timeout=180, cwd=REPO)
    assert first.returncode == 0, first.stderr
    document_id = re.search(r"document_id ([0-9a-f]{32})", first.stderr).group(1)
    again = subprocess.run(command + [document_id, "--document-id", "--json", "--query",
                                      "How much do the garage spaces cost?"],
                           capture_output=True, text=True, timeout=180, cwd=REPO)
    assert again.returncode == 0, again.stderr
    result = json.loads(again.stdout)
    # The model answered (the "does not answer" text is made without it), from its kept reading.
    assert result["answered"] and result["method"] == "model" and result["citations"], result
    assert result["document_id"] == document_id and result["usage"]["cached_tokens"] > 0


def test_a_type_added_to_the_table_can_answer_questions_too(monkeypatch):
    from summarizer import shapes
    from test_shapes import OUTLINE

    monkeypatch.setitem(shapes.TYPES, "outline", OUTLINE)
    options = parse_options({"type": "outline", "query": "What about the garage?"})
    assert answer.task(options).startswith("an outline of the document as a Markdown bullet list")
    assert answer.task(options).endswith("with only what answers the question")


def test_an_answer_from_a_transcript_is_located_by_the_cue_timestamps():
    """Issue 16.3: the locators of a transcript's citations are timestamps (and the speaker), the
    cue that answers, not the first one; the preview is what the panel shows before the model."""
    from tests.test_extract_formats import VTT, read

    options = parse_options({"query": "When will Ben send the figures?", "type": "tldr"})
    event = answer.preview_event(read(VTT.encode()), options)
    assert event["answered"] is True and "Friday" in event["summary"]
    sources = [s["locator"] for c in event["citations"] for s in c["sources"]]
    assert sources[0] == {"start": "00:01:10.000", "end": "00:01:15.000", "speaker": "Ben"}, sources


def test_two_questions_about_a_document_share_its_part_as_a_prefix():
    """Issue 25: the system turn and the excerpt are the same whatever is asked (what a worker
    keeps read, and an upstream's prefix cache reuses); each question's own sentences come after
    the excerpt, the question last."""
    from summarizer.config import Settings
    from summarizer.engine.llm import load_tokenizer

    settings = Settings.from_mapping({"n_ctx": 1024, "max_tokens": 24})
    model, document = load_tokenizer(settings.model), transcript(60)
    index = index_of(document)
    prompts_of = {}
    for question in ("What did they decide about the parking garage?",
                     "How much do the garage spaces cost staff in the parking garage?"):
        options = parse_options({"type": "tldr", "query": question})
        text, more = answer.reading(model, settings, index, query.focus(index, question), options)
        system, user = answer.messages_for(text, options, document.title, more)
        assert "thirty euros" in more, "the question's sentence, which the excerpt lacks"
        assert user["content"].index(more.split("\n")[0][:30]) < user["content"].index(question)
        prompts_of[question] = (system["content"], user["content"], text)
    (system_a, user_a, text_a), (system_b, user_b, text_b) = prompts_of.values()
    assert system_a == system_b and text_a == text_b
    kept = answer.prompts.kept_text(text_a)
    assert user_a.startswith(kept) and user_b.startswith(kept) and "thirty euros" not in kept
