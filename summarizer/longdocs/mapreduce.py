"""Long documents, the engine's side: notes on one part (the map step), notes collapsed until they
fit one context (bounded levels), then the summary of the notes (the reduce step).

The queue decides where each step runs (queue/tasks.py: one map job per chunk on any worker, then
a reduce job); these functions take a run, like engine/pipeline.py's.
"""

import time

from summarizer import shapes
from summarizer.engine import grounding, guard, preview, prompts, recovery
from summarizer.engine.budget import fit_messages
from summarizer.engine.pipeline import guarded_summary
from summarizer.longdocs import planning
from summarizer.options import SummaryOptions

MAX_COLLAPSE_LEVELS = 3
"""Rounds of summarizing notes into fewer notes; past this the reduce prompt is trimmed instead."""

NOTES_OPTIONS = SummaryOptions(type=shapes.NOTES_TYPE, length=shapes.NOTES_LENGTH, cache=False)
"""The shape of the notes a map step writes on its part."""


def map_notes(run, text, index, total, usage):
    """Notes on part `index` (0-based) of `total`."""
    run.check_cancel()
    answer_tokens = prompts.map_budget(run.settings.max_tokens)
    marking = prompts.marks(run.settings, run.model)
    messages = fit_messages(run.model, text, lambda part: prompts.map_messages(part, index + 1, total, marking),
                            answer_tokens)
    return notes(run, messages, text, usage)


def notes(run, messages, source_text, usage):
    """Notes on one part (map or collapse step): bullets under a grammar, loops cut, held to the
    rules; an extractive digest of the part when the model's notes are unusable."""
    answer_tokens = prompts.map_budget(run.settings.max_tokens)
    began, before = time.perf_counter(), usage["completion_tokens"]
    raw, finished, _ = recovery.run_model(
        run.model, messages, NOTES_OPTIONS, recovery.ATTEMPTS[0], max_tokens=answer_tokens,
        temperature=run.settings.temperature, seed=run.settings.seed,
        on_piece=lambda piece: run.check_cancel(), on_prefill=lambda *_: run.check_cancel(),
        usage=usage)
    run.measured("map", time.perf_counter() - began, usage["completion_tokens"] - before)
    checked = guard.enforce(raw, NOTES_OPTIONS, source=source_text, finished=finished)
    if checked.degenerate:
        return preview.extract(grounding.SourceIndex([source_text]), NOTES_OPTIONS).text
    return checked.text


def reduce_notes(run, document, options, part_notes, usage):
    """The summary fields of a result for `document` from the notes on its parts, in order."""
    final_budget = planning.single_call_budget(run.model, options, run.settings, document.title)
    combined = collapse(run, part_notes, usage, final_budget)
    answer_tokens = shapes.answer_tokens(options, run.settings.max_tokens)
    marking = prompts.marks(run.settings, run.model)
    messages = fit_messages(run.model, prompts.notes_document(combined),
                            lambda text: prompts.messages_for(text, options, document.title, marking=marking),
                            answer_tokens)
    return guarded_summary(run, messages, options, document, answer_tokens, "reducing", usage)


def collapse(run, part_notes, usage, final_budget):
    """Summarize groups of notes into fewer notes until they fit one summary call."""
    model = run.model
    group_budget = planning.map_chunk_budget(model, run.settings)
    marking = prompts.marks(run.settings, model)
    for level in range(1, MAX_COLLAPSE_LEVELS + 1):
        if model.count_tokens(prompts.notes_document(part_notes)) <= final_budget or len(part_notes) == 1:
            break
        groups = _groups(model, part_notes, group_budget)
        collapsed = []
        for number, group in enumerate(groups, start=1):
            text = prompts.notes_document(group)
            messages = prompts.map_messages(text, number, len(groups), marking)
            collapsed.append(notes(run, messages, text, usage))
            run.progress("collapse", number, len(groups), level=level)
        part_notes = collapsed
    return part_notes


def _groups(model, part_notes, budget):
    """Consecutive notes packed into groups that each fit `budget` tokens (at least two per group
    when possible, so every level shrinks the list)."""
    groups, current = [], []
    for note in part_notes:
        if len(current) >= 2 and model.count_tokens(prompts.notes_document(current + [note])) > budget:
            groups.append(current)
            current = []
        current.append(note)
    if current:
        groups.append(current)
    return groups
