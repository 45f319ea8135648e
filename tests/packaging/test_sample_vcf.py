"""The self-test's sample VCF is what its script makes from the current derived tables."""

from __future__ import annotations

import subprocess
import sys

from support import REPO


def test_the_sample_vcf_is_up_to_date() -> None:
    done = subprocess.run([sys.executable, str(REPO / "resources" / "samples" / "make_sample_vcf.py"),
                           "--check"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
