"""Zip-bomb checks on an OOXML file, run on the central directory before any parser inflates it."""

import io
import zipfile

from summarizer.errors import PayloadTooLarge, UnprocessableDocument

#: Members smaller than this are exempt from the ratio check: small XML parts of repeated markup
#: compress well past any sane ratio and cannot hurt. Apache POI's ZipSecureFile uses the same idea
#: (a grace size before its minimum-inflate-ratio check applies).
RATIO_GRACE_BYTES = 100 * 1024

#: A Word file has tens of parts, a large one a few thousand (images, embeddings); a zip with more
#: entries is built to exhaust the parser's bookkeeping rather than to be read.
MAX_MEMBERS = 10_000


def check_zip(data, *, max_unzipped_bytes, max_zip_ratio):
    """Raise 413/422 naming the limit when the archive would inflate too far; else return None."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError):
        raise UnprocessableDocument(
            "docx_damaged",
            "This file looks like a Word (zip) document but its archive is damaged or truncated.",
        ) from None
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
