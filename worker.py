#!/usr/bin/env python3
"""Start one worker (one GPU, one model): the same as `summarizer worker`. See --help."""

import sys

from summarizer.cli import main

if __name__ == "__main__":
    main(args=["worker", *sys.argv[1:]], prog_name="worker.py")
