"""The web pages: the home page and the analysis page ``/a/<id>``.

Pages only: the browser fetches every piece of data from the JSON API under ``/api/v1``.
Templates and static files ship inside the package (``argmap/service/templates``,
``argmap/service/static``). This blueprint also serves the front-end libraries that set-up
installs into ``web/node_modules`` (no CDN; the settings' ``web_libraries_path``),
sets the Content-Security-Policy, and guards state-changing requests against CSRF.

CSRF: the page submits analyses with ``fetch`` to the JSON API. A state-changing request
that a browser marks as coming from another origin (``Origin`` or ``Sec-Fetch-Site``) is
refused, and a browser request must carry the flask-wtf token of its page in the
``X-CSRFToken`` header. Clients without a browser's ``Origin`` header (scripts, curl), and
requests with a bearer token (which a browser never attaches by itself), are not CSRF
targets and pass unchanged.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, current_app, jsonify, render_template, request, send_from_directory
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf

STATIC = Path(__file__).resolve().parent / "static"

# The only files served from the front-end libraries, by the name the page asks for.
VENDOR_FILES = {
    "cytoscape.min.js": "cytoscape/dist/cytoscape.min.js",
    "layout-base.js": "layout-base/layout-base.js",
    "cose-base.js": "cose-base/cose-base.js",
    "swagger-ui-bundle.js": "swagger-ui-dist/swagger-ui-bundle.js",
    "swagger-ui-standalone-preset.js": "swagger-ui-dist/swagger-ui-standalone-preset.js",
    "swagger-ui.css": "swagger-ui-dist/swagger-ui.css",
    "cytoscape-fcose.js": "cytoscape-fcose/cytoscape-fcose.js",
    "dagre.min.js": "dagre/dist/dagre.min.js",
    "cytoscape-dagre.js": "cytoscape-dagre/cytoscape-dagre.js",
}

# The downloads the page lists first; the rest follow with their one-line descriptions.
FIRST_FORMATS = ("graphml", "json")
FORMAT_LABELS = {"graphml": "GraphML", "json": "JSON", "graphml-yed": "GraphML for yEd", "cytoscape": "Cytoscape.js",
                 "aif": "AIF", "argdown": "Argdown", "csv": "CSV", "authors": "People (GraphML)", "summary": "Summary"}
MINE_COOKIE = "argmap_mine"  # the ids of the analyses this browser asked for, newest first
MINE_KEPT = 40

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    # plus the one rule Cytoscape.js injects (".__________cytoscape_container { position: relative; }")
    "style-src 'self' 'sha256-pgvDUBa4IjFA2yuSJ2cqcyxmNYJMborsd0ORcRv9vw8='",
    "img-src 'self' data: blob:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

SAMPLE_THREAD = Path(__file__).resolve().parents[2] / "sample_threads" / "hn_china_ml_thread.txt"
MAX_REQUEST_BYTES = 32 * 1024 * 1024
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# The API docs page loads Swagger UI the way APIFlask ships it; it shows no thread data.
DOCS_ENDPOINTS = {"openapi.docs", "openapi.swagger_ui_oauth_redirect"}

ui = Blueprint("ui", __name__, template_folder="templates", static_folder="static", static_url_path="/assets")
csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    """Register the pages on ``app`` with the settings they rely on (secret key, size limit, CSRF)."""
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))
    app.config.setdefault("MAX_CONTENT_LENGTH", MAX_REQUEST_BYTES)
    # Checked by ``guard_cross_site`` below for browser requests only, not on every POST.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    csrf.init_app(app)
    app.register_blueprint(ui)


def missing_front_end(folder: Path) -> list[str]:
    """The front-end library files not installed in ``folder`` (``npm ci`` in web/ installs them)."""
    return [name for name, relative in VENDOR_FILES.items() if not (Path(folder) / relative).is_file()]


def _instance_secret(folder: Path) -> str:
    """A secret key kept in the instance folder, so CSRF tokens survive a restart."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


@ui.before_app_request
def guard_cross_site():
    """Refuse cross-site state changes; check the page's CSRF token on browser requests."""
    if request.method not in UNSAFE_METHODS:
        return None
    if request.headers.get("Authorization", "").lower().startswith("bearer "):
        return None  # a bearer token is never sent by a browser on its own, so it cannot be forged
    origin = request.headers.get("Origin")
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site in ("cross-site", "same-site"):
        return _error(403, "csrf", "cross-site requests are not allowed")
    if origin is None:
        return None
    if origin == "null" or urlsplit(origin).netloc != request.host:
        return _error(403, "csrf", "cross-site requests are not allowed")
    csrf.protect()
    return None


@ui.app_errorhandler(CSRFError)
def csrf_failed(error: CSRFError):
    return _error(400, "csrf", f"{error.description} Reload the page and try again.")


@ui.after_app_request
def security_headers(response):
    if request.endpoint in DOCS_ENDPOINTS:
        return response
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def _error(status: int, code: str, message: str):
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    return response


def _formats() -> list[dict]:
    """The export formats the API serves, from the one export registry."""
    from argmap.export import EXPORTERS, format_names

    names = format_names()
    ordered = [n for n in FIRST_FORMATS if n in names] + [n for n in names if n not in FIRST_FORMATS]
    return [{"name": name, "extension": EXPORTERS[name].extension, "label": FORMAT_LABELS.get(name, name),
             "description": EXPORTERS[name].description} for name in ordered]


def _valid_id(analysis_id: str) -> bool:
    return 0 < len(analysis_id) <= 64 and analysis_id.replace("-", "").replace("_", "").isalnum()


def mine() -> list[str]:
    """The analysis ids this browser's cookie lists (newest first)."""
    raw = request.cookies.get(MINE_COOKIE, "")
    return [i for i in raw.split(".") if _valid_id(i)][:MINE_KEPT]


@ui.after_app_request
def remember_mine(response):
    """An analysis a browser page queued (or retried) goes into that browser's own list."""
    if request.endpoint not in ("api.create_analysis", "api.retry_analysis") or response.status_code != 202:
        return response
    if not request.headers.get("Origin"):
        return response  # scripts and curl keep no cookie
    created = (response.get_json(silent=True) or {}).get("id")
    if created and _valid_id(created):
        ids = [created] + [i for i in mine() if i != created]
        response.set_cookie(MINE_COOKIE, ".".join(ids[:MINE_KEPT]), max_age=365 * 24 * 3600,
                            httponly=True, samesite="Lax", secure=request.is_secure)
    return response


@ui.route("/")
def home():
    from argmap.sources.urls import ACCEPTED_URL_FORMS

    settings = current_app.config["SETTINGS"]
    return render_template("home.html", csrf_token=generate_csrf(), accepted_forms=list(ACCEPTED_URL_FORMS),
                           list_all=bool(current_app.config.get("LIST_ALL_ANALYSES")),
                           careful_by_default=settings.careful_max_replies if settings.relation_method == "auto"
                           else None)


@ui.route("/recent")
def recent():
    """The home page's "Recent analyses": this browser's own (its cookie), or everyone's when the
    instance sets ``ARGMAP_LIST_ALL_ANALYSES``."""
    from argmap.service import app_store
    from argmap.service.api import analysis_out

    store = app_store()
    if current_app.config.get("LIST_ALL_ANALYSES"):
        rows = store.list_analyses(limit=20)
    else:
        rows = [row for row in (store.get_analysis(i) for i in mine()[:20]) if row is not None]
    summaries = store.get_summaries([r["id"] for r in rows if r["status"] == "done"])
    response = jsonify({"analyses": [analysis_out({k: v for k, v in r.items() if k != "request"},
                                                  summaries.get(r["id"])) for r in rows]})
    response.headers["Cache-Control"] = "private, no-store"
    return response


@ui.route("/a/<analysis_id>")
def analysis_page(analysis_id: str):
    if not _valid_id(analysis_id):
        abort(404)
    return render_template("analysis.html", analysis_id=analysis_id, formats=_formats(),
                           csrf_token=generate_csrf())


@ui.route("/c/<collection_id>")
def collection_page(collection_id: str):
    """A corpus shown like an analysis, with a thread filter."""
    if not _valid_id(collection_id):
        abort(404)
    return render_template("analysis.html", analysis_id=collection_id, formats=_formats(), collection=True,
                           csrf_token=generate_csrf())


@ui.route("/sample-thread.txt")
def sample_thread():
    """The sample thread's plain text, for the home page's one-click sample."""
    return send_from_directory(SAMPLE_THREAD.parent, SAMPLE_THREAD.name, mimetype="text/plain")


@ui.route("/vendor/<name>")
def vendor(name: str):
    """A front-end library installed by ``npm ci`` in web/ (see web/package.json)."""
    relative = VENDOR_FILES.get(name)
    libraries = Path(current_app.config["WEB_LIBRARIES"])
    if relative is None or not (libraries / relative).is_file():
        current_app.logger.warning("front-end library %s missing: run `npm ci` in web/", name)
        abort(404)
    path = libraries / relative
    mimetype = "text/css" if path.suffix == ".css" else "text/javascript"
    return send_from_directory(path.parent, path.name, mimetype=mimetype, max_age=3600)
