"""Knowledge GeneDesk ships: gene facts, ACMG/AMP classification, plain-language explanations.

Each module reads its own files under `resources/knowledge/`; nothing here touches the vault.
"""
