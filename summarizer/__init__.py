"""summarizer: a self-hosted "summarize this" backend on your own GPUs."""

import os

__version__ = "0.1.0"
__all__ = ["create_app", "__version__"]

# llama.cpp's OpenMP threads spin while waiting by default. On a machine where anything else runs
# (the API, another worker, a browser) that spinning starves them: prompt evaluation measured 4x
# slower on 2 cores. Passive waiting costs nothing measurable on an idle machine. It must be set
# before llama_cpp is first imported, hence here; an operator's own value wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def __getattr__(name):
    # Lazy, so that light entry points (the parse child, health checks) do not import Flask and RQ.
    if name == "create_app":
        from summarizer.web.app import create_app

        return create_app
    raise AttributeError(name)
