"""bench/README.md: each benchmark owns one "## " section and rewrites only that one."""

import re
from pathlib import Path

README = Path(__file__).resolve().parent / "README.md"


def write_section(heading, section, readme=README):
    """Replace the section that starts with `heading` (or append it), leaving the others alone."""
    text = readme.read_text() if readme.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.M | re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: section.rstrip("\n") + "\n\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    readme.write_text(text.rstrip("\n") + "\n")
