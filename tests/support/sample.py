"""Generated plans for tests and benchmarks: any number of piste, projects and funding sources.

The plan looks like a real one (Italian titles of realistic length, every status, items done and
planned, amount and yes/no sources) but is made up. Same arguments, same plan. Vectorised with
numpy so that 10,000 projects take a fraction of a second.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from coopplan import kinds
from coopplan.kinds import SourceKind
from coopplan.plan import TABLE_COLUMNS, Plan, PlanMeta
from coopplan.workbook.schema import STATUSES

_TOPICS = (
    "Identità cooperativa",
    "Innovazione digitale",
    "Welfare di comunità",
    "Sviluppo sostenibile del territorio",
    "Nuove generazioni",
    "Filiere agroalimentari",
    "Abitare e rigenerazione urbana",
    "Formazione continua",
    "Credito e finanza",
    "Transizione energetica",
)
_ACTIONS = (
    "Percorso di accompagnamento",
    "Laboratorio",
    "Sportello",
    "Osservatorio",
    "Rete territoriale",
    "Piattaforma",
    "Ciclo di incontri",
    "Progetto pilota",
)
_ITEMS_DONE = (
    "Avvio del gruppo di lavoro con le cooperative associate",
    "Indagine tra le associate",
    "Ciclo di webinar informativi",
    "Prima sperimentazione su un gruppo di imprese",
)
_ITEMS_PLANNED = (
    "Estensione dell'iniziativa alle altre province",
    "Offerta di servizi consulenziali mirati",
    "Percorso di formazione dedicato",
    "Comunicazione dei risultati sul sito",
)
BASE_SOURCES: tuple[tuple[str, str, str], ...] = (
    ("Fondo dedicato", SourceKind.AMOUNT, "Budget dedicato del piano."),
    ("Oneri di gestione", SourceKind.AMOUNT, "Oneri di funzionamento dell'organizzazione."),
    (
        "Risorse interne",
        SourceKind.FLAG,
        "Personale e competenze interne, indicati con una spunta.",
    ),
)
AMOUNT_STEP = 500.0  # generated amounts are multiples of this, in euros
SPENT_STEP = 100.0  # generated committed and spent amounts are multiples of this
_OWNERS = (
    "Anna Rossi",
    "Marco Bianchi",
    "Giulia Colombo",
    "Luca Ferrari",
    "Ufficio Credito",
    "Sara Galli",
    "Paolo Ricci",
)
_SPENDING_NOTES = (
    "Costi del relatore più alti del previsto",
    "Iniziativa rinviata al prossimo anno",
    "Adesioni oltre le attese",
    "Preventivo ridotto dopo la gara",
)


def generate_plan(
    n_tracks: int = 5,
    n_projects: int = 40,
    extra_sources: int = 1,
    seed: int = 0,
    lines_per_track: int = 3,
    with_spending: bool = False,
) -> Plan:
    """A made-up plan with ``n_tracks`` piste, ``n_projects`` projects and 3 + ``extra_sources``
    funding sources (extra ones alternate: amount, yes/no, amount, ...). Most projects have a
    referente and a scadenza in the plan's year; with ``with_spending``, a consuntivo for about
    four in five funded rows in euro (some over the preventivo, with a note)."""
    if n_tracks < 1 or n_projects < 0 or extra_sources < 0:
        raise ValueError("n_tracks >= 1, n_projects >= 0 and extra_sources >= 0 are required")
    rng = np.random.default_rng(seed)
    tracks = _tracks(n_tracks)
    codes = tracks["code"].to_numpy()
    projects = _projects(rng, codes, n_projects)
    # Own generators: the tables drawn before issue 23 stay as they were for the same seed.
    people = np.random.default_rng(seed + 2)
    projects["owner"] = pd.Series(_pick(people, _OWNERS, n_projects, empty=0.15), dtype=object)
    projects["due"] = pd.Series(
        _dates(people, n_projects, dt.date(2024, 1, 15), 330, empty=0.2), dtype=object
    )
    sources = _sources(extra_sources)
    items = _items(rng, projects["id"].to_numpy())  # drawn before the funding, as always
    funding = _funding(rng, projects["id"].to_numpy(), sources)
    spending = _spending(np.random.default_rng(seed + 1), funding, sources, with_spending)
    return Plan(
        meta=PlanMeta(
            title=f"Piano di prova con {n_tracks} piste",
            organization="Cooperativa di prova",
            year=2024,
            version_date=dt.date(2024, 3, 1),
            next_assembly=dt.date(2024, 6, 28),
        ),
        tracks=tracks,
        lines=_lines(codes, lines_per_track),
        sources=_sources(extra_sources),
        projects=projects,
        items=items,
        funding=funding,
        spending=spending,
    )


def _frame(name: str, columns: dict[str, object]) -> pd.DataFrame:
    """A plan table with the column order and dtypes of plan.make_table."""
    frame = pd.DataFrame(columns, columns=list(TABLE_COLUMNS[name])).astype(object)
    if name == "funding":
        frame = frame.astype({"amount": float, "flag": bool})
    if name == "spending":
        frame = frame.astype({"committed": float, "spent": float})
    return frame


def _tracks(n: int) -> pd.DataFrame:
    index = np.arange(n)
    titles = [
        f"{_TOPICS[i % len(_TOPICS)]}" + (f" {i // len(_TOPICS) + 1}" if i >= 10 else "")
        for i in index
    ]
    return _frame(
        "tracks",
        {"code": [f"P{i + 1}" for i in index], "title": titles, "alt_title": [""] * n},
    )


def _lines(codes: np.ndarray, per_track: int) -> pd.DataFrame:
    track = np.repeat(codes, per_track)
    number = np.tile(np.arange(1, per_track + 1), len(codes))
    return _frame(
        "lines",
        {
            "track": track,
            "title": [f"Filone {n}" for n in number],
            "description": [
                f"Descrizione del filone {n} della pista {t}: obiettivi, destinatari e risultati "
                "attesi nel corso dell'anno."
                for t, n in zip(track, number, strict=True)
            ],
        },
    )


def _sources(extra: int) -> pd.DataFrame:
    rows = list(BASE_SOURCES)
    for i in range(extra):
        kind = SourceKind.AMOUNT if i % 2 == 0 else SourceKind.FLAG
        rows.append((f"Contributo esterno {i + 1}", kind, "Fonte aggiuntiva generata."))
    names, source_kinds, descriptions = zip(*rows, strict=True)
    return _frame("sources", {"name": names, "kind": source_kinds, "description": descriptions})


def _projects(rng: np.random.Generator, codes: np.ndarray, n: int) -> pd.DataFrame:
    position = np.arange(n)
    track = codes[position % len(codes)]
    number = position // len(codes) + 1
    width = max(2, len(str(int(number.max()) if n else 1)))
    action = rng.integers(0, len(_ACTIONS), n)
    topic = rng.integers(0, len(_TOPICS), n)
    titles = [
        f"{_ACTIONS[a]} {_TOPICS[t].lower()} {k}"
        for a, t, k in zip(action, topic, number, strict=True)
    ]
    status = np.asarray(STATUSES, dtype=object)[rng.integers(0, len(STATUSES), n)]
    has_line = rng.random(n) < 0.85
    frame = _frame(
        "projects",
        {
            "id": [f"{t}-{k:0{width}d}" for t, k in zip(track, number, strict=True)],
            "track": track,
            "group": [_TOPICS[t].upper() for t in topic],
            "title": titles,
            "subtitle": np.where(rng.random(n) < 0.5, "Iniziativa generata per le prove", ""),
            "budget_line": [
                t.upper() if keep else "" for t, keep in zip(titles, has_line, strict=True)
            ],
            "status": status,
            "notes": np.where(rng.random(n) < 0.3, "Nota sul finanziamento", ""),
        },
    )
    # Keep the natural reading order: by pista, then by number (P1-01, P1-02, ..., P2-01, ...).
    order = np.lexsort((number, position % len(codes)))
    return frame.iloc[order].reset_index(drop=True)


def _items(rng: np.random.Generator, ids: np.ndarray) -> pd.DataFrame:
    done = rng.integers(0, 4, len(ids))
    planned = rng.integers(0, 4, len(ids))
    parts = []
    for kind, counts, texts in (("done", done, _ITEMS_DONE), ("planned", planned, _ITEMS_PLANNED)):
        project = np.repeat(ids, counts)
        within = np.concatenate([np.arange(c) for c in counts]) if len(ids) else np.array([], int)
        parts.append(
            pd.DataFrame(
                {
                    "project": project,
                    "kind": kind,
                    "text": np.asarray(texts, dtype=object)[within % len(texts)],
                }
            )
        )
    items = pd.concat(parts, ignore_index=True)
    order = {pid: i for i, pid in enumerate(ids)}
    items["_order"] = items["project"].map(order)
    items = items.sort_values(["_order", "kind"], kind="stable").drop(columns="_order")
    return _frame("items", {c: items[c].to_numpy() for c in TABLE_COLUMNS["items"]})


def _funding(rng: np.random.Generator, ids: np.ndarray, sources: pd.DataFrame) -> pd.DataFrame:
    n, m = len(ids), len(sources)
    numbers = [kinds.is_number(kind) for kind in sources["kind"]]
    amount_mask = np.tile(np.array(numbers, dtype=bool), n)
    pays = rng.random(n * m) < np.where(amount_mask, 0.35, 0.7)
    if n:
        # Every source pays for at least one project, so every filter has something to show.
        first = np.arange(m) * 1 + (np.arange(m) % n) * m
        pays[first] = True
    steps = rng.integers(1, 61, n * m)
    return _frame(
        "funding",
        {
            "project": np.repeat(ids, m),
            "source": np.tile(sources["name"].to_numpy(), n),
            "amount": np.where(amount_mask & pays, steps * AMOUNT_STEP, 0.0),
            "flag": ~amount_mask & pays,
        },
    )


def _pick(rng: np.random.Generator, words: tuple[str, ...], n: int, empty: float) -> list[str]:
    """``n`` words drawn from ``words``, a share ``empty`` of them left empty."""
    chosen = np.asarray(words, dtype=object)[rng.integers(0, len(words), n)]
    return [w if keep else "" for w, keep in zip(chosen, rng.random(n) >= empty, strict=True)]


def _dates(
    rng: np.random.Generator, n: int, first: dt.date, span: int, empty: float
) -> list[dt.date | None]:
    """``n`` dates within ``span`` days from ``first``, a share ``empty`` of them None."""
    offsets = rng.integers(0, span, n)
    keep = rng.random(n) >= empty
    return [
        first + dt.timedelta(days=int(o)) if k else None for o, k in zip(offsets, keep, strict=True)
    ]


def _spending(
    rng: np.random.Generator, funding: pd.DataFrame, sources: pd.DataFrame, wanted: bool
) -> pd.DataFrame:
    """The consuntivo of a generated plan: for about 4 in 5 funded rows in euro, an impegnato
    between 30% and 120% of the preventivo and a speso up to the impegnato (multiples of
    SPENT_STEP); a note for a row over the preventivo. Empty when not ``wanted``."""
    if not wanted:
        return _frame("spending", {})
    money = [n for n, k in zip(sources["name"], sources["kind"], strict=True) if kinds.is_money(k)]
    rows = funding.loc[funding["source"].isin(money) & (funding["amount"] > 0)]
    rows = rows.loc[rng.random(len(rows)) < 0.8]
    planned = rows["amount"].to_numpy()
    committed = np.round(planned * rng.uniform(0.3, 1.2, len(rows)) / SPENT_STEP) * SPENT_STEP
    spent = np.round(committed * rng.uniform(0.0, 1.0, len(rows)) / SPENT_STEP) * SPENT_STEP
    notes = np.asarray(_SPENDING_NOTES, dtype=object)[
        rng.integers(0, len(_SPENDING_NOTES), len(rows))
    ]
    return _frame(
        "spending",
        {
            "project": rows["project"].to_numpy(),
            "source": rows["source"].to_numpy(),
            "committed": committed,
            "spent": spent,
            "note": np.where(committed > planned, notes, ""),
        },
    )
