"""The installed program's entry point: PyInstaller runs this file as __main__."""

import multiprocessing
import sys

if __name__ == "__main__":
    # The VCF reader runs in a child process, and in the installed program that child is this
    # same executable started again (forkserver on Linux and macOS, spawn on Windows):
    # freeze_support turns such a start into the child before GeneDesk reads its arguments.
    multiprocessing.freeze_support()

    from genedesk.cli.main import main

    sys.exit(main())
