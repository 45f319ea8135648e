"""Reading the lab's VCF: genome build, splitting and trimming alleles, zygosity, genomic HGVS,
the annotations already in the file, and which calls to keep.

No Qt and no vault here: `read_vcf` returns plain data that the import service stores.
"""

from genedesk.core.genomics.build import BuildUnknownError
from genedesk.core.genomics.model import (
    BuildEvidence,
    FileFacts,
    GeneRegion,
    KeepRules,
    PharmacogenomicPosition,
    ReadSummary,
    TranscriptAnnotation,
    VariantCall,
    VcfReadResult,
)
from genedesk.core.genomics.reader import read_vcf, shutdown_readers, warm_up

__all__ = [
    "BuildEvidence",
    "BuildUnknownError",
    "FileFacts",
    "GeneRegion",
    "KeepRules",
    "PharmacogenomicPosition",
    "ReadSummary",
    "TranscriptAnnotation",
    "VariantCall",
    "VcfReadResult",
    "read_vcf",
    "shutdown_readers",
    "warm_up",
]
