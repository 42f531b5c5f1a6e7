"""What changed between two readings of a page or file (`since`): the two documents compared
block by block (added, removed, edited, moved blocks) and, within an edited block, word by word.

The result is a review of the shape the Word reader gives (extract/review.py), so the summary of
changes (changes/summary.py) reads both alike: each change located at the new version's block, or
for removed text at the earlier version's block (its locator then says `"version": "earlier"`).
"""

import difflib

from summarizer.errors import UnprocessableDocument

MAX_BLOCKS = 20000
"""Most blocks of either version compared: the block diff is about linear on real edits, quadratic
on two unrelated documents; 20,000 blocks (a 1,000-page file) took about 1 s at worst."""

PAIR_RATIO = 0.5
"""Least word similarity (difflib's ratio) for a removed and an added block to be one edited
block rather than a paragraph replaced by another."""

MAX_PAIRING = 60
"""Most blocks on each side of one replaced stretch that are paired up as edits; past it the
stretch is reported as removed and added blocks (pairing is quadratic in it)."""

MAX_EDITS_PER_BLOCK = 3
"""Most word-level edits reported for one block; a block edited in more places is reported as
rewritten, with its new text."""

CONTEXT_WORDS = 6
"""Words of the new text kept either side of an edit, so its description says where it was."""


def _words(text):
    return text.split()


def _norm(text):
    return " ".join(text.split()).casefold()


def compare(old, new):
    """The changes from Document `old` to Document `new`: {"changes": [...], "changes_total"}."""
    if max(len(old.blocks), len(new.blocks)) > MAX_BLOCKS:
        raise UnprocessableDocument(
            "too_many_blocks", f"These versions have more than {MAX_BLOCKS} blocks to compare.")
    before, after = [_norm(b.text) for b in old.blocks], [_norm(b.text) for b in new.blocks]
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    changes = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        pairs = _pairs(old.blocks[i1:i2], new.blocks[j1:j2]) if op == "replace" else []
        paired_old = {i for i, _ in pairs}
        paired_new = {j for _, j in pairs}
        for i in range(i1, i2):
            if i - i1 not in paired_old:
                changes.append(_whole("removed", old.blocks[i], i, earlier=True))
        for k, j in enumerate(range(j1, j2)):
            if k in paired_new:
                i = i1 + next(a for a, b in pairs if b == k)
                changes += _edits(old.blocks[i], new.blocks[j], j)
            else:
                changes.append(_whole("added", new.blocks[j], j))
    changes = _moves(changes)
    return {"changes": sorted(changes, key=lambda c: c["position"]), "changes_total": len(changes)}


def _whole(kind, block, position, earlier=False):
    locator = {**block.locator, **({"version": "earlier"} if earlier else {})}
    return {"change": kind, "text": block.text, "locator": locator, "position": position,
            "key": _norm(block.text)}


def _pairs(removed, added):
    """(old offset, new offset) of the blocks of one replaced stretch that are edits of each other."""
    if len(removed) > MAX_PAIRING or len(added) > MAX_PAIRING:
        return []
    scored = []
    for i, old in enumerate(removed):
        for j, new in enumerate(added):
            matcher = difflib.SequenceMatcher(None, _words(old.text), _words(new.text), autojunk=False)
            if matcher.real_quick_ratio() >= PAIR_RATIO and matcher.ratio() >= PAIR_RATIO:
                scored.append((matcher.ratio(), i, j))
    pairs, used_old, used_new = [], set(), set()
    for _, i, j in sorted(scored, reverse=True):
        if i not in used_old and j not in used_new:
            pairs.append((i, j))
            used_old.add(i)
            used_new.add(j)
    return pairs


def _edits(old, new, position):
    """The word-level edits that make block `old` into block `new`."""
    a, b = _words(old.text), _words(new.text)
    ops = [op for op in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
           if op[0] != "equal"]
    if len(ops) > MAX_EDITS_PER_BLOCK:
        return [{"change": "edited", "old": "", "text": new.text, "locator": dict(new.locator),
                 "position": position, "rewritten": True}]
    found = []
    for _, i1, i2, j1, j2 in ops:
        context = " ".join(b[max(0, j1 - CONTEXT_WORDS):j2 + CONTEXT_WORDS]) if j2 > j1 else \
            " ".join(a[max(0, i1 - CONTEXT_WORDS):i2 + CONTEXT_WORDS])
        found.append({"change": "edited", "old": " ".join(a[i1:i2]), "text": " ".join(b[j1:j2]),
                      "context": context, "locator": dict(new.locator), "position": position})
    return found


def _moves(changes):
    """A removed block whose text was added elsewhere is one block moved there."""
    added = {c["key"]: c for c in changes if c["change"] == "added"}
    kept = []
    for change in changes:
        twin = added.get(change.get("key")) if change["change"] == "removed" else None
        if twin is not None and twin["change"] == "added":
            twin["change"] = "moved"
            continue
        kept.append(change)
    for change in kept:
        change.pop("key", None)
    return kept
