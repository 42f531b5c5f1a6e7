"""Zip-bomb checks on an OOXML file: on the central directory before the parse child starts
(`check_zip`), then on the real inflated sizes in the child before the parser opens it
(`check_inflated`)."""

import io
import struct
import zipfile
import zlib

from summarizer.errors import PayloadTooLarge, UnprocessableDocument

#: Members smaller than this are exempt from the ratio check: small XML parts of repeated markup
#: compress well past any sane ratio and cannot hurt. Apache POI's ZipSecureFile uses the same idea
#: (a grace size before its minimum-inflate-ratio check applies).
RATIO_GRACE_BYTES = 100 * 1024

#: A Word file has tens of parts, a large one a few thousand (images, embeddings); a zip with more
#: entries is built to exhaust the parser's bookkeeping rather than to be read.
MAX_MEMBERS = 10_000


def check_zip(data, *, max_unzipped_bytes, max_zip_ratio, kind="docx"):
    """Raise 413/422 naming the limit when the archive would inflate too far; else return None."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError):
        raise _damaged(kind) from None
    if len(members) > MAX_MEMBERS:
        raise UnprocessableDocument(
            "zip_too_many_members", f"The archive has {len(members)} members (limit {MAX_MEMBERS})."
        )
    total = 0
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_GRACE_BYTES and ratio > max_zip_ratio:
            raise UnprocessableDocument(
                "zip_ratio_exceeded",
                f"Member {member.filename!r} inflates {ratio:.0f}x; the limit (max_zip_ratio) is "
                f"{max_zip_ratio}x. This looks like a zip bomb.",
            )
        total += member.file_size
        if total > max_unzipped_bytes:
            raise PayloadTooLarge(
                "unzipped_too_large",
                f"The document inflates to more than {max_unzipped_bytes} bytes "
                "(max_unzipped_bytes).",
            )


#: Bytes inflated per step of `check_inflated`: its memory stays this small whatever a member holds.
INFLATE_STEP_BYTES = 64 * 1024

_LOCAL_HEADER = struct.Struct("<4s22xHH")
"""A zip local file header: signature, then (after 22 bytes of fields we take from the central
directory) the lengths of the file name and the extra field that precede the member's data."""


def check_inflated(data, *, max_unzipped_bytes, kind="docx"):
    """Inflate every member with a running count, refusing the archive as soon as a member gives
    more bytes than its header declares or the total passes `max_unzipped_bytes`.

    `check_zip` trusts the declared sizes; a crafted member can declare 10 kB and inflate to 1 GB.
    Python's zipfile then inflates all of it in one call before cutting it to the declared size
    (1.1 GB in memory for a 1 MB upload), so the real sizes are measured here first, in steps of
    INFLATE_STEP_BYTES. Runs in the parse child, before the Word parser opens the file."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError):
        raise _damaged(kind) from None
    total = 0
    for member in members:
        size = _inflated_size(data, member, member.file_size + 1, kind)
        if size > member.file_size:
            raise UnprocessableDocument(
                "zip_size_mismatch",
                f"Member {member.filename!r} inflates to more than the {member.file_size} bytes its "
                "header declares. This looks like a zip bomb.",
            )
        if size < member.file_size:
            raise _damaged(kind)
        total += size
        if total > max_unzipped_bytes:
            raise PayloadTooLarge(
                "unzipped_too_large",
                f"The document inflates to more than {max_unzipped_bytes} bytes "
                "(max_unzipped_bytes).",
            )


def _inflated_size(data, member, stop_after, kind):
    """Bytes the member's data really inflates to, counting no further than `stop_after`."""
    raw = _raw_member(data, member, kind)
    if member.compress_type == zipfile.ZIP_STORED:
        return len(raw)
    if member.compress_type != zipfile.ZIP_DEFLATED:
        raise _damaged(kind)  # Office writes deflate or stored members; anything else is not an Office file
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    size = 0
    try:
        pending = raw
        while pending and size < stop_after and not inflater.eof:
            size += len(inflater.decompress(pending, INFLATE_STEP_BYTES))
            pending = inflater.unconsumed_tail
        if size < stop_after and not inflater.eof:
            size += len(inflater.flush())
    except zlib.error:
        raise _damaged(kind) from None
    return size


def _raw_member(data, member, kind):
    """The member's compressed bytes, located through its local header."""
    start = member.header_offset
    try:
        signature, name_length, extra_length = _LOCAL_HEADER.unpack_from(data, start)
    except struct.error:
        raise _damaged(kind) from None
    if signature != b"PK\x03\x04":
        raise _damaged(kind)
    begin = start + _LOCAL_HEADER.size + name_length + extra_length
    return memoryview(data)[begin:begin + member.compress_size]


_NAMES = {"docx": "a Word", "pptx": "a PowerPoint"}


def _damaged(kind="docx"):
    """The 422 for a damaged archive of `kind` ("docx" or "pptx"), coded like the parser's own."""
    return UnprocessableDocument(
        f"{kind}_damaged",
        f"This file looks like {_NAMES.get(kind, 'an Office')} (zip) document but its archive is "
        "damaged or truncated.",
    )
