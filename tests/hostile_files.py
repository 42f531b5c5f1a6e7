"""Hostile files built in the tests (Word documents whose zip headers lie about their sizes), and
watching the parse children they are sent to."""

import struct
import threading
import zlib

import psutil

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.wordprocessingml.document.main+xml"/></Types>')
RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="word/document.xml"/></Relationships>')
DOCUMENT_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
    b'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>')


def _deflated(data):
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


def _padded_document(inflated_bytes, declared):
    """Raw deflate of the document head and spaces up to `inflated_bytes`, made 1 MiB at a time,
    and the CRC of its first `declared` bytes (what a reader that trusts the header checks)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    pieces, crc = [compressor.compress(DOCUMENT_HEAD)], zlib.crc32(DOCUMENT_HEAD[:declared])
    made = len(DOCUMENT_HEAD)
    block = b" " * (1 << 20)
    while made < inflated_bytes:
        piece = block[:inflated_bytes - made]
        pieces.append(compressor.compress(piece))
        if made < declared:
            crc = zlib.crc32(piece[:declared - made], crc)
        made += len(piece)
    pieces.append(compressor.flush())
    return b"".join(pieces), crc


def zip_of(members):
    """A zip archive from (name, raw deflate data, crc, declared size) members, headers as given."""
    body, directory = b"", b""
    for name, data, crc, declared in members:
        name = name.encode()
        offset = len(body)
        body += struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(data),
                            declared, len(name), 0) + name + data
        directory += struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc,
                                 len(data), declared, len(name), 0, 0, 0, 0, 0, offset) + name
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(members), len(members),
                      len(directory), len(body), 0)
    return body + directory + end


def lying_docx(inflated_bytes, declared=10_000):
    """A .docx whose word/document.xml inflates to `inflated_bytes` while both its local and
    central headers declare `declared` bytes, with the CRC of those first bytes: the ratio check
    and a reader that stops at the declared size both see a small, valid member."""
    document, crc = _padded_document(inflated_bytes, declared)
    honest = [(name, _deflated(data), zlib.crc32(data), len(data))
              for name, data in (("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", RELS))]
    return zip_of([*honest, ("word/document.xml", document, crc, declared)])


def parse_children():
    """This process's parse children (`python -c <bootstrap>`), not its Redis or workers."""
    children = []
    for child in psutil.Process().children():
        try:
            if child.cmdline()[1:2] == ["-c"]:
                children.append(child)
        except psutil.Error:
            pass
    return children


class ChildMemory:
    """Samples the RSS of the parse children while a block runs."""

    def __init__(self):
        self.peak, self._stop = 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self):
        while not self._stop.is_set():
            for child in parse_children():
                try:
                    self.peak = max(self.peak, child.memory_info().rss)
                except psutil.Error:
                    pass
            self._stop.wait(0.005)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
