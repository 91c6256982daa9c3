"""The export registry: every file the plan can be downloaded or exported as, declared once.

Each `ExportFormat` says its key, its Italian label, extension, MIME type, file stem, what it is
made from (`Basis`), how it is built and where it is offered (`Place`). The command line
(`python -m coopplan export --format …`), the «Presentazione» page, the sidebar downloads and the
tests all read `FORMATS`: a new format is a module with a ``build(subject) -> bytes`` and one
entry below.

Importing this module is light (no pandas, python-pptx, openpyxl or plotly): each build imports
its module when a file is made (`lazy`), and a subject its deck's, for weight, not to dodge a
cycle.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from typing import TYPE_CHECKING

from coopplan import fmt
from coopplan.export import PPTX_MIME, XLSX_MIME, cached_file, file_stem
from coopplan.export.pdf import MIME as PDF_MIME
from coopplan.export.pdf import pdf_available

if TYPE_CHECKING:
    from coopplan.plan import Plan
    from coopplan.since import SinceReport
    from coopplan.slides import Slide


class Basis(Enum):
    """What a file is made from."""

    PLAN = "il piano"
    DECK = "il piano come presentato, con «Dall'ultima assemblea» se chiesto"
    TABLE = "la tabella dei progetti mostrati, con i filtri scelti"


class Place(Enum):
    """Where a format is offered."""

    COMMAND_LINE = "python -m coopplan export --format"
    PRESENTATION = "pagina «Presentazione», menu «Scarica»"
    SIDEBAR = "barra laterale, «Scarica i progetti»"


@dataclass(frozen=True)
class Subject:
    """What a file is made of: the plan (or the filtered view) and how it is presented.

    ``filter_label`` says the filter (in the file and its name), ``note`` a line for every page
    (e.g. a past version), ``since`` the «Dall'ultima assemblea» report, ``today`` the day
    «Scadenze» counts from (default the real today), ``order`` the whole plan's sources (so a
    filtered deck keeps their colours), ``shown`` the deck when the caller built it already.
    """

    plan: Plan
    filter_label: str = ""
    note: str = ""
    since: SinceReport | None = None
    today: dt.date | None = None
    order: tuple[str, ...] = ()
    shown: tuple[Slide, ...] = field(default=(), compare=False, repr=False)

    @cached_property
    def deck(self) -> list[Slide]:
        """The slides of the plan (built once per subject, unless given as ``shown``)."""
        if self.shown:
            return list(self.shown)
        from coopplan.since import with_since  # for weight: listing formats loads no plan
        from coopplan.slides import build_deck

        order = self.order or None
        built = build_deck(self.plan, self.filter_label, order, self.note, self.today)
        return with_since(built, self.since)

    @property
    def key(self) -> tuple[str, ...]:
        """What tells two subjects' files apart (for `cached_file`)."""
        since = self.since
        told = ("dal", since.start, since.versions, since.scope) if since else ("intero",)
        today = (self.today or dt.date.today()).isoformat()
        return (self.plan.digest, self.filter_label, self.note, today, *told, *self.order)


Builder = Callable[[Subject], bytes]


def lazy(module: str, name: str) -> Builder:
    """The builder ``module.name``, imported when a file is made (python-pptx takes a second).
    tests/test_layout.py counts ``lazy("module", …)`` as an import: no cycle hides here."""

    def build(subject: Subject) -> bytes:
        function: Builder = getattr(importlib.import_module(module), name)
        return function(subject)

    build.__qualname__ = f"{module}.{name}"
    return build


def always() -> bool:
    return True


@dataclass(frozen=True)
class ExportFormat:
    """One file format: declared once, read by the command line, the pages and the tests."""

    key: str  # --format KEY; the cache key; the widget key on a page
    label: str  # Italian, on the button and in the command line's help
    extension: str
    mime: str
    stem: str  # the file's name before the filter: «presentazione-piano-fonte-…»
    basis: Basis
    build: Builder
    places: frozenset[Place]
    help: str = ""  # the button's tooltip
    icon: str = "download"  # a Material Symbols name, for the button
    said: Callable[[Subject], str] | None = None  # the command line: what was written
    available: Callable[[], bool] = always  # False: offered disabled, with ``missing``
    missing: str = ""
    printable: bool = False  # command line without -o: printed on the screen

    def file_name(self, filter_label: str = "") -> str:
        """The file's name, naming the filter that made it."""
        return f"{file_stem(self.stem, filter_label)}.{self.extension}"

    def file(self, subject: Subject) -> bytes:
        """The file's bytes, built once per subject (the last few kept, `cached_file`)."""
        return cached_file((self.key, *subject.key), lambda: self.build(subject))


def _slides(subject: Subject) -> str:
    return fmt.count(len(subject.deck), "slide", "slide")


FORMATS: tuple[ExportFormat, ...] = (
    ExportFormat(
        "json",
        "JSON",
        "json",
        "application/json",
        "piano",
        Basis.PLAN,
        lazy("coopplan.export.jsonplan", "json_file"),
        frozenset({Place.COMMAND_LINE}),
        said=lambda subject: "il piano",
        printable=True,
    ),
    ExportFormat(
        "pptx",
        "PowerPoint",
        "pptx",
        PPTX_MIME,
        "presentazione-piano",
        Basis.DECK,
        lazy("coopplan.export.pptx", "pptx_file"),
        frozenset({Place.COMMAND_LINE, Place.PRESENTATION}),
        help="Scarica le slide come file PowerPoint, con grafici modificabili.",
        said=_slides,
    ),
    ExportFormat(
        "pdf",
        "PDF",
        "pdf",
        PDF_MIME,
        "dispensa-piano",
        Basis.DECK,
        lazy("coopplan.export.handout", "handout_file"),
        frozenset({Place.COMMAND_LINE, Place.PRESENTATION}),
        help="Scarica la dispensa: una pagina per pista e la tabella del budget.",
        said=lambda subject: "la dispensa del piano",
        available=pdf_available,
        missing="Per il PDF serve LibreOffice (pacchetto libreoffice-impress), non installato qui.",
    ),
    ExportFormat(
        "html",
        "Pagina web",
        "html",
        "text/html",
        "presentazione-piano",
        Basis.DECK,
        lazy("coopplan.export.html", "html_file"),
        frozenset({Place.COMMAND_LINE}),
        help="Le slide in una pagina web, da aprire con un browser senza il programma.",
        said=_slides,
    ),
    ExportFormat(
        "xlsx",
        "Excel (.xlsx)",
        "xlsx",
        XLSX_MIME,
        "progetti",
        Basis.TABLE,
        lazy("coopplan.export.downloads", "xlsx_file"),
        frozenset({Place.SIDEBAR}),
        icon="table_view",
    ),
    ExportFormat(
        "csv",
        "CSV (.csv)",
        "csv",
        "text/csv",
        "progetti",
        Basis.TABLE,
        lazy("coopplan.export.downloads", "csv_file"),
        frozenset({Place.SIDEBAR}),
        icon="description",
    ),
)


def offered(place: Place) -> list[ExportFormat]:
    """The formats offered at ``place``, in the registry's order."""
    return [f for f in FORMATS if place in f.places]


def named(key: str) -> ExportFormat:
    """The format whose key is ``key`` (KeyError when none)."""
    for found in FORMATS:
        if found.key == key:
            return found
    raise KeyError(key)
