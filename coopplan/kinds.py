"""The kinds of a funding source: the one module that knows what differs from kind to kind.

A source is of a kind (column "Tipo" of the sheet "Fonti"): «Importo» (euro per project) or
«Sì/No» (a tick per project). Everything that depends on the kind is asked here: the word the
workbook shows, parsing a cell, the value a project keeps, whether a project is funded,
formatting a value and a total («5.000 €» / «15 progetti» / «Sì»), whether it is money.

Each kind is described by its ``KindRules`` in ``RULES``; what a funding row keeps is one of two
``Keeps`` (a number in the column ``amount``, a tick in the column ``flag``) and the code that
differs by it is a ``match`` ending in ``assert_never``. An unknown kind raises ``UnknownKindError``:
it is never treated as a Sì/No. Adding a kind = one member of ``SourceKind`` + one entry of
``RULES`` (tests register a test-only kind the same way, see tests/test_kinds.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import assert_never

from coopplan import fmt

YES, NO = "Sì", "No"
"""The words of a tick in the workbook and on screen (coopplan.workbook.schema re-exports them)."""


class SourceKind(StrEnum):
    """The kinds of the sheet "Fonti": the value is what the workbook and the JSON store."""

    AMOUNT = "amount"
    FLAG = "flag"


class Keeps(Enum):
    """What a project keeps for a source: the funding table's column that holds it."""

    NUMBER = "amount"  # a float >= 0, summed in totals
    TICK = "flag"  # a bool; totals count the projects ticked


@dataclass(frozen=True)
class KindRules:
    """Everything about one kind.

    ``label``: the word of the column "Tipo" (and of messages); ``aliases``: other accepted
    words; ``keeps``: the value kept per project; ``money``: numbers are euro; ``unit``:
    (singular, plural) of a number that is not money, e.g. ("ora", "ore");
    ``per_track``: the chart title of the source's slide; ``about``: its subtitle;
    ``change``: the sentence a change of the source's total makes, a ``str.format`` template of
    ``source``, ``verb`` (``verbs``: rose / fell), ``change`` (the difference, unsigned),
    ``signed`` («+2.500 €»), ``old`` / ``new`` (totals with their unit) and ``old_n`` / ``new_n``
    (bare numbers); ``timeline``: the title of the «Cronologia» chart of the kind's totals.
    """

    kind: str
    label: str
    keeps: Keeps
    money: bool = False
    unit: tuple[str, str] = ("progetto", "progetti")
    aliases: tuple[str, ...] = ()
    per_track: str = "Progetti per pista"
    about: str = "risorsa indicata con Sì"
    column_help: str = "fonte indicata con una spunta (Sì/No)"
    change: str = "Il totale di {source} {verb} di {change}, da {old} a {new}"
    verbs: tuple[str, str] = ("è salito", "è sceso")
    timeline: str = "Totali per fonte"
    tipo_help: str = ""  # what the kind means in the help of the column «Tipo» (else ``about``)


RULES: dict[str, KindRules] = {
    SourceKind.AMOUNT: KindRules(
        kind=SourceKind.AMOUNT,
        label="Importo",
        keeps=Keeps.NUMBER,
        money=True,
        unit=("euro", "euro"),
        per_track="Importo per pista",
        about="importi in euro",
        column_help="importo in euro",
        change="Il budget {source} {verb} di {change}, da {old} a {new}",
        timeline="Totali per fonte (euro)",
        tipo_help="somme in euro",
    ),
    SourceKind.FLAG: KindRules(
        kind=SourceKind.FLAG,
        label="Sì/No",
        keeps=Keeps.TICK,
        aliases=("si/no", "sì / no", "spunta"),
        change="I progetti con {source} sono passati da {old_n} a {new_n} ({signed})",
        timeline="Fonti con spunta (progetti)",
        tipo_help="risorsa indicata con una spunta",
    ),
}
"""Kind value -> its rules, in the order the column "Tipo" lists them."""

PROJECTS = ("progetto", "progetti")


class UnknownKindError(ValueError):
    """A source kind with no rules: a programming error, never read from a workbook."""


def rules(kind: str) -> KindRules:
    """The rules of a kind; UnknownKindError if it has none."""
    try:
        return RULES[kind]
    except KeyError:
        raise UnknownKindError(
            f"unknown source kind {kind!r}: add it to coopplan.kinds.RULES"
        ) from None


def is_known(kind: object) -> bool:
    """True for a kind with rules (a workbook's wrong «Tipo» is reported, then skipped)."""
    return isinstance(kind, str) and kind in RULES


def labels() -> dict[str, str]:
    """Kind value -> label («Importo», «Sì/No», ...), in order."""
    return {kind: r.label for kind, r in RULES.items()}


def tipo_help() -> str:
    """The help of the column «Tipo» of the sheet Fonti, every kind in order: «Importo (somme
    in euro) oppure Sì/No (risorsa indicata con una spunta).»"""
    said = [f"{r.label} ({r.tipo_help or r.about})" for r in RULES.values()]
    return (", ".join(said[:-1]) + " oppure " + said[-1] if len(said) > 1 else said[0]) + "."


def aliases() -> dict[str, str]:
    """Other words accepted in the column "Tipo" -> kind value."""
    return {word: kind for kind, r in RULES.items() for word in (kind, *r.aliases)}


def label(kind: str) -> str:
    return rules(kind).label


def is_money(kind: str) -> bool:
    """True when the source's values are euro."""
    return rules(kind).money


def is_number(kind: str) -> bool:
    """True when a project keeps a number (summed), False when it keeps a tick (counted)."""
    keeps = rules(kind).keeps
    match keeps:
        case Keeps.NUMBER:
            return True
        case Keeps.TICK:
            return False
        case _:
            assert_never(keeps)


def names_of(sources: list[tuple[str, str]], *, money: bool | None = None) -> list[str]:
    """The names among (name, kind) pairs that keep a number (money=None), or money (True),
    or a number that is not money (False)."""
    return [
        name
        for name, kind in sources
        if is_number(kind) and (money is None or is_money(kind) == money)
    ]


def row_values(kind: str, value: float | bool | None) -> tuple[float, bool]:
    """A value as the JSON or a card gives it (number or bool; None = nothing) ->
    (amount, flag) of its funding row."""
    match rules(kind).keeps:
        case Keeps.NUMBER:
            return float(value or 0), False
        case Keeps.TICK:
            return 0.0, bool(value)
        case keeps:
            assert_never(keeps)


def kept(kind: str, amount: float, flag: bool) -> float | bool:
    """The value a project keeps for a source, from the (amount, flag) of its funding row."""
    match rules(kind).keeps:
        case Keeps.NUMBER:
            return float(amount)
        case Keeps.TICK:
            return bool(flag)
        case keeps:
            assert_never(keeps)


def pays(value: float | bool) -> bool:
    """True when a kept value funds the project (an amount > 0 or a tick)."""
    return bool(value > 0) if not isinstance(value, bool) else value


def workbook_value(kind: str, amount: float, flag: bool) -> float | str:
    """What the workbook's cell holds: the number, or «Sì»/«No»."""
    match rules(kind).keeps:
        case Keeps.NUMBER:
            return float(amount)
        case Keeps.TICK:
            return YES if flag else NO
        case keeps:
            assert_never(keeps)


WORKBOOK_MONEY = '#,##0 "€";-#,##0 "€";"-"'  # the secretary's workbook: zero shown as «-»


def workbook_format(kind: str) -> str | None:
    """The number format of the source's cells in the workbook (None for ticks)."""
    if not is_number(kind):
        return None
    return WORKBOOK_MONEY if is_money(kind) else "#,##0"


# Words ---------------------------------------------------------------------------------------


def format_value(kind: str, value: float | bool) -> str:
    """One project's value: «5.000 €», «12 ore», «Sì» / «No»."""
    r = rules(kind)
    match r.keeps:
        case Keeps.NUMBER:
            return fmt.money(float(value)) if r.money else fmt.count(float(value), *r.unit)
        case Keeps.TICK:
            return YES if value else NO
        case _:
            assert_never(r.keeps)


def format_total(kind: str, total: float) -> str:
    """A total as sources_totals gives it: «41.000 €», «120 ore», «15 progetti» (ticks count
    projects)."""
    r = rules(kind)
    match r.keeps:
        case Keeps.NUMBER:
            return format_value(kind, total)
        case Keeps.TICK:
            return fmt.count(int(total), *PROJECTS)
        case _:
            assert_never(r.keeps)


MINUS = "\u2212"  # the typographic minus sign of "−2.500 €"


def format_change(kind: str, change: float) -> str:
    """A change of a total, signed: «+2.500 €», «−2 progetti», «0 €»."""
    sign = "+" if change > 0 else MINUS if change < 0 else ""
    return sign + format_total(kind, abs(change))


def named_value(name: str, kind: str, value: float | bool) -> str:
    """A source on a project's card: «A 5.000 €», «H 12 ore», or just «C» for a tick."""
    return f"{name} {format_value(kind, value)}" if is_number(kind) else name


def total_line(name: str, kind: str, total: float, projects: int) -> str:
    """«A: 41.000 € in 12 progetti» (numbers), «C: 15 progetti» (ticks)."""
    counted = fmt.count(int(projects), *PROJECTS)
    if is_number(kind):
        return f"{name}: {format_total(kind, total)} in {counted}"
    return f"{name}: {counted}"


def per_track_title(kind: str) -> str:
    """The title of a chart of the source per pista."""
    return rules(kind).per_track


def column_help(kind: str) -> str:
    """What a table column of the source holds («importo in euro», ...)."""
    return rules(kind).column_help


def about(kind: str) -> str:
    """What the source's values are, after «Fonte di finanziamento · »."""
    return rules(kind).about


def change_sentence(kind: str, source: str, old: float, new: float) -> str:
    """The sentence a change of a source's total makes, in the kind's words (no final stop):
    «Il budget A è salito di 2.500 €, da 25.000 € a 27.500 €», «I progetti con C sono passati da
    15 a 16 (+1 progetto)», «Il totale di H è salito di 40 ore, da 100 ore a 140 ore»."""
    r = rules(kind)
    return r.change.format(
        source=source,
        verb=r.verbs[0] if new >= old else r.verbs[1],
        change=format_total(kind, abs(new - old)),
        signed=format_change(kind, new - old),
        old=format_total(kind, old),
        new=format_total(kind, new),
        old_n=fmt.number(old),
        new_n=fmt.number(new),
    )


def format_move(kind: str, old: float | bool, new: float | bool) -> str:
    """What one project had and has of a source: «5.000 → 7.500 €», «100 → 140 ore», «No → Sì»."""
    if is_number(kind):
        return f"{fmt.number(float(old))} → {format_value(kind, new)}"
    return f"{format_value(kind, old)} → {format_value(kind, new)}"


def timeline_title(kind: str) -> str:
    """The title of the «Cronologia» chart of the totals of the sources of this kind."""
    return rules(kind).timeline


def format_axis(kind: str) -> tuple[str, str]:
    """(tickformat, ticksuffix) of a chart axis of the kind's totals: « €» for money, whole
    numbers for the rest (the unit is in the chart's title)."""
    if is_money(kind):
        return ",.0f", " €"
    return ",.0f" if is_number(kind) else ",d", ""
