"""Check claims against a document: the support check of a summary's items, for any text.

`POST /verify` and `summarizer verify` hold the answer of any chatbot (or a person's notes) to the
document it claims to come from. Each claim is cited exactly as a summary item is (grounding.cite
over the SourceIndex the summary pipeline builds from the same document), so a claim gets the same
verdict, score, missing facts and source sentences here as it would as an item of a summary. No
model call and no queue: the check is lexical and runs in the API process.
"""

from summarizer.engine import grounding, lexicon
from summarizer.errors import BadRequest


def claims_of(raw, max_claims, max_chars):
    """The claims of a request: a string is split into sentences (lexicon.sentences, as the
    document is), a list is taken item by item. 400 when they are missing, empty, not strings,
    more than `max_claims`, or one is longer than `max_chars` characters."""
    if raw is None or raw == "" or raw == []:
        raise BadRequest("no_claims", "Send `claims`: a string (split into sentences) or a list "
                                      "of strings, the statements to check against the document.")
    if isinstance(raw, str):
        claims = lexicon.sentences(raw)
    elif isinstance(raw, list) and all(isinstance(claim, str) for claim in raw):
        claims = raw
    else:
        raise BadRequest("bad_claims", "`claims` must be a string or a list of strings.")
    if not claims or not all(claim.strip() for claim in claims):
        raise BadRequest("no_claims", "`claims` is empty, or one of its claims is blank.")
    if len(claims) > max_claims:
        raise BadRequest("too_many_claims", f"{len(claims)} claims; at most {max_claims} are "
                                            "checked per request (SUMMARIZER_VERIFY_MAX_CLAIMS).")
    longest = max(len(claim) for claim in claims)  # as sent: the limit the description states
    if longest > max_chars:
        raise BadRequest("claim_too_long", f"A claim of {longest} characters; at most {max_chars} "
                                           "(SUMMARIZER_VERIFY_MAX_CLAIM_CHARS): one statement per claim.")
    return [claim.strip() for claim in claims]


def verify(document, claims):
    """{"claims": [citation...], "supported_share"} for `claims` against `document`: each citation
    is what a summary's item carries ({"item", "text", "score", "supported", "status", "sources"
    with their locators and quotes}), with `missing` (the facts its sources do not carry) always
    present, empty when none is missing."""
    index = grounding.SourceIndex(document.blocks, document.title)
    citations = grounding.cite(claims, document.blocks, index=index)
    for citation in citations:
        citation.setdefault("missing", [])
    return {"claims": citations, "supported_share": round(grounding.supported_share(citations), 3)}
