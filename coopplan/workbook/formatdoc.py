"""docs/formato.md, written from coopplan.workbook.schema (the single definition of the workbook format)."""

from __future__ import annotations

from coopplan import fmt
from coopplan.workbook.schema import (
    MAX_CELLS_PER_SHEET,
    MAX_UPLOAD_MB,
    META_FIELDS,
    OPTIONAL_META,
    README_SHEET,
    SHEETS,
    Sheet,
)


def format_markdown() -> str:
    parts = [
        "# Formato della cartella di lavoro del piano",
        "",
        "Questo documento è generato da `coopplan/workbook/schema.py` con "
        "`python scripts/build_workbook.py --docs`: non modificarlo a mano.",
        "",
        f"Il file è un .xlsx (massimo {MAX_UPLOAD_MB} MB e {fmt.number(MAX_CELLS_PER_SHEET)} celle piene per "
        "foglio, senza macro). Il primo foglio, "
        f"«{README_SHEET}», spiega come compilarlo; seguono i fogli dei dati qui sotto. "
        "Le intestazioni stanno nella prima riga; l'ordine delle colonne è libero e maiuscole o "
        "spazi nelle intestazioni non contano. Le righe vuote vengono ignorate.",
        "",
        "Ogni fonte di finanziamento elencata nel foglio «Fonti» aggiunge al foglio «Progetti» "
        "una colonna con lo stesso nome: un importo in euro per le fonti di tipo «Importo», "
        "Sì o No per quelle di tipo «Sì/No».",
        "",
        f"Campi del foglio «Piano»: {', '.join(META_FIELDS.values())} "
        f"({', '.join(META_FIELDS[k] for k in sorted(OPTIONAL_META))}: facoltativi, date).",
        "",
        "Il consuntivo è facoltativo: un file senza il foglio «Consuntivo», o con il foglio senza "
        "righe, è valido e non ha ancora un consuntivo (la dashboard dice «Consuntivo non "
        "ancora inserito», mai «0 € spesi»). Ogni riga dice, per un progetto e una fonte di "
        "tipo «Importo», quanto è stato impegnato e speso finora; uno speso maggiore "
        "dell'impegnato, o un importo oltre il preventivo del foglio «Progetti», è un avviso.",
        "",
    ]
    for sheet in SHEETS:
        parts += _sheet_section(sheet)
    return "\n".join(parts)


def _sheet_section(sheet: Sheet) -> list[str]:
    rows = [
        f"## Foglio «{sheet.name}»{' (facoltativo)' if sheet.optional else ''}",
        "",
        sheet.help,
        "",
        "| Colonna | Tipo | Obbligatoria | Valori ammessi | Descrizione |",
        "|---|---|---|---|---|",
    ]
    for column in sheet.columns:
        if column.choices:
            allowed = ", ".join(column.choices)
        elif column.choices_from:
            other, _, _key = column.choices_from.partition(".")
            allowed = f"un valore del foglio «{other}»"
        else:
            allowed = ""
        need = "sì" if column.required else "no"
        rows.append(
            f"| {column.header} | {column.kind.value} | {need} | {allowed} | {column.help} |"
        )
    rows.append("")
    return rows
