"""The data that flows from intake to the model: what a client sent (`Source`) and what was read
from it (`Document`, an ordered list of `Block`s that remember where they came from)."""

import dataclasses


@dataclasses.dataclass
class Source:
    """One input as the client sent it. Exactly one of text / html / url / data / document_id is
    set."""

    kind: str  # "text" | "html" | "url" | "file" | "document" (a kept one, by its document_id)
    text: str | None = None
    html: str | None = None
    url: str | None = None
    data: bytes | None = None
    filename: str | None = None
    content_type: str | None = None
    password: str | None = None
    document_id: str | None = None


@dataclasses.dataclass
class Block:
    """A run of text (paragraph, page, heading) and its locator: {"page": n}, {"paragraph": i, ...}."""

    text: str
    locator: dict

    def to_dict(self):
        return {"text": self.text, "locator": self.locator}


@dataclasses.dataclass
class Document:
    """Extracted text, in reading order, with its blocks and what is known about it."""

    title: str
    blocks: list
    metadata: dict = dataclasses.field(default_factory=dict)

    @property
    def text(self):
        return "\n\n".join(block.text for block in self.blocks)

    def to_dict(self):
        return {
            "title": self.title,
            "text": self.text,
            "blocks": [block.to_dict() for block in self.blocks],
            "metadata": self.metadata,
        }

    @classmethod
    def from_dict(cls, data):
        blocks = [Block(b["text"], b.get("locator", {})) for b in data.get("blocks", [])]
        return cls(data.get("title", ""), blocks, data.get("metadata", {}))
