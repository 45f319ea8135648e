-- Schema 6: reports. A report is one document about one patient (patient letter, clinician
-- report, or a family letter about one finding); each of its versions keeps the PDF bytes as
-- printed and their SHA-256. A final or amended version can never be changed or removed: only
-- a draft may be replaced, and an amendment is a new version that names the one it replaces.

CREATE TABLE report (
    id          INTEGER PRIMARY KEY,
    number      TEXT NOT NULL UNIQUE,  -- printed on every page, e.g. R-000012
    patient_id  INTEGER NOT NULL REFERENCES patient (id),
    kind        TEXT NOT NULL CHECK (kind IN ('patient', 'clinician', 'family')),
    finding_id  INTEGER REFERENCES finding (id),  -- the finding a family letter is about
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    CHECK ((kind = 'family') = (finding_id IS NOT NULL))
) STRICT;

CREATE INDEX report_patient ON report (patient_id);

CREATE TRIGGER report_no_update BEFORE UPDATE ON report
BEGIN
    SELECT RAISE(ABORT, 'a report''s number, patient and kind cannot be changed');
END;

CREATE TABLE report_version (
    report_id         INTEGER NOT NULL REFERENCES report (id),
    version           INTEGER NOT NULL CHECK (version >= 1),
    status            TEXT NOT NULL CHECK (status IN ('draft', 'final', 'amended')),
    report_date       TEXT NOT NULL,  -- the date printed in the report (ISO 8601)
    replaces_version  INTEGER,        -- set on an amendment (and on its draft)
    amendment_reason  TEXT,
    pdf               BLOB NOT NULL,
    sha256            TEXT NOT NULL,
    size              INTEGER NOT NULL,
    large_print       INTEGER NOT NULL CHECK (large_print IN (0, 1)),
    language          TEXT NOT NULL,
    signed_by         TEXT,           -- the signer named in a final version
    saved_at          TEXT NOT NULL,
    saved_by          TEXT NOT NULL,
    PRIMARY KEY (report_id, version),
    CHECK (status != 'amended' OR (replaces_version IS NOT NULL AND amendment_reason IS NOT NULL)),
    CHECK (status != 'final' OR replaces_version IS NULL),
    CHECK ((replaces_version IS NULL) = (amendment_reason IS NULL)),
    CHECK (replaces_version IS NULL OR replaces_version < version),
    CHECK (length(sha256) = 64 AND size = length(pdf))
) STRICT;

CREATE TRIGGER report_version_final_is_immutable BEFORE UPDATE ON report_version
WHEN OLD.status != 'draft'
BEGIN
    SELECT RAISE(ABORT, 'a final report version cannot be changed');
END;

CREATE TRIGGER report_version_final_is_kept BEFORE DELETE ON report_version
WHEN OLD.status != 'draft'
BEGIN
    SELECT RAISE(ABORT, 'a final report version cannot be removed');
END;
