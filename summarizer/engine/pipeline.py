"""The summary of a document that fits one model call, held to the rules and cited.

Every function here takes a *run*: what the caller (a worker's JobContext, the benchmark's direct
context, a test) provides around the model, as engine/backend.py's `Run` protocol writes it down
(model, settings, check_cancel, emit, progress, measured, recovered). The engine never talks to
Redis or the queue itself: the run does. How much text one call reads is engine/budget.py's rule.
"""

import time

from summarizer import shapes
from summarizer.engine import budget, excerpt, grounding, lexicon, preview, prompts, recovery, revise, salience

FILL_CANDIDATES = 12
"""Salient sentences offered for the places of dropped items, best first (more than the longest
shape asks for, since some repeat what the model's items say)."""


def summarize(run, document, options, usage):
    """The summary fields of a result for `document`: the model's (`written_summary`), or the
    document's own most salient sentences where those carry more of it (`closer_summary`)."""
    index = grounding.SourceIndex(document.blocks, document.title)
    ranked = salience.rank(index, options)
    fields = written_summary(run, document, options, usage, index, ranked)
    return closer_summary(fields, document, options, index, ranked)


def written_summary(run, document, options, usage, index, ranked):
    """The summary fields of the model's summary of `document` (`index` and its `ranked`
    sentences), written from its most salient sentences that fit `selection_tokens` (the whole
    text when it fits): extract, then abstract. With depth "thorough" the model reads as much as
    fits its context."""
    run.check_cancel()
    answer_tokens = shapes.answer_tokens(options, run.settings.max_tokens)
    marking = prompts.marks(run.settings, run.model)
    build = lambda part: prompts.messages_for(part, options, document.title, marking=marking)  # noqa: E731
    room = budget.document_room(run.model, options, run.settings, build)
    text = excerpt.text(index, room, run.model.count_tokens, ranked)
    text = budget.fit_text(run.model, text, build, answer_tokens)
    # The excerpt is the same for every type and length (within selection_tokens), and the prompt
    # puts them after it: a summary with other options reads only its last line.
    kept = prompts.kept_text(text, document.title, marking)
    return guarded_summary(run, build(text), options, document, answer_tokens, "reading", usage, index,
                           ranked=ranked, kept=kept)


def closer_summary(fields, document, options, index, ranked):
    """The model's summary `fields`, or the document's own most salient sentences where those are
    closer to the document as a whole (salience.closeness): a summary the model wrote from the
    document's edges, however well each item is backed, carries less of it than the sentences
    the preview shows. Both closeness figures go in `guard.closeness`. A translated summary cannot
    be compared word for word, a fallback is already the document's own sentences, and `strict`
    asks for the model's own backed items and nothing else. A headline or a one-sentence summary
    that opens by referring back gives way too (`guard.refers_back`), as the preview's never does.
    Measured: bench/README.md, "Summary quality" (model against own sentences, per document)."""
    if fields.get("fallback") or options.output_language or options.strict or not ranked:
        return fields
    extracted = preview.extract(index, options, ranked)
    items = [c["text"] for c in fields.get("citations", [])] or [fields["summary"]]
    written, own = salience.closeness(index, ranked, [items, extracted.items], options)
    guard = {**fields["guard"], "closeness": {"model": round(written, 3), "extractive": round(own, 3)}}
    # Read alone, a summary that opens by referring back ("She has won ...", most often a sentence
    # the model copied) does not say whom it is about; the document's own sentence was chosen to.
    dangling = shapes.shown_alone(options) and lexicon.refers_back(fields["summary"]) \
        and not lexicon.refers_back(extracted.text)
    if dangling:
        guard["refers_back"] = True
    if not extracted.items or (own <= written and not dangling):
        return {**fields, "guard": guard}
    return own_sentences(extracted, document, index, {**fields, "guard": guard})


def guarded_summary(run, messages, options, document, answer_tokens, reading_stage, usage, index=None,
                    ranked=None, kept="", unsaid=None, salient=True):
    """Stream the model's answer, hold it to the rules (retry, or fall back to an extractive
    summary), and back every item with the source (revise.py). Returns the result's summary
    fields: summary, citations, supported_share, replaced_share, method, guard (+ fallback).
    `ranked` sentences fill the places the model's items leave free and make the fallback
    (default: by salience; a question passes its own ranking, engine/answer.py). `kept`: the
    prompt's opening the model keeps read for the next call about the document
    (prompts.kept_text). `unsaid`: a question's rule for what an item leaves out (revise.revise).
    `salient=False`: `ranked` is a question's ranking, not salience's (preview.extract)."""
    def reading(done, total):
        run.check_cancel()
        run.progress(reading_stage, done, total)

    def stream(piece):
        run.check_cancel()
        run.emit("token", {"text": piece})

    def attempt(asked, how):
        if how is not recovery.ATTEMPTS[0]:  # clients drop what they streamed so far
            run.emit("status", {"status": "retrying", "attempt": how.name})
        began = time.perf_counter()
        before = usage["completion_tokens"]
        answer = recovery.run_model(
            run.model, asked, options, how, max_tokens=answer_tokens,
            temperature=run.settings.temperature, seed=run.settings.seed,
            on_piece=stream, on_prefill=reading, usage=usage, kept=kept)
        run.measured("generate", time.perf_counter() - began, usage["completion_tokens"] - before)
        return answer

    index = index or grounding.SourceIndex(document.blocks, document.title)
    ranked = salience.rank(index, options) if ranked is None else ranked
    extracted = lambda: preview.extract(index, options, ranked, salient)  # noqa: E731
    outcome = recovery.summarize(attempt, messages, options, document.text, index=index,
                                 fallback=extracted)
    for step in [a["attempt"] for a in outcome.attempts[1:]] + [outcome.fallback] * bool(outcome.fallback):
        run.recovered(step)
    fields = outcome.result_fields()
    citations, summary = [], ""
    if not outcome.fallback:
        best = sorted(salience.pick(ranked, index, count=FILL_CANDIDATES), key=lambda s: -s.score)
        fill = [preview.clean(s.text, index) for s in best]
        citations, summary = revise.revise(outcome.checked.items, document, options, index,
                                           translated=bool(options.output_language), fill=fill,
                                           unsaid=unsaid)
    if not citations:  # nothing the source supports: its own most salient sentences instead
        return own_sentences(outcome.checked if outcome.fallback else extracted(), document, index, fields)
    return summary_fields(summary, citations, fields)


def own_sentences(checked, document, index, fields):
    """The summary fields that show the document's own sentences (`checked`, an extractive
    guard.Checked) in place of the model's, cited as extracted."""
    citations = grounding.cite(checked.items, document.blocks, index=index, status="extracted")
    return summary_fields(checked.text, citations, {**fields, "fallback": "extractive"})


def summary_fields(summary, citations, fields):
    """The result's summary fields: `summary`, its `citations` and their shares, and the method
    (extractive where `fields` say it fell back), over the rest of `fields` (guard, fallback)."""
    return {**fields, "summary": summary, "citations": citations,
            "supported_share": round(grounding.supported_share(citations), 3),
            "replaced_share": round(revise.replaced_share(citations), 3),
            "method": "extractive" if fields.get("fallback") else "model"}

