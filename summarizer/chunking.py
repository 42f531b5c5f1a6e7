"""Split a document into chunks that fit the model's context, on its own structure.

Pure functions: the token counter is passed in (the model's own tokenizer in production, anything
in tests). Chunks break between blocks (paragraphs, pages), before headings where it does not waste
much room, and inside an oversized block only at sentence (then word) boundaries. Each chunk keeps
the locators of the blocks it holds and starts with a small overlap from the previous chunk, so a
point that straddles a boundary is seen whole once.
"""

import dataclasses
import re

SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+|\n+")

HEADING_BREAK_FILL = 0.5
"""Break before a new section once the current chunk is at least this full, keeping sections whole."""

SEPARATOR_TOKENS = 2
"""Tokens the blank line between two blocks costs when they are joined into one chunk."""

INNER_SEPARATOR_TOKENS = 1
"""Tokens the space or line break between two pieces of one block costs when they are joined
again (a leading space usually merges into the next word's token: 1 is the safe side)."""

BLOCK_JOINER = "\n\n"


@dataclasses.dataclass
class Chunk:
    text: str
    locators: list
    tokens: int


@dataclasses.dataclass
class _Piece:
    text: str
    locator: dict
    tokens: int
    block: int = 0  # index of the block it came from
    joiner: str = BLOCK_JOINER  # what followed it in that block: " " or "\n" inside one

    @property
    def cost(self):
        """Its tokens and the separator after it, when another piece follows."""
        return self.tokens + (SEPARATOR_TOKENS if self.joiner == BLOCK_JOINER else INNER_SEPARATOR_TOKENS)


def split_document(blocks, count_tokens, chunk_tokens, overlap_tokens=0):
    """Chunks of at most `chunk_tokens` (as counted by `count_tokens`) covering every block."""
    if chunk_tokens < 8:
        raise ValueError("chunk_tokens is too small to hold any text")
    pieces = [piece for index, block in enumerate(blocks)
              for piece in _pieces(block, index, count_tokens, chunk_tokens)]
    chunks, current = [], []
    for piece in pieces:
        used = sum(p.cost for p in current)
        if current and (used + piece.tokens > chunk_tokens
                        or (_starts_section(current[-1], piece)
                            and used >= HEADING_BREAK_FILL * chunk_tokens)):
            chunks.append(_chunk(current))
            current = _overlap(current, overlap_tokens, chunk_tokens - piece.tokens)
        current.append(piece)
    if current:
        chunks.append(_chunk(current))
    return chunks


def _starts_section(previous, piece):
    heading = piece.locator.get("heading")
    return bool(heading) and heading != previous.locator.get("heading")


def _pieces(block, index, count_tokens, chunk_tokens):
    """A block as one piece, or split at sentences (then words) when it is larger than a chunk.
    Pieces of one block remember the whitespace between them, so a chunk re-joins them as written
    (a transcript's lines stay lines, not paragraphs that each cost a blank line's tokens)."""
    tokens = count_tokens(block.text)
    if tokens <= chunk_tokens:
        return [_Piece(block.text, block.locator, tokens, index)]
    pieces = []
    for sentence, after in _sentences(block.text):
        size = count_tokens(sentence)
        if size <= chunk_tokens:
            pieces.append(_Piece(sentence, block.locator, size, index, after))
        else:
            pieces.extend(_word_pieces(sentence, block.locator, index, count_tokens, chunk_tokens))
            pieces[-1].joiner = after
    if pieces:
        pieces[-1].joiner = BLOCK_JOINER
    return pieces


def _sentences(text):
    """(sentence, " " or "\n": what separated it from the next one) of `text`, blank ones skipped."""
    start, found = 0, []
    for match in [*SENTENCE_END.finditer(text), None]:
        end = match.start() if match else len(text)
        if text[start:end].strip():
            found.append((text[start:end], "\n" if match and "\n" in match.group() else " "))
        elif found and match and "\n" in match.group():
            found[-1] = (found[-1][0], "\n")
        start = match.end() if match else end
    return found


def _word_pieces(text, locator, index, count_tokens, chunk_tokens):
    """Runs of words under the limit; a single word over it is cut by characters."""
    pieces, words = [], text.split()
    start = 0
    while start < len(words):
        end = len(words)
        while end > start + 1 and count_tokens(" ".join(words[start:end])) > chunk_tokens:
            end = start + max(1, (end - start) // 2) if end - start > 64 else end - 1
        run = " ".join(words[start:end])
        while count_tokens(run) > chunk_tokens:
            run = run[: len(run) // 2]
        pieces.append(_Piece(run, locator, count_tokens(run), index, " "))
        start = end
    return pieces


def _overlap(previous, overlap_tokens, room):
    """The tail pieces of the previous chunk that fit in `overlap_tokens` (and in `room`)."""
    budget = min(overlap_tokens, room)
    tail = []
    for piece in reversed(previous):
        if piece.cost > budget:
            break
        tail.insert(0, piece)
        budget -= piece.cost
    return tail


def _chunk(pieces):
    locators = []
    for piece in pieces:
        if piece.locator not in locators:
            locators.append(piece.locator)
    text = pieces[0].text
    for previous, piece in zip(pieces, pieces[1:]):
        text += (previous.joiner if previous.block == piece.block else BLOCK_JOINER) + piece.text
    return Chunk(text, locators, sum(p.tokens for p in pieces))
