"""A corpus of malformed or hostile uploads, reusable by every test that takes a workbook.

    from support.badfiles import CORPUS, build
    for name in CORPUS:
        bad = build(name, tmp_dir)   # BadFile(filename, data, fragment)
        # ... upload bad.data as bad.filename, expect bad.fragment in the Italian error

``fragment`` is a piece of the message coopplan.workbook.intake gives for that file. Every file is
small to build except the two 1 GiB zip bombs (about 0.3 s each, 1 MB on disk), so ``build``
caches every file in ``tmp_dir``: pass a session-wide directory (pytest ``tmp_path_factory``).
``EXTRA`` holds variants that only the intake tests need, ``BENCHMARK_ONLY`` the slow worst
case of benchmarks/bad_files.py.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from coopplan.workbook.schema import MAX_UPLOAD_MB

MAX_BYTES = MAX_UPLOAD_MB * 1024 * 1024
BOMB_SIZE = 1024**3  # what the two big bombs inflate to
RATIO_BOMB_SIZE = 20 * 1024**2  # under the total cap, far over the ratio cap

NOT_XLSX = "non è una cartella di lavoro Excel (.xlsx)"
CORRUPT = "danneggiato o incompleto"
FORBIDDEN_XML = "costrutti XML non ammessi"


@dataclass(frozen=True)
class BadFile:
    filename: str  # name the user would upload it as
    data: bytes
    fragment: str  # expected in the IntakeError message

    def __iter__(self) -> Iterator[str | bytes]:
        """Unpacks as (filename, data, fragment)."""
        return iter((self.filename, self.data, self.fragment))


# A valid workbook and zip helpers ------------------------------------------------------------


def valid_xlsx() -> bytes:
    """A small, valid workbook made by openpyxl: sheets "Piano e fonti" and "Attività", a
    merged range B3:C3 and a formula without cached value in "Attività"!F7."""
    from openpyxl import Workbook

    workbook = Workbook()
    first = workbook.active
    first.title = "Piano e fonti"
    first.append(["Campo", "Valore"])
    first.append(["Titolo", "Coop Re-Start"])
    sheet = workbook.create_sheet("Attività")
    sheet.append(["Progetto", "Tipo", "Descrizione"])
    sheet.append(["P1-01", "Realizzata", "Incontro con le cooperative"])
    sheet["B3"] = "Unito"
    sheet.merge_cells("B3:C3")
    sheet["F7"] = "=1+1"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def zip_members(data: bytes) -> dict[str, bytes]:
    """Every member of a (small) zip, in order."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def make_zip(members: dict[str, bytes], stored: tuple[str, ...] = ()) -> bytes:
    """A zip of members (deflated, except the names in stored)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            method = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            archive.writestr(name, content, compress_type=method)
    return buffer.getvalue()


def patched_xlsx(replace: dict[str, bytes], add: dict[str, bytes] | None = None) -> bytes:
    """valid_xlsx() with some members replaced and others added."""
    members = zip_members(valid_xlsx())
    assert set(replace) <= set(members), f"no such members: {set(replace) - set(members)}"
    members.update(replace)
    members.update(add or {})
    return make_zip(members)


def _central_directory_offset(data: bytes) -> int:
    end = data.rfind(b"PK\x05\x06")
    return struct.unpack_from("<L", data, end + 16)[0]


# Raw zip writing (for bombs: pre-compressed data and sizes that may lie) ---------------------


@dataclass(frozen=True)
class _RawMember:
    name: str
    deflated: bytes  # raw deflate stream
    crc: int
    size: int  # real uncompressed size
    declared_size: int  # what the headers say


def _raw_member(name: str, content: bytes) -> _RawMember:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    deflated = compressor.compress(content) + compressor.flush()
    return _RawMember(name, deflated, zlib.crc32(content), len(content), len(content))


def _zeros_member(name: str, size: int, declared_size: int | None = None) -> _RawMember:
    """size zero bytes, deflated cheaply: a 1 MiB block compressed with a full flush is the
    same bytes every time, so the stream is that block repeated."""
    block = 1024 * 1024
    assert size % block == 0
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    zeros = bytes(block)
    flushed = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    deflated = flushed * (size // block) + compressor.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(size // block):
        crc = zlib.crc32(zeros, crc)
    return _RawMember(name, deflated, crc, size, size if declared_size is None else declared_size)


def _raw_zip(members: list[_RawMember]) -> bytes:
    """A zip (no Zip64, sizes under 4 GiB) whose local and central headers declare
    member.declared_size as the uncompressed size."""
    out = io.BytesIO()
    central = io.BytesIO()
    for member in members:
        offset = out.tell()
        name = member.name.encode()
        sizes = (member.crc, len(member.deflated), member.declared_size)
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, *sizes, len(name), 0))
        out.write(name)
        out.write(member.deflated)
        central.write(
            struct.pack(
                "<4s6H3L5H2L",
                b"PK\x01\x02",
                20,
                20,
                0,
                8,
                0,
                0x21,
                *sizes,
                len(name),
                0,
                0,
                0,
                0,
                0,
                offset,
            )  # fmt: skip
        )
        central.write(name)
    start = out.tell()
    out.write(central.getvalue())
    count = len(members)
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, central.tell(), start, 0))
    return out.getvalue()


def _xlsx_with_bomb(bomb: _RawMember) -> bytes:
    """valid_xlsx() whose first sheet is replaced by the bomb member."""
    members = [
        bomb if name == bomb.name else _raw_member(name, content)
        for name, content in zip_members(valid_xlsx()).items()
    ]
    return _raw_zip(members)


# The files -------------------------------------------------------------------------------------


def _random_bytes(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


def _ole2(stream_names: tuple[str, ...]) -> bytes:
    """An OLE2 compound file header and a directory sector naming the given streams."""
    header = bytearray(512)
    header[:8] = bytes.fromhex("D0CF11E0A1B11AE1")
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    directory = bytearray()
    for name in ("Root Entry", *stream_names):
        entry = bytearray(128)
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        entry[: len(encoded)] = encoded
        struct.pack_into("<HB", entry, 64, len(encoded), 5 if name == "Root Entry" else 2)
        directory += entry
    return bytes(header) + bytes(directory).ljust(4096, b"\x00")


def _xls() -> bytes:
    return _ole2(("Workbook", "\x05SummaryInformation"))


def _encrypted() -> bytes:
    return _ole2(("EncryptionInfo", "EncryptedPackage", "\x06DataSpaces"))


def _pdf() -> bytes:
    return (
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n"
        b"%%EOF\n"
    )


def _csv() -> bytes:
    rows = ["ID;Pista;Progetto;Stato", "P1-01;P1;Cooperazione è futuro;In corso"]
    rows += [f"P2-{n:02d};P2;Attività numero {n};Da avviare" for n in range(1, 40)]
    return ("\r\n".join(rows) + "\r\n").encode("utf-8")


def _html() -> bytes:
    return (
        "<!DOCTYPE html>\n<html lang='it'><head><meta charset='utf-8'><title>Piano</title>"
        "</head><body><table><tr><td>ID</td><td>Progetto</td></tr>"
        "<tr><td>P1-01</td><td>Attività</td></tr></table></body></html>\n"
    ).encode()


def _xml_2003() -> bytes:
    return (
        b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
        b'<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
        b'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">\n'
        b'<Worksheet ss:Name="Progetti"><Table><Row><Cell><Data ss:Type="String">ID</Data>'
        b"</Cell></Row></Table></Worksheet>\n</Workbook>\n"
    )


def _docx() -> bytes:
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    return make_zip(
        {
            "[Content_Types].xml": (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
                f'<Override PartName="/word/document.xml" ContentType="{main}"/></Types>'
            ).encode(),
            "_rels/.rels": (
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                b'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                b'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
                b"</Relationships>"
            ),
            "word/document.xml": (
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/'
                b'main"><w:body><w:p><w:r><w:t>Piano di lavoro</w:t></w:r></w:p></w:body>'
                b"</w:document>"
            ),
        }
    )


def _pptx() -> bytes:
    from pptx import Presentation

    presentation = Presentation()
    slide = presentation.slides.add_slide(presentation.slide_layouts[0])
    slide.shapes.title.text = "Coop Re-Start"
    buffer = io.BytesIO()
    presentation.save(buffer)
    return buffer.getvalue()


def _ods() -> bytes:
    office = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    return make_zip(
        {
            "mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
            "content.xml": (
                f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content '
                f'xmlns:office="{office}" office:version="1.3"><office:body>'
                "<office:spreadsheet/></office:body></office:document-content>"
            ).encode(),
            "META-INF/manifest.xml": (
                b'<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest xmlns:manifest='
                b'"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry '
                b'manifest:full-path="/" manifest:media-type="application/vnd.oasis.'
                b'opendocument.spreadsheet"/></manifest:manifest>'
            ),
        },
        stored=("mimetype",),
    )


def _zip_archive() -> bytes:
    return make_zip({"piano/progetti.csv": _csv(), "piano/leggimi.txt": b"Piano 2023\n"})


def _truncated() -> bytes:
    data = valid_xlsx()
    return data[: len(data) // 2]


def _corrupt_central_directory() -> bytes:
    data = bytearray(valid_xlsx())
    start = _central_directory_offset(bytes(data))
    data[start : start + 64] = _random_bytes(64, seed=7)
    return bytes(data)


def _encrypted_member() -> bytes:
    """valid_xlsx() whose first member has the "encrypted" flag set (local and central)."""
    data = bytearray(valid_xlsx())
    struct.pack_into("<H", data, 6, struct.unpack_from("<H", data, 6)[0] | 1)
    start = _central_directory_offset(bytes(data))
    struct.pack_into("<H", data, start + 8, struct.unpack_from("<H", data, start + 8)[0] | 1)
    return bytes(data)


def _content_types_with(old: str, new: str) -> bytes:
    content_types = zip_members(valid_xlsx())["[Content_Types].xml"].decode()
    assert old in content_types
    return content_types.replace(old, new).encode()


def _xlsm() -> bytes:
    plain = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    macro = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
    vba = '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
    content_types = _content_types_with(plain, macro).replace(
        b"</Types>", vba.encode() + b"</Types>"
    )
    return patched_xlsx(
        {"[Content_Types].xml": content_types},
        add={"xl/vbaProject.bin": _ole2(("VBA", "PROJECT"))},
    )


def _xlsb() -> bytes:
    plain = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    binary = "application/vnd.ms-excel.sheet.binary.macroEnabled.main"
    members = zip_members(valid_xlsx())
    members["[Content_Types].xml"] = _content_types_with(plain, binary)
    members["xl/workbook.bin"] = _random_bytes(512, seed=11)
    del members["xl/workbook.xml"]
    return make_zip(members)


def _too_many_members() -> bytes:
    extra = {f"xl/parti/parte{n:04d}.xml": b"<a/>" for n in range(3000)}
    return patched_xlsx({}, add=extra)


def _directory_count_lies() -> bytes:
    """60,000 empty members, and an end record that says there are 9."""
    members = [_raw_member(name, content) for name, content in zip_members(valid_xlsx()).items()]
    members += [_raw_member(f"x/{n:05d}.xml", b"") for n in range(60_000)]
    data = bytearray(_raw_zip(members))
    end = data.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", data, end + 8, 9, 9)
    return bytes(data)


def _bomb_honest() -> bytes:
    return _xlsx_with_bomb(_zeros_member("xl/worksheets/sheet1.xml", BOMB_SIZE))


def _bomb_ratio() -> bytes:
    return _xlsx_with_bomb(_zeros_member("xl/worksheets/sheet1.xml", RATIO_BOMB_SIZE))


def _bomb_lying() -> bytes:
    """1 GiB of zeros whose local and central headers both claim 1 MiB."""
    bomb = _zeros_member("xl/worksheets/sheet1.xml", BOMB_SIZE, declared_size=1024 * 1024)
    return _xlsx_with_bomb(bomb)


XXE_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
    '<!DOCTYPE workbook [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="&xxe;" sheetId="1" r:id="rId1"/></sheets></workbook>'
)


def _billion_laughs(prefix: str = "") -> str:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
    ]
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{prefix}<!DOCTYPE worksheet [{"".join(entities)}]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData>'
        "</worksheet>"
    )


def _xxe_workbook() -> bytes:
    return patched_xlsx({"xl/workbook.xml": XXE_WORKBOOK.encode()})


def _billion_laughs_sheet() -> bytes:
    return patched_xlsx({"xl/worksheets/sheet1.xml": _billion_laughs().encode()})


def _doctype_after_padding() -> bytes:
    """The DTD after an 8 KB comment: beyond the first 4 KB of the part."""
    padding = f"<!-- {'x' * 8192} -->\n"
    return patched_xlsx({"xl/worksheets/sheet2.xml": _billion_laughs(padding).encode()})


def _xxe_utf16() -> bytes:
    text = XXE_WORKBOOK.replace('encoding="UTF-8"', 'encoding="UTF-16"')
    return patched_xlsx({"xl/workbook.xml": text.encode("utf-16")})


def _stream_worst_case() -> bytes:
    """A sheet that passes every declared check (95 MB, ratio under 100) and ends with a
    DOCTYPE: the intake must inflate all of it before refusing. For the benchmark."""
    text = "Incontri con le cooperative aderenti per raccogliere i fabbisogni formativi. " * 3
    rows = []
    size = 0
    while size < 95 * 1024**2:
        n = len(rows) + 1
        row = f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>{text}</t></is></c></row>'
        rows.append(row)
        size += len(row)
    sheet = "".join(rows) + '<!DOCTYPE x [<!ENTITY y "z">]>'
    return patched_xlsx({"xl/worksheets/sheet1.xml": sheet.encode()})


def _bad_crc() -> bytes:
    """valid_xlsx() whose first sheet declares a wrong CRC-32 (local and central header)."""
    data = bytearray(valid_xlsx())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    central = data.find(info.filename.encode(), _central_directory_offset(bytes(data))) - 46
    for crc_at in (info.header_offset + 14, central + 16):
        struct.pack_into("<L", data, crc_at, info.CRC ^ 0xFFFF)
    return bytes(data)


@dataclass(frozen=True)
class _Spec:
    filename: str
    fragment: str
    make: Callable[[], bytes]


_SPECS: dict[str, _Spec] = {
    "empty": _Spec("vuoto.xlsx", "è vuoto", lambda: b""),
    "too_big": _Spec(
        "enorme.xlsx", f"{MAX_UPLOAD_MB} MB", lambda: _random_bytes(MAX_BYTES + 1, seed=1)
    ),
    "xls": _Spec("piano_vecchio.xls", ".xls", _xls),
    "encrypted": _Spec("piano_con_password.xlsx", "protetto da password", _encrypted),
    "pdf": _Spec("piano.pdf", "PDF", _pdf),
    "csv": _Spec("progetti_csv.xlsx", "CSV", _csv),
    "html": _Spec("esportazione_web.xlsx", "HTML", _html),
    "xml2003": _Spec("piano_xml2003.xls", "XML 2003", _xml_2003),
    "docx": _Spec("relazione_word.xlsx", "Word", _docx),
    "pptx": _Spec("presentazione.pptx", "PowerPoint", _pptx),
    "ods": _Spec("piano.ods", ".ods", _ods),
    "zip_archive": _Spec("archivio.zip", NOT_XLSX, _zip_archive),
    "truncated": _Spec("piano_troncato.xlsx", CORRUPT, _truncated),
    "corrupt_central_directory": _Spec("piano_rovinato.xlsx", CORRUPT, _corrupt_central_directory),
    "encrypted_member": _Spec("piano_cifrato.xlsx", "parti cifrate", _encrypted_member),
    "xlsm": _Spec("piano_macro.xlsm", "macro", _xlsm),
    "xlsb": _Spec("piano_binario.xlsb", ".xlsb", _xlsb),
    "too_many_members": _Spec("troppe_parti.xlsx", "troppe parti", _too_many_members),
    "bomb_honest": _Spec("bomba_onesta.xlsx", "occuperebbe più di", _bomb_honest),
    "bomb_ratio": _Spec("bomba_rapporto.xlsx", "compressi in modo anomalo", _bomb_ratio),
    "bomb_lying": _Spec("bomba_bugiarda.xlsx", "non corrispondono", _bomb_lying),
    "xxe_workbook": _Spec("xxe.xlsx", FORBIDDEN_XML, _xxe_workbook),
    "billion_laughs_sheet": _Spec("risate.xlsx", FORBIDDEN_XML, _billion_laughs_sheet),
    "garbage": _Spec("casuale.xlsx", NOT_XLSX, lambda: _random_bytes(64 * 1024, seed=5)),
    # Variants for the intake tests only (see EXTRA).
    "doctype_after_padding": _Spec("dtd_tardivo.xlsx", FORBIDDEN_XML, _doctype_after_padding),
    "xxe_utf16": _Spec("xxe_utf16.xlsx", FORBIDDEN_XML, _xxe_utf16),
    "directory_count_lies": _Spec("parti_nascoste.xlsx", "troppe parti", _directory_count_lies),
    "stream_worst_case": _Spec("foglio_enorme.xlsx", FORBIDDEN_XML, _stream_worst_case),
    "bad_crc": _Spec("foglio_rovinato.xlsx", CORRUPT, _bad_crc),
}

EXTRA: list[str] = ["doctype_after_padding", "xxe_utf16", "directory_count_lies", "bad_crc"]
"""Variants that exercise the intake's internals; not needed by UI or CLI tests."""

BENCHMARK_ONLY: list[str] = ["stream_worst_case"]
"""Slow to build (about 2 s): the benchmark's worst case, not for every test run."""

CORPUS: list[str] = [name for name in _SPECS if name not in EXTRA + BENCHMARK_ONLY]
"""Every kind of bad upload a user-facing test should try."""

BOMBS: list[str] = ["bomb_honest", "bomb_ratio", "bomb_lying"]


def build(name: str, tmpdir: str | Path) -> BadFile:
    """The bad file called name (from CORPUS, EXTRA or BENCHMARK_ONLY), cached as tmpdir/<name>.bin."""
    spec = _SPECS[name]
    cached = Path(tmpdir) / f"{name}.bin"
    if cached.exists():
        data = cached.read_bytes()
    else:
        data = spec.make()
        partial = cached.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(cached)  # atomic: parallel builders never read half a file
    return BadFile(spec.filename, data, spec.fragment)
