"""Pharmacogenomics: diplotypes, phenotypes and CPIC recommendations from genotypes.

The engine's input is a plain mapping (chromosome, position) → ObservedGenotype, so it does not
depend on how genotypes were read (`vcf.read_pgx_genotypes` for files, stored calls later).
"""
