"""CSV files the hub writes, with no cell a spreadsheet would run as a formula.

Excel, LibreOffice and Google Sheets treat a cell that begins with ``=``,
``+``, ``-`` or ``@`` (or a tab or carriage return before one) as a formula:
``=HYPERLINK(...)`` typed into the join form would become a live link, or
worse, in the spreadsheet staff open. Following OWASP's advice such a cell
gets a single quote in front, which the spreadsheet shows as the text typed.

The rule is about text: only ``str`` cells are changed. Numbers the hub
computes itself (a count, a change of -3) are written as they are, so they
stay numbers; a person's text that happens to look like one ("-3" typed into
a form) is text and gets the quote.

One place for every CSV the hub writes:
- ``writer`` (and ``csv_response``) for the hub's own CSV views;
- ``protect_wagtail_exports``, called once at start-up, for Wagtail's
  spreadsheet exports: the modeladmin lists (applications, registrations,
  working-group members, partner records), the hub's admin reports and
  Wagtail's own (site history, form submissions). Their XLSX files are already
  safe: Wagtail stores a cell that looks like a formula as text.
"""

import csv

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """``value`` as a CSV cell no spreadsheet runs as a formula. A lone "-"
    (how Wagtail writes an empty value) runs nothing and is left as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and value != "-":
        return "'" + value
    return value


class SafeWriter:
    """A ``csv.writer`` that neutralises each text cell."""

    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row):
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def writer(file, **options):
    return SafeWriter(csv.writer(file, **options))


def csv_response(filename, rows):
    """A CSV download of ``rows`` (None written as an empty cell)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer(response).writerows(["" if value is None else value for value in row] for row in rows)
    return response


def protect_wagtail_exports():
    """Make every Wagtail spreadsheet export (``SpreadsheetExportMixin``, which
    modeladmin, reports and generic index views share) write safe CSV cells."""
    from wagtail.admin.views.mixins import SpreadsheetExportMixin

    if getattr(SpreadsheetExportMixin.write_csv_row, "writes_safe_cells", False):
        return

    def write_csv_row(self, writer, row_dict):
        return writer.writerow(
            {
                field: safe_cell(self.preprocess_field_value(field, value, self.FORMAT_CSV))
                for field, value in row_dict.items()
            }
        )

    write_csv_row.writes_safe_cells = True
    SpreadsheetExportMixin.write_csv_row = write_csv_row
