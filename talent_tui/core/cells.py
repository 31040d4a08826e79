"""Spreadsheet-safe CSV cells: what talent writes is never run as a formula.

A spreadsheet (Excel, LibreOffice, Google Sheets) opening a CSV treats a cell that starts with
``=``, ``+``, ``-`` or ``@`` as a formula, and a leading tab or carriage return can hide one.
A creator named ``=HYPERLINK("http://evil","click")`` would become a live link.

The rule (the one OWASP describes for CSV injection), applied to every *text* cell of a CSV
that talent writes (exports and reports; JSON is not a spreadsheet and is left alone):

- a cell whose first character is one of ``=`` ``+`` ``-`` ``@`` TAB CR is written with a
  single quote ``'`` in front: ``=1+1`` is written ``'=1+1``, ``@ana`` ``'@ana``;
- so that this stays reversible, a cell that already starts with quotes followed by one of
  those characters (``'=1+1``) gets one more quote too (``''=1+1``);
- numeric columns (counts, rates, amounts) are written as the numbers they are: ``-5`` stays
  ``-5``. `neutralise` is only called on text.

Reading a CSV undoes it (`restore`): a cell that starts with ``'`` followed, after any further
quotes, by one of those characters loses exactly one leading quote. Every other cell is read as
written, so export → import → export gives the same file and stores the original text.
"""

from __future__ import annotations

import re

FORMULA_STARTS = frozenset("=+-@\t\r")
QUOTE = "'"

# A plain number or percentage as a report shows it: "-5", "+3.2%", "1,250.50".
_NUMBER = re.compile(r"[+-]?\d[\d,]*(?:\.\d+)?%?")


def _needs_quote(text: str) -> bool:
    return text.lstrip(QUOTE)[:1] in FORMULA_STARTS


def neutralise(text: str) -> str:
    """`text` as a CSV cell a spreadsheet shows as text, never runs (see the module's rule)."""
    return QUOTE + text if _needs_quote(text) else text


def restore(cell: str) -> str:
    """A CSV cell as it was before `neutralise`: one leading quote removed when it guards."""
    if cell.startswith(QUOTE) and _needs_quote(cell):
        return cell[1:]
    return cell


def is_number(text: str) -> bool:
    """A plain number or percentage ("-5", "+3.2%", "1,250"): a spreadsheet reads it as a
    number, never a formula, so it is written as it is."""
    return _NUMBER.fullmatch(text) is not None


def safe_cell(value: object) -> object:
    """A report cell: text neutralised unless it is a plain number; numbers as they are."""
    if isinstance(value, str) and not is_number(value):
        return neutralise(value)
    return value
