"""Consent and sharing: what each patient agreed to, and every release decided by it.

- `duo`: GA4GH Data Use Ontology terms as published, with plain-language words and hierarchy.
- `model`: consents, requests and decisions in the clinic's words, with their checks.
- `evaluate`: the pure, deny-by-default decision (`decide`).
- `forms`: the exact consent form texts, versioned and never edited.
- `service`: recording, withdrawing, requests and releases in the vault, each audited.
- `fhir`: FHIR R4 Consent and Genomics Reporting resources, validated.
- `release`: the release package (zip with manifest), de-identified with per-recipient pseudonyms.
- `receipts`: consent and withdrawal receipts (PDF).
"""
