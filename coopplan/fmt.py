"""Italian formatting of numbers, money and dates (babel, locale it_IT)."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

LOCALE = "it_IT"
# Whole euros in a spreadsheet or a chart, with the Italian locale tag (LCID 0x410), so that
# Excel and LibreOffice in any locale draw «25.000 €» (without the tag LibreOffice drew 25,000 €).
SPREADSHEET_MONEY = '[$-410]#,##0 "€"'


@lru_cache(maxsize=4096)  # babel costs ~20 µs a call; pages format the same amounts over and over
def money(value: float) -> str:
    """5000 -> '5.000 €'; cents only when there are some (1234.5 -> '1.234,50 €')."""
    whole = float(value).is_integer()
    pattern = "#,##0 ¤" if whole else "#,##0.00 ¤"
    text = format_currency(value, "EUR", format=pattern, locale=LOCALE, currency_digits=False)
    return text.replace("\xa0", " ")


def number(value: float, decimals: int = 1) -> str:
    """1234.5 -> '1.234,5'; integers without decimals."""
    if float(value).is_integer():
        return format_decimal(int(value), format="#,##0", locale=LOCALE)
    return format_decimal(value, format="#,##0." + "#" * decimals, locale=LOCALE)


@lru_cache(maxsize=1024)  # babel reads its locale data on every call: ~1 ms
def date(value: dt.date | None, style: str = "long") -> str:
    """2023-03-01 -> '1 marzo 2023' (long) or '01/03/23' (short); '' for None."""
    if value is None:
        return ""
    return format_date(value, format=style, locale=LOCALE)


NBSP = "\u00a0"


def unbroken(text: str) -> str:
    """``text`` with non-breaking spaces: «43.500 €» or «5 progetti» never split over two
    lines (a phone at 360 px drew «€» alone on the next line)."""
    return text.replace(" ", NBSP)


_UNIT_AFTER_NUMBER = re.compile(r"(\d) (€|%)")


def units_kept(text: str) -> str:
    """``text`` with a non-breaking space between every number and its «€» or «%», other
    spaces left to wrap: «Risorse Coop Re-Start: 2.500 €» never leaves «€» alone on a line."""
    return _UNIT_AFTER_NUMBER.sub(lambda m: f"{m.group(1)}{NBSP}{m.group(2)}", text)


def count(value: float, singular: str, plural: str) -> str:
    """3, 'progetto', 'progetti' -> '3 progetti' (12.5, 'ora', 'ore' -> '12,5 ore')."""
    return f"{number(value)} {singular if value == 1 else plural}"


# Plotly takes the decimal and thousands separators from the layout (in this order).
PLOTLY_SEPARATORS = ",."
