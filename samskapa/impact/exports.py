"""A dashboard as an XLSX workbook (openpyxl): every period, the same suppression as the page."""

from io import BytesIO

from django.http import HttpResponse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sheet_title(text: str) -> str:
    for forbidden in "[]:*?/\\":
        text = text.replace(forbidden, " ")
    return text[:31] or "Sheet"


def _append(sheet, row) -> None:
    """Append a row whose text stays text whatever it starts with: a name like
    "=HYPERLINK(…)" never becomes a formula in the reader's spreadsheet."""
    sheet.append(row)
    for cell in sheet[sheet.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"


def workbook(title: str, groups) -> bytes:
    """`groups`: (heading, list of dashboards.Series, label of the source column) — one sheet
    each, one row per period."""
    book = Workbook()
    book.remove(book.active)
    fewer = _("fewer than 5")
    for heading, series_list, source_label in groups:
        sheet = book.create_sheet(_sheet_title(heading))
        _append(sheet, [title])
        _append(
            sheet,
            [
                _("Indicator"),
                source_label,
                _("IRIS+ metric code"),
                _("Unit"),
                _("Baseline"),
                _("Baseline date"),
                _("Target"),
                _("Target date"),
                _("Period"),
                _("Value"),
                _("Number of people"),
                _("Test environments"),
            ],
        )
        for series in series_list:
            source = str(series.uses) if series.aggregated else series.subtitle
            fixed = [
                (series.name),
                (source),
                (series.iris_code),
                (series.unit),
                series.baseline,
                series.baseline_date,
                series.target,
                series.target_date,
            ]
            if not series.points:
                _append(sheet, [*fixed, None, None, None, None])
            for point in series.points:
                if point.suppressed:
                    _append(sheet, [*fixed, point.period, fewer, fewer, point.environments])
                else:
                    _append(
                        sheet,
                        [*fixed, point.period, point.value, point.respondents, point.environments],
                    )
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_response(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    filename = (slugify(name) or "impact")[:80]
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
