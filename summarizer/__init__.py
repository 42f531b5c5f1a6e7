"""summarizer: a self-hosted "summarize this" backend on your own GPUs."""

__version__ = "0.1.0"

from summarizer.app import create_app  # noqa: E402

__all__ = ["create_app", "__version__"]
