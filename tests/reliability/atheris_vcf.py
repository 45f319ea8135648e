"""Coverage-guided fuzzing of the VCF reader with atheris, run by hand (pytest does not collect it).

    uv pip install atheris          # not a project dependency: a by-hand tool
    uv run python tests/reliability/atheris_vcf.py -atheris_runs=20000 [CORPUS_DIR ...]

atheris (libFuzzer for Python) mutates bytes and keeps the inputs that reach new lines of
GeneDesk's own Python code: the container sniffing and header parser (genomics.source,
genomics.header), the build detection and the record checks. htslib itself runs in the reader's
child process, where atheris sees no coverage; a crash there must still come back as a refusal.
Without CORPUS_DIR the seeds of test_fuzz_vcf.py (../shared/data) are written to a temporary
corpus first. Any exception other than BadInputError / UsageError naming the file is reported
by atheris as a crash, with the input saved as crash-<hash> in the current folder.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    import atheris

    sys.path[:0] = [str(HERE.parent), str(HERE)]
    with atheris.instrument_imports(include=["genedesk"]):
        from genedesk.core.errors import BadInputError, UsageError
        from genedesk.core.genomics import KeepRules, read_vcf, shutdown_readers

    from test_fuzz_vcf import seed_files

    work = Path(tempfile.mkdtemp(prefix="genedesk-atheris-"))
    target = work / "fuzzed.vcf"
    keep = KeepRules.keep_everything()

    def one_input(data: bytes) -> None:
        target.write_bytes(data)
        for build in (None, "GRCh37"):
            try:
                read_vcf(target, build=build, keep=keep)
            except (BadInputError, UsageError) as refusal:
                if target.name not in refusal.message and "genome build" not in refusal.message:
                    raise AssertionError(f"refusal without the file's name: {refusal}") from None

    argv = sys.argv
    if not any(not arg.startswith("-") for arg in argv[1:]):
        corpus = work / "corpus"
        corpus.mkdir()
        for seed in seed_files():
            (corpus / seed.name).write_bytes(seed.raw)
        argv = [*argv, str(corpus)]
    atheris.Setup(argv, one_input)
    try:
        atheris.Fuzz()
    finally:
        shutdown_readers()


if __name__ == "__main__":  # the reader's child processes are spawned: import must not fuzz
    main()
