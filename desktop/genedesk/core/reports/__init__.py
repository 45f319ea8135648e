"""PDF documents (reportlab platypus): the shared frame and each kind of document.

- `document`: page marks ("page X of Y", patient or document identifiers), metadata, fonts,
  deterministic bytes — `render_pdf(story, …) -> bytes`.
- `text`: the only way to make a paragraph; outside text is always escaped.
- `tables`: tables of many rows that split across pages (repeated header, split tall rows,
  "(continued)" labels, columns never narrower than their longest ordinary word).
- `blocks`: label/value lists, boxes, write-in boxes, numbered steps.
- `styles`, `fonts`, `words` (the documents' words, from resources/reports/<language>/).
- `recovery_sheet`: the vault recovery sheet.
"""

from genedesk.core.reports.recovery_sheet import build_recovery_sheet

__all__ = ["build_recovery_sheet"]
