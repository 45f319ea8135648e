-- Schema 4: consents, the form texts patients saw, sharing requests and every release made.
--
-- What was agreed is never rewritten: form texts, consents, status events and releases refuse
-- UPDATE and DELETE. A consent's status is its latest event (given, declined, withdrawn,
-- expired). Only a sharing request's status moves (pending -> denied / released).

-- The key behind per-recipient pseudonyms (HMAC-SHA256); lives only inside the encrypted vault.
CREATE TABLE consent_secret (
    name   TEXT PRIMARY KEY,
    value  BLOB NOT NULL CHECK (length(value) >= 32)
) STRICT;

INSERT INTO consent_secret (name, value) VALUES ('pseudonym_key', randomblob(32));

CREATE TRIGGER consent_secret_no_update BEFORE UPDATE ON consent_secret
BEGIN
    SELECT RAISE(ABORT, 'the pseudonym key cannot be changed');
END;

-- The exact text a patient saw. A change makes a new version; a version is never edited.
CREATE TABLE consent_form (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('secondary-findings', 'recontact', 'relatives',
                                              'research', 'registry', 'clinical-care')),
    language    TEXT NOT NULL,
    version     INTEGER NOT NULL CHECK (version >= 1),
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    UNIQUE (kind, language, version)
) STRICT;

CREATE TRIGGER consent_form_no_update BEFORE UPDATE ON consent_form
BEGIN
    SELECT RAISE(ABORT, 'a consent form text is never edited: publish a new version');
END;

CREATE TRIGGER consent_form_no_delete BEFORE DELETE ON consent_form
BEGIN
    SELECT RAISE(ABORT, 'a consent form text cannot be deleted');
END;

-- What the patient agreed to (or declined): kind, form, DUO terms, scope, recipients, dates.
CREATE TABLE consent (
    id           INTEGER PRIMARY KEY,
    patient_id   INTEGER NOT NULL REFERENCES patient (id),
    kind         TEXT NOT NULL CHECK (kind IN ('secondary-findings', 'recontact', 'relatives',
                                               'research', 'registry', 'clinical-care')),
    form_id      INTEGER NOT NULL REFERENCES consent_form (id),
    terms        TEXT NOT NULL,  -- JSON: permission, disease, modifiers, data, recipients, identified
    valid_from   TEXT NOT NULL,  -- YYYY-MM-DD
    valid_until  TEXT,           -- YYYY-MM-DD, from the DUO time limit (TS)
    created_at   TEXT NOT NULL,
    CHECK (valid_until IS NULL OR valid_until >= valid_from)
) STRICT;

CREATE INDEX consent_by_patient ON consent (patient_id);

CREATE TRIGGER consent_no_update BEFORE UPDATE ON consent
BEGIN
    SELECT RAISE(ABORT, 'a recorded consent is never changed: record a new one');
END;

CREATE TRIGGER consent_no_delete BEFORE DELETE ON consent
BEGIN
    SELECT RAISE(ABORT, 'a recorded consent cannot be deleted');
END;

-- Each change of a consent's status: when, who recorded it, how the patient gave it, the form.
CREATE TABLE consent_event (
    id               INTEGER PRIMARY KEY,
    consent_id       INTEGER NOT NULL REFERENCES consent (id),
    status           TEXT NOT NULL CHECK (status IN ('given', 'declined', 'withdrawn', 'expired')),
    at               TEXT NOT NULL,
    recorded_by      TEXT NOT NULL,
    method           TEXT CHECK (method IN ('signed', 'paper', 'verbal')),
    witness          TEXT,
    evidence         BLOB,           -- the signature drawn on screen (PNG) or the scanned paper
    evidence_type    TEXT CHECK (evidence_type IN ('image/png', 'image/jpeg', 'application/pdf')),
    evidence_sha256  TEXT,
    reason           TEXT,
    form_id          INTEGER REFERENCES consent_form (id),
    CHECK (status = 'expired' OR method IS NOT NULL),
    CHECK (method IS NOT 'verbal' OR witness IS NOT NULL),
    CHECK (method IS NOT 'signed' OR evidence_type = 'image/png'),
    CHECK (method IS NOT 'paper' OR evidence IS NOT NULL),
    CHECK ((evidence IS NULL) = (evidence_sha256 IS NULL))
) STRICT;

CREATE INDEX consent_event_by_consent ON consent_event (consent_id, id);

CREATE TRIGGER consent_event_no_update BEFORE UPDATE ON consent_event
BEGIN
    SELECT RAISE(ABORT, 'a consent event cannot be changed');
END;

CREATE TRIGGER consent_event_no_delete BEFORE DELETE ON consent_event
BEGIN
    SELECT RAISE(ABORT, 'a consent event cannot be deleted');
END;

-- A request to share one patient's data, and the latest decision on it.
CREATE TABLE sharing_request (
    id                 INTEGER PRIMARY KEY,
    patient_id         INTEGER NOT NULL REFERENCES patient (id),
    details            TEXT NOT NULL,  -- JSON: requester, type, country, ethics, purpose, data …
    status             TEXT NOT NULL DEFAULT 'pending'
                       CHECK (status IN ('pending', 'denied', 'released')),
    decision           TEXT,           -- JSON of the latest decision, with every reason
    governing_consent  INTEGER REFERENCES consent (id),
    decided_at         TEXT,
    created_at         TEXT NOT NULL,
    created_by         TEXT NOT NULL
) STRICT;

CREATE INDEX sharing_request_by_patient ON sharing_request (patient_id);

-- Every release: to whom, when, what (each file's hash) and the package's own hash.
CREATE TABLE consent_release (
    id              INTEGER PRIMARY KEY,
    request_id      INTEGER NOT NULL REFERENCES sharing_request (id),
    consent_id      INTEGER NOT NULL REFERENCES consent (id),
    patient_id      INTEGER NOT NULL REFERENCES patient (id),
    recipient       TEXT NOT NULL,
    released_at     TEXT NOT NULL,
    released_by     TEXT NOT NULL,
    deidentified    INTEGER NOT NULL CHECK (deidentified IN (0, 1)),
    contents        TEXT NOT NULL,  -- JSON: data categories and files with their SHA-256
    package_sha256  TEXT NOT NULL
) STRICT;

CREATE INDEX consent_release_by_consent ON consent_release (consent_id);

CREATE TRIGGER consent_release_no_update BEFORE UPDATE ON consent_release
BEGIN
    SELECT RAISE(ABORT, 'a release record cannot be changed');
END;

CREATE TRIGGER consent_release_no_delete BEFORE DELETE ON consent_release
BEGIN
    SELECT RAISE(ABORT, 'a release record cannot be deleted');
END;
