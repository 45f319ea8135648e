"""Untrusted text stays text: escaping by default, checked in the markup and in the PDF."""

from __future__ import annotations

import ast
import http.server
import threading
import unicodedata
from pathlib import Path
from typing import ClassVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genedesk.core.reports import text as text_module
from genedesk.core.reports.styles import make_styles
from genedesk.core.reports.text import (
    Markup,
    bold,
    clean,
    escape,
    markup,
    monospace,
    paragraph,
    with_line_breaks,
)

REPORTS_PACKAGE = Path(text_module.__file__).parent

HOSTILE = [
    "Smith & <Jones>",
    "<b>not bold</b>",
    "<font color=red>not red</font>",
    "<para>x</para> &amp; &#60; &lt;",
    "</para><para>",
    '<a href="javascript:alert(1)">click</a>',
    "<br/><br/>",
]


def test_escape_makes_markup_print_literally() -> None:
    assert escape("a < b & c > d") == "a &lt; b &amp; c &gt; d"
    assert escape('<img src="x"/>') == "&lt;img src=&quot;x&quot;/&gt;"
    assert isinstance(escape("x"), Markup)
    # Markup passes through once; it is never escaped twice.
    assert escape(escape("<b>")) == "&lt;b&gt;"
    assert escape(bold("x")) == "<b>x</b>"


def test_templates_escape_their_values() -> None:
    assert markup("<b>{name}</b>", name="<i>Eve</i>") == "<b>&lt;i&gt;Eve&lt;/i&gt;</b>"
    assert bold("&") == "<b>&amp;</b>"
    assert monospace("a<b").endswith(">a&lt;b</font>")
    assert with_line_breaks("line 1\r\n<line 2>\rline 3") == (
        "line 1<br/>&lt;line 2&gt;<br/>line 3"
    )


def test_clean_replaces_unprintable_and_composes_accents() -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Ánh")
    assert clean(decomposed) == "Nguyễn Thị Ánh"
    assert clean("a\x00b\x1bc\x7f\ud800") == "a\ufffdb\ufffdc\ufffd\ufffd"
    assert clean("tab\tand\nnewline") == "tab\tand\nnewline"


@given(st.text())
def test_any_text_comes_back_from_a_paragraph_unchanged(value: str) -> None:
    # reportlab's own parser reads the escaped text back as the very same characters.
    para = paragraph(value, make_styles().body)
    parsed = "".join(fragment.text for fragment in para.frags if hasattr(fragment, "text"))
    assert " ".join(parsed.split()) == " ".join(clean(value).split())


def test_only_the_text_module_makes_paragraphs() -> None:
    """The guard that makes escaping the default: no other module can bypass `paragraph()`."""
    offenders = []
    for path in sorted(REPORTS_PACKAGE.rglob("*.py")):
        if path.name == "text.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.ImportFrom):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.Attribute):
                names = [node.attr]
            elif isinstance(node, ast.Name):
                names = [node.id]
            for name in names:
                if name in {"Paragraph", "XPreformatted", "Preformatted", "ImageAndFlowables"}:
                    offenders.append(f"{path.name}:{node.lineno} uses {name}")
    assert offenders == []


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.requests.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def watched_url():
    """A web address on this machine that records every request made to it."""
    _CountingHandler.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _CountingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/logo.png", _CountingHandler.requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_hostile_text_prints_literally_and_fetches_nothing(
    sample_document, read_pdf, watched_url
) -> None:
    url, requests = watched_url
    image = f'<img src="{url}" width="50" height="50"/>'
    hostile = [*HOSTILE, image]
    data = sample_document(
        patient_name="<b>Eve</b> & <font color=red>Mallory</font>",
        title="Letter <i>for</i> you & me",
        paragraphs=hostile,
        table_rows=[[value, value, value, value] for value in hostile],
    )
    pdf = read_pdf(data)
    text = pdf.text()
    for value in hostile:
        assert " ".join(value.split()) in " ".join(text.split())
    assert "Patient: <b>Eve</b> & <font color=red>Mallory</font>" in text
    assert pdf.metadata["/Title"] == "Letter <i>for</i> you & me"
    assert requests == []
    # No image was placed and no link made: the page has fonts only, and no annotations.
    for page in pdf.reader.pages:
        assert "/XObject" not in page["/Resources"]
        assert "/Annots" not in page
    # Nothing was drawn red: every fill colour in the content is our ink, muted grey or shade.
    content = b"".join(page.get_contents().get_data() for page in pdf.reader.pages)
    assert b"1 0 0 rg" not in content


def test_bold_monospace_uses_the_bold_mono_face() -> None:
    from genedesk.core.reports.fonts import MONO_BOLD

    para = paragraph(monospace(bold("genedesk vault recover")), make_styles().body)
    assert {fragment.fontName for fragment in para.frags} == {MONO_BOLD}
