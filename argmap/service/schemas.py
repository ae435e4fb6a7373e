"""The API's request and response shapes (marshmallow): they validate input and make the OpenAPI spec."""

from __future__ import annotations

from apiflask import Schema
from apiflask.fields import Boolean, DateTime, Dict, Integer, List, Nested, Raw, String
from apiflask.validators import Length, OneOf, Range
from marshmallow import RAISE, ValidationError, validates_schema

from argmap.export import format_names
from argmap.settings import READINGS
from argmap.store import STATUSES

MAX_TEXT_CHARS = 2_000_000


class AnalysisRequest(Schema):
    """One thing to analyse: exactly one of ``url``, ``thread`` or ``text``."""

    class Meta:
        unknown = RAISE

    url = String(validate=Length(min=1, max=2000),
                 metadata={"description": "a Hacker News or Reddit thread URL (or hn:N, reddit:ID)",
                           "example": "https://news.ycombinator.com/item?id=8863"})
    thread = Raw(metadata={"description": "a thread as JSON: argmap's canonical thread JSON, or what "
                                          "`argmap analyze` reads from a file (a raw Reddit listing, a "
                                          "Hacker News Algolia or HNPWA item)"})
    text = String(validate=Length(min=1, max=MAX_TEXT_CHARS),
                  metadata={"description": "a pasted discussion: one comment per line, '> ' quotes (or a "
                                           "copied HN / Reddit page)"})
    title = String(validate=Length(max=500), metadata={"description": "a title for pasted text"})
    reading = String(validate=OneOf(READINGS),
                     metadata={"description": "how each reply's stance is read: `fast` (the stance head) or "
                                              "`careful` (the cross-encoder: about five times as many stance "
                                              "edges at about the same precision, ~8 s more per 1,300 replies); "
                                              "default: the instance's ARGMAP_RELATION_METHOD"})

    @validates_schema
    def _exactly_one_source(self, data, **kwargs):
        given = [key for key in ("url", "thread", "text") if key in data]
        if len(given) != 1:
            raise ValidationError("give exactly one of 'url', 'thread' or 'text'", field_name="_schema")
        if "thread" in data and not isinstance(data["thread"], (dict, list)):
            raise ValidationError("a thread is a JSON object or list", field_name="thread")
        if "title" in data and "text" not in data:
            raise ValidationError("'title' goes only with 'text'", field_name="title")


def _only(key: str, *excluded: str) -> dict:
    return {"required": [key], "not": {"anyOf": [{"required": [other]} for other in excluded]}}


# The rule _exactly_one_source enforces, stated in the spec (marshmallow cannot say it).
ANALYSIS_REQUEST_ONE_OF = [
    _only("url", "thread", "text", "title"),
    _only("thread", "url", "text", "title"),
    _only("text", "url", "thread"),
]


def document_constraints(spec: dict) -> dict:
    """Add to the generated spec what the schemas validate in code (exactly one source)."""
    for name, component in spec.get("components", {}).get("schemas", {}).items():
        if name in ("AnalysisRequest", "BatchItem"):
            component["oneOf"] = ANALYSIS_REQUEST_ONE_OF
    return spec


class BatchItem(AnalysisRequest):
    """One item of a batch: the same shape as a single analysis request (a class of its own for the spec)."""


class BatchRequest(Schema):
    class Meta:
        unknown = RAISE

    items = List(Nested(BatchItem), required=True, validate=Length(min=1),
                 metadata={"description": "the analyses to run (at most ARGMAP_MAX_BATCH)"})


class CollectionRequest(Schema):
    class Meta:
        unknown = RAISE

    items = List(Nested(BatchItem), required=True, validate=Length(min=1),
                 metadata={"description": "the threads of the corpus: each like a single analysis request"})
    title = String(validate=Length(max=500), metadata={"description": "the corpus's title"})


class CollectionItems(Schema):
    class Meta:
        unknown = RAISE

    items = List(Nested(BatchItem), required=True, validate=Length(min=1),
                 metadata={"description": "threads to add: each like a single analysis request"})


class PageQuery(Schema):
    limit = Integer(load_default=50, validate=Range(min=1, max=500))
    offset = Integer(load_default=0, validate=Range(min=0, max=10**9),
                     metadata={"description": "skip this many (the next page: offset + limit)"})


class ListQuery(PageQuery):
    status = String(validate=OneOf(STATUSES))


class FormatQuery(Schema):
    format = String(load_default="json", validate=OneOf(format_names()),
                    metadata={"description": "export format: " + ", ".join(format_names())})


class GraphQuery(FormatQuery):
    version = Integer(validate=Range(min=1, max=2**31 - 1), metadata={"description": "an earlier version (default: the current one)"})


class Progress(Schema):
    stage = String(allow_none=True)
    done = Integer()
    total = Integer()
    message = String(allow_none=True)


class ErrorInfo(Schema):
    code = String(required=True)
    message = String(required=True)


class ErrorBody(ErrorInfo):
    detail = Dict(metadata={"description": "per-field problems, for invalid input; for an unsupported URL, "
                                           "``accepted_forms``: the URL forms argmap reads; for a batch "
                                           "refused for one item, ``item``: its position (from 0)"})


class TopClaim(Schema):
    id = String()
    text = String()
    author = String(allow_none=True)
    replies = Integer()


class Summary(Schema):
    title = String(allow_none=True)
    counts = Dict(keys=String(), values=Integer())
    top_claims = List(Nested(TopClaim))
    notes = List(String())


class AnalysisOut(Schema):
    id = String(required=True)
    status = String(required=True, validate=OneOf(STATUSES))
    source_kind = String(metadata={"description": "url, thread or text"})
    source = String()
    thread_id = String(allow_none=True)
    thread_url = String(allow_none=True)
    title = String(allow_none=True)
    batch_id = String(allow_none=True)
    attempts = Integer()
    created_at = DateTime()
    updated_at = DateTime()
    progress = Nested(Progress)
    error = Nested(ErrorInfo, allow_none=True)
    version = Integer(allow_none=True, metadata={"description": "the current result's version: 1 after the first "
                                                                "run, one more after each refresh"})
    update_error = Nested(ErrorInfo, allow_none=True,
                          metadata={"description": "why the last update failed (the version before stays)"})
    summary = Nested(Summary, allow_none=True)
    links = Dict(keys=String(), values=String())


class VersionOut(Schema):
    version = Integer(required=True)
    created_at = DateTime()
    current = Boolean()
    counts = Dict(keys=String(), values=Integer())
    changes = Dict(allow_none=True, metadata={"description": "what changed since the version before (none for "
                                                             "version 1): see docs/contracts.md"})
    links = Dict(keys=String(), values=String())


class VersionList(Schema):
    versions = List(Nested(VersionOut))


class ListedAnalysis(AnalysisOut):
    """An analysis in a list (a class of its own for the spec)."""


class AnalysisList(Schema):
    analyses = List(Nested(ListedAnalysis))


class Aggregate(Schema):
    total = Integer()
    queued = Integer()
    running = Integer()
    done = Integer()
    failed = Integer()
    finished = Boolean(metadata={"description": "true when no item is queued or running"})


class ListedBatch(Schema):
    id = String(required=True)
    created_at = DateTime()
    size = Integer(metadata={"description": "how many items it was made with"})
    links = Dict(keys=String(), values=String())


class BatchList(Schema):
    batches = List(Nested(ListedBatch))


class BatchOut(Schema):
    id = String(required=True)
    created_at = DateTime()
    aggregate = Nested(Aggregate)
    items = List(Nested(ListedAnalysis))
    links = Dict(keys=String(), values=String())


class CollectionOut(Schema):
    id = String(required=True)
    title = String(allow_none=True)
    created_at = DateTime()
    aggregate = Nested(Aggregate)
    items = List(Nested(ListedAnalysis))
    links = Dict(keys=String(), values=String())


class Health(Schema):
    status = String(metadata={"description": "ok or unavailable"})
    store = String(metadata={"description": "ok when the database answers and accepts a write"})
    queue = String()
    cache = String(metadata={"description": "ok, or rebuilt: … when corrupt cache files were moved aside"})
    backend = String()
    formats = List(String())


class ErrorOut(Schema):
    error = Nested(ErrorBody, required=True)
