"""One streamed pass over an .xlsx worksheet's XML, before calamine parses it.

It finds what calamine does not give (the merged ranges, the declared dimension) and
where the sheet's last value is. Rows holding only formatting (borders down to row
1,048,576) are not rows (feeds.md): calamine would build a range of every styled cell
(~10 s for 7 columns to the last row), so a sheet whose XML runs on past its last value
is handed to calamine without that tail.

Why byte searches and not an XML parser: the merged ranges are stored after the rows
(the schema's order), so the whole part is inflated once; what makes that pass cost
about the inflating alone is that a chunk of formatting-only rows is passed over with
two single-byte searches (memchr): every value's markup holds a ``v`` (``</v>``) or an
``l`` (``t="inlineStr"``), a formatting-only row rarely either (``outlineLevel`` does:
such a chunk is searched for the value tags themselves, as slow as before, still right).
"""

from __future__ import annotations

import re
import struct
import zipfile
from dataclasses import dataclass

from isal import (
    isal_zlib,  # ISA-L's inflate: half zlib's time on a sheet of styled rows
)

from pipelines.lib.rules import Rejection

# A sheet whose XML runs on this far past its last value's row is handed to calamine
# without that tail (below it, rebuilding the workbook costs more than calamine's parse).
FORMATTING_TAIL_BYTES = 256 * 2**10
LARGE_SHEET_BYTES = 8 * 2**20  # a sheet's XML above it: calamine opens the whole file only when it must (reading.py)
HEAD_BYTES = 4 * 2**20  # the part before <sheetData> (columns, views) is held while it is searched
CHUNK = 1 << 19  # inflated bytes per piece: searched while in cache; a larger one costs page faults

_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?\"")
_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\s+ref=\"([A-Z]+)(\d+):([A-Z]+)(\d+)\"")
_PREFIXED_SHEET_DATA = re.compile(rb"<(\w+):sheetData[\s>/]")
_SHEET_DATA = re.compile(rb"<sheetData[\s>/]")
VALUE_PROBES = (b"v", b"l")  # a byte of every value's markup: </v>, t="inlineStr"


@dataclass
class SheetFacts:
    cells: int  # of the declared dimension
    merges: list[tuple[int, int, int, int]]  # 0-based, inclusive
    compact_xml: bytes | None = None  # the sheet without its formatting-only tail, when it had one


def column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def inflate(book: zipfile.ZipFile, data: bytes, path: str):
    """The part's bytes in pieces of at most CHUNK: raw inflate of the stored stream (the
    CRC is checked by calamine, which parses the part anyway)."""
    info = book.getinfo(path)
    if info.compress_type != zipfile.ZIP_DEFLATED or info.flag_bits & 0x1:
        with book.open(info) as stream:
            while piece := stream.read(CHUNK):
                yield piece
        return
    name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26 : info.header_offset + 30])
    start = info.header_offset + 30 + name_len + extra_len
    raw = memoryview(data)[start : start + info.compress_size]
    inflater = isal_zlib.decompressobj(-15)
    for at in range(0, len(raw), 1 << 18):
        pending = raw[at : at + (1 << 18)]
        while True:  # ISA-L holds some input inside: drain until a call gives less than a piece
            out = inflater.decompress(pending, CHUNK)
            if out:
                yield out
            pending = inflater.unconsumed_tail
            if not pending and len(out) < CHUNK:
                break
    if rest := inflater.flush():
        yield rest


def _probed(buffer: bytes) -> bool:
    """Whether the piece may hold a value's markup (two memchr calls)."""
    return any(buffer.find(probe) >= 0 for probe in VALUE_PROBES)


def _last_value_end(buffer: bytes, tags: tuple[bytes, ...]) -> int:
    """Offset just past the last closing value tag (</v> or </is>), or -1."""
    return max((at + len(tag)) if (at := buffer.rfind(tag)) >= 0 else -1 for tag in tags)


def _last_row_start(buffer: bytes, row_open: bytes) -> int:
    """Where the piece's last row starts (not a <rowBreaks> after the rows), or -1."""
    at = buffer.rfind(row_open)
    while at >= 0 and buffer[at + len(row_open) : at + len(row_open) + 1] not in b" \t\r\n>/":
        at = buffer.rfind(row_open, 0, at)
    return at


def scan_sheet(book: zipfile.ZipFile, path: str, data: bytes, max_bytes: float = float("inf")) -> SheetFacts:
    """The cell count of the sheet's declared dimension, its merged ranges and, when its
    XML runs on more than FORMATTING_TAIL_BYTES past the row of its last value, the sheet
    without that tail (a second pass copies the part before it). Nothing larger than a few
    pieces of the XML and the part after the rows is held. More inflated bytes than
    ``max_bytes`` (a size the zip directory understated) is a rejection."""
    if path not in book.NameToInfo:
        return SheetFacts(0, [])
    cells, head_done = 0, False
    head = bytearray()  # up to <sheetData>: merged ranges are not there by the schema, but a writer may put them there
    after = bytearray()  # from </sheetData> to the end (merged ranges, page setup)
    row_end, want_row_end, data_end, offset, tail, probed = 0, False, None, 0, b"", False
    tags, closing, row_open, row_close = (b"</v>", b"</is>"), b"</sheetData>", b"<row", b"</row>"
    for chunk in inflate(book, data, path):
        offset += len(chunk)
        if offset > max_bytes:  # more than the zip directory declared: a forged size
            raise Rejection("too_large", f"工作表解压后超过 {max_bytes / 2**20:g} MB（与压缩包目录所记大小不符）")
        if data_end is not None:
            after += chunk
            continue
        start = offset - len(chunk)
        # an inline string's </is> lies at most one piece after its t="inlineStr" (Excel
        # caps a cell at 32,767 characters, ~160 KB of XML; a piece is 512 KB)
        probed, was_probed = _probed(chunk) or _probed(tail), probed
        if head_done and not (probed or was_probed or want_row_end):
            # formatting-only rows (no copy of the piece): only where the rows end is looked for
            at = chunk.find(closing, max(_last_row_start(chunk, row_open), 0))
            junction = tail + chunk[: len(closing)]  # </sheetData> cut at the piece's start
            if at < 0 and (cut := junction.find(closing)) >= 0:
                data_end = start - len(tail) + cut
                after += junction[cut:] + chunk[len(closing) :]
            elif at >= 0:
                data_end = start + at
                after += chunk[at:]
            tail = chunk[-64:] if len(chunk) >= 64 else (tail + chunk)[-64:]
            continue
        buffer, base = tail + chunk, start - len(tail)
        if not head_done:
            head += chunk
            found = _DIMENSION.search(head)
            if found and found.group(1) and not cells:
                c0, r0 = column_number(found.group(1)), int(found.group(2))
                c1 = column_number(found.group(3)) if found.group(3) else c0
                r1 = int(found.group(4)) if found.group(4) else r0
                cells = (abs(c1 - c0) + 1) * (abs(r1 - r0) + 1)
            named = head.find(b"sheetData")  # the regexes search only up to it: the head may be a whole piece
            if named < 0 and len(head) <= HEAD_BYTES:
                continue
            stop = named + 16 if named >= 0 else len(head)
            prefixed = _PREFIXED_SHEET_DATA.search(head, 0, stop)
            if prefixed:  # some generators write x:row, x:c, x:v
                prefix = prefixed.group(1) + b":"
                tags = (b"</" + prefix + b"v>", b"</" + prefix + b"is>")
                closing, row_open, row_close = (
                    b"</" + prefix + b"sheetData>",
                    b"<" + prefix + b"row",
                    b"</" + prefix + b"row>",
                )
            opening = prefixed or _SHEET_DATA.search(head, 0, stop)
            if opening:  # values come after it: the sheet cut before any row ends here
                row_end = head.index(b">", opening.start()) + 1
                if head[row_end - 2 : row_end] == b"/>":  # <sheetData/>: no rows at all
                    data_end, after = row_end, head[row_end:]
                del head[opening.start() :]
                head_done = True
                if data_end is not None:
                    continue
            elif len(head) > HEAD_BYTES:  # no <sheetData> where it belongs: search no further for the head
                head_done = True
        last = _last_value_end(buffer, tags) if probed or was_probed else -1
        if last >= 0 and base + last > row_end:
            row_end, want_row_end = base + last, True
        if want_row_end:  # the end of the last value's row: the next </row>
            close = buffer.find(row_close, max(row_end - base, 0))
            if close >= 0:
                row_end, want_row_end = base + close + len(row_close), False
        # </sheetData> comes after the piece's last row start: only that end is searched
        at = buffer.find(closing, max(_last_row_start(buffer, row_open), 0))
        if at >= 0:
            data_end = base + at
            after += buffer[at:]
        tail = buffer[-64:]
    merges = sorted(
        {
            (int(r0) - 1, column_number(c0) - 1, int(r1) - 1, column_number(c1) - 1)
            for part in (head, after)
            for c0, r0, c1, r1 in _MERGE.findall(part)
        }
    )
    if data_end is None or want_row_end or data_end - row_end <= FORMATTING_TAIL_BYTES:
        return SheetFacts(cells, merges)
    kept = bytearray()
    for chunk in inflate(book, data, path):
        kept += chunk[: row_end - len(kept)]
        if len(kept) >= row_end:
            break
    return SheetFacts(cells, merges, bytes(kept) + bytes(after))


# What a large sheet is replaced with in the copy calamine lists the sheets from
STUB_SHEET = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>'
)


def with_sheets(data: bytes, parts: dict[str, bytes], level: int | None = 1) -> bytes:
    """The workbook with some parts' XML replaced (in memory; the other parts are small).
    ``level`` None stores the parts uncompressed (a copy only opened, never kept)."""
    import io

    out = io.BytesIO()
    method = zipfile.ZIP_STORED if level is None else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", method, compresslevel=level) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, parts[info.filename] if info.filename in parts else src.read(info.filename))
    return out.getvalue()
