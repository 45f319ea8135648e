-- Schema 2: genetic tests imported from a lab's file, and the calls kept from each.

CREATE TABLE genetic_test (
    id              INTEGER PRIMARY KEY,
    patient_id      INTEGER NOT NULL REFERENCES patient (id),
    lab             TEXT NOT NULL DEFAULT '',
    test_type       TEXT NOT NULL CHECK (test_type IN ('panel', 'exome', 'genome', 'pharmacogenomic')),
    build           TEXT NOT NULL CHECK (build IN ('GRCh37', 'GRCh38')),
    build_evidence  TEXT NOT NULL,  -- JSON: decided_by and the header clues
    source_name     TEXT NOT NULL,
    source_size     INTEGER NOT NULL,
    source_sha256   TEXT NOT NULL,
    container       TEXT NOT NULL,
    vcf_version     TEXT NOT NULL,
    sample_name     TEXT,
    samples_in_file INTEGER NOT NULL,
    indexed_read    INTEGER NOT NULL CHECK (indexed_read IN (0, 1)),
    summary         TEXT NOT NULL,  -- JSON counts that reconcile with the file
    warnings        TEXT NOT NULL,  -- JSON list of sentences
    keep_rules      TEXT NOT NULL,  -- JSON: which regions/positions decided what was kept
    imported_at     TEXT NOT NULL,
    imported_by     TEXT NOT NULL,
    UNIQUE (patient_id, source_sha256)
) STRICT;

CREATE INDEX genetic_test_patient ON genetic_test (patient_id);

CREATE TABLE variant_call (
    id                    INTEGER PRIMARY KEY,
    test_id               INTEGER NOT NULL REFERENCES genetic_test (id),
    build                 TEXT NOT NULL,
    chrom                 TEXT NOT NULL,
    pos                   INTEGER NOT NULL,
    ref                   TEXT NOT NULL,
    alt                   TEXT NOT NULL,
    genotype              TEXT NOT NULL,
    zygosity              TEXT NOT NULL,
    other_alt             TEXT NOT NULL,
    depth                 INTEGER,
    genotype_quality      INTEGER,
    allele_fraction       REAL,
    quality               REAL,
    filter                TEXT NOT NULL,
    vcf_id                TEXT NOT NULL,
    hgvs_g                TEXT NOT NULL,
    gene                  TEXT NOT NULL,
    transcript            TEXT NOT NULL,
    hgvs_c                TEXT NOT NULL,
    hgvs_p                TEXT NOT NULL,
    consequence           TEXT NOT NULL,
    annotation_source     TEXT NOT NULL,
    other_transcripts     TEXT NOT NULL,  -- JSON list of the other transcripts' annotations
    clinvar_significance  TEXT NOT NULL,
    clinvar_review_status TEXT NOT NULL,
    clinvar_condition     TEXT NOT NULL,
    clinvar_gene_info     TEXT NOT NULL,
    clinvar_allele_id     TEXT NOT NULL,
    population_af         REAL,
    population_af_source  TEXT NOT NULL,
    kept_because          TEXT NOT NULL,  -- JSON list
    region_gene           TEXT NOT NULL,
    notes                 TEXT NOT NULL,  -- JSON list
    info                  TEXT NOT NULL,  -- the record's INFO column as it came
    record_locator        TEXT NOT NULL
) STRICT;

CREATE INDEX variant_call_test ON variant_call (test_id);
CREATE INDEX variant_call_position ON variant_call (build, chrom, pos);
CREATE INDEX variant_call_gene ON variant_call (gene);
