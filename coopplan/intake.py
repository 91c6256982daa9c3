"""Byte-level safety checks on an uploaded workbook, before any spreadsheet parser sees it.

``read_source`` gets the bytes (never more than ``MAX_BYTES + 1``), ``check_workbook_bytes``
refuses anything that is not a plausible, safe .xlsx with an ``IntakeError`` whose message
tells the user, in Italian, what is wrong and what to do, and ``scan_sheets`` reads the raw
sheet XML for what the parsers lose (merged ranges, formulas without a cached value).

Safety model: the upload is at most ``MAX_BYTES``; the zip container is judged first on its
declared sizes (member count, total, compression ratio), then every member is actually
inflated in small chunks, counting bytes, so a member that inflates past its declared size,
or a running total past the cap, is refused as soon as it happens. Nothing is inflated whole.
XML members are refused if they contain DOCTYPE or ENTITY declarations; the XML we parse
ourselves goes through defusedxml.
"""

from __future__ import annotations

import os
import posixpath
import re
import struct
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import IO, BinaryIO
from xml.etree.ElementTree import Element, ParseError
from xml.parsers import expat

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from defusedxml.common import DTDForbidden, EntitiesForbidden

from coopplan.schema import MAX_UPLOAD_MB

MAX_BYTES: int = MAX_UPLOAD_MB * 1024 * 1024
"""Largest upload accepted, in bytes."""

MAX_MEMBERS = 2000
"""Most parts (zip members) a workbook may contain."""

MAX_CENTRAL_DIRECTORY = MAX_MEMBERS * 1024
"""Largest central directory accepted, in bytes (about 1 KB per member is generous)."""

MAX_UNCOMPRESSED_MB = 100
MAX_UNCOMPRESSED = MAX_UNCOMPRESSED_MB * 1024 * 1024
"""Cap on the total uncompressed size, declared and actual."""

MAX_RATIO = 100
RATIO_CHECK_FROM = 1024 * 1024
"""Members declaring more than RATIO_CHECK_FROM bytes may compress at most MAX_RATIO:1."""

MAX_CONTENT_TYPES = 4 * 1024 * 1024
"""[Content_Types].xml is read whole (to look for macro types): it must be this small."""

IN_CHUNK = 64 * 1024
OUT_CHUNK = 64 * 1024
"""Compressed bytes fed to zlib at a time, and most bytes zlib may produce per call."""

SNIFF_BYTES = 64 * 1024
"""Bytes looked at to recognise a file that is not a zip."""

FORBIDDEN_XML: tuple[bytes, ...] = tuple(
    marker.encode(encoding)
    for marker in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("ascii", "utf-16-le", "utf-16-be")
)
"""DTD constructs (XXE, billion laughs), in the encodings an XML part may use."""

BINARY_SUFFIXES = (
    ".png", ".jpg", ".jpeg", ".jfif", ".gif", ".bmp", ".tif", ".tiff", ".emf", ".wmf",
    ".svg", ".wdp", ".bin", ".ttf", ".odttf",
)  # fmt: skip
"""Members not scanned for DTD constructs: images, fonts, printer settings (no parser reads
them as XML; SVG images may legitimately carry a DOCTYPE)."""

ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
OOXML_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
ODF_MIMETYPE = b"application/vnd.oasis.opendocument"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"

MAIN_NAMESPACES = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",  # Strict Open XML
)
PACKAGE_RELS_NAMESPACE = "http://schemas.openxmlformats.org/package/2006/relationships"

SAVE_AS_XLSX = "salvalo come «Cartella di lavoro di Excel (.xlsx)»"


class IntakeError(Exception):
    """A file refused before parsing. .message is one clear Italian sentence (what is wrong +
    what to do)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class SheetScan:
    merged: tuple[str, ...]  # merged ranges as written, e.g. ("B3:C3",)
    formulas_without_value: tuple[str, ...]  # refs like "F7": <c> with <f> but no/empty <v>
    # Cells holding a value (<v> or <is>; formatted empty cells do not), per 1-based column;
    # None when some value is in a cell written otherwise (no r="..." first, a namespace
    # prefix), so where the cells are is not known without parsing.
    columns: dict[int, int] | None = field(default=None, compare=False)  # column -> cells
    last_row: int = field(default=0, compare=False)  # of those cells; 0 if none

    @property
    def value_cells(self) -> int:
        """How many cells hold a value (0 when unknown)."""
        return sum((self.columns or {}).values())

    @property
    def area(self) -> int | None:
        """Cells in the rectangle from A1 to the farthest cell that may hold a value, i.e.
        what a dense reader (calamine) allocates at most; None when unknown."""
        if self.columns is None:
            return None
        return self.last_row * max(self.columns, default=0)


# Messages ------------------------------------------------------------------------------------


def _the_file(name: str) -> str:
    return f"Il file «{name}»" if name else "Il file"


def _resave(name: str, what: str) -> IntakeError:
    """'<file> <what>. Aprilo in Excel o LibreOffice, salvalo come .xlsx e caricalo di nuovo.'"""
    return IntakeError(
        f"{_the_file(name)} {what}. Aprilo in Excel o LibreOffice, {SAVE_AS_XLSX} "
        "e caricalo di nuovo."
    )


def _missing(name: str) -> IntakeError:
    return IntakeError(f"{_the_file(name)} non esiste. Controlla il nome e la cartella.")


def _unreadable(name: str) -> IntakeError:
    return IntakeError(
        f"{_the_file(name)} non può essere letto. Controlla di avere i permessi per aprirlo "
        "e riprova."
    )


def _is_directory(name: str) -> IntakeError:
    return IntakeError(
        f"{_the_file(name)} è una cartella, non una cartella di lavoro Excel. "
        "Scegli il file .xlsx del piano."
    )


def _empty(name: str) -> IntakeError:
    return IntakeError(
        f"{_the_file(name)} è vuoto (0 byte). Controlla di aver scelto il file giusto "
        "e caricalo di nuovo."
    )


def _too_big(name: str) -> IntakeError:
    return IntakeError(
        f"{_the_file(name)} è troppo grande: il limite è {MAX_UPLOAD_MB} MB. Togli i fogli, "
        "le immagini e i dati che non servono al piano, salvalo e caricalo di nuovo."
    )


def _not_xlsx(name: str) -> IntakeError:
    return IntakeError(
        f"{_the_file(name)} non è una cartella di lavoro Excel (.xlsx). Salvalo da Excel o "
        "LibreOffice come «Cartella di lavoro di Excel (.xlsx)» e caricalo di nuovo."
    )


def _password_protected(name: str) -> IntakeError:
    return IntakeError(
        f"{_the_file(name)} è protetto da password. Aprilo in Excel o LibreOffice, togli la "
        f"password, {SAVE_AS_XLSX} e caricalo di nuovo."
    )


def _old_office(name: str) -> IntakeError:
    return IntakeError(
        f"{_the_file(name)} è nel vecchio formato di Excel 97-2003 (.xls) oppure è protetto da "
        "password. Aprilo in Excel o LibreOffice, togli l'eventuale password, "
        f"{SAVE_AS_XLSX} e caricalo di nuovo."
    )


def _pdf(name: str) -> IntakeError:
    return IntakeError(
        f"{_the_file(name)} è un PDF, non una cartella di lavoro Excel (.xlsx). Carica il file "
        "Excel del piano, non una sua stampa o esportazione in PDF."
    )


def _html(name: str) -> IntakeError:
    return _resave(name, "è una pagina web (HTML), non una cartella di lavoro Excel (.xlsx)")


def _xml_2003(name: str) -> IntakeError:
    return _resave(
        name, "è un foglio di calcolo XML 2003, non una cartella di lavoro Excel (.xlsx)"
    )


def _text(name: str) -> IntakeError:
    return IntakeError(
        f"{_the_file(name)} è un file di testo o CSV, non una cartella di lavoro Excel (.xlsx) "
        "con i fogli del piano. Riporta i dati nel modello Excel del piano, "
        f"{SAVE_AS_XLSX} e caricalo di nuovo."
    )


def _corrupt(name: str) -> IntakeError:
    return _resave(
        name,
        "è danneggiato o incompleto (forse il salvataggio o il caricamento si è interrotto)",
    )


def _encrypted_members(name: str) -> IntakeError:
    return _resave(
        name, "contiene parti cifrate (protette da password), che non si possono leggere"
    )


def _unsupported_compression(name: str) -> IntakeError:
    return _resave(name, "usa un metodo di compressione che Excel non usa")


def _too_many_members(name: str) -> IntakeError:
    return _resave(
        name,
        f"contiene troppe parti interne (più di {MAX_MEMBERS}) e non può essere "
        "aperto in sicurezza",
    )


def _too_big_uncompressed(name: str) -> IntakeError:
    return IntakeError(
        f"{_the_file(name)}, una volta decompresso, occuperebbe più di {MAX_UNCOMPRESSED_MB} MB "
        "e non può essere aperto in sicurezza. Togli i fogli, le immagini e i dati che non "
        "servono al piano, salvalo e caricalo di nuovo."
    )


def _suspicious_ratio(name: str) -> IntakeError:
    return _resave(
        name,
        "contiene dati compressi in modo anomalo (possibile «zip bomb») e non può essere aperto "
        "in sicurezza",
    )


def _lying_sizes(name: str) -> IntakeError:
    return _resave(
        name,
        "dichiara dimensioni interne che non corrispondono al contenuto (possibile «zip bomb») "
        "e non può essere aperto in sicurezza",
    )


def _forbidden_xml(name: str) -> IntakeError:
    return _resave(
        name,
        "contiene costrutti XML non ammessi (dichiarazioni DOCTYPE o ENTITY), che potrebbero "
        "servire ad attaccare il sistema",
    )


def _ods(name: str) -> IntakeError:
    return IntakeError(
        f"{_the_file(name)} è un foglio di calcolo OpenDocument (.ods). Aprilo in LibreOffice, "
        f"{SAVE_AS_XLSX} (File > Salva con nome) e caricalo di nuovo."
    )


def _open_document(name: str) -> IntakeError:
    return IntakeError(
        f"{_the_file(name)} è un documento OpenDocument (LibreOffice), non una cartella di "
        "lavoro Excel (.xlsx). Carica il file Excel del piano."
    )


def _word(name: str) -> IntakeError:
    return IntakeError(
        f"{_the_file(name)} è un documento Word, non una cartella di lavoro Excel (.xlsx). "
        "Carica il file Excel del piano."
    )


def _powerpoint(name: str) -> IntakeError:
    return IntakeError(
        f"{_the_file(name)} è una presentazione PowerPoint, non una cartella di lavoro Excel "
        "(.xlsx). Carica il file Excel del piano."
    )


def _xlsb(name: str) -> IntakeError:
    return IntakeError(
        f"{_the_file(name)} è nel formato binario di Excel (.xlsb). Aprilo in Excel, "
        f"{SAVE_AS_XLSX} e caricalo di nuovo."
    )


def _macros(name: str) -> IntakeError:
    return IntakeError(
        f"{_the_file(name)} contiene macro (formato .xlsm), che per sicurezza non sono "
        f"accettate. Aprilo in Excel o LibreOffice, {SAVE_AS_XLSX} senza macro e caricalo "
        "di nuovo."
    )


# Reading -------------------------------------------------------------------------------------


def read_source(
    source: str | os.PathLike[str] | bytes | BinaryIO, *, name: str | None = None
) -> tuple[bytes, str]:
    """Bytes and a display name from a path, bytes or a binary file object (read from its
    current position). Never reads more than MAX_BYTES + 1 bytes: a larger source raises
    IntakeError. A missing path raises IntakeError('Il file ... non esiste. ...')."""
    if isinstance(source, bytes | bytearray | memoryview):
        display = name or ""
        if len(source) > MAX_BYTES:
            raise _too_big(display)
        return bytes(source), display
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        return _read_path(path, name or path.name), name or path.name
    if hasattr(source, "read"):
        display = name or _stream_name(source)
        return _read_stream(source, display), display
    raise TypeError(f"read_source: unsupported source type {type(source).__name__}")


def _read_path(path: Path, display: str) -> bytes:
    try:
        if not path.exists():
            raise _missing(str(path))
        if path.is_dir():
            raise _is_directory(display)
        if path.stat().st_size > MAX_BYTES:
            raise _too_big(display)
        with path.open("rb") as stream:
            return _read_stream(stream, display)
    except OSError as error:
        raise _unreadable(display) from error


def _read_stream(stream: IO[bytes], display: str) -> bytes:
    """Up to MAX_BYTES bytes; raises as soon as byte MAX_BYTES + 1 is read."""
    chunks: list[bytes] = []
    left = MAX_BYTES + 1
    while left > 0:
        chunk = stream.read(min(left, 1024 * 1024))
        if not chunk:
            break
        if not isinstance(chunk, bytes | bytearray):
            raise TypeError("read_source: the file object must be opened in binary mode")
        chunks.append(bytes(chunk))
        left -= len(chunk)
    if left <= 0:
        raise _too_big(display)
    return b"".join(chunks)


def _stream_name(stream: object) -> str:
    raw = getattr(stream, "name", None)
    return Path(raw).name if isinstance(raw, str) else ""


# Not a zip: recognise what it is -------------------------------------------------------------


def check_workbook_bytes(data: bytes, name: str = "") -> None:
    """Raise IntakeError unless data is a plausible, safe .xlsx."""
    if not data:
        raise _empty(name)
    if len(data) > MAX_BYTES:
        raise _too_big(name)
    if not data.startswith(ZIP_MAGICS):
        raise _identify_non_zip(data, name)
    view = memoryview(data)
    with _open_zip(data, name) as archive:
        members = archive.infolist()
        _check_container(members, name)
        _check_identity(view, archive, name)
        _check_members(view, members, name)


def _identify_non_zip(data: bytes, name: str) -> IntakeError:
    """The error for a file that is not a zip, naming what it looks like."""
    head = data[:SNIFF_BYTES]
    if head.startswith(OLE2_MAGIC):
        return _password_protected(name) if OOXML_ENCRYPTED in data else _old_office(name)
    if head.lstrip().startswith(b"%PDF-"):
        return _pdf(name)
    text = _as_text(head)
    if text is None:
        return _not_xlsx(name)
    start = text.lstrip("\ufeff \t\r\n").lower()
    if start.startswith(("<!doctype html", "<html")) or "<html" in start[:2048]:
        return _html(name)
    if start.startswith("<?xml") and "urn:schemas-microsoft-com:office:spreadsheet" in start:
        return _xml_2003(name)
    return _text(name)


def _as_text(head: bytes) -> str | None:
    """head decoded as text if it looks like text (UTF-8/16 or a Windows code page)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="replace")
    elif b"\x00" in head:
        return None
    else:
        try:
            text = head.decode("utf-8")
        except UnicodeDecodeError as error:
            # A multi-byte character cut at the end of the sample is still text.
            cut_at_end = error.start >= len(head) - 3 and error.reason == "unexpected end of data"
            text = (
                head[: error.start].decode("utf-8")
                if cut_at_end
                else head.decode("cp1252", "replace")
            )
    printable = sum(1 for char in text if char.isprintable() or char in "\t\r\n")
    return text if printable >= 0.97 * len(text) else None


# Zip container ---------------------------------------------------------------------------------


def _open_zip(data: bytes, name: str) -> zipfile.ZipFile:
    """The archive, after a cheap look at the end record: zipfile builds one object per
    central directory entry, so a huge directory is refused before it does."""
    if _central_directory_too_big(data):
        raise _too_many_members(name)
    try:
        return zipfile.ZipFile(BytesIO(data))
    except (
        zipfile.BadZipFile,
        ValueError,
        struct.error,
        EOFError,
        OverflowError,
        IndexError,
        NotImplementedError,
        UnicodeDecodeError,
    ) as error:
        raise _corrupt(name) from error


def _central_directory_too_big(data: bytes) -> bool:
    """True if the end-of-central-directory record declares more than MAX_MEMBERS entries or
    a directory bigger than MAX_CENTRAL_DIRECTORY (zipfile parses as many entries as fit in
    the declared directory size, whatever the declared count). False if there is no plain
    end record (Zip64 or damaged: zipfile judges those, and the count is checked after)."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65536 - 22))
    if end < 0 or end + 22 > len(data):
        return False
    count, directory_size, _, comment_length = struct.unpack_from("<6xHLLH", data, end + 4)
    if end + 22 + comment_length != len(data) or count == 0xFFFF:
        return False
    return count > MAX_MEMBERS or directory_size > MAX_CENTRAL_DIRECTORY


def _check_container(members: list[zipfile.ZipInfo], name: str) -> None:
    """Judge the archive on what its central directory declares."""
    if len(members) > MAX_MEMBERS:
        raise _too_many_members(name)
    if any(info.flag_bits & 0x1 for info in members):
        raise _encrypted_members(name)
    if any(
        info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) for info in members
    ):
        raise _unsupported_compression(name)
    if sum(info.file_size for info in members) > MAX_UNCOMPRESSED:
        raise _too_big_uncompressed(name)
    if any(_suspicious_ratio_member(info) for info in members):
        raise _suspicious_ratio(name)


def _suspicious_ratio_member(info: zipfile.ZipInfo) -> bool:
    if info.file_size <= RATIO_CHECK_FROM:
        return False
    return info.compress_size == 0 or info.file_size / info.compress_size > MAX_RATIO


# What kind of zip ------------------------------------------------------------------------------


def _check_identity(view: memoryview, archive: zipfile.ZipFile, name: str) -> None:
    """Refuse zips that are another format (ODS, Word, PowerPoint, xlsb, xlsm, plain zip)."""
    by_name = {info.filename.lower(): info for info in archive.infolist()}
    if "mimetype" in by_name and by_name["mimetype"].file_size <= 256:
        mimetype = _member_bytes(view, by_name["mimetype"], name, limit=256).strip()
        if mimetype.startswith(ODS_MIMETYPE):
            raise _ods(name)
        if mimetype.startswith(ODF_MIMETYPE):
            raise _open_document(name)
    if "word/document.xml" in by_name:
        raise _word(name)
    if "ppt/presentation.xml" in by_name:
        raise _powerpoint(name)
    if "xl/workbook.bin" in by_name:
        raise _xlsb(name)
    if any(_is_macro_part(member) for member in by_name):
        raise _macros(name)
    if "[content_types].xml" not in by_name or "xl/workbook.xml" not in by_name:
        raise _not_xlsx(name)
    content_types = _member_bytes(view, by_name["[content_types].xml"], name, MAX_CONTENT_TYPES)
    content_types = content_types.lower()
    if b"sheet.binary" in content_types:
        raise _xlsb(name)
    if b"macroenabled" in content_types or b"vbaproject" in content_types:
        raise _macros(name)


def _is_macro_part(member: str) -> bool:
    return member.endswith("vbaproject.bin") or member.startswith("xl/macrosheets/")


# Members: inflate in chunks, counting ------------------------------------------------------------


def _check_members(view: memoryview, members: list[zipfile.ZipInfo], name: str) -> None:
    """Inflate every member in small chunks: refuse lies, corruption, DTD constructs."""
    total = 0
    for info in members:
        xml = not info.filename.lower().endswith(BINARY_SUFFIXES)
        total += _scan_member(view, info, name, forbidden=FORBIDDEN_XML if xml else ())
        if total > MAX_UNCOMPRESSED:
            raise _too_big_uncompressed(name)


def _scan_member(
    view: memoryview, info: zipfile.ZipInfo, name: str, forbidden: tuple[bytes, ...]
) -> int:
    """Inflate one member chunk by chunk; return its size. Raises as soon as the member
    exceeds its declared size or contains one of the forbidden byte strings."""
    keep = max((len(marker) for marker in forbidden), default=1) - 1
    tail = b""
    size = 0
    crc = 0
    for chunk in _inflate(view, info, name):
        size += len(chunk)
        if size > info.file_size:
            raise _lying_sizes(name)
        window = tail + chunk
        if any(marker in window for marker in forbidden):
            raise _forbidden_xml(name)
        tail = window[-keep:] if keep else b""
        crc = zlib.crc32(chunk, crc)
    if size != info.file_size or crc != info.CRC:
        raise _corrupt(name)
    return size


def _member_bytes(view: memoryview, info: zipfile.ZipInfo, name: str, limit: int) -> bytes:
    """A small member whole (at most limit bytes, checked while inflating)."""
    if info.file_size > limit:
        raise _corrupt(name)
    chunks: list[bytes] = []
    size = 0
    for chunk in _inflate(view, info, name):
        size += len(chunk)
        if size > info.file_size:
            raise _lying_sizes(name)
        chunks.append(chunk)
    return b"".join(chunks)


def _inflate(view: memoryview, info: zipfile.ZipInfo, name: str) -> Iterator[bytes]:
    """The member's uncompressed bytes, at most OUT_CHUNK at a time."""
    raw = _raw_member(view, info, name)
    if info.compress_type == zipfile.ZIP_STORED:
        for start in range(0, len(raw), OUT_CHUNK):
            yield bytes(raw[start : start + OUT_CHUNK])
        return
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        for start in range(0, len(raw), IN_CHUNK):
            pending: bytes | memoryview = raw[start : start + IN_CHUNK]
            while pending and not inflater.eof:
                chunk = inflater.decompress(pending, OUT_CHUNK)
                pending = inflater.unconsumed_tail
                if chunk:
                    yield chunk
        while not inflater.eof:  # output still buffered inside zlib
            chunk = inflater.decompress(b"", OUT_CHUNK)
            if not chunk:
                break
            yield chunk
    except zlib.error as error:
        raise _corrupt(name) from error
    if not inflater.eof:
        raise _corrupt(name)


def _raw_member(view: memoryview, info: zipfile.ZipInfo, name: str) -> memoryview:
    """The member's compressed bytes, located through its local header (no copy)."""
    offset = info.header_offset
    if offset < 0 or offset + 30 > len(view):
        raise _corrupt(name)
    signature, name_length, extra_length = struct.unpack_from("<4s22xHH", view, offset)
    if signature != b"PK\x03\x04":
        raise _corrupt(name)
    start = offset + 30 + name_length + extra_length
    end = start + info.compress_size
    if end > len(view):
        raise _corrupt(name)
    return view[start:end]


# Raw sheet scan --------------------------------------------------------------------------------


def scan_sheets(data: bytes) -> dict[str, SheetScan]:
    """Sheet name (as shown in Excel) -> scan (merges, formulas without value, and where the
    cells holding a value are), in workbook order. Maps names to parts via
    xl/workbook.xml and xl/_rels/workbook.xml.rels (parsed with defusedxml); sheets whose part
    is missing are left out. Call only after check_workbook_bytes."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            parts = {info.filename.lower(): info.filename for info in archive.infolist()}
            scans: dict[str, SheetScan] = {}
            for sheet_name, part in _sheet_parts(archive, parts):
                if part.lower() not in parts:
                    continue
                member = parts[part.lower()]
                cells = _CellPositions()
                with archive.open(member) as stream:
                    needed = _may_have_formulas_or_merges(stream, cells)
                if needed:
                    with archive.open(member) as stream:
                        walked = _scan_sheet(stream)
                else:
                    walked = SheetScan((), ())
                scans[sheet_name] = SheetScan(
                    walked.merged, walked.formulas_without_value, cells.columns(), cells.last_row
                )
            return scans
    except DefusedXmlException as error:
        raise _forbidden_xml("") from error
    except (
        zipfile.BadZipFile,
        ParseError,
        expat.ExpatError,
        KeyError,
        ValueError,
        EOFError,
        zlib.error,
    ) as error:
        raise _corrupt("") from error


def _sheet_parts(archive: zipfile.ZipFile, parts: dict[str, str]) -> list[tuple[str, str]]:
    """(sheet name, zip member of its part) for each sheet of xl/workbook.xml."""
    workbook = SafeET.fromstring(archive.read(parts["xl/workbook.xml"]), forbid_dtd=True)
    rels_name = parts.get("xl/_rels/workbook.xml.rels")
    targets = _relationship_targets(archive.read(rels_name)) if rels_name else {}
    result = []
    for sheet in workbook.iter():
        if sheet.tag not in _SHEET:
            continue
        rel_id = next((v for k, v in sheet.attrib.items() if _local(k) == "id"), None)
        if sheet.get("name") and rel_id in targets:
            result.append((sheet.get("name", ""), targets[rel_id]))
    return result


def _relationship_targets(rels_xml: bytes) -> dict[str, str]:
    """Relationship Id -> zip member, for the internal targets of workbook.xml.rels."""
    root = SafeET.fromstring(rels_xml, forbid_dtd=True)
    targets = {}
    for rel in root.iter(f"{{{PACKAGE_RELS_NAMESPACE}}}Relationship"):
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External" or not target:
            continue
        member = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        targets[rel.get("Id", "")] = posixpath.normpath(member)
    return targets


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


_SHEET = {f"{{{ns}}}sheet" for ns in MAIN_NAMESPACES}
_CELL = {f"{{{ns}}}c" for ns in MAIN_NAMESPACES}
_ROW = {f"{{{ns}}}row" for ns in MAIN_NAMESPACES}
_SHEET_DATA = {f"{{{ns}}}sheetData" for ns in MAIN_NAMESPACES}
_MERGE = {f"{{{ns}}}mergeCell" for ns in MAIN_NAMESPACES}


_FORMULA_TAGS = (b"<f", b":f")  # <f> or a prefixed <x:f>: the name ends right after
_MERGE_TAGS = (b"<mergeCell", b":mergeCell")
_AFTER_NAME = frozenset(b" \t\r\n/>")
_PATTERN_SPAN = len(b"<mergeCell ")
SCAN_CHUNK = 1024 * 1024


_VALUE_CELL = re.compile(
    rb'<c r="([A-Z]{1,3})([0-9]{1,7})"[^>]*>(?:<f[^>]*>[^<]*</f>|<f[^>]*/>)?<(?:v|is)>'
)  # a cell holding a value: <c r="B7" ...>, an optional formula, then <v> or <is>
_VALUE_MARKS = (b"<v>", b"<is>")


class _CellPositions:
    """Where the cells holding a value are, from the raw XML without parsing it (one C-level
    regex search; a sheet of 2 million formatted empty cells takes a fraction of a second):
    per column, how many; and the last row. A cell counts when it holds <v> or <is>;
    formatted empty cells (<c r="A5" s="3"/>, <c ...></c>) do not."""

    def __init__(self) -> None:
        self.by_column: Counter[bytes] = Counter()  # column letters -> cells holding a value
        self.last_row = 0
        self.known = True
        self.tail = b""

    def feed(self, block: bytes, final: bool = False) -> None:
        """Take the next bytes of the part; the last call has final=True."""
        window = self.tail + block
        # Cut after the last complete cell, or before the last cell start, whichever is later.
        ended = window.rfind(b"</c>")
        cut = len(window) if final else max(window.rfind(b"<c "), ended + 4 if ended >= 0 else 0)
        part, self.tail = window[:cut], window[cut:]
        found = _VALUE_CELL.findall(part)
        if len(found) != sum(part.count(mark) for mark in _VALUE_MARKS):
            self.known = False  # a value in a cell written otherwise (no r="..." first)
        if b":c " in part or b":c>" in part:
            self.known = False  # cells with a namespace prefix (<x:c ...>): not searched
        if found:
            letters, rows = zip(*found, strict=True)
            self.by_column.update(letters)
            self.last_row = max(self.last_row, max(map(int, rows)))

    def columns(self) -> dict[int, int] | None:
        """1-based column -> how many cells of it hold a value; None if not known."""
        if not self.known:
            return None
        return {_column_number(letters): count for letters, count in self.by_column.items()}


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _may_have_formulas_or_merges(stream: IO[bytes], cells: _CellPositions | None = None) -> bool:
    """Whether the sheet may hold a formula or a merged range, so that the slow XML walk of
    _scan_sheet is needed; False only when its bytes surely hold neither (10,000 projects:
    ~0.2 s instead of ~1.4 s). The bytes still go through expat, without Python callbacks,
    so a malformed or DTD-bearing part is refused exactly as by the full walk. Conservative:
    a match inside text or a comment, or a part that is not ASCII-compatible XML (UTF-16),
    answers True. Reads the whole part (no early answer) so that ``cells`` learns where the
    values are."""
    cells = cells or _CellPositions()
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_entity
    tail = b""
    first = True
    found = False
    while block := stream.read(SCAN_CHUNK):
        if first:
            head = block[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
            if b"\x00" in block[:64] or not head.startswith(b"<"):
                cells.known = False
                return True
            first = False
        parser.Parse(block, False)
        cells.feed(block)
        window = tail + block
        found = found or _has_formula_or_merge(window)
        tail = window[-_PATTERN_SPAN:]
    parser.Parse(b"", True)
    cells.feed(b"", final=True)
    return found


def _has_formula_or_merge(window: bytes) -> bool:
    """A <f> or <mergeCell(s)> start tag, with or without a namespace prefix, in ``window``.
    Plain substring searches (a regex is ~5x slower here: <formula1> of the data validations
    makes "<f" common)."""
    if any(tag in window for tag in _MERGE_TAGS):
        return True
    for tag in _FORMULA_TAGS:
        at = window.find(tag)
        while at != -1:
            end = at + len(tag)
            if end < len(window) and window[end] in _AFTER_NAME:
                return True
            at = window.find(tag, end)
    return False


def _refuse_dtd(name: str, sysid: str | None, pubid: str | None, *_: object) -> None:
    raise DTDForbidden(name, sysid, pubid)


def _refuse_entity(name: str, *_: object) -> None:
    raise EntitiesForbidden(name, None, None, None, None, None)


def _scan_sheet(stream: IO[bytes]) -> SheetScan:
    """Merged ranges and formulas without a cached value, streaming (finished rows are
    dropped, so memory does not grow with the sheet)."""
    merged: list[str] = []
    missing: list[str] = []
    sheet_data: Element | None = None
    row_number = 0
    previous_ref = ""
    for event, element in SafeET.iterparse(stream, events=("start", "end"), forbid_dtd=True):
        tag = element.tag
        if event == "start":
            if tag in _SHEET_DATA:
                sheet_data = element
            elif tag in _ROW:
                row_number = int(element.get("r") or row_number + 1)
                previous_ref = ""
        elif tag in _CELL:
            ref = element.get("r") or _next_ref(previous_ref, row_number)
            if _formula_without_value(element):
                missing.append(ref)
            previous_ref = ref
        elif tag in _ROW and sheet_data is not None:
            sheet_data.clear()
        elif tag in _MERGE and element.get("ref"):
            merged.append(element.get("ref", ""))
    return SheetScan(tuple(merged), tuple(missing))


def _formula_without_value(cell: Element) -> bool:
    children = {_local(child.tag): child for child in cell}
    value = children.get("v")
    return "f" in children and (value is None or not value.text)


def _next_ref(previous_ref: str, row_number: int) -> str:
    """Reference of a cell written without r="...": the column after the previous cell's."""
    from openpyxl.utils.cell import (  # only for the rare cells without a reference
        column_index_from_string,
        coordinate_from_string,
        get_column_letter,
    )

    column = (
        column_index_from_string(coordinate_from_string(previous_ref)[0]) if previous_ref else 0
    )
    return f"{get_column_letter(column + 1)}{row_number}"
