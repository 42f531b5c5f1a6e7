"""One module picks the backend (engine/backend.py); llm.py is the GGUF backend only, remote.py the
upstream only, with no import between them but remote's use of llm's tokenizer loader."""

import ast
import typing

import pytest

from summarizer.config import Settings
from summarizer.engine import backend
from summarizer.engine.estimate import EstimatedTokenizer
from tests.conftest import REPO

ENGINE = REPO / "summarizer" / "engine"


def imported(path):
    """The summarizer modules `path` imports, anywhere in it (lazy imports included)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("summarizer"):
            names |= {f"{node.module}.{alias.name}" for alias in node.names} | {node.module}
        elif isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names if alias.name.startswith("summarizer")}
    return names


def test_llm_knows_nothing_of_the_upstream_and_neither_backend_picks():
    llm, remote = imported(ENGINE / "llm.py"), imported(ENGINE / "remote.py")
    assert not any("remote" in name or "backend" in name or "upstream" in name for name in llm), llm
    assert not any("backend" in name for name in remote), remote


def test_only_the_picker_reads_the_backend_setting():
    """config.py defines and bounds the setting; everything else asks engine/backend.py."""
    readers = sorted(path.relative_to(REPO).as_posix() for path in (REPO / "summarizer").rglob("*.py")
                     if "settings.backend" in path.read_text() or ".backend ==" in path.read_text())
    assert readers == ["summarizer/config.py", "summarizer/engine/backend.py"], readers


def test_the_gguf_model_and_the_estimate_keep_the_tokenizer_interface():
    checkable = typing.runtime_checkable(backend.Tokenizer)
    gguf = backend.tokenizer_for(Settings.from_mapping({"n_ctx": 1024}))
    assert isinstance(gguf, checkable) and isinstance(EstimatedTokenizer(1024), checkable)
    assert isinstance(gguf, typing.runtime_checkable(backend.Model))


def test_an_unreachable_upstream_plans_by_estimate():
    settings = Settings.from_mapping({"backend": "openai", "upstream_url": "http://127.0.0.1:9",
                                      "n_ctx": 2048})
    assert backend.uses_upstream(settings)
    tokenizer = backend.tokenizer_for(settings)
    assert isinstance(tokenizer, EstimatedTokenizer) and tokenizer.n_ctx == 2048


@pytest.mark.parametrize("name", ["Tokenizer", "Model", "Generation", "Run"])
def test_the_interfaces_are_protocols(name):
    assert typing.Protocol in getattr(backend, name).__mro__
