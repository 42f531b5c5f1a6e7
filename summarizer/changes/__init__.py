"""What changed (issue 26): a Word file's review or the difference between two versions of a page
(`versions.py`), as change blocks (`blocks.py`), summarized and cited change by change
(`summary.py`). The reading of the revision marks and comments is extract/review.py's."""
