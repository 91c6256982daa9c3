"""Cell values as they come from a workbook -> Python values, or an Italian complaint.

Each parser returns the value or raises CellError with a message that says what to write
instead; the reader adds the sheet, row and column.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import assert_never

from coopplan import fmt, kinds
from coopplan.workbook.schema import NO_WORDS, YES_WORDS, normalize_header

EMPTY_MARKS = frozenset({"", "...", "…", "-", "–"})
"""What the slides and the secretary write for 'nothing here'."""


class CellError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def is_empty(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip() in EMPTY_MARKS


def show(value: object) -> str:
    """A cell value quoted for a message; numbers and dates the Italian way (3000.0 ->
    «3.000», -5000 -> «−5.000», 2023-03-01 -> «01/03/2023»)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if math.isnan(value) or math.isinf(value):
            return f"«{value}»"
        sign = "−" if value < 0 else ""  # the typographic minus, as in signed amounts
        return f"«{sign}{fmt.number(abs(value), decimals=2)}»"
    if isinstance(value, dt.datetime | dt.date):
        return f"«{value.strftime('%d/%m/%Y')}»"
    text = str(value).strip()
    return f"«{text[:40]}…»" if len(text) > 40 else f"«{text}»"


def parse_text(value: object) -> str:
    if is_empty(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return " ".join(str(value).split()) if "\n" not in str(value) else str(value).strip()


def parse_int(value: object) -> int:
    if isinstance(value, bool):
        raise CellError(f"{show(value)} non è un numero intero: scrivi ad esempio 2023.")
    if isinstance(value, int | float) and float(value).is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise CellError(f"{show(value)} non è un numero intero: scrivi ad esempio 2023.")


_DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")


def parse_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        for fmt in _DATE_FORMATS:
            try:
                return dt.datetime.strptime(value.strip(), fmt).date()
            except ValueError:
                continue
    raise CellError(
        f"{show(value)} non è una data: scrivi la data nel formato gg/mm/aaaa, ad esempio 01/03/2023."
    )


_MONEY_LIKE = re.compile(r"^\s*€?\s*-?[\d.\s]+(,\d{1,2})?\s*€?\s*$")


def parse_money(value: object) -> float:
    """An amount in euro: a number >= 0; empty or '...' mean 0."""
    if is_empty(value):
        return 0.0
    if isinstance(value, bool):
        raise CellError(
            f"{show(value)} non è un importo: scrivi una cifra in euro, ad esempio 5000."
        )
    if isinstance(value, int | float):
        amount = float(value)
    else:
        hint = f" (ad esempio {_typed(str(value))})" if _MONEY_LIKE.match(str(value)) else ""
        raise CellError(
            f"{show(value)} è un testo, non un importo: scrivi solo la cifra come numero{hint}, "
            "senza punti né simbolo €; il formato in euro lo applica il file."
        )
    if math.isnan(amount) or math.isinf(amount):
        raise CellError(
            "l'importo non è un numero valido: scrivi una cifra in euro, ad esempio 5000."
        )
    if amount < 0:
        raise CellError(
            f"l'importo «−{fmt.money(-amount)}» è negativo: gli importi devono essere zero o "
            "positivi."
        )
    return amount


def _typed(text: str) -> str:
    """What to type for an amount written as text: '5.000 €' -> '5000', '5 000' (any space,
    non-breaking ones too) -> '5000', '1.234,50' -> '1234,5' (the decimal comma, as typed in
    an Italian spreadsheet)."""
    digits = "".join(text.replace("€", "").replace(".", "").split())
    if "," in digits:
        digits = digits.rstrip("0").rstrip(",")
    return digits


def parse_flag(value: object, source: str) -> bool:
    """Sì/No: empty means No; a number is an amount written in a yes/no source."""
    if is_empty(value):
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        raise CellError(
            f"la fonte «{source}» è di tipo Sì/No, ma la cella contiene l'importo "
            f"«{fmt.money(value)}»: "
            "scrivi Sì o No, oppure cambia il tipo della fonte in «Importo» nel foglio Fonti."
        )
    word = normalize_header(value)
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    raise CellError(f"{show(value)} non è un valore ammesso: scrivi Sì oppure No.")


MAX_LISTED = 8  # allowed values named in a message; a long list (project ids) is cut


@dataclass(frozen=True)
class Choices:
    """Allowed values of a column: normalized text -> canonical value, and what a user reads."""

    lookup: dict[str, str]
    shown: tuple[str, ...]  # the labels as written in the workbook, in order


def parse_choice(value: object, allowed: Choices, what: str) -> str:
    """One of the allowed values, matched ignoring case and spacing; returns the canonical one."""
    canonical = allowed.lookup.get(normalize_header(value))
    if canonical is None:
        listed = ", ".join(allowed.shown[:MAX_LISTED])
        if len(allowed.shown) > MAX_LISTED:
            listed += f" … (in tutto {fmt.number(len(allowed.shown))})"
        if not allowed.shown:
            raise CellError(
                f"{show(value)} non è {what} valido: l'elenco dei valori ammessi è vuoto."
            )
        raise CellError(f"{show(value)} non è {what} valido: i valori ammessi sono {listed}.")
    return canonical


# The cells of funding sources, by kind --------------------------------------------------


def parse_cell(kind: str, value: object, source: str) -> tuple[float, bool]:
    """A workbook cell of the source's column -> (amount, flag) of its funding row.

    Raises CellError with an Italian message for a value the kind does not accept.
    """
    r = kinds.rules(kind)
    match r.keeps:
        case kinds.Keeps.NUMBER:
            return (parse_money(value) if r.money else _parse_quantity(value, r)), False
        case kinds.Keeps.TICK:
            return 0.0, parse_flag(value, source)
        case _:
            assert_never(r.keeps)


def _parse_quantity(value: object, r: kinds.KindRules) -> float:
    """A number >= 0 that is not money (e.g. hours); empty means 0."""
    if is_empty(value):
        return 0.0
    example = f"ad esempio 12 per 12 {r.unit[1]}"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CellError(f"{show(value)} non è un numero: scrivi una cifra, {example}.")
    number = float(value)
    if math.isnan(number) or math.isinf(number) or number < 0:
        raise CellError(f"{show(value)} non è valido: scrivi una cifra, {example}.")
    return number
