"""The web service: ``create_app`` builds the Flask (APIFlask) app with the API and the web pages.

The app factory reads the settings once (``Settings.from_env``, or the ``settings`` given),
turns them into the app's config, then applies ``test_config`` over it, as the Flask
tutorial's ``create_app(test_config)`` does. The store opens ``DATABASE_URL`` from that
config; the job backend and the pipeline get the settings.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
from pathlib import Path

from apiflask import APIFlask
from flask import current_app, jsonify, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from sqlalchemy.exc import OperationalError

from argmap import __version__, jobs
from argmap.errors import ArgmapError, UnsupportedSourceError
from argmap.settings import Settings
from argmap.sources.urls import ACCEPTED_URL_FORMS
from argmap.store import Store

STATUS_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    406: "not_acceptable", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
    422: "invalid_input", 429: "rate_limited", 500: "internal_error", 503: "unavailable",
}

_recovered: set[str] = set()
_recovered_lock = threading.Lock()


def config_from_settings(settings: Settings) -> dict:
    """The Flask config create_app starts from."""
    broker = settings.broker_url
    return {
        "SETTINGS": settings,  # what the pipeline and the job backend run with
        "DATABASE_URL": settings.database,
        "WEB_LIBRARIES": str(settings.web_libraries_folder),
        "API_TOKENS": list(settings.api_tokens),
        "MAX_BATCH": settings.max_batch,
        "LIST_ALL_ANALYSES": settings.list_all_analyses,  # the home page lists everyone's, not the visitor's
        "MAX_COMMENTS": settings.max_comments,
        "MAX_CONTENT_LENGTH": settings.max_request_bytes,
        "READ_RATE_LIMIT": settings.read_rate_limit,
        "WRITE_RATE_LIMIT": settings.write_rate_limit,
        "RATELIMIT_ENABLED": settings.rate_limits,
        "RATELIMIT_STORAGE_URI": broker if broker and broker.startswith("redis") else "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,  # a Redis outage must not turn every request into a 500 …
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,  # … limits then count in memory until it is back
        "JOBS_BACKEND": None,  # a jobs.Backend; None: jobs.get_backend(settings)
        # the docs page's Swagger UI from web/node_modules (served by the ui blueprint), never a CDN
        "SWAGGER_UI_BUNDLE_JS": "/vendor/swagger-ui-bundle.js",
        "SWAGGER_UI_STANDALONE_PRESET_JS": "/vendor/swagger-ui-standalone-preset.js",
        "SWAGGER_UI_CSS": "/vendor/swagger-ui.css",
        "RECOVER_JOBS": True,  # re-queue what a stopped service left unfinished
        "VALIDATION_ERROR_STATUS_CODE": 422,
        "AUTO_404_RESPONSE": True,
        "DOCS_UI": "swagger-ui",
    }


def create_app(test_config: dict | None = None, *, settings: Settings | None = None) -> APIFlask:
    """The argmap web app: ``/api/v1`` (REST + OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs).

    ``test_config`` overrides the config made from the settings; an ``INSTANCE_PATH`` in it
    moves the instance folder (and the default database with it).
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    test_config = dict(test_config or {})
    settings = settings or Settings.from_env()
    if "INSTANCE_PATH" in test_config:
        settings = settings.replace(instance_path=Path(test_config.pop("INSTANCE_PATH")))
    app = APIFlask("argmap", title="argmap API", version=__version__,
                   instance_path=str(settings.instance_folder),
                   spec_path="/api/v1/openapi.json", docs_path="/api/v1/docs")
    app.config.from_mapping(config_from_settings(settings))
    app.config.from_mapping(test_config)
    from argmap.service.schemas import ErrorOut, document_constraints

    app.spec_processor(document_constraints)
    app.config["HTTP_ERROR_SCHEMA"] = ErrorOut
    app.config["VALIDATION_ERROR_SCHEMA"] = ErrorOut
    app.info = {"description": "Map the claims in Hacker News and Reddit threads and which claims support, "
                               "rebut or restate which. Queue analyses, poll them, download GraphML/JSON."}

    register_error_handlers(app)
    register_rate_limits(app)
    register_blueprints(app)

    store = Store(app.config["DATABASE_URL"])
    backend = app.config["JOBS_BACKEND"] or jobs.get_backend(app.config["SETTINGS"])
    app.extensions["argmap_store"] = store
    app.extensions["argmap_jobs"] = backend
    if app.config["RECOVER_JOBS"]:
        recover_once(store, backend)
    return app


def register_blueprints(app: APIFlask) -> None:
    """The API, and the web pages."""
    from argmap.service.api import bp as api_bp

    app.register_blueprint(api_bp)
    from argmap.service import ui

    ui.init_app(app)


def job_backend() -> jobs.Backend:
    """The job backend of the current app (pass it to ``jobs.queue_analysis``)."""
    return current_app.extensions["argmap_jobs"]


def app_store() -> Store:
    """The store of the current app (on its ``DATABASE_URL``)."""
    return current_app.extensions["argmap_store"]


def canonical_item(item: dict) -> dict:
    """The item with a ``thread`` in any shape ``argmap analyze`` reads (a raw Reddit listing, a
    Hacker News Algolia or HNPWA item, canonical JSON) turned into canonical thread JSON."""
    thread = item.get("thread")
    if thread is None:
        return item
    from argmap.model import thread_to_dict
    from argmap.sources.files import parse_json_data

    return {**item, "thread": thread_to_dict(parse_json_data(thread))}


def queue_item(item: dict, idempotency_key: str | None = None, owner: str | None = None) -> dict:
    """Queue one request item on the current app's store and backend (``owner``: the token's hash)."""
    item = canonical_item(item)
    return jobs.queue_analysis(item, store=app_store(), backend=job_backend(),
                               max_comments=current_app.config["MAX_COMMENTS"], idempotency_key=idempotency_key,
                               owner=owner)


def recover_once(store: Store, backend: jobs.Backend) -> list[str]:
    """Re-queue what a stopped service left unfinished, once per process and database."""
    with _recovered_lock:
        if store.url in _recovered:
            return []
        _recovered.add(store.url)
    return jobs.recover(store, backend)


def error_body(code: str, message: str, detail=None) -> dict:
    error = {"code": code, "message": message}
    if detail:
        error["detail"] = detail
    return {"error": error}


def register_error_handlers(app: APIFlask) -> None:
    """Every error is JSON ``{"error": {"code", "message"}}`` with the matching status."""

    @app.before_request
    def _json_bodies_only():
        # a body the API would read sent as text or a form: say so, not "give exactly one of ..."
        if (request.path.startswith("/api/v1/") and request.method in ("POST", "PUT", "PATCH")
                and (request.content_length or 0) > 0 and not request.is_json):
            return jsonify(error_body("unsupported_media_type", "send the request body as JSON "
                                      "(Content-Type: application/json)")), 415

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
        detail = {"accepted_forms": list(ACCEPTED_URL_FORMS)} if isinstance(error, UnsupportedSourceError) else {}
        if getattr(error, "item", None) is not None:
            detail["item"] = error.item  # which batch item (from 0) the error is about
        return jsonify(error_body(error.code, error.message, detail or None)), error.status

    @app.errorhandler(OperationalError)
    def _store_unavailable(error):
        # the database is down, locked or read-only: nothing was stored; the client may retry
        app.logger.error("the store failed on %s %s: %s", request.method, request.path, error)
        return jsonify(error_body("store_unavailable", "the database cannot be written now; try again later")), 503

    @app.errorhandler(RecursionError)
    def _too_deep(error):
        # JSON nested deeper than the parser (or a walk over it) can recurse: bad input, not a crash
        return jsonify(error_body("malformed_json", "the request body is nested too deeply")), 400

    @app.errorhandler(ValueError)
    def _huge_number(error):
        # Python refuses integers of over 4,300 digits while the JSON body is parsed: bad input
        if "integer string conversion" in str(error):
            return jsonify(error_body("malformed_json", "the request body holds a number too long to read")), 400
        app.logger.exception("internal error on %s %s", request.method, request.path)
        return jsonify(error_body("internal_error", "the server failed; the error has been logged")), 500

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

    @app.after_request
    def _retry_after_only_when_limited(response):
        # the limiter stamps every response with the seconds left in its window; on a 409 "not
        # ready" a client would read that as "ready then": Retry-After belongs to a 429 alone.
        # (Registered before the limiter: Flask runs later-registered hooks first.)
        if response.status_code != 429:
            response.headers.pop("Retry-After", None)
        return response

    # one budget per client for the whole API (not one per route): reads (GET) and each kind of
    # write (POST, DELETE) counted apart
    limiter = Limiter(rate_limit_key, app=app, application_limits=[current_limit], application_limits_per_method=True,
                      application_limits_exempt_when=lambda: not request.path.startswith("/api/v1/")
                      or request.path.endswith(("/openapi.json", "/docs", "/health")))
    app.extensions["argmap_limiter"] = limiter
