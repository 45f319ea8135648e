-- Schema 1: staff, audit trail, patients.

CREATE TABLE vault_info (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE staff (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE COLLATE NOCASE,
    role            TEXT NOT NULL CHECK (role IN ('admin', 'counsellor')),
    password_hash   TEXT NOT NULL,
    active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    failed_signins  INTEGER NOT NULL DEFAULT 0,
    last_failed_at  TEXT,
    created_at      TEXT NOT NULL
) STRICT;

-- Append-only: each event carries the hash of the one before it.
CREATE TABLE audit_event (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    staff      TEXT NOT NULL,
    action     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    details    TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL UNIQUE
) STRICT;

CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
BEGIN
    SELECT RAISE(ABORT, 'audit events cannot be changed');
END;

CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
BEGIN
    SELECT RAISE(ABORT, 'audit events cannot be deleted');
END;

CREATE TABLE patient (
    id           INTEGER PRIMARY KEY,
    mrn          TEXT NOT NULL UNIQUE,
    given_name   TEXT NOT NULL,
    family_name  TEXT NOT NULL,
    birth_date   TEXT NOT NULL,
    sex_at_birth TEXT NOT NULL CHECK (sex_at_birth IN ('female', 'male', 'unknown')),
    language     TEXT NOT NULL DEFAULT 'en',
    search_text  TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
) STRICT;

CREATE INDEX patient_family_given ON patient (family_name COLLATE NOCASE, given_name COLLATE NOCASE);
