"""Reading a runbook file: only regular files, of a sane size, in whatever encoding it has.

UTF-8 (with or without a byte order mark) and UTF-16 (with a BOM, or recognised by its NUL
bytes) are decoded; anything else is read as UTF-8 with the bad bytes replaced and a note.
"""

from __future__ import annotations

import codecs
import stat
from pathlib import Path

from drillbook.errors import SourceError
from drillbook.runbooks.markdown import repair_mojibake
from drillbook.runbooks.model import Note

MAX_BYTES = 64 * 2**20  # a runbook is text; more than this is not one


def read_lines(path: Path) -> tuple[list[str], list[Note]]:
    """A file's lines, decoded forgivingly; mis-encoded lines are repaired and noted.

    Raises SourceError for what cannot be read: a missing file, a FIFO or device (reading
    one could block forever), a file too large to be a runbook.
    """
    text, notes = decode(_read_regular(path))
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    repaired = [repair_mojibake(line) for line in lines]
    for number, (old, new) in enumerate(zip(lines, repaired, strict=True), start=1):
        if old != new:
            notes.append(
                Note(number, "mis-encoded characters repaired", "save the file as UTF-8", "info")
            )
    return repaired, notes


def _read_regular(path: Path) -> bytes:
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise SourceError(
                str(path), None, "not a regular file (a FIFO, device or socket); name a file"
            )
        if info.st_size > MAX_BYTES:
            size = info.st_size / 2**20
            raise SourceError(str(path), None, f"{size:.0f} MiB is too large for a runbook")
        return path.read_bytes()
    except OSError as exc:
        raise SourceError(str(path), None, f"cannot read: {exc.strerror or exc}") from None


def decode(data: bytes) -> tuple[str, list[Note]]:
    """Bytes as text, by their byte order mark or the look of their NUL bytes."""
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return _utf16(data[len(bom) :], encoding)
    bomless = _bomless_utf16(data)
    if bomless:
        return _utf16(data, bomless)
    text = data.decode("utf-8-sig", errors="replace")
    notes = []
    if "\ufffd" in text:
        notes.append(Note(1, "not valid UTF-8; undecodable bytes replaced", "save it as UTF-8"))
    return text, notes


def _utf16(data: bytes, encoding: str) -> tuple[str, list[Note]]:
    text = data.decode(encoding, errors="replace")
    note = Note(1, f"read as UTF-16 ({encoding[-2:].upper()})", "save it as UTF-8", "info")
    return text, [note]


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: ASCII text has a NUL in every other byte."""
    sample = data[:4096]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    if odd > 0.6 * half and even == 0:
        return "utf-16-le"
    if even > 0.6 * half and odd == 0:
        return "utf-16-be"
    return None
