"""Byte-level safety checks on an uploaded workbook, before any spreadsheet parser sees it.

``read_source`` gets the bytes (never more than ``MAX_BYTES + 1``) and ``check_workbook_bytes``
refuses anything that is not a plausible, safe .xlsx with an ``IntakeError`` whose message
tells the user, in Italian, what is wrong and what to do. The cells are read afterwards by
``coopplan.workbook.sheetxml``.

Safety model: the upload is at most ``MAX_BYTES``; the zip container is judged first on its
declared sizes (member count, total, compression ratio), then every member is actually
inflated in small chunks, counting bytes, so a member that inflates past its declared size,
or a running total past the cap, is refused as soon as it happens. Nothing is inflated whole.
XML members are refused if they contain DOCTYPE or ENTITY declarations; the XML we parse
ourselves also refuses them (defusedxml here, expat handlers in ``coopplan.workbook.sheetxml``).
"""

from __future__ import annotations

import os
import posixpath
import struct
import zipfile
import zlib
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import IO, BinaryIO

from coopplan.workbook.schema import MAX_UPLOAD_MB

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


def _repeated(name: str, part: str) -> IntakeError:
    return _resave(
        name,
        f"è danneggiato: contiene due volte la parte interna «{part}», e non si può sapere quale "
        "delle due sia quella giusta (neanche LibreOffice riesce ad aprirlo)",
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
    twice = _repeated_part(members)
    if twice:
        raise _repeated(name, twice)
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


def _repeated_part(members: list[zipfile.ZipInfo]) -> str:
    """The first part stored twice under names that mean the same part ('xl/a.xml' and
    'xl\\a.xml' or '/xl/a.xml', any case: OPC part names, ECMA-376 Part 2 §6.2.2.3), or ""."""
    seen: set[str] = set()
    for info in members:
        key = posixpath.normpath(info.filename.replace("\\", "/").lstrip("/")).lower()
        if key in seen:
            return info.filename.replace("\\", "/")
        seen.add(key)
    return ""


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
