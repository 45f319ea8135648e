"""The clinician report: the technical record a referring clinician can act on and trace.

Per finding: gene, transcript, HGVS c. and p., genomic HGVS with its build, zygosity, depth,
quality and allele fraction, the classification with its ACMG/AMP criteria, the Richards rule that
fired and the Tavtigian points, ClinVar release and review stars, the interpretation and the
counsellor's note. Then the pharmacogenomic table (gene → diplotype → phenotype → drugs →
recommendation, with the positions not tested), methods, limitations, provenance (source file and
SHA-256, import date, knowledge base, ACMG SF list, ClinVar release), the sources of the
interpretation texts and the signature block.

The words are in resources/reports/<language>/clinician_report.json.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from reportlab import Version as REPORTLAB_VERSION
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether

from genedesk import APP_NAME, __version__
from genedesk.core.knowledge.acmg import Classification
from genedesk.core.reports.blocks import facts_table, gap, write_in_box
from genedesk.core.reports.document import PAGE_SIZES, SIDE_MARGIN, render_pdf
from genedesk.core.reports.model import (
    FindingText,
    PgxGene,
    ReportFinding,
    ReportKind,
    ReportRequest,
    ReportTest,
    TextSource,
    banners,
    bullets,
    document_info,
    letter_head,
    page_marks,
    report_id_text,
)
from genedesk.core.reports.styles import Styles, make_styles
from genedesk.core.reports.tables import data_table
from genedesk.core.reports.text import (
    Markup,
    bold,
    escape,
    monospace,
    paragraph,
    with_line_breaks,
)
from genedesk.core.reports.words import Words, load_words

DOCUMENT = "clinician_report"
FACT_SHARES = (1, 3)


def _continued(words: Words) -> Callable[[str], str]:
    return lambda label: words.text("row_continued", label=label)


def _shares(
    shares: tuple[float, ...], request: ReportRequest, words: Words, styles: Styles
) -> tuple[float, ...]:
    """Column shares with the first column widened, where needed, so that "(continued)" — the
    label of a row that goes on from the previous page — fits without breaking inside a word."""
    label = words.text("row_continued", label="").split()
    style = styles.small
    needed = max(stringWidth(w, style.fontName, style.fontSize) for w in label)
    needed += 2 * styles.body_size * 0.35 + 2  # the cell padding of tables.data_table
    available = PAGE_SIZES[request.page_size][0] - 2 * SIDE_MARGIN
    first, rest = shares[0], sum(shares[1:])
    if available * first / (first + rest) >= needed:
        return shares
    return (needed * rest / (available - needed), *shares[1:])


def _table_heading(text: str, styles: Styles) -> list[Flowable]:
    """A heading over a long table. reportlab keeps a heading with what follows by moving both
    to the next page when they do not fit — for a table of 200 rows that leaves most of a page
    empty. Instead the heading moves on only when the page has no room for it and a few rows."""
    loose = ParagraphStyle("table_heading", parent=styles.heading, keepWithNext=0)
    return [CondPageBreak(styles.body_size * 12), paragraph(text, loose)]


def _or_not_recorded(value: object, words: Words) -> str:
    if value is None or value == "":
        return words.text("not_recorded")
    return str(value)


def _number(value: float | None, digits: int, words: Words) -> str:
    return words.text("not_recorded") if value is None else f"{value:.{digits}f}"


def _stars(count: int, words: Words) -> str:
    count = max(0, min(4, count))
    return "★" * count + "☆" * (4 - count) + " " + words.text("clinvar_stars", count=str(count))


def _test_line(test: ReportTest, words: Words) -> str:
    return words.text(
        "facts_test_value",
        lab=test.lab or words.text("lab_unknown"),
        test_type=words.text(f"test_type_{test.test_type}"),
        build=test.build,
    )


def _patient_facts(request: ReportRequest, words: Words) -> list[tuple[str, str]]:
    patient = request.patient
    facts = [
        (words.text("facts_patient"), patient.name),
        (words.text("facts_date_of_birth"), words.date(patient.date_of_birth)),
        (words.text("facts_sex"), words.text(f"sex_{patient.sex_at_birth}")),
        (words.text("facts_record_number"), patient.record_number),
    ]
    if request.referrer.strip():
        facts.append((words.text("facts_referrer"), request.referrer))
    if request.reason_for_test.strip():
        facts.append((words.text("facts_reason"), request.reason_for_test))
    for test in request.tests:
        facts.append((words.text("facts_tests"), _test_line(test, words)))
    facts.append(
        (
            words.text("facts_report"),
            words.text(
                "facts_report_value",
                report_id=report_id_text(request, words),
                version=str(request.version),
                status=words.text(f"status_{request.status.value}"),
                date=words.date(request.report_date.date()),
            ),
        )
    )
    return facts


def _summary(request: ReportRequest, words: Words, styles: Styles) -> list[Flowable]:
    story = _table_heading(words.text("summary_heading"), styles)
    if not request.findings:
        return [*story, paragraph(words.text("summary_none"), styles.body)]
    rows = [
        [
            words.text("summary_gene_value", number=str(number), gene=finding.gene),
            finding.variant.description,
            words.text(f"zygosity_{finding.variant.zygosity}"),
            finding.classification_label,
            words.text(f"category_{finding.category.value}"),
        ]
        for number, finding in enumerate(request.findings, start=1)
    ]
    header = [
        words.text(key)
        for key in (
            "summary_gene",
            "summary_variant",
            "summary_zygosity",
            "summary_classification",
            "summary_category",
        )
    ]
    story.append(
        data_table(
            header,
            rows,
            shares=_shares((1.2, 3.2, 1.4, 1.5, 1.4), request, words, styles),
            styles=styles,
            continued=_continued(words),
        )
    )
    return story


def _condition(finding: ReportFinding) -> str:
    if finding.condition_ids:
        return f"{finding.condition} ({', '.join(finding.condition_ids)})"
    return finding.condition


def _clinvar(finding: ReportFinding, request: ReportRequest, words: Words) -> str:
    evidence = finding.clinvar
    if evidence is None:
        if request.clinvar_release:
            return words.text("clinvar_not_found", release=request.clinvar_release)
        return words.text("clinvar_no_release")
    parts = [evidence.significance]
    if evidence.stars is not None:
        stars = _stars(evidence.stars, words)
        parts.append(
            words.text("clinvar_review", review_status=evidence.review_status, stars=stars)
            if evidence.review_status
            else stars
        )
    if evidence.variation_id is not None:
        parts.append(words.text("clinvar_variation", variation_id=str(evidence.variation_id)))
    parts.append(evidence.release)
    return "; ".join(parts)


def _variant_facts(
    finding: ReportFinding, request: ReportRequest, words: Words
) -> list[tuple[str, str]]:
    variant = finding.variant
    genomic = words.text(
        "genomic_value",
        hgvs_g=variant.hgvs_g or words.text("not_recorded"),
        build=variant.build,
        chrom=variant.chrom,
        pos=str(variant.pos),
        ref=variant.ref,
        alt=variant.alt,
    )
    facts: list[tuple[str, str]] = [
        (words.text("detail_condition"), _condition(finding)),
        (
            words.text("detail_inheritance"),
            words.text(f"inheritance_{finding.inheritance}")
            if f"inheritance_{finding.inheritance}" in words.entries
            else finding.inheritance,
        ),
        (words.text("detail_transcript"), _or_not_recorded(variant.transcript, words)),
        (
            words.text("detail_hgvs_c"),
            monospace(variant.hgvs_c_full) if variant.hgvs_c else words.text("not_recorded"),
        ),
        (
            words.text("detail_hgvs_p"),
            monospace(variant.hgvs_p) if variant.hgvs_p else words.text("not_recorded"),
        ),
        (words.text("detail_consequence"), _or_not_recorded(variant.consequence, words)),
        (words.text("detail_genomic"), genomic),
        (
            words.text("detail_zygosity"),
            words.text(
                "zygosity_value",
                zygosity=words.text(f"zygosity_{variant.zygosity}"),
                genotype=_or_not_recorded(variant.genotype, words),
            ),
        ),
        # Depth, GQ, allele fraction, QUAL and filter share a row: one glance at the call.
        (
            words.text("detail_call_quality"),
            words.text(
                "call_quality_value",
                depth=_or_not_recorded(variant.depth, words),
                gq=_or_not_recorded(variant.genotype_quality, words),
                fraction=_number(variant.allele_fraction, 2, words),
                qual=_number(variant.quality, 1, words),
                filter=_or_not_recorded(variant.filter, words),
            ),
        ),
    ]
    test = request.test_of(finding)
    if test is not None:
        facts.append((words.text("detail_source"), test.source_name))
    facts.append((words.text("detail_clinvar"), _clinvar(finding, request, words)))
    return facts


def _acmg(
    finding: ReportFinding, request: ReportRequest, words: Words, styles: Styles
) -> list[Flowable]:
    story: list[Flowable] = [paragraph(words.text("acmg_heading"), styles.subheading)]
    evidence = finding.acmg
    if evidence is None or not evidence.criteria:
        story.append(paragraph(words.text("acmg_none"), styles.body))
    if evidence is not None:
        # One line per criterion rather than a table: 200 findings stay fast to lay out.
        story += [
            paragraph(
                words.markup(
                    "acmg_criterion",
                    code=bold(c.code),
                    direction=words.text(f"direction_{c.direction}"),
                    strength=c.strength,
                    points=f"{c.points:+d}",
                    summary=c.summary,
                ),
                styles.body,
            )
            for c in evidence.criteria
        ]
        story.append(
            paragraph(
                words.text(
                    "acmg_rules",
                    classification=Classification(evidence.richards_class).label,
                    rules="; ".join(evidence.richards_rules),
                ),
                styles.body,
            )
        )
        story.append(
            paragraph(
                words.text(
                    "acmg_points_total", points=str(evidence.points), band=evidence.points_band
                ),
                styles.body,
            )
        )
        story += [paragraph(note, styles.small) for note in evidence.notes]
    overridden = evidence is not None and evidence.richards_class != finding.classification
    if finding.classification_reason.strip() or overridden:
        story.append(
            paragraph(
                words.markup(
                    "acmg_manual",
                    classification=finding.classification_label,
                    reason=with_line_breaks(finding.classification_reason.strip())
                    or words.text("not_recorded"),
                ),
                styles.body,
            )
        )
    return story


def _finding_detail(
    number: int,
    finding: ReportFinding,
    request: ReportRequest,
    words: Words,
    styles: Styles,
    lead: Sequence[Flowable] = (),
) -> list[Flowable]:
    # The heading stays with the variant's facts, so a page never starts with facts that do
    # not say which finding they belong to.
    head = KeepTogether(
        [
            *lead,
            paragraph(
                words.text(
                    "finding_heading",
                    number=str(number),
                    gene=finding.gene,
                    classification=finding.classification_label,
                ),
                styles.heading,
            ),
            paragraph(
                words.text(
                    "finding_category",
                    category=words.text(f"category_{finding.category.value}"),
                    condition=finding.condition,
                ),
                styles.small,
            ),
            facts_table(_variant_facts(finding, request, words), styles=styles, shares=FACT_SHARES),
        ]
    )
    story: list[Flowable] = [head, *_acmg(finding, request, words, styles)]
    text = finding.clinician_text
    if text is not None and text.paragraphs:
        story.append(paragraph(words.text("interpretation_heading"), styles.subheading))
        story += [paragraph(p, styles.body) for p in text.paragraphs]
    if finding.clinician_note.strip():
        story.append(paragraph(words.text("note_heading"), styles.subheading))
        story.append(paragraph(with_line_breaks(finding.clinician_note.strip()), styles.body))
    return story


def _drug_cell(gene: PgxGene, words: Words, references: dict[str, int]) -> Markup:
    """The gene's drugs and advice. Drugs with the same advice share one line (thiopurines);
    each guideline is cited by its number in the reference list under the table."""
    if not gene.drugs:
        return escape(words.text("pgx_no_drugs"))
    grouped: dict[tuple[str, str, str, str], list[str]] = {}
    for drug in gene.drugs:
        grouped.setdefault(
            (drug.action, drug.strength, drug.recommendation, drug.citation), []
        ).append(drug.drug)
    lines = []
    for (action, strength, recommendation, citation), drugs in grouped.items():
        number = references.setdefault(citation, len(references) + 1)
        lines.append(
            words.markup(
                "pgx_drug_line",
                drug=bold(", ".join(drugs)),
                action=words.text(f"action_{action}"),
                strength=strength,
                recommendation=recommendation,
                reference=str(number),
            )
        )
    return Markup("<br/>".join(lines))


def _pgx(request: ReportRequest, words: Words, styles: Styles) -> list[Flowable]:
    pgx = request.pgx
    if pgx is None:
        return []
    versions = ", ".join(sorted({g.definitions_version for g in pgx.genes})) or "—"
    references: dict[str, int] = {}
    rows = []
    for gene in pgx.genes:
        phenotype = (
            words.text("pgx_activity", phenotype=gene.phenotype, score=gene.activity_score)
            if gene.activity_score
            else gene.phenotype
        )
        if gene.notes:
            phenotype_cell: str = Markup(
                escape(phenotype)
                + Markup("<br/>")
                + escape(words.text("pgx_notes", notes="; ".join(gene.notes)))
            )
        else:
            phenotype_cell = phenotype
        rows.append(
            [
                gene.gene,
                gene.diplotype,
                phenotype_cell,
                _drug_cell(gene, words, references),
                ", ".join(gene.positions_not_tested) or words.text("pgx_all_tested"),
            ]
        )
    header = [
        words.text(k)
        for k in ("pgx_gene", "pgx_diplotype", "pgx_phenotype", "pgx_drugs", "pgx_not_tested")
    ]
    story: list[Flowable] = [
        *_table_heading(words.text("pgx_heading"), styles),
        paragraph(words.text("pgx_intro", versions=versions), styles.body),
        data_table(
            header,
            rows,
            shares=_shares((1.25, 1.5, 1.6, 5.0, 1.2), request, words, styles),
            styles=styles,
            continued=_continued(words),
        ),
    ]
    if references:
        story.append(paragraph(words.text("pgx_references_heading"), styles.subheading))
        story += [
            paragraph(
                words.text("pgx_reference", number=str(number), citation=citation), styles.small
            )
            for citation, number in references.items()
        ]
    if pgx.not_determined:
        story.append(paragraph(words.text("pgx_not_determined_heading"), styles.subheading))
        story.append(
            bullets(
                [
                    words.text("pgx_not_determined", gene=n.gene, reason=n.reason.rstrip("."))
                    for n in pgx.not_determined
                ],
                styles,
            )
        )
    return story


def _methods(request: ReportRequest, words: Words, styles: Styles) -> list[Flowable]:
    story: list[Flowable] = [paragraph(words.text("methods_heading"), styles.heading)]
    for test in request.tests:
        story.append(
            paragraph(
                words.text(
                    "methods_test",
                    source=test.source_name,
                    lab=test.lab or words.text("lab_unknown"),
                    test_type=words.text(f"test_type_{test.test_type}"),
                    build=test.build,
                ),
                styles.body,
            )
        )
    values = {"sf_list": request.sf_list, "sf_citation": request.sf_citation}
    story += [paragraph(text.format_map(values), styles.body) for text in words.texts("methods")]
    story.append(paragraph(words.text("limitations_heading"), styles.heading))
    story.append(bullets(words.texts("limitations"), styles))
    return story


def _provenance(request: ReportRequest, words: Words, styles: Styles) -> list[Flowable]:
    story: list[Flowable] = [paragraph(words.text("provenance_heading"), styles.heading)]
    if not request.tests:
        story.append(paragraph(words.text("provenance_no_tests"), styles.body))
    for test in request.tests:
        facts: list[tuple[str, str]] = [
            (words.text("provenance_file"), test.source_name),
            (words.text("provenance_sha256"), monospace(test.source_sha256)),
            (
                words.text("provenance_imported"),
                words.text(
                    "provenance_imported_value",
                    date=words.date_time(test.imported_at),
                    person=test.imported_by,
                ),
            ),
            (words.text("provenance_lab"), _test_line(test, words)),
        ]
        if test.sample_name:
            facts.append((words.text("provenance_sample"), test.sample_name))
        story += [facts_table(facts, styles=styles, shares=FACT_SHARES), gap(styles, 0.4)]
    general: list[tuple[str, str]] = [
        (words.text("provenance_knowledge"), request.knowledge_base_version),
        (words.text("provenance_sf_list"), f"{request.sf_list}. {request.sf_citation}"),
        (
            words.text("provenance_clinvar"),
            request.clinvar_release or words.text("clinvar_none"),
        ),
        (
            words.text("provenance_software"),
            f"{APP_NAME} {__version__} (ReportLab {REPORTLAB_VERSION})",
        ),
    ]
    story.append(facts_table(general, styles=styles, shares=FACT_SHARES))
    return story


def _sources(request: ReportRequest, words: Words, styles: Styles) -> list[Flowable]:
    texts: list[FindingText] = [f.clinician_text for f in request.findings if f.clinician_text]
    sources: list[TextSource] = list(dict.fromkeys(s for t in texts for s in t.sources))
    if not sources:
        return []
    return [
        paragraph(words.text("sources_heading"), styles.heading),
        bullets(
            [
                words.text("source_line", title=s.title, version=s.version, url=s.url)
                for s in sources
            ],
            styles,
        ),
    ]


def _signature(request: ReportRequest, words: Words, styles: Styles) -> list[Flowable]:
    story: list[Flowable] = [paragraph(words.text("signature_heading"), styles.heading)]
    facts = [(words.text("signature_prepared"), request.author)]
    contact = "; ".join(
        part
        for part in (
            ", ".join(p for p in (request.clinic.contact_name, request.clinic.contact_role) if p),
            request.clinic.phone,
            request.clinic.email,
        )
        if part
    )
    if contact:
        facts.append((words.text("signature_contact"), contact))
    signer = request.signer
    if request.is_final and signer is not None:
        facts.append(
            (
                words.text("signature_signed"),
                words.text("signature_signed_value", name=signer.name, role=signer.role),
            )
        )
        if signer.registration:
            facts.append((words.text("signature_registration"), signer.registration))
        facts.append((words.text("signature_date"), words.date(request.report_date.date())))
        story += [
            facts_table(facts, styles=styles, shares=FACT_SHARES),
            paragraph(
                words.text("signature_electronic", date=words.date_time(request.report_date)),
                styles.small,
            ),
            gap(styles, 0.4),
            write_in_box(
                words.text("signature_box"),
                words.text("signature_box_hint"),
                lines=1,
                styles=styles,
            ),
        ]
    else:
        story += [
            facts_table(facts, styles=styles, shares=FACT_SHARES),
            paragraph(words.text("signature_unsigned"), styles.subheading),
        ]
    return story


def build_clinician_report(
    request: ReportRequest,
    *,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> bytes:
    """The clinician report as PDF bytes."""
    if request.kind is not ReportKind.CLINICIAN:
        raise ValueError("build_clinician_report needs a request of kind 'clinician'")
    words = load_words(DOCUMENT, request.language)
    styles = make_styles(large_print=request.large_print)
    story: list[Flowable] = [
        *banners(request, words, styles),
        *letter_head(request, words, styles),
        paragraph(words.text("title"), styles.title),
        paragraph(words.text("subtitle"), styles.subheading),
    ]
    if request.referrer.strip():
        story.append(paragraph(words.text("to", referrer=request.referrer), styles.body))
    story += [
        facts_table(_patient_facts(request, words), styles=styles, shares=FACT_SHARES),
        *_summary(request, words, styles),
    ]
    for number, finding in enumerate(request.findings, start=1):
        # "Findings in detail" goes on the page of the first finding, never alone at a page end.
        lead = [paragraph(words.text("details_heading"), styles.heading)] if number == 1 else []
        story += _finding_detail(number, finding, request, words, styles, lead)
    story += _pgx(request, words, styles)
    story += _methods(request, words, styles)
    story += _provenance(request, words, styles)
    story += _sources(request, words, styles)
    story += _signature(request, words, styles)
    return render_pdf(
        story,
        info=document_info(request, words),
        marks=page_marks(request, words),
        styles=styles,
        page_size=request.page_size,
        progress=progress,
        cancelled=cancelled,
    )


__all__ = ["build_clinician_report"]
