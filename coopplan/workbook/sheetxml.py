"""The cells of an .xlsx as Excel and LibreOffice show them, read from the workbook's XML.

Why our own reader: coopplan's one duty is to read the plan exactly. The libraries we used
(calamine, openpyxl's streaming reader) turn an error value (``#DIV/0!``) into an empty cell,
raise on odd number text, or lose rows written out of order; each of those published a wrong
total without a word. This module reads every cell the sheet XML holds, placed by its ``r=``
reference or, when a writer leaves it out, by the rules of ECMA-376 Part 1 (§18.3.1.4 ``c``,
§18.3.1.73 ``row``: a cell without reference follows the previous cell of its row, a row
without reference follows the previous row), in any order and with any namespace prefix.
A value that cannot be read as the spreadsheet programs show it is not guessed: it becomes a
``CellFault`` naming the cell and what it holds.

The XML goes through expat with no DTD and no entity declarations (refused, like
``coopplan.workbook.intake`` refuses their bytes); the work and memory follow the cells that hold a
value (formatted empty cells are skipped), and a sheet stops being collected past ``limit``
value cells. Number formats (which numbers are dates) come from openpyxl's table of built-in
formats and its ``is_date_format``; serial dates from ``openpyxl.utils.datetime.from_excel``.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from io import BytesIO
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.cell import get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

MAIN_NAMESPACES = frozenset(
    {
        "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        "http://purl.oclc.org/ooxml/spreadsheetml/main",  # Strict Open XML
    }
)
RELATIONSHIP_NAMESPACES = frozenset(
    {
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        "http://purl.oclc.org/ooxml/officeDocument/relationships",
    }
)
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"

ERROR_VALUES: dict[str, str] = {
    "#NULL!": "intersezione vuota fra due intervalli",
    "#DIV/0!": "divisione per zero",
    "#VALUE!": "valore del tipo sbagliato in una formula",
    "#REF!": "riferimento a una cella che non esiste più",
    "#NAME?": "nome di funzione o di intervallo sconosciuto",
    "#NUM!": "numero non valido in una formula",
    "#N/A": "valore non disponibile",
    "#GETTING_DATA": "dati non ancora caricati",
    "#SPILL!": "il risultato della formula non ha spazio",
    "#CALC!": "errore di calcolo",
}
"""The error values Excel writes (ECMA-376 Part 1 §18.17.8, plus newer Excel's), in words."""

_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
"""xsd:double as spreadsheet writers emit it (no INF/NaN: no spreadsheet shows those)."""

_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?Z?")

Position = tuple[int, int]  # (row, column), 1-based as in Excel


@dataclass(frozen=True)
class CellFault:
    """A cell whose value cannot be read as Excel and LibreOffice show it."""

    row: int
    column: int
    message: str  # Italian, without the cell's address (the caller names sheet, row, column)

    @property
    def ref(self) -> str:
        return f"{get_column_letter(self.column)}{self.row}"


@dataclass
class SheetCells:
    """One sheet's cells that hold a value: (row, column) -> the value as the programs show it
    (str, float, bool, datetime.date or datetime.datetime; "" for a formula whose result is
    the empty string), plus what cannot be read (``faults``), merged ranges and formulas
    saved without a result. ``count`` counts value cells even past the limit."""

    values: dict[Position, object] = field(default_factory=dict)
    faults: list[CellFault] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)
    formulas_without_value: list[Position] = field(default_factory=list)
    count: int = 0
    truncated: bool = False  # more than the limit: values are incomplete


@dataclass(frozen=True)
class SheetInfo:
    name: str
    part: str  # zip member name as stored
    state: str  # "visible", "hidden" or "veryHidden"


class BookError(ValueError):
    """The workbook's structure cannot be read (a part is missing or is not XML)."""


class Book:
    """An .xlsx opened for reading its cells. ``data`` must have passed
    ``coopplan.workbook.intake.check_workbook_bytes`` (sizes and DTDs are checked there)."""

    def __init__(self, data: bytes) -> None:
        try:
            self._zip = zipfile.ZipFile(BytesIO(data))
        except zipfile.BadZipFile as exc:
            raise BookError(str(exc)) from exc
        self._members = {_member_key(i.filename): i.filename for i in self._zip.infolist()}
        workbook = self._part_name("xl/workbook.xml")
        rels = _relationships(self._read_optional("xl/_rels/workbook.xml.rels"), "xl")
        book = _WorkbookParser()
        _parse(self._read(workbook), book)
        self.date1904 = book.date1904
        self.sheets = [
            SheetInfo(name, self._part_name(rels[rel_id][0]), state)
            for name, rel_id, state in book.sheets
            if rel_id in rels and _member_key(rels[rel_id][0]) in self._members
        ]
        for sheet in self.sheets:  # every sheet well-formed, even those the plan does not read
            _parse(self._zip.read(sheet.part), None)
        by_type = {kind.rsplit("/", 1)[-1]: target for target, kind in rels.values()}
        self._strings: list[str] | None = None
        self._strings_part = by_type.get("sharedStrings")
        self._date_styles = self._styles(by_type.get("styles"))

    @property
    def sheet_names(self) -> list[str]:
        return [sheet.name for sheet in self.sheets]

    def cells(self, name: str, limit: int) -> SheetCells:
        """The cells of sheet ``name`` that hold a value; stops collecting values past
        ``limit`` value cells (``truncated``). Raises KeyError for an unknown sheet and
        BookError for a part that is not well-formed XML."""
        info = next(sheet for sheet in self.sheets if sheet.name == name)
        collector = _SheetParser(self, limit)
        _parse(self._zip.read(info.part), collector)
        return collector.result

    # Parts --------------------------------------------------------------------------------

    def _part_name(self, target: str) -> str:
        try:
            return self._members[_member_key(target)]
        except KeyError as exc:
            raise BookError(f"manca la parte {target}") from exc

    def _read(self, member: str) -> bytes:
        return self._zip.read(member)

    def _read_optional(self, target: str) -> bytes | None:
        member = self._members.get(_member_key(target))
        return self._zip.read(member) if member else None

    def shared_string(self, index: int) -> str | None:
        if self._strings is None:
            data = self._read_optional(self._strings_part) if self._strings_part else None
            parser = _SharedStringsParser()
            if data is not None:
                _parse(data, parser)
            self._strings = parser.strings
        return self._strings[index] if 0 <= index < len(self._strings) else None

    def _styles(self, target: str | None) -> frozenset[int]:
        """The cell style indexes (``s=``) whose number format shows a date or a time."""
        data = self._read_optional(target) if target else None
        if data is None:
            return frozenset()
        parser = _StylesParser()
        _parse(data, parser)
        dates = set()
        for index, format_id in enumerate(parser.cell_formats):
            code = parser.formats.get(format_id, BUILTIN_FORMATS.get(format_id, "General"))
            if _is_date_format_id(format_id) or is_date_format(code):
                dates.add(index)
        return frozenset(dates)

    def is_date_style(self, style: int) -> bool:
        return style in self._date_styles

    def number(self, text: str, style: int) -> object:
        """A numeric cell's value: a float, or a date/datetime when its format shows one."""
        value = float(text)
        if style and style in self._date_styles:
            calendar = CALENDAR_MAC_1904 if self.date1904 else CALENDAR_WINDOWS_1900
            try:
                shown = from_excel(value, calendar)
            except (OverflowError, ValueError):
                return value
            if isinstance(shown, dt.datetime) and shown.time() == dt.time():
                return shown.date()
            return shown
        return value


def _is_date_format_id(format_id: int) -> bool:
    """Built-in date formats whose code depends on the locale (ECMA-376 §18.8.30: 27-36 and
    50-58 are East Asian dates; openpyxl's table leaves them out)."""
    return 27 <= format_id <= 36 or 50 <= format_id <= 58


def _member_key(name: str) -> str:
    """How zip member names are compared: case-insensitive, '/' separators, no leading '/'."""
    return posixpath.normpath(name.replace("\\", "/").lstrip("/")).lower()


def _relationships(data: bytes | None, base: str) -> dict[str, tuple[str, str]]:
    """Relationship Id -> (target part, type) for the internal targets of a .rels part."""
    if data is None:
        return {}
    parser = _RelationshipsParser()
    _parse(data, parser)
    out = {}
    for rel_id, target, kind in parser.found:
        member = target.lstrip("/") if target.startswith("/") else posixpath.join(base, target)
        out[rel_id] = (posixpath.normpath(member), kind)
    return out


# Parsing ------------------------------------------------------------------------------------


class _Handler:
    """A SAX-style handler: names arrive as (namespace, local name)."""

    def start(self, ns: str, name: str, attrs: dict[str, str]) -> None: ...

    def end(self, ns: str, name: str) -> None: ...

    def text(self, data: str) -> None: ...


_SEPARATOR = "\x01"


def _parse(data: bytes, handler: _Handler | _SheetParser | None) -> None:
    """Run expat over ``data`` with namespace processing (prefixes do not matter); DTDs and
    entity declarations are refused. Raises BookError when the part is not well-formed.
    ``None``: only check that it is (no Python callback per element: fast)."""
    parser = expat.ParserCreate(namespace_separator=_SEPARATOR)
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    if isinstance(handler, _SheetParser):  # the hot loop: expanded names, no splitting
        parser.StartElementHandler = handler.start
        parser.EndElementHandler = handler.end
    elif handler is not None:
        parser.StartElementHandler = lambda name, attrs: handler.start(*_split(name), attrs)
        parser.EndElementHandler = lambda name: handler.end(*_split(name))
    if handler is not None:
        parser.CharacterDataHandler = handler.text
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise BookError(f"XML non valido: {exc}") from exc


def _split(name: str) -> tuple[str, str]:
    ns, _, local = name.rpartition(_SEPARATOR)
    return ns, local


def _refuse(*_: object) -> None:
    raise BookError("dichiarazioni DOCTYPE o ENTITY non ammesse")


def _local_attr(attrs: dict[str, str], local: str, namespaces: frozenset[str]) -> str | None:
    for key, value in attrs.items():
        ns, name = _split(key)
        if name == local and ns in namespaces:
            return value
    return None


class _WorkbookParser(_Handler):
    def __init__(self) -> None:
        self.sheets: list[tuple[str, str, str]] = []  # (name, relationship id, state)
        self.date1904 = False

    def start(self, ns: str, name: str, attrs: dict[str, str]) -> None:
        if ns not in MAIN_NAMESPACES:
            return
        if name == "sheet":
            rel_id = _local_attr(attrs, "id", RELATIONSHIP_NAMESPACES) or ""
            state = attrs.get("state", "visible")
            self.sheets.append((attrs.get("name", ""), rel_id, state))
        elif name == "workbookPr":
            self.date1904 = attrs.get("date1904", "0").lower() in ("1", "true")


class _RelationshipsParser(_Handler):
    def __init__(self) -> None:
        self.found: list[tuple[str, str, str]] = []

    def start(self, ns: str, name: str, attrs: dict[str, str]) -> None:
        if ns == PACKAGE_RELATIONSHIPS and name == "Relationship":
            if attrs.get("TargetMode") != "External" and attrs.get("Target"):
                self.found.append((attrs.get("Id", ""), attrs["Target"], attrs.get("Type", "")))


class _StylesParser(_Handler):
    """numFmts (id -> code) and cellXfs (style index -> numFmtId) of styles.xml."""

    def __init__(self) -> None:
        self.formats: dict[int, str] = {}
        self.cell_formats: list[int] = []
        self._in_cell_xfs = False

    def start(self, ns: str, name: str, attrs: dict[str, str]) -> None:
        if ns not in MAIN_NAMESPACES:
            return
        if name == "numFmt" and attrs.get("numFmtId", "").isdigit():
            self.formats[int(attrs["numFmtId"])] = attrs.get("formatCode", "")
        elif name == "cellXfs":
            self._in_cell_xfs = True
        elif name == "xf" and self._in_cell_xfs:
            format_id = attrs.get("numFmtId", "0")
            self.cell_formats.append(int(format_id) if format_id.isdigit() else 0)

    def end(self, ns: str, name: str) -> None:
        if name == "cellXfs":
            self._in_cell_xfs = False


class _RichText(_Handler):
    """Collects the text of <t> elements, leaving out phonetic runs (<rPh>), as shown."""

    def __init__(self) -> None:
        self._parts: list[str] | None = None
        self._phonetic = 0

    def open_text(self, name: str) -> None:
        if name == "rPh":
            self._phonetic += 1
        elif name == "t" and not self._phonetic:
            self._parts = self._parts if self._parts is not None else []
            self._collecting = True

    def close_text(self, name: str) -> None:
        if name == "rPh":
            self._phonetic -= 1
        elif name == "t":
            self._collecting = False

    _collecting = False

    def text(self, data: str) -> None:
        if self._collecting and self._parts is not None:
            self._parts.append(data)

    def take(self) -> str | None:
        parts, self._parts = self._parts, None
        return None if parts is None else "".join(parts)


class _SharedStringsParser(_RichText):
    def __init__(self) -> None:
        super().__init__()
        self.strings: list[str] = []

    def start(self, ns: str, name: str, attrs: dict[str, str]) -> None:
        if ns in MAIN_NAMESPACES:
            self.open_text(name)

    def end(self, ns: str, name: str) -> None:
        if ns not in MAIN_NAMESPACES:
            return
        self.close_text(name)
        if name == "si":
            self.strings.append(self.take() or "")


_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")
_DIGITS = "0123456789"


@lru_cache(maxsize=1 << 16)
def _column_of(letters: str) -> int:
    return _column_number(letters.upper())


def _place(reference: str) -> Position | None:
    """(row, column) of a cell reference such as «B7» (None if it is not one). The hot path
    of reading: string methods and a cached column number, the regex only for odd forms."""
    letters = reference.rstrip(_DIGITS)
    digits = reference[len(letters) :]
    if 0 < len(letters) <= 3 and 0 < len(digits) <= 7 and letters.isalpha() and letters.isascii():
        return int(digits), _column_of(letters)
    match = _REF.fullmatch(reference)
    return (int(match.group(2)), _column_of(match.group(1))) if match else None


def _names(local: str) -> frozenset[str]:
    """The expanded names (namespace, separator, local name) of a SpreadsheetML element."""
    return frozenset(f"{ns}{_SEPARATOR}{local}" for ns in MAIN_NAMESPACES)


_C, _V, _F, _IS, _T, _RPH, _ROW, _MERGE = map(
    _names, ("c", "v", "f", "is", "t", "rPh", "row", "mergeCell")
)


class _SheetParser:
    """Collects a sheet's cells into ``result`` (see SheetCells). The hot loop of reading a
    workbook: expat hands it expanded names, compared against precomputed sets."""

    def __init__(self, book: Book, limit: int) -> None:
        self.book = book
        self.limit = limit
        self.result = SheetCells()
        self.faulty: set[Position] = set()
        self.row = 0
        self.column = 0
        self.cell: dict[str, str] | None = None  # the open <c>'s attributes
        self.parts: list[str] = []  # text being collected (<v>, or <t> inside <is>)
        self.collect = False
        self.value_text: str | None = None  # the cell's <v> text, once closed
        self.inline_text: str | None = None  # the cell's <is> text, once closed
        self.formula = False
        self.inline = False
        self.phonetic = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if self.cell is not None:
            if name in _V:
                self.parts, self.collect = [], True
            elif name in _F:
                self.formula = True
            elif name in _IS:
                self.parts, self.inline = [], True
            elif name in _T:
                self.collect = self.inline and not self.phonetic
            elif name in _RPH:
                self.phonetic += 1
        elif name in _C:
            self._open_cell(attrs)
        elif name in _ROW:
            reference = attrs.get("r", "")
            self.row = int(reference) if reference.isdigit() else self.row + 1
            self.column = 0
        elif name in _MERGE and attrs.get("ref"):
            self.result.merged.append(attrs["ref"])

    def _open_cell(self, attrs: dict[str, str]) -> None:
        place = _place(attrs.get("r", ""))
        if place:
            self.row, self.column = place
        else:
            self.column += 1
        self.cell = attrs
        self.formula = self.inline = self.collect = False
        self.phonetic = 0
        self.value_text = self.inline_text = None

    def end(self, name: str) -> None:
        if self.cell is None:
            return
        if name in _V:
            if not self.inline:
                self.value_text, self.collect = "".join(self.parts), False
        elif name in _T:
            self.collect = False
        elif name in _RPH:
            self.phonetic -= 1
        elif name in _IS:
            self.inline_text, self.inline = "".join(self.parts), False
        elif name in _C:
            self._close_cell()

    def text(self, data: str) -> None:
        if self.collect:
            self.parts.append(data)

    def _close_cell(self) -> None:
        attrs, self.cell = self.cell or {}, None
        position = (self.row, self.column)
        kind = attrs.get("t", "n")
        text = self.inline_text if kind == "inlineStr" else self.value_text
        if self.formula and (text is None or (not text and kind != "str")):
            self.result.formulas_without_value.append(position)  # saved without its result
            return
        if not text:  # an empty cell, or a formula whose result is the empty string
            return
        self.result.count += 1
        if self.result.count > self.limit:
            self.result.truncated = True
        elif position in self.result.values or position in self.faulty:
            self._fault(position, "compare due volte nel file (lo stesso riferimento di cella)")
        else:
            self._keep(position, kind, text, attrs.get("s", "0"))

    def _keep(self, position: Position, kind: str, text: str, style: str) -> None:
        try:
            self.result.values[position] = _VALUE[kind](self.book, text, int(style or 0))
        except _UnreadableError as exc:
            self._fault(position, exc.message)
        except KeyError:
            self._fault(position, f"ha un tipo di valore sconosciuto (t=«{_shown(kind)}»)")
        except ValueError:
            self._fault(position, f"ha uno stile non valido (s=«{_shown(style)}»)")

    def _fault(self, position: Position, message: str) -> None:
        self.result.values.pop(position, None)
        self.faulty.add(position)
        self.result.faults.append(CellFault(position[0], position[1], message))


class _UnreadableError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _number(book: Book, text: str, style: int) -> object:
    if not _NUMBER.fullmatch(text.strip()):
        raise _UnreadableError(
            f"contiene «{_shown(text)}» salvato come numero, ma non è un numero che Excel o "
            "LibreOffice sappiano leggere"
        )
    return book.number(text.strip(), style)


def _shared(book: Book, text: str, style: int) -> object:
    index = text.strip()
    value = book.shared_string(int(index)) if index.isdigit() else None
    if value is None:
        raise _UnreadableError(
            f"rimanda al testo n. «{_shown(text)}», che nel file non esiste (il file è danneggiato)"
        )
    return value


def _text(book: Book, text: str, style: int) -> object:
    return text


def _boolean(book: Book, text: str, style: int) -> object:
    word = text.strip().lower()
    if word in ("1", "true"):
        return True
    if word in ("0", "false"):
        return False
    raise _UnreadableError(f"contiene «{_shown(text)}» salvato come VERO/FALSO")


def _error(book: Book, text: str, style: int) -> object:
    shown = text.strip()
    meaning = ERROR_VALUES.get(shown.upper())
    what = f"l'errore {shown} ({meaning})" if meaning else f"l'errore «{_shown(shown)}»"
    raise _UnreadableError(
        f"mostra {what} invece di un valore: correggi la formula o scrivi il valore, poi salva "
        "di nuovo"
    )


def _iso_date(book: Book, text: str, style: int) -> object:
    match = _ISO_DATE.fullmatch(text.strip())
    try:
        if match:
            year, month, day, hour, minute, second = (int(g or 0) for g in match.groups())
            if match.group(4) is None or (hour, minute, second) == (0, 0, 0):
                return dt.date(year, month, day)
            return dt.datetime(year, month, day, hour, minute, second)
    except ValueError:
        pass
    raise _UnreadableError(f"contiene «{_shown(text)}» salvato come data, ma non è una data valida")


_VALUE: dict[str, Callable[[Book, str, int], object]] = {
    "n": _number,
    "s": _shared,
    "str": _text,
    "inlineStr": _text,
    "b": _boolean,
    "e": _error,
    "d": _iso_date,
}


def _shown(text: str) -> str:
    """Raw text quoted in a message, invisible spacing made visible and long text cut."""
    shown = text.replace("\n", "⏎").replace("\u00a0", "⍽")
    return shown if len(shown) <= 40 else shown[:40] + "…"


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number
