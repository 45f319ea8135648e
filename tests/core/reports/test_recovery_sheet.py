"""The vault recovery sheet, read back as the clinic (and a thief) would read it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from genedesk.core.reports import build_recovery_sheet
from genedesk.core.reports.document import SIDE_MARGIN, body_area
from genedesk.core.reports.fonts import MONO_BOLD
from genedesk.core.reports.recovery_sheet import key_lines
from genedesk.core.reports.styles import LARGE_PRINT_BODY_SIZE, make_styles

KEY = "7K2Q-9XWD-M4TB-0HNR-3PZE-VC8S-1QJA-6GY5"
VAULT_ID = "vault-3f9c2a7e"
CREATED = datetime(2025, 3, 14, 10, 42, tzinfo=timezone(timedelta(hours=1)))


def sheet(**overrides: object) -> bytes:
    arguments: dict[str, object] = dict(
        vault_id=VAULT_ID, recovery_key=KEY, created_at=CREATED, clinic_name="Clínica Łódź"
    )
    arguments.update(overrides)
    return build_recovery_sheet(**arguments)  # type: ignore[arg-type]


def test_one_page_with_everything_the_clinic_needs(read_pdf, squeezed) -> None:
    pdf = read_pdf(sheet())
    assert pdf.page_count == 1
    text = pdf.text()
    for expected in (
        "GeneDesk recovery sheet",
        "Confidential — keep locked away",
        "What this sheet is for",
        "can unlock your clinic's GeneDesk records if this computer is lost",
        "Anyone who has this key and a copy of your GeneDesk backup can read",
        "Vault ID: vault-3f9c2a7e",
        "14 March 2025, 10:42 UTC+01:00",
        "Clínica Łódź",
        "Recovery key",
        "Where our GeneDesk backups are kept",
        "How to get the records back on a new computer",
        "Install GeneDesk on the new computer.",
        "genedesk vault restore BACKUP",
        "genedesk vault recover",
        "type the key printed on this sheet",
        "This key is shown only once",
        "Page 1 of 1",
    ):
        assert expected in " ".join(text.split()), expected
    # The key, split between its groups, reads back exactly in order.
    assert KEY in squeezed(text)
    assert text.count("7K2Q-9XWD-M4TB-0HNR-") == 1


def test_metadata_names_the_vault_but_never_the_key(read_pdf) -> None:
    data = sheet()
    pdf = read_pdf(data)
    meta = pdf.metadata
    assert meta["/Title"] == "GeneDesk recovery sheet"
    assert meta["/Subject"] == "Recovery key for GeneDesk vault vault-3f9c2a7e"
    assert meta["/Author"] == "Clínica Łódź"
    assert meta["/Creator"].startswith("GeneDesk ")
    assert meta["/CreationDate"] == "D:20250314104200+01'00'"
    assert pdf.language == "en"
    assert not any(part in value for value in meta.values() for part in KEY.split("-"))
    # Page text is compressed, so the key is not lying in the file as plain bytes either.
    assert KEY.encode() not in data and b"7K2Q" not in data


def test_without_a_clinic_name(read_pdf) -> None:
    pdf = read_pdf(sheet(clinic_name=None))
    assert pdf.page_count == 1
    assert "Clinic" not in pdf.text()
    assert pdf.metadata["/Author"] == "GeneDesk"


def test_same_input_same_bytes_and_the_date_comes_from_the_data() -> None:
    assert sheet() == sheet()
    assert sheet() != sheet(created_at=CREATED + timedelta(days=1))


def test_outside_text_prints_literally(read_pdf, squeezed) -> None:
    clinic = '<b>Clinic</b> & <img src="http://127.0.0.1:9/x.png"/>'
    key = "<font color=red>AB&C</font>-D<E"
    pdf = read_pdf(sheet(clinic_name=clinic, vault_id="<i>v</i>", recovery_key=key))
    text = pdf.text()
    assert clinic in " ".join(text.split())
    assert "Vault ID: <i>v</i>" in text
    assert squeezed(key) in squeezed(text)
    for page in pdf.reader.pages:
        assert "/XObject" not in page["/Resources"]


def test_large_print(read_pdf, squeezed) -> None:
    pdf = read_pdf(sheet(large_print=True))
    # Large print needs a second page for the steps; the key and its warnings stay on page 1.
    assert pdf.page_count == 2
    pages = pdf.page_texts()
    assert KEY in squeezed(pages[0]) and "This key is shown only once" in pages[0]
    assert "How to get the records back" in pages[1]
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of 2" in text and "Vault ID: vault-3f9c2a7e" in text
    bottom, top = body_area(make_styles(large_print=True), header_lines=2)
    for page in range(pdf.page_count):
        body = [run for run in pdf.text_runs(page) if bottom <= run.y <= top]
        assert min(run.size for run in body) >= LARGE_PRINT_BODY_SIZE - 0.01


@pytest.mark.parametrize("large_print", [False, True])
def test_nothing_runs_off_the_page(read_pdf, large_print: bool) -> None:
    long_clinic = "Centre hospitalier universitaire " * 7
    pdf = read_pdf(sheet(clinic_name=long_clinic, vault_id="v" * 120, large_print=large_print))
    for page in pdf.word_boxes():
        for word in page.words:
            assert SIDE_MARGIN - 0.5 <= word.x_min and word.x_max <= page.width - SIDE_MARGIN + 0.5
            assert 0 <= word.y_min and word.y_max <= page.height


def test_key_lines_share_the_groups_evenly() -> None:
    assert key_lines(KEY, font=MONO_BOLD, size=24, width=400) == [
        "7K2Q-9XWD-M4TB-0HNR-",
        "3PZE-VC8S-1QJA-6GY5",
    ]
    assert key_lines(KEY, font=MONO_BOLD, size=10, width=400) == [KEY]
    assert "".join(key_lines(KEY, font=MONO_BOLD, size=60, width=400)) == KEY
    assert key_lines("NOGROUPS", font=MONO_BOLD, size=24, width=10) == ["NOGROUPS"]


def test_an_empty_key_is_refused() -> None:
    with pytest.raises(ValueError):
        sheet(recovery_key="  ")


def test_naive_dates_are_printed_as_recorded(read_pdf) -> None:
    pdf = read_pdf(sheet(created_at=datetime(2025, 3, 14, 10, 42)))
    assert "14 March 2025, 10:42" in pdf.text()
    assert "UTC" not in pdf.text()
    assert (
        read_pdf(sheet(created_at=datetime(2025, 3, 14, tzinfo=UTC))).metadata["/CreationDate"]
        == "D:20250314000000+00'00'"
    )
