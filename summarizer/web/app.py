"""The application factory: settings, Redis, blueprints, and the one error-to-HTTP mapping."""

import logging

import redis
from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from summarizer.web import addin, api, auth, ops
from summarizer.web import openapi
from summarizer.config import Settings
from summarizer.queue.connection import connect
from summarizer.errors import SummarizerError
from summarizer.extract import offload

log = logging.getLogger(__name__)


def create_app(test_config=None):
    """Build the app. `test_config` keys that name settings override the environment."""
    settings, flask_config = _split_config(test_config or {})
    app = Flask(__name__)
    app.config.from_mapping(MAX_CONTENT_LENGTH=settings.max_content_length, SETTINGS=settings)
    app.json.sort_keys = False
    app.config.update(flask_config)
    if settings.proxy_hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)
    app.extensions["redis"] = connect(settings, start_embedded=True)
    _register_error_handlers(app)
    auth.init_app(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(ops.bp)
    app.register_blueprint(addin.bp)
    app.register_blueprint(openapi.bp)
    offload.warm()  # under gunicorn: the document threads start now, not on a request's time
    return app


def _split_config(test_config):
    """Separate settings (any case) from plain Flask config such as TESTING."""
    names = {name.upper() for name in Settings.__dataclass_fields__}
    overrides = {k: v for k, v in test_config.items() if k.upper() in names}
    flask_config = {k: v for k, v in test_config.items() if k.upper() not in names}
    return Settings.from_env(overrides=overrides), flask_config


def _error_response(code, message, status, headers=None):
    return jsonify({"error": {"code": code, "message": message}}), status, headers or {}


def _register_error_handlers(app):
    @app.errorhandler(SummarizerError)
    def summarizer_error(error):
        return jsonify(error.to_dict()), error.status, error.headers

    @app.errorhandler(HTTPException)
    def http_error(error):
        code = "too_large" if error.code == 413 else error.name.lower().replace(" ", "_")
        return _error_response(code, error.description, error.code)

    @app.errorhandler(redis.exceptions.ConnectionError)
    @app.errorhandler(redis.exceptions.TimeoutError)
    def redis_down(error):
        log.warning("redis unavailable: %s", error)
        return _error_response("redis_unavailable", "The queue (Redis) is unreachable; retry shortly.",
                               503, {"Retry-After": "5"})

    @app.errorhandler(Exception)
    def unexpected(error):
        log.exception("unhandled error")
        return _error_response("internal_error", "Internal error; see the server log.", 500)
