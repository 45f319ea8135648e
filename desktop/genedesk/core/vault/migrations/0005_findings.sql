-- Schema 5: findings — variant calls under interpretation — and their classification history.

CREATE TABLE finding (
    id                  INTEGER PRIMARY KEY,
    patient_id          INTEGER NOT NULL REFERENCES patient (id),
    call_id             INTEGER NOT NULL UNIQUE REFERENCES variant_call (id),
    gene                TEXT NOT NULL,
    condition           TEXT NOT NULL,  -- the knowledge base's condition name, '' when unknown
    inheritance         TEXT NOT NULL,  -- AD, AR, XL, ... as the knowledge base gives it, '' when unknown
    category            TEXT NOT NULL CHECK (category IN ('primary', 'secondary', 'pharmacogenomic')),
    classification      TEXT NOT NULL CHECK (classification IN
                            ('pathogenic', 'likely_pathogenic', 'uncertain_significance', 'likely_benign', 'benign')),
    classification_source TEXT NOT NULL,  -- where the class came from, in words shown to the counsellor
    criteria            TEXT NOT NULL,    -- JSON list of applied ACMG/AMP criteria, [] when none
    points              INTEGER,          -- Tavtigian 2020 points when criteria were applied
    points_class        TEXT,
    richards_rules      TEXT NOT NULL,    -- JSON list of the Richards 2015 rules that fired
    clinvar_release     TEXT NOT NULL,    -- release date of the ClinVar record used, '' when none
    clinvar_significance TEXT NOT NULL,
    clinvar_stars       INTEGER,
    status              TEXT NOT NULL CHECK (status IN ('proposed', 'confirmed', 'excluded')),
    in_report           INTEGER NOT NULL CHECK (in_report IN (0, 1)),
    explanation         TEXT,             -- JSON paragraphs edited by the counsellor; NULL = the standard text
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
) STRICT;

CREATE INDEX finding_patient ON finding (patient_id);

-- Append-only history of every classification a finding has had.
CREATE TABLE classification_event (
    id              INTEGER PRIMARY KEY,
    finding_id      INTEGER NOT NULL REFERENCES finding (id),
    at              TEXT NOT NULL,
    staff           TEXT NOT NULL,
    classification  TEXT NOT NULL,
    source          TEXT NOT NULL,
    criteria        TEXT NOT NULL,
    points          INTEGER,
    reason          TEXT NOT NULL
) STRICT;

CREATE TRIGGER classification_event_no_update BEFORE UPDATE ON classification_event
BEGIN
    SELECT RAISE(ABORT, 'classification history cannot be changed');
END;

CREATE TRIGGER classification_event_no_delete BEFORE DELETE ON classification_event
BEGIN
    SELECT RAISE(ABORT, 'classification history cannot be deleted');
END;
