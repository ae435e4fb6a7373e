"""The REST API under ``/api/v1``: queue analyses and batches, read their status, download exports.

Thin by design: validate (the schemas), call the store and the job backend, render.
"""

from __future__ import annotations

import hmac
import io
import json
import re
import unicodedata
import zipfile
from urllib.parse import quote

from apiflask import APIBlueprint, HTTPTokenAuth
from apiflask.fields import String
from apiflask.validators import Length
from flask import Response, current_app, url_for

from argmap import jobs
from argmap.errors import ArgmapError
from argmap.export import format_names, get_exporter, render_kept
from argmap.service import app_store, canonical_item, job_backend, queue_item, schemas, valid_token
from argmap.store import STATUSES, UNFINISHED, file_stem, first_run_pending, owner_of


class OptionalTokenAuth(HTTPTokenAuth):
    """Bearer tokens that are required only when the server configures some (ARGMAP_API_TOKENS)."""

    def authenticate(self, auth, stored_password):
        if not current_app.config["API_TOKENS"]:
            return "anonymous"
        return super().authenticate(auth, stored_password)


bp = APIBlueprint("api", __name__, url_prefix="/api/v1", tag="analyses")
auth = OptionalTokenAuth(scheme="Bearer", description="needed for writes when the server sets ARGMAP_API_TOKENS")

IDEMPOTENCY_HEADERS = {"Idempotency-Key": String(
    validate=Length(min=1, max=200),
    metadata={"description": "a key of your choosing; a retry with the same key and body returns the "
                             "first answer instead of queueing again"})}
NOT_FOUND = {404: "No analysis or batch with this id"}
LOCATION = {"Location": String(required=True, metadata={"description": "where to poll for the status"})}


class ApiError(ArgmapError):
    """An API-level refusal (not found, not ready, conflict) with its own code and status."""


@auth.verify_token
def _verify_token(token: str):
    """The token itself when it is one of ARGMAP_API_TOKENS (constant-time), else None (401)."""
    return token if valid_token(token) else None


def current_owner() -> str | None:
    """Who owns what this request makes: the hash of its token; None when no tokens are configured."""
    if not current_app.config["API_TOKENS"]:
        return None
    return owner_of(auth.current_user)


# ----------------------------------------------------------------------------------
# rendering rows


def analysis_out(row: dict, summary: dict | None = None) -> dict:
    links = {
        "self": url_for("api.get_analysis", analysis_id=row["id"]),
        "graph": url_for("api.get_graph", analysis_id=row["id"]),
        "versions": url_for("api.list_versions", analysis_id=row["id"]),
    }
    if row["source_kind"] == "url":
        links["refresh"] = url_for("api.refresh_analysis", analysis_id=row["id"])
    if row.get("batch_id"):
        links["batch"] = url_for("api.get_batch", batch_id=row["batch_id"])
    error = {"code": row["error_code"], "message": row["error_message"]} if row["status"] == "failed" else None
    update_error = ({"code": row["error_code"], "message": row["error_message"]}
                    if row["status"] == "done" and row.get("error_code") else None)
    return {
        "id": row["id"],
        "status": row["status"],
        "source_kind": row["source_kind"],
        "source": row["source"],
        "thread_id": row["thread_id"],
        "thread_url": row["thread_url"],
        "title": row["title"],
        "batch_id": row["batch_id"],
        "attempts": row["attempts"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "progress": {"stage": row["stage"], "done": row["progress_done"], "total": row["progress_total"],
                     "message": row["message"]},
        "error": error,
        "version": row.get("version"),
        "update_error": update_error,
        "summary": summary,
        "links": links,
    }


def aggregate_out(rows: list[dict], finished: bool) -> tuple[dict, list[dict]]:
    """The counts per status and every item rendered, for a batch or a collection."""
    summaries = app_store().get_summaries([r["id"] for r in rows if r["status"] == "done"])
    counts = {status: sum(r["status"] == status for r in rows) for status in STATUSES}
    return ({"total": len(rows), **counts, "finished": finished},
            [analysis_out(r, summaries.get(r["id"])) for r in rows])


def batch_out(batch: dict, rows: list[dict]) -> dict:
    aggregate, items = aggregate_out(rows, not any(r["status"] in UNFINISHED for r in rows))
    return {
        "id": batch["id"],
        "created_at": batch["created_at"],
        "aggregate": aggregate,
        "items": items,
        "links": {"self": url_for("api.get_batch", batch_id=batch["id"]),
                  "archive": url_for("api.get_batch_archive", batch_id=batch["id"])},
    }


def _found(row, what: str = "analysis"):
    if row is None:
        raise ApiError(f"no {what} with this id", code="not_found", status=404)
    return row


# ----------------------------------------------------------------------------------
# analyses


@bp.post("/analyses")
@bp.auth_required(auth)
@bp.input(IDEMPOTENCY_HEADERS, location="headers", arg_name="headers")
@bp.input(schemas.AnalysisRequest, arg_name="item")
@bp.output(schemas.AnalysisOut, status_code=202, headers=LOCATION,
           description="Queued (or, for a repeated Idempotency-Key, the analysis queued the first time)")
@bp.doc(responses={400: "Malformed thread", 409: "Idempotency-Key reused",
                   422: "Invalid request, or a URL argmap cannot read (the message lists the accepted forms)",
                   413: "Too large", 503: "The job queue is unavailable"})
def create_analysis(headers: dict, item: dict):
    """Queue an analysis of a thread URL, a canonical thread, or pasted text."""
    row = queue_item(item, idempotency_key=headers.get("Idempotency-Key"), owner=current_owner())
    location = url_for("api.get_analysis", analysis_id=row["id"])
    return analysis_out(row), 202, {"Location": location}


@bp.get("/analyses")
@bp.auth_required(auth)
@bp.input(schemas.ListQuery, location="query", arg_name="query")
@bp.output(schemas.AnalysisList)
def list_analyses(query: dict):
    """The most recent analyses, newest first.

    With API tokens, the caller's own (everyone's when the instance sets
    ARGMAP_LIST_ALL_ANALYSES, as the home page does)."""
    rows = app_store().list_analyses(limit=query["limit"], offset=query["offset"], status=query.get("status"),
                                     owner=listing_owner())
    summaries = app_store().get_summaries([r["id"] for r in rows if r["status"] == "done"])
    return {"analyses": [analysis_out(r, summaries.get(r["id"])) for r in rows]}


@bp.get("/analyses/<analysis_id>")
@bp.output(schemas.AnalysisOut)
@bp.doc(responses=NOT_FOUND)
def get_analysis(analysis_id: str):
    """Status, progress, the error (when failed) and a summary (when done)."""
    row = _found(app_store().get_analysis(analysis_id))
    readable = row["status"] == "done" or bool(row.get("version"))  # an update keeps the version there is
    return analysis_out(row, app_store().get_summary(analysis_id) if readable else None)


@bp.post("/analyses/<analysis_id>/refresh")
@bp.auth_required(auth)
@bp.output(schemas.AnalysisOut, status_code=202, headers=LOCATION,
           description="Queued to run again as the next version (already under way: its state)")
@bp.doc(responses={**NOT_FOUND, 403: "The analysis belongs to another token",
                   409: "Not a finished analysis of a thread URL", 503: "The job queue is unavailable"})
def refresh_analysis(analysis_id: str):
    """Fetch the thread again and analyse what is new: the next version, with what changed.

    Only new or edited comments are parsed and encoded; comments that vanished stay as
    deleted placeholders. The current version stays readable (graph, exports) while the
    update runs; a failed update leaves it as it was (``update_error`` says why).
    """
    check_owner(_found(app_store().get_analysis(analysis_id)), "analysis")
    row = jobs.refresh_analysis(analysis_id, store=app_store(), backend=job_backend())
    return analysis_out(row), 202, {"Location": url_for("api.get_analysis", analysis_id=analysis_id)}


@bp.get("/analyses/<analysis_id>/versions")
@bp.output(schemas.VersionList)
@bp.doc(responses=NOT_FOUND)
def list_versions(analysis_id: str):
    """Every version of an analysis, oldest first, each with its counts and what changed since the one before."""
    _found(app_store().get_analysis(analysis_id))
    rows = app_store().list_versions(analysis_id)
    return {"versions": [version_out(analysis_id, r, current=(i == len(rows) - 1)) for i, r in enumerate(rows)]}


def version_out(analysis_id: str, row: dict, *, current: bool) -> dict:
    stats = row.get("stats") or {}
    return {
        "version": row["number"],
        "created_at": row["created_at"],
        "current": current,
        "counts": {key: stats[key] for key in ("comments", "claims", "edges", "supports", "rebuts", "restates",
                                               "texts_parsed", "texts_encoded") if isinstance(stats.get(key), int)},
        "changes": row.get("changes"),
        "links": {"graph": url_for("api.get_graph", analysis_id=analysis_id, version=row["number"])},
    }


@bp.post("/analyses/<analysis_id>/retry")
@bp.auth_required(auth)
@bp.output(schemas.AnalysisOut, status_code=202, headers=LOCATION, description="Queued again, as a new analysis")
@bp.doc(responses={**NOT_FOUND, 403: "The analysis belongs to another token", 409: "The analysis has not failed"})
def retry_analysis(analysis_id: str):
    """Run a failed analysis again from the request it was made with; returns the new analysis
    (with tokens configured: only the token that made it)."""
    row = _found(app_store().get_analysis(analysis_id))
    check_owner(row, "analysis")
    if row["status"] != "failed":
        raise ApiError(f"the analysis is {row['status']}, not failed", code="conflict", status=409)
    created = queue_item(row["request"], owner=current_owner())
    return analysis_out(created), 202, {"Location": url_for("api.get_analysis", analysis_id=created["id"])}


@bp.delete("/analyses/<analysis_id>")
@bp.auth_required(auth)
@bp.output({}, status_code=204)
@bp.doc(responses={**NOT_FOUND, 403: "The analysis belongs to another token"})
def delete_analysis(analysis_id: str):
    """Forget an analysis and its result (with tokens configured: only the token that made it)."""
    check_owner(_found(app_store().get_analysis(analysis_id)), "analysis")
    if not app_store().delete_analysis(analysis_id):
        _found(None)
    return ""


def listing_owner() -> str | None:
    """Whose analyses and batches a list shows: with API tokens, the caller's own (None: everyone's,
    without tokens or when the instance sets ARGMAP_LIST_ALL_ANALYSES)."""
    if current_app.config["API_TOKENS"] and not current_app.config.get("LIST_ALL_ANALYSES"):
        return current_owner()
    return None


def check_owner(row: dict, what: str) -> None:
    """With tokens configured, only the token that made ``row`` may change it."""
    owner = current_owner()
    if owner is not None and row.get("owner") is not None and not hmac.compare_digest(row["owner"], owner):
        raise ApiError(f"this {what} belongs to another token", code="forbidden", status=403)


def export_response(analysis_id: str, fmt: str, version: int | None = None) -> Response:
    """The stored result of a done analysis (or of its ``version``) rendered in ``fmt``, as a download."""
    row = _found(app_store().get_analysis(analysis_id))
    updating = row["status"] in UNFINISHED and bool(row.get("version"))  # the current version is still there
    if row["status"] != "done" and not updating:
        detail = f": {row['error_message']}" if row["status"] == "failed" else ""
        raise ApiError(f"the analysis is {row['status']}{detail}", code="not_ready", status=409)
    exporter = get_exporter(fmt)
    if version is not None and version != (row.get("version") or 1):  # a result from before versions is 1
        kept = app_store().get_version_result(analysis_id, version)
        if kept is None or kept[1] is None:
            raise ApiError(f"no version {version} of this analysis", code="not_found", status=404)
        body = exporter.render(*kept)
        name = f"argmap-{download_stem(row)}-v{version}.{exporter.extension}"
        return Response(body, mimetype=exporter.mimetype,
                        headers=attachment(name))
    body = render_kept(app_store(), analysis_id, fmt)
    name = f"argmap-{download_stem(row)}.{exporter.extension}"
    return Response(body, mimetype=exporter.mimetype,
                    headers=attachment(name))


def slug(text: str | None, limit: int = 60) -> str:
    """'Is Rust making browsers safer?' -> 'is-rust-making-browsers-safer': the title's words,
    letters and digits of any script ('Ωμέγα' -> 'ωμέγα'), joined by '-'."""
    out = ""
    for word in re.findall(r"[^\W_]+", (text or "").lower()):
        if len(out) + len(word) + 1 > limit:
            break
        out = f"{out}-{word}" if out else word
    return out


def download_stem(row: dict) -> str:
    """``<thread title slug>-<analysis id>``: one analysis's downloads never collide with another's."""
    title = slug(row.get("title"))
    return f"{title}-{row['id']}" if title else f"{file_stem(row)}-{row['id']}"


def ascii_name(name: str) -> str:
    """A download name in ASCII for the plain ``filename`` parameter: accents dropped, other
    letters left out ('argmap-café-x1.json' -> 'argmap-cafe-x1.json').

    >>> ascii_name("argmap-日本語-x1.json"), ascii_name("argmap-ωμέγα-café-x1.json")
    ('argmap-x1.json', 'argmap-cafe-x1.json')
    """
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    plain = re.sub(r"[^A-Za-z0-9._-]", "", plain)
    return re.sub(r"-{2,}", "-", plain)


def attachment(name: str) -> dict[str, str]:
    """The ``Content-Disposition`` header of a download named ``name``: an ASCII ``filename``
    every client reads, and the whole name as ``filename*`` (RFC 6266) when it is not ASCII."""
    plain = ascii_name(name)
    if plain == name:
        return {"Content-Disposition": f'attachment; filename="{name}"'}
    return {"Content-Disposition": f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"}


def _download_doc(description: str, mimetypes: list[str]) -> dict:
    return {200: {"description": description,
                  "content": {m: {"schema": {"type": "string", "format": "binary"}} for m in mimetypes}},
            **NOT_FOUND, 409: "The analysis is not done (still queued or running, or it failed)"}


@bp.get("/analyses/<analysis_id>/graph")
@bp.input(schemas.GraphQuery, location="query", arg_name="query")
@bp.doc(responses=_download_doc("The argument graph in the requested format",
                                sorted({get_exporter(n).mimetype for n in format_names()})))
def get_graph(analysis_id: str, query: dict):
    """Download the argument graph of a done analysis (GraphML for Gephi, node-link JSON, …);
    ``version`` picks an earlier version (see ``/versions``)."""
    return export_response(analysis_id, query["format"], query.get("version"))


# ----------------------------------------------------------------------------------
# batches


@bp.post("/batches")
@bp.auth_required(auth)
@bp.input(IDEMPOTENCY_HEADERS, location="headers", arg_name="headers")
@bp.input(schemas.BatchRequest, arg_name="body")
@bp.output(schemas.BatchOut, status_code=202, headers=LOCATION, description="Queued")
@bp.doc(tags=["batches"], responses={400: "An item is malformed", 422: "An item's URL is unsupported",
                                     409: "Idempotency-Key reused",
                                     413: "Too many items or too large", 503: "The job queue is unavailable"})
def create_batch(headers: dict, body: dict):
    """Queue many analyses at once (at most ARGMAP_MAX_BATCH); each item is like POST /analyses."""
    items = []
    for position, item in enumerate(body["items"]):
        try:
            items.append(canonical_item(item))
        except ArgmapError as error:
            raise jobs.of_item(position, error) from None
    batch = jobs.queue_batch(items, store=app_store(), backend=job_backend(),
                             max_comments=current_app.config["MAX_COMMENTS"], cap=current_app.config["MAX_BATCH"],
                             idempotency_key=headers.get("Idempotency-Key"), owner=current_owner())
    batch, rows = app_store().get_batch(batch["id"])
    return batch_out(batch, rows), 202, {"Location": url_for("api.get_batch", batch_id=batch["id"])}


@bp.get("/batches")
@bp.auth_required(auth)
@bp.input(schemas.PageQuery, location="query", arg_name="query")
@bp.output(schemas.BatchList)
@bp.doc(tags=["batches"])
def list_batches(query: dict):
    """The most recent batches, newest first.

    With API tokens, the caller's own (everyone's when the instance sets ARGMAP_LIST_ALL_ANALYSES)."""
    rows = app_store().list_batches(limit=query["limit"], offset=query["offset"], owner=listing_owner())
    return {"batches": [{"id": r["id"], "created_at": r["created_at"], "size": r["size"],
                         "links": {"self": url_for("api.get_batch", batch_id=r["id"]),
                                   "archive": url_for("api.get_batch_archive", batch_id=r["id"])}} for r in rows]}


@bp.get("/batches/<batch_id>")
@bp.output(schemas.BatchOut)
@bp.doc(tags=["batches"], responses=NOT_FOUND)
def get_batch(batch_id: str):
    """Every item's status, progress and error, and the counts per status."""
    batch, rows = _found(app_store().get_batch(batch_id), "batch")
    return batch_out(batch, rows)


@bp.delete("/batches/<batch_id>")
@bp.auth_required(auth)
@bp.output({}, status_code=204)
@bp.doc(tags=["batches"], responses={**NOT_FOUND, 403: "The batch belongs to another token"})
def delete_batch(batch_id: str):
    """Forget a batch and every analysis in it (with tokens configured: only the token that made it)."""
    batch, _rows = _found(app_store().get_batch(batch_id), "batch")
    check_owner(batch, "batch")
    if not app_store().delete_batch(batch_id):
        _found(None, "batch")
    return ""


# ----------------------------------------------------------------------------------
# collections: many threads mapped as one debate


def collection_out(collection: dict, rows: list[dict]) -> dict:
    # an item being refreshed keeps its current version: the map is there meanwhile
    aggregate, items = aggregate_out(rows, not any(first_run_pending(r) for r in rows))
    return {
        "id": collection["id"],
        "title": collection.get("title"),
        "created_at": collection["created_at"],
        "aggregate": aggregate,
        "items": items,
        "links": {"self": url_for("api.get_collection", collection_id=collection["id"]),
                  "graph": url_for("api.get_collection_graph", collection_id=collection["id"]),
                  "items": url_for("api.add_collection_items", collection_id=collection["id"]),
                  "page": url_for("ui.collection_page", collection_id=collection["id"])},
    }


def _queue_items(items: list[dict]) -> list[str]:
    batch = jobs.queue_batch([canonical_item(item) for item in items], store=app_store(), backend=job_backend(),
                             max_comments=current_app.config["MAX_COMMENTS"], cap=current_app.config["MAX_BATCH"],
                             owner=current_owner())
    _batch, rows = app_store().get_batch(batch["id"])
    return [row["id"] for row in rows]


@bp.post("/collections")
@bp.auth_required(auth)
@bp.input(schemas.CollectionRequest, arg_name="body")
@bp.output(schemas.CollectionOut, status_code=202, headers=LOCATION, description="Queued")
@bp.doc(tags=["collections"], responses={400: "An item is malformed", 422: "An item's URL is unsupported",
                                         413: "Too many items or too large", 503: "The job queue is unavailable"})
def create_collection(body: dict):
    """Map many threads as one debate: each item is analysed like POST /analyses (on the job
    system), then merged into one map (cross-thread restates, corpus topics, recurring disputes)."""
    ids = _queue_items(body["items"])
    collection = app_store().create_collection(body.get("title"), ids, owner=current_owner())
    found = app_store().get_collection(collection["id"])
    location = url_for("api.get_collection", collection_id=collection["id"])
    return collection_out(*found), 202, {"Location": location}


@bp.get("/collections/<collection_id>")
@bp.output(schemas.CollectionOut)
@bp.doc(tags=["collections"], responses=NOT_FOUND)
def get_collection(collection_id: str):
    """Every thread's status and the counts; the map is ready when no item is queued or running."""
    return collection_out(*_found(app_store().get_collection(collection_id), "collection"))


@bp.post("/collections/<collection_id>/items")
@bp.auth_required(auth)
@bp.input(schemas.CollectionItems, arg_name="body")
@bp.output(schemas.CollectionOut, status_code=202, headers=LOCATION, description="Queued and added")
@bp.doc(tags=["collections"], responses={**NOT_FOUND, 403: "The collection belongs to another token",
                                         422: "An item's URL is unsupported"})
def add_collection_items(collection_id: str, body: dict):
    """Add threads to a collection: only they are analysed; the map is merged again from the kept results."""
    collection, _rows = _found(app_store().get_collection(collection_id), "collection")
    check_owner(collection, "collection")
    ids = _queue_items(body["items"])
    app_store().add_to_collection(collection_id, ids)
    location = url_for("api.get_collection", collection_id=collection_id)
    return collection_out(*app_store().get_collection(collection_id)), 202, {"Location": location}


@bp.get("/collections/<collection_id>/graph")
@bp.input(schemas.FormatQuery, location="query", arg_name="query")
@bp.doc(tags=["collections"], responses=_download_doc(
    "The corpus map in the requested format (every node has a thread attribute)",
    sorted({get_exporter(n).mimetype for n in format_names()})))
def get_collection_graph(collection_id: str, query: dict):
    """Download the corpus map once every thread is finished (failed ones are left out, and named)."""
    from argmap.corpus import collection_result

    _collection, rows = _found(app_store().get_collection(collection_id), "collection")
    waiting = sum(first_run_pending(r) for r in rows)
    if waiting:
        raise ApiError(f"{waiting} of {len(rows)} threads are still being analysed", code="not_ready", status=409)
    if not any(r["status"] == "done" or r.get("version") for r in rows):
        raise ApiError("no thread of the collection could be analysed", code="not_ready", status=409)
    collection, rows, merged = collection_result(app_store(), collection_id, settings=current_app.config["SETTINGS"])
    if merged is None:  # an item was added meanwhile
        raise ApiError("a thread was added and is being analysed", code="not_ready", status=409)
    exporter = get_exporter(query["format"])
    body = exporter.render(*merged)
    stem = slug(collection.get("title")) or "corpus"
    name = f"argmap-{stem}-{collection_id}.{exporter.extension}"
    return Response(body, mimetype=exporter.mimetype, headers=attachment(name))


@bp.get("/batches/<batch_id>/archive")
@bp.input(schemas.FormatQuery, location="query", arg_name="query")
@bp.doc(tags=["batches"], responses={
    200: {"description": "A zip of every done item's export and manifest.json (each item's position, id, "
                         "status, source, file in the zip or null, and error for a failed one)",
          "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}}},
    **NOT_FOUND, 409: "Some items are still queued or running (GET the batch: its aggregate says when all are finished)"})
def get_batch_archive(batch_id: str, query: dict):
    """A zip with the export of every done item and ``manifest.json`` listing every item's
    outcome, once every item has finished (done or failed)."""
    batch, rows = _found(app_store().get_batch(batch_id), "batch")
    waiting = sum(first_run_pending(row) for row in rows)
    if waiting:
        raise ApiError(f"{waiting} of {len(rows)} items are still being analysed; the archive is ready when the "
                       "batch's aggregate says finished", code="not_ready", status=409)
    exporter = get_exporter(query["format"])
    buffer = io.BytesIO()
    manifest = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for row in rows:
            entry = {"position": row["position"], "id": row["id"], "status": row["status"],
                     "source": row["source"], "file": None, "error": None}
            if row["status"] == "done" or not first_run_pending(row) and row.get("version"):  # an update keeps its version
                name = f"{row['position']:04d}-{file_stem(row)}.{exporter.extension}"
                archive.writestr(name, export_response(row["id"], exporter.name).get_data())
                entry["file"] = name
            elif row["status"] == "failed":
                entry["error"] = {"code": row["error_code"], "message": row["error_message"]}
            manifest.append(entry)
        archive.writestr("manifest.json", json.dumps({"batch": batch["id"], "format": exporter.name,
                                                      "items": manifest}, indent=1))
    return Response(buffer.getvalue(), mimetype="application/zip",
                    headers=attachment(f"argmap-batch-{batch_id}.zip"))


# ----------------------------------------------------------------------------------


@bp.get("/health")
@bp.output(schemas.Health)
@bp.doc(tags=["service"], responses={503: {"description": "The store or the queue is down",
                                           "content": {"application/json": {"schema": schemas.Health}}}})
def health():
    """Whether the store answers and writes, the job queue answers and the cache reads."""
    report = {"status": "ok", "store": "ok", "queue": "ok", "cache": "ok", "backend": job_backend().name,
              "formats": format_names()}
    try:
        from argmap.cache import cache_for

        cache = cache_for(str(current_app.config["SETTINGS"].instance_folder))
        cache.check()  # a corrupt cache file is moved aside and rebuilt here, not in an analysis
        if cache.rebuilds:
            report["cache"] = f"rebuilt: {cache.rebuilds} corrupt file(s) moved aside since the start"
    except Exception as error:  # noqa: BLE001
        report["cache"] = f"unavailable: {type(error).__name__}"
    try:
        app_store().ping()
    except Exception as error:  # noqa: BLE001 - report, don't crash
        report["store"] = f"unavailable: {type(error).__name__}"
    try:
        job_backend().health()
    except Exception as error:  # noqa: BLE001
        report["queue"] = f"unavailable: {type(error).__name__}"
    if report["store"] != "ok" or report["queue"] != "ok" or report["cache"].startswith("unavailable"):
        report["status"] = "unavailable"
        return report, 503
    return report
