"""The web service: ``create_app`` builds the Flask (APIFlask) app with the API and the web pages.

Settings come from the environment (``ARGMAP_*``), then from the ``config`` dict given.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading

from apiflask import APIFlask
from flask import current_app, jsonify, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from argmap import __version__, jobs
from argmap.config import env_int, instance_path
from argmap.errors import ArgmapError

STATUS_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    406: "not_acceptable", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
    422: "invalid_input", 429: "rate_limited", 500: "internal_error", 503: "unavailable",
}

_recovered: set[str] = set()
_recovered_lock = threading.Lock()


def default_config() -> dict:
    """The settings create_app starts from, read from the environment."""
    tokens = [t.strip() for t in os.environ.get("ARGMAP_API_TOKENS", "").split(",") if t.strip()]
    broker = jobs.broker_url()
    return {
        "API_TOKENS": tokens,
        "MAX_BATCH": env_int("ARGMAP_MAX_BATCH", 100),
        "MAX_CONTENT_LENGTH": env_int("ARGMAP_MAX_REQUEST_BYTES", 32 * 1024 * 1024),
        "READ_RATE_LIMIT": os.environ.get("ARGMAP_READ_RATE_LIMIT", "600/minute"),
        "WRITE_RATE_LIMIT": os.environ.get("ARGMAP_WRITE_RATE_LIMIT", "60/minute"),
        "RATELIMIT_ENABLED": os.environ.get("ARGMAP_RATE_LIMITS", "on") != "off",
        "RATELIMIT_STORAGE_URI": broker if broker and broker.startswith("redis") else "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,  # a Redis outage must not turn every request into a 500 …
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,  # … limits then count in memory until it is back
        "JOBS_BACKEND": None,  # a jobs.Backend; None: jobs.get_backend()
        # the docs page's Swagger UI from web/node_modules (served by the ui blueprint), never a CDN
        "SWAGGER_UI_BUNDLE_JS": "/vendor/swagger-ui-bundle.js",
        "SWAGGER_UI_STANDALONE_PRESET_JS": "/vendor/swagger-ui-standalone-preset.js",
        "SWAGGER_UI_CSS": "/vendor/swagger-ui.css",
        "RECOVER_JOBS": True,  # re-queue what a stopped service left unfinished
        "VALIDATION_ERROR_STATUS_CODE": 422,
        "AUTO_404_RESPONSE": True,
        "DOCS_UI": "swagger-ui",
    }


def create_app(config: dict | None = None) -> APIFlask:
    """The argmap web app: ``/api/v1`` (REST + OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    app = APIFlask("argmap", title="argmap API", version=__version__, instance_path=str(instance_path()),
                   spec_path="/api/v1/openapi.json", docs_path="/api/v1/docs")
    app.config.update(default_config())
    app.config.update(config or {})
    from argmap.service.schemas import ErrorOut, document_constraints

    app.spec_processor(document_constraints)
    app.config["HTTP_ERROR_SCHEMA"] = ErrorOut
    app.config["VALIDATION_ERROR_SCHEMA"] = ErrorOut
    app.info = {"description": "Map the claims in Hacker News and Reddit threads and which claims support, "
                               "rebut or restate which. Queue analyses, poll them, download GraphML/JSON."}

    register_error_handlers(app)
    register_rate_limits(app)
    register_blueprints(app)

    backend = app.config["JOBS_BACKEND"] or jobs.get_backend()
    app.extensions["argmap_jobs"] = backend
    if app.config["RECOVER_JOBS"]:
        recover_once(backend)
    return app


def register_blueprints(app: APIFlask) -> None:
    """The API, and the web pages."""
    from argmap.service.api import bp as api_bp

    app.register_blueprint(api_bp)
    # --- web UI (issue 6): register the `ui` blueprint here -------------------------
    from argmap.service import ui

    ui.init_app(app)


def job_backend() -> jobs.Backend:
    """The job backend of the current app (pass it to ``jobs.queue_analysis``)."""
    return current_app.extensions["argmap_jobs"]


def recover_once(backend: jobs.Backend) -> list[str]:
    """Re-queue what a stopped service left unfinished, once per process and database."""
    from argmap.store import database_url

    with _recovered_lock:
        url = database_url()
        if url in _recovered:
            return []
        _recovered.add(url)
    return jobs.recover(backend)


def error_body(code: str, message: str, detail=None) -> dict:
    error = {"code": code, "message": message}
    if detail:
        error["detail"] = detail
    return {"error": error}


def register_error_handlers(app: APIFlask) -> None:
    """Every error is JSON ``{"error": {"code", "message"}}`` with the matching status."""

    @app.error_processor
    def _http_error(error):
        code = error.extra_data.get("code") or STATUS_CODES.get(error.status_code, "error")
        message = error.message
        if error.status_code == 400 and request.is_json and request.get_json(silent=True) is None:
            code, message = "malformed_json", "the request body is not valid JSON"
        elif error.status_code == 422 and error.detail:
            message = "the request is invalid: " + _first_problem(error.detail)
        elif error.status_code == 413 and message == "Request Entity Too Large":
            message = f"the request body is larger than {app.config['MAX_CONTENT_LENGTH']:,} bytes"
        elif error.status_code == 429:
            message = f"too many requests ({message}); slow down and retry later"
        return error_body(code, message, error.detail), error.status_code, error.headers

    @app.errorhandler(ArgmapError)
    def _argmap_error(error: ArgmapError):
        return jsonify(error_body(error.code, error.message)), error.status

    @app.errorhandler(RecursionError)
    def _too_deep(error):
        # JSON nested deeper than the parser (or a walk over it) can recurse: bad input, not a crash
        return jsonify(error_body("malformed_json", "the request body is nested too deeply")), 400

    @app.errorhandler(500)
    def _internal_error(error):
        app.logger.error("internal error on %s %s", request.method, request.path)
        return jsonify(error_body("internal_error", "the server failed; the error has been logged")), 500


def _first_problem(detail: dict) -> str:
    """'json.items.0.url: Not a valid string.' from marshmallow's nested error dict."""
    path, node = [], detail
    while isinstance(node, dict) and node:
        key, node = next(iter(node.items()))
        path.append(str(key))
    message = node[0] if isinstance(node, list) and node else str(node)
    return f"{'.'.join(path)}: {message}"


def valid_token(token: str | None) -> bool:
    """Whether ``token`` is one of API_TOKENS, compared in constant time with every one of them."""
    if not token:
        return False
    given = token.encode("utf-8", "surrogatepass")
    found = False
    for candidate in current_app.config["API_TOKENS"]:
        found |= hmac.compare_digest(given, candidate.encode("utf-8", "surrogatepass"))
    return found


def bearer_token() -> str | None:
    """The token of an ``Authorization: Bearer …`` header, if any."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer ") and header[7:].strip():
        return header[7:].strip()
    return None


def rate_limit_key() -> str:
    """A valid bearer token's bucket (by its hash), else the client address: a made-up or wrong
    token counts against its address, so failed authentication is rate limited too."""
    token = bearer_token()
    if token and valid_token(token):
        return "token:" + hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return "ip:" + (get_remote_address() or "unknown")


def register_rate_limits(app: APIFlask) -> None:
    """Per token/IP limits on the API: reads and writes counted apart."""

    def current_limit() -> str:
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            return app.config["WRITE_RATE_LIMIT"]
        return app.config["READ_RATE_LIMIT"]

    limiter = Limiter(rate_limit_key, app=app, default_limits=[current_limit], default_limits_per_method=True,
                      default_limits_exempt_when=lambda: not request.path.startswith("/api/v1/")
                      or request.path.endswith(("/openapi.json", "/docs", "/health")))
    app.extensions["argmap_limiter"] = limiter
