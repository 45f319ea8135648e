-- Schema 3: ClinVar releases as NCBI publishes them (clinvar.vcf.gz), one dated release per build.
--
-- A release holds ~3.6 million alleles. The text that repeats across alleles (the raw CLNSIG,
-- CLNREVSTAT, CLNDN+CLNDISDB and GENEINFO values) is kept once in small lookup tables shared by
-- all releases, so an allele row is a few integers plus its position. Lookup-table rows are only
-- ever added, in the same transaction as the release that first needed them.

CREATE TABLE clinvar_release (
    id            INTEGER PRIMARY KEY,
    build         TEXT NOT NULL CHECK (build IN ('GRCh37', 'GRCh38')),
    release_date  TEXT NOT NULL CHECK (release_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    file_name     TEXT NOT NULL,
    file_size     INTEGER NOT NULL CHECK (file_size > 0),
    sha256        TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),
    records       INTEGER NOT NULL CHECK (records >= 0),  -- data lines read
    alleles       INTEGER NOT NULL CHECK (alleles >= 0),  -- rows stored in clinvar_allele
    loaded_at     TEXT NOT NULL,
    loaded_by     TEXT NOT NULL,
    UNIQUE (build, release_date)
) STRICT;

-- CLNSIG exactly as written in the file, and our class for it.
CREATE TABLE clinvar_classification (
    id              INTEGER PRIMARY KEY,
    clnsig          TEXT NOT NULL UNIQUE,
    classification  TEXT NOT NULL CHECK (classification IN ('pathogenic', 'likely_pathogenic',
                        'uncertain_significance', 'likely_benign', 'benign', 'conflicting', 'other')),
    low_penetrance  INTEGER NOT NULL CHECK (low_penetrance IN (0, 1))
) STRICT;

-- CLNREVSTAT exactly as written, and ClinVar's gold stars for it (0-4).
CREATE TABLE clinvar_review_status (
    id          INTEGER PRIMARY KEY,
    clnrevstat  TEXT NOT NULL UNIQUE,
    stars       INTEGER NOT NULL CHECK (stars BETWEEN 0 AND 4)
) STRICT;

-- CLNDN (condition names) with CLNDISDB (their database ids), both as written.
CREATE TABLE clinvar_conditions (
    id        INTEGER PRIMARY KEY,
    clndn     TEXT NOT NULL,
    clndisdb  TEXT NOT NULL,
    UNIQUE (clndn, clndisdb)
) STRICT;

-- GENEINFO as written: symbol:NCBI Gene ID pairs separated by '|'.
CREATE TABLE clinvar_genes (
    id        INTEGER PRIMARY KEY,
    geneinfo  TEXT NOT NULL UNIQUE
) STRICT;

-- One row per allele of a release. Chromosomes are 1-22, X, Y, MT. Several ClinVar Variation IDs
-- can share one VCF allele, so (release, chrom, pos, ref, alt) is deliberately not unique.
-- The id columns name rows of the tables above but declare no REFERENCES: checking five foreign
-- keys per row doubled the load time of a full release (3.6 million rows). Only the loader
-- writes here, and it takes every id from those tables inside the same transaction.
CREATE TABLE clinvar_allele (
    release_id         INTEGER NOT NULL,
    chrom              TEXT NOT NULL,
    pos                INTEGER NOT NULL CHECK (pos > 0),
    ref                TEXT NOT NULL,
    alt                TEXT NOT NULL,
    variation_id       INTEGER NOT NULL,
    allele_id          INTEGER,
    classification_id  INTEGER NOT NULL,
    review_status_id   INTEGER NOT NULL,
    conditions_id      INTEGER,
    genes_id           INTEGER,
    clnsigconf         TEXT  -- CLNSIGCONF as written, for conflicting classifications
) STRICT;

CREATE INDEX clinvar_allele_site ON clinvar_allele (release_id, chrom, pos);
