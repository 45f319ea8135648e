-- Schema 7: which findings each report version printed, and the class it printed for each, so the
-- reclassification worklist knows exactly what each patient was told (not a guess from today's data).

CREATE TABLE report_version_finding (
    report_id       INTEGER NOT NULL,
    version         INTEGER NOT NULL,
    finding_id      INTEGER NOT NULL,  -- findings are never deleted; reports may also print ones built elsewhere
    classification  TEXT NOT NULL,
    PRIMARY KEY (report_id, version, finding_id),
    FOREIGN KEY (report_id, version) REFERENCES report_version (report_id, version)
) STRICT;

CREATE INDEX report_version_finding_finding ON report_version_finding (finding_id);

CREATE TRIGGER report_version_finding_no_update BEFORE UPDATE ON report_version_finding
BEGIN
    SELECT RAISE(ABORT, 'what a report printed cannot be changed');
END;

-- Only a draft's list may be replaced (when the draft is saved again).
CREATE TRIGGER report_version_finding_keep_final BEFORE DELETE ON report_version_finding
WHEN (SELECT status FROM report_version WHERE report_id = OLD.report_id AND version = OLD.version) != 'draft'
BEGIN
    SELECT RAISE(ABORT, 'what a final report printed cannot be changed');
END;
