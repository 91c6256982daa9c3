"""The workbook format: sheets, columns, types and allowed values.

This module is the single source of truth for the format. The reader, the validator, the
template writer and the generated format documentation (docs/formato.md) all read it.
Funding sources are data, not schema: each row of the sheet "Fonti" adds one column to
"Progetti" whose header is the source's name.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from coopplan import kinds
from coopplan.kinds import NO as NO
from coopplan.kinds import YES as YES


class Kind(StrEnum):
    """The type of a column's cells."""

    TEXT = "testo"
    MONEY = "importo in euro"
    CHOICE = "scelta da elenco"
    DATE = "data"


@dataclass(frozen=True)
class Column:
    key: str  # identifier used in the code and in the DataFrames
    header: str  # header in the workbook, in Italian
    kind: Kind
    required: bool
    help: str  # one line for the "Leggimi" sheet and the docs
    width: int = 20
    choices: tuple[str, ...] = ()  # fixed allowed values (CHOICE)
    choices_from: str | None = None  # allowed values come from another sheet: "Piste.code"
    max_chars: int = 0  # a longer text gets a warning naming its cell (0: no limit)


@dataclass(frozen=True)
class Sheet:
    name: str
    help: str
    columns: tuple[Column, ...]
    optional: bool = False  # a workbook without this sheet is valid (it simply has none of it)

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


# Text lengths --------------------------------------------------------------------------------
# Past these, a text no longer fits its place on a 1280 x 720 screen or slide: the reader warns,
# naming the cell (docs/decisions.md).
SHORT_TEXT = 120  # a title, a name, a heading: about two lines of a card or a slide title
LINE_TEXT = 300  # a subtitle, a note, a bullet: a few lines
PARAGRAPH_TEXT = 1500  # a filone's paragraph: a card's worth of text

META_MAX_CHARS = SHORT_TEXT
"""Title and organisation in the sheet "Piano"."""

# Allowed values --------------------------------------------------------------------------

STATUSES: tuple[str, ...] = ("Da definire", "Da avviare", "In corso", "Concluso")
"""Project statuses in their natural order (also the order of charts and legends)."""

ITEM_KINDS: dict[str, str] = {"done": "Realizzata", "planned": "Ipotesi di lavoro"}
"""Item kind -> its label in the sheet "Attività" (column "Tipo")."""

YES_WORDS = frozenset({"sì", "si", "s", "x", "true", "vero", "yes", "✓", "✔", "☑"})
NO_WORDS = frozenset({"no", "n", "false", "falso", "-", "…", "..."})

# Metadata fields of the sheet "Piano" (key -> label in column "Campo").
META_FIELDS: dict[str, str] = {
    "title": "Titolo",
    "organization": "Organizzazione",
    "year": "Anno",
    "version_date": "Data versione",
    "next_assembly": "Prossima assemblea",
}
OPTIONAL_META: frozenset[str] = frozenset({"version_date", "next_assembly"})
"""Fields of «Piano» that may be missing or empty."""
DATE_META: frozenset[str] = frozenset({"version_date", "next_assembly"})
"""Fields of «Piano» that hold a date."""

# Sheets ------------------------------------------------------------------------------------

README_SHEET = "Leggimi"

PIANO = Sheet(
    "Piano",
    "I dati generali del piano: una riga per campo.",
    (
        Column(
            "field",
            "Campo",
            Kind.CHOICE,
            True,
            "Nome del campo (non modificare).",
            22,
            choices=tuple(META_FIELDS.values()),
        ),
        Column(
            "value",
            "Valore",
            Kind.TEXT,
            True,
            "Titolo e organizzazione come testo, anno come numero, data versione e prossima "
            "assemblea (facoltativa: la data entro cui guardare le scadenze) come data.",
            60,
        ),
    ),
)

PISTE = Sheet(
    "Piste",
    "Le piste di lavoro, nell'ordine in cui vanno presentate.",
    (
        Column(
            "code", "Codice", Kind.TEXT, True, "Codice breve e univoco della pista (es. P1).", 10
        ),
        Column("title", "Titolo", Kind.TEXT, True, "Titolo della pista.", 40, max_chars=SHORT_TEXT),
        Column(
            "alt_title",
            "Titolo nelle schede progetto",
            Kind.TEXT,
            False,
            "Titolo usato nelle pagine dei progetti, se diverso.",
            34,
            max_chars=SHORT_TEXT,
        ),
    ),
)

FILONI = Sheet(
    "Filoni",
    "I filoni di intervento di ogni pista, con il loro paragrafo descrittivo.",
    (
        Column(
            "track",
            "Pista",
            Kind.CHOICE,
            True,
            "Codice della pista (elenco).",
            10,
            choices_from="Piste.code",
        ),
        Column("title", "Filone", Kind.TEXT, True, "Titolo del filone.", 36, max_chars=SHORT_TEXT),
        Column(
            "description",
            "Descrizione",
            Kind.TEXT,
            False,
            "Paragrafo descrittivo.",
            90,
            max_chars=PARAGRAPH_TEXT,
        ),
    ),
)

FONTI = Sheet(
    "Fonti",
    "Le fonti di finanziamento. Ogni fonte diventa una colonna del foglio Progetti con lo "
    "stesso nome.",
    (
        Column(
            "name",
            "Fonte",
            Kind.TEXT,
            True,
            "Nome della fonte: deve coincidere con l'intestazione della colonna in Progetti.",
            30,
            max_chars=SHORT_TEXT,
        ),
        Column(
            "kind",
            "Tipo",
            Kind.CHOICE,
            True,
            kinds.tipo_help(),
            12,
            choices=tuple(kinds.labels().values()),
        ),
        Column(
            "description",
            "Descrizione",
            Kind.TEXT,
            False,
            "Che cosa copre la fonte.",
            60,
            max_chars=LINE_TEXT,
        ),
    ),
)

PROGETTI = Sheet(
    "Progetti",
    "Un progetto per riga. Dopo le colonne fisse, una colonna per ogni fonte del foglio Fonti: "
    "un importo in euro per le fonti di tipo Importo, Sì o No per quelle di tipo Sì/No.",
    (
        Column("id", "ID", Kind.TEXT, True, "Identificativo univoco del progetto (es. P1-01).", 9),
        Column(
            "track",
            "Pista",
            Kind.CHOICE,
            True,
            "Codice della pista (elenco).",
            8,
            choices_from="Piste.code",
        ),
        Column(
            "group",
            "Gruppo",
            Kind.TEXT,
            True,
            "Intestazione del progetto nelle slide (es. CULT, CRESCERE).",
            20,
            max_chars=SHORT_TEXT,
        ),
        Column(
            "title",
            "Progetto",
            Kind.TEXT,
            True,
            "Nome del progetto o dell'iniziativa.",
            34,
            max_chars=SHORT_TEXT,
        ),
        Column(
            "subtitle",
            "Sottotitolo",
            Kind.TEXT,
            False,
            "Riga descrittiva sotto il nome.",
            34,
            max_chars=LINE_TEXT,
        ),
        Column(
            "budget_line",
            "Voce di budget",
            Kind.TEXT,
            False,
            "Voce della tabella BUDGET COMPLESSIVO; vuota se il progetto non ne ha una.",
            26,
            max_chars=SHORT_TEXT,
        ),
        Column(
            "status",
            "Stato",
            Kind.CHOICE,
            True,
            "Stato del progetto (elenco).",
            13,
            choices=STATUSES,
        ),
        Column(
            "notes",
            "Note sul budget",
            Kind.TEXT,
            False,
            "Note sul finanziamento (es. a valere su Budget Coop Re-Start).",
            34,
            max_chars=LINE_TEXT,
        ),
        Column(
            "owner",
            "Referente",
            Kind.TEXT,
            False,
            "Chi risponde del progetto (nome e cognome, o l'ufficio).",
            22,
            max_chars=SHORT_TEXT,
        ),
        Column(
            "due",
            "Scadenza",
            Kind.DATE,
            False,
            "Data entro cui il progetto deve arrivare al prossimo risultato (gg/mm/aaaa).",
            12,
        ),
    ),
)

PROJECT_REFERENCE = Column(
    "project",
    "Progetto",
    Kind.CHOICE,
    True,
    "ID del progetto (elenco).",
    10,
    choices_from="Progetti.id",
)
"""The column naming a project of «Progetti», in «Attività» and «Consuntivo»."""

ATTIVITA = Sheet(
    "Attività",
    "Le attività di ogni progetto, una per riga: realizzate oppure ipotesi di lavoro.",
    (
        PROJECT_REFERENCE,
        Column(
            "kind",
            "Tipo",
            Kind.CHOICE,
            True,
            "Realizzata oppure Ipotesi di lavoro (elenco).",
            18,
            choices=tuple(ITEM_KINDS.values()),
        ),
        Column(
            "text",
            "Descrizione",
            Kind.TEXT,
            True,
            "Descrizione dell'attività.",
            90,
            max_chars=LINE_TEXT,
        ),
    ),
)

CONSUNTIVO = Sheet(
    "Consuntivo",
    "Facoltativo: quanto è stato impegnato e speso finora, una riga per progetto e fonte in "
    "euro. Senza questo foglio (o senza righe) il piano non ha ancora un consuntivo.",
    (
        PROJECT_REFERENCE,
        Column(
            "source",
            "Fonte",
            Kind.CHOICE,
            True,
            "Fonte di finanziamento di tipo Importo (elenco).",
            30,
            choices_from="Fonti.name",
        ),
        Column(
            "committed",
            "Impegnato €",
            Kind.MONEY,
            False,
            "Somma impegnata finora (contratti, incarichi, ordini), in euro.",
            14,
        ),
        Column(
            "spent",
            "Speso €",
            Kind.MONEY,
            False,
            "Somma già pagata, in euro (di solito non più dell'impegnato).",
            14,
        ),
        Column(
            "note",
            "Nota",
            Kind.TEXT,
            False,
            "Perché la spesa si scosta dal preventivo, quando se ne scosta molto.",
            60,
            max_chars=LINE_TEXT,
        ),
    ),
    optional=True,
)

SHEETS: tuple[Sheet, ...] = (PIANO, PISTE, FILONI, FONTI, PROGETTI, ATTIVITA, CONSUNTIVO)
"""Data sheets in workbook order (after "Leggimi"); an ``optional`` one may be missing."""

SOURCE_COLUMN_WIDTH = 18
MAX_CELLS_PER_SHEET = 500_000
"""More filled cells than this in one sheet is refused (the reader stops collecting them: a plan
has a few thousand)."""
MAX_UPLOAD_MB = 10
"""Largest workbook accepted, in megabytes (the intake, the uploader and the docs use it)."""


def normalize_header(text: object) -> str:
    """A name as compared (sheet names, headers, choices, IDs, source names), as the eye reads
    it: case and spacing do not matter (a non-breaking space or a line break is a space),
    neither do invisible characters (zero-width space, soft hyphen, bidirectional marks), a
    non-breaking hyphen (U+2011) is a hyphen, and how an accented letter is stored does not
    matter either (a Mac may save «à» as «a» + combining accent, NFD: compared after NFC
    normalisation). Texts are kept as written; only comparisons use this."""
    return _normalized(str(text))


_INVISIBLE_IN_NAMES = (
    "\u200b\u200c\u200d\u2060\ufeff\u00ad"  # zero-width characters, soft hyphen
    "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"  # bidi marks
)
_SEEN_ALIKE: dict[int, str | None] = {ord("\u2011"): "-", ord("\u2010"): "-"}
_SEEN_ALIKE.update(dict.fromkeys(map(ord, _INVISIBLE_IN_NAMES)))


@lru_cache(maxsize=4096)  # called once per choice cell: piste, stati and kinds repeat
def _normalized(text: str) -> str:
    seen = " ".join(text.translate(_SEEN_ALIKE).split())  # split(): every Unicode space
    return unicodedata.normalize("NFC", seen).casefold()
