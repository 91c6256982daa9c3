"""The workbook stage: everything between an .xlsx file and a checked ``Plan``.

``schema`` (the one description of the workbook's format), ``intake`` (the zip container, bounded),
``sheetxml`` and ``cells`` (each cell read exactly as Excel and LibreOffice show it), ``reader``
(the plan and its problems, rule by rule), ``problems`` (what is wrong, naming sheet, row and
column), ``writer`` (the template and a plan written back), ``sandbox`` and ``preview`` (a check
run in a bounded child process), ``formatdoc`` (the format's documentation, from the schema).
"""
