"""Every setting of argmap in one frozen dataclass, read once and passed in.

``Settings.from_env(os.environ, file)`` reads the ``ARGMAP_*`` (and Reddit) variables over
an optional TOML file whose keys are the field names; the CLI and ``create_app`` do this
once, and everything below them receives the settings (or values from them).

>>> settings = Settings.from_env({"ARGMAP_MAX_COMMENTS": "40", "ARGMAP_API_TOKENS": "a, b"})
>>> settings.max_comments, settings.api_tokens, settings.workers
(40, ('a', 'b'), 1)

``python -m argmap.settings`` prints the table the README's "Settings" section holds.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from argmap.errors import ArgmapError


RELATION_METHODS = ("auto", "model", "cross", "rules")


def setting(default, env: str, doc: str, shown: str | None = None):
    """A field read from the environment variable ``env``; ``doc`` and ``shown`` make its README row."""
    return field(default=default, metadata={"env": env, "doc": doc, "shown": shown})


def default_instance_path(environ: Mapping[str, str]) -> Path:
    base = environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "argmap"


def default_models_path() -> Path:
    """The ``models/`` folder of a checkout: the shipped models (``stance/``, ``stance_cross/``,
    ``anchor/``, ``paste_parents/``, ``relations/``) beside ``MODEL_CARD.md``, and where set-up
    builds the ONNX encoder (``encoder/``)."""
    return Path(__file__).resolve().parent.parent / "models"


# an analysis request's ``reading`` → the stance judge it runs (``argmap.relations.stance.METHODS``)
READINGS = {"fast": "model", "careful": "cross"}
# About the 160 tokens the cross-encoder reads of a (parent, reply) pair, in characters.
CAREFUL_PAIR_CHARS = 640


def careful_load(thread, *, replies_to_post: bool = True) -> float:
    """The cross-encoder's work on ``thread``, in full-length replies: each reply it reads counts
    as the share of ``CAREFUL_PAIR_CHARS`` its text and its parent's fill, at most one and at
    least a quarter (the fixed cost of a run). With ``replies_to_post`` False the replies to
    the post are not counted: the judge does not read them (no stance edge is drawn to the post).

    Its time on two cores tracks this, not the count of replies (measured 2026-11-29: a
    482-comment thread, 271 full-length replies, 2.2 s; the same thread pasted as 658 lines,
    2.2 s; a 485-comment thread of long comments, 404, 4.3 s), so a paste cut into many
    short lines is read as carefully as the thread it came from.

    >>> from argmap.model import Comment, Thread
    >>> thread = Thread(source="text", id="t", title="Tabs or spaces?")
    >>> thread.comments = [Comment(id="a", parent_id="t", text="x" * 700),
    ...                    Comment(id="b", parent_id="a", text="No."),
    ...                    Comment(id="c", parent_id="t", text="", deleted=True)]
    >>> careful_load(thread)
    2.0
    >>> careful_load(thread, replies_to_post=False)
    1.0
    """
    by_id = thread.comment_by_id()
    post = f"{thread.title or ''} {thread.text or ''}"
    load = 0.0
    for comment in thread.comments:
        if comment.deleted or not comment.text.strip():
            continue
        if not replies_to_post and comment.parent_id not in by_id:
            continue
        parent = by_id[comment.parent_id].text if comment.parent_id in by_id else post
        load += min(1.0, max(0.25, (len(parent) + len(comment.text)) / CAREFUL_PAIR_CHARS))
    return load


def _reads_replies_to_post(config: Path) -> bool:
    """Whether the cross-encoder (alone, or blended with the head) judges replies to the post:
    its ``top_level_threshold`` (missing: its ``threshold``) is not null."""
    import json

    try:
        data = json.loads(config.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return True
    from argmap.relations.cross_stance import top_level_thresholds

    alone, blended = top_level_thresholds(data)
    return alone is not None or (bool(data.get("blend")) and blended is not None)


@dataclass(frozen=True)
class Settings:
    # where things live
    instance_path: Path | None = setting(None, "ARGMAP_INSTANCE_PATH", "database, caches, secret key",
                                         "`$XDG_DATA_HOME/argmap`, else `~/.local/share/argmap`")
    models_path: Path | None = setting(None, "ARGMAP_MODELS_PATH",
                                       "the shipped models (`stance/`, `stance_cross/`, `anchor/`, `paste_parents/`, "
                                       "`relations/`) and the ONNX encoder built at set-up",
                                       "`models/` of the checkout")
    web_libraries_path: Path | None = setting(None, "ARGMAP_WEB_LIBRARIES",
                                              "the web page's front-end libraries (`npm ci` in web/)",
                                              "`web/node_modules` of the checkout")
    database_url: str | None = setting(None, "ARGMAP_DATABASE_URL", "any SQLAlchemy URL",
                                       "SQLite (WAL) in the instance folder")
    # jobs
    broker_url: str | None = setting(None, "ARGMAP_BROKER_URL",
                                     "Redis URL: run analyses on Celery workers instead of in-process")
    workers: int = setting(1, "ARGMAP_WORKERS", "analyses at once on the local pool")
    visibility_timeout: float = setting(900.0, "ARGMAP_VISIBILITY_TIMEOUT",
                                        "seconds before a dead Celery worker's analysis is redelivered", "900 s")
    restore_interval: float = setting(10.0, "ARGMAP_RESTORE_INTERVAL",
                                      "seconds between sweeps for unacknowledged Celery tasks", "10 s")
    job_lease: float = setting(60.0, "ARGMAP_JOB_LEASE",
                               "seconds a running analysis stays claimed without a heartbeat; then another "
                               "process may re-queue it", "60 s")
    # the API
    api_tokens: tuple[str, ...] = setting((), "ARGMAP_API_TOKENS",
                                          "comma-separated; writes then need `Authorization: Bearer …`")
    max_batch: int = setting(100, "ARGMAP_MAX_BATCH", "items per batch request")
    max_request_bytes: int = setting(32 * 1024 * 1024, "ARGMAP_MAX_REQUEST_BYTES", "request body cap", "32 MiB")
    connection_limit: int = setting(1000, "ARGMAP_CONNECTION_LIMIT",
                                    "`serve`: open connections at once (idle ones hold no thread)")
    channel_timeout: int = setting(30, "ARGMAP_CHANNEL_TIMEOUT", "`serve`: seconds an idle connection stays open",
                                   "30 s")
    rate_limits: bool = setting(True, "ARGMAP_RATE_LIMITS", "`off` turns the API's rate limits off", "on")
    read_rate_limit: str = setting("600/minute", "ARGMAP_READ_RATE_LIMIT", "reads per token or IP")
    write_rate_limit: str = setting("60/minute", "ARGMAP_WRITE_RATE_LIMIT", "writes per token or IP")
    list_all_analyses: bool = setting(False, "ARGMAP_LIST_ALL_ANALYSES",
                                      "`on`: the home page's \"Recent analyses\" lists everyone's, not only "
                                      "the visitor's own (a cookie), and so does `GET /api/v1/analyses` "
                                      "with API tokens (else a token's own)", "off")
    # the pipeline
    max_comments: int = setting(5000, "ARGMAP_MAX_COMMENTS",
                                "comments per thread (`--max-comments`); a cut thread says so")
    encoder: str | None = setting(None, "ARGMAP_ENCODER", "MiniLM runtime: `onnx`, `onnx-int8`, `torch`",
                                  "`onnx` when built, else `torch`")
    spacy_model: str | None = setting(None, "ARGMAP_SPACY_MODEL", "the spaCy pipeline claims are read with",
                                      "`en_core_web_sm` if installed")
    edge_threshold: float | None = setting(None, "ARGMAP_EDGE_THRESHOLD",
                                           "calibrated stance confidence a reply's edge needs (replies to "
                                           "the post keep the judge's own rule, never a lower threshold)",
                                           "the stance judge's (`models/stance*/config.json`)")
    relation_method: str = setting("auto", "ARGMAP_RELATION_METHOD",
                                   "how a reply's stance is judged: `auto` (`cross` for threads of up to "
                                   "ARGMAP_CAREFUL_MAX_REPLIES full-length replies, `model` above), `model` (the "
                                   "fast stance head), `cross` (the cross-encoder: slower, stronger) or `rules` "
                                   "(markers)")
    careful_max_replies: int = setting(500, "ARGMAP_CAREFUL_MAX_REPLIES",
                                       "the most replies `auto` reads with the cross-encoder (~11 ms each at full "
                                       "length on 2 cores), counted by length: a reply that with its parent is shorter "
                                       "than 640 characters counts as its share, at least a quarter; replies "
                                       "to the post, which it does not read, do not count")
    # fetching threads
    http_timeout: float = setting(20.0, "ARGMAP_HTTP_TIMEOUT", "seconds per HTTP request", "20 s")
    http_retries: int = setting(4, "ARGMAP_HTTP_RETRIES", "retries (backing off, honouring `Retry-After`)")
    max_response_bytes: int = setting(32 * 1024 * 1024, "ARGMAP_MAX_RESPONSE_BYTES", "HTTP response cap", "32 MiB")
    reddit_more_limit: int = setting(300, "ARGMAP_REDDIT_MORE_LIMIT",
                                     "\"load more\" / \"continue this thread\" expansions per Reddit thread")
    reddit_client_id: str | None = setting(None, "REDDIT_CLIENT_ID", "with the secret: read Reddit through praw")
    reddit_client_secret: str | None = setting(None, "REDDIT_CLIENT_SECRET", "praw (OAuth) client secret")
    reddit_user_agent: str | None = setting(None, "REDDIT_USER_AGENT", "praw user agent", "argmap's")
    praw_site: str | None = setting(None, "ARGMAP_PRAW_SITE", "a `praw.ini` site to read Reddit through instead")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, file: str | Path | None = None) -> "Settings":
        """Settings from a TOML ``file`` (keys: field names), then the environment over it."""
        environ = os.environ if environ is None else environ
        values: dict = {}
        if file:
            try:
                values.update(tomllib.loads(Path(file).read_text(encoding="utf-8")))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
                raise ArgmapError(f"cannot read the settings file {file}: {error}") from None
            unknown = set(values) - {f.name for f in dataclasses.fields(cls)}
            if unknown:
                raise ArgmapError(f"unknown settings in {file}: {', '.join(sorted(unknown))}")
        for spec in dataclasses.fields(cls):
            raw = environ.get(spec.metadata["env"])
            if raw is not None and raw.strip() != "":
                values[spec.name] = raw.strip()
        settings = cls(**{name: _convert(cls.__dataclass_fields__[name], value) for name, value in values.items()})
        if settings.relation_method not in RELATION_METHODS:
            raise ArgmapError(f"ARGMAP_RELATION_METHOD should be one of {', '.join(RELATION_METHODS)}, "
                              f"not {settings.relation_method!r}")
        if not isinstance(settings.max_comments, int) or settings.max_comments < 1:
            raise ArgmapError(f"ARGMAP_MAX_COMMENTS should be a whole number of at least 1, not {settings.max_comments!r}")
        threshold = settings.edge_threshold
        if threshold is not None and not (isinstance(threshold, (int, float)) and 0.0 <= threshold <= 1.0):
            raise ArgmapError(f"ARGMAP_EDGE_THRESHOLD should be a confidence from 0 to 1, not {threshold!r}")
        return settings

    def for_thread(self, thread) -> "Settings":
        """These settings with ``relation_method = auto`` decided for ``thread``: the cross-encoder
        (``cross``) when its work is at most ``careful_max_replies`` full-length replies
        (``careful_load``) and its files are there, else the stance head (``model``) — a cost
        that stays within a few seconds."""
        if self.relation_method != "auto":
            return self
        config = self.models_folder / "stance_cross" / "config.json"
        careful = (config.exists() and careful_load(thread, replies_to_post=_reads_replies_to_post(config))
                   <= self.careful_max_replies)
        return self.replace(relation_method="cross" if careful else "model")

    def replace(self, **changes) -> "Settings":
        return dataclasses.replace(self, **changes)

    # derived places

    @property
    def instance_folder(self) -> Path:
        """The instance folder, made on first use."""
        path = Path(self.instance_path).expanduser() if self.instance_path else default_instance_path(os.environ)
        try:
            path.mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            raise ArgmapError(f"the instance folder {path} is a file, not a folder (ARGMAP_INSTANCE_PATH)") from None
        except OSError as error:  # a path under a file, no permission, a read-only disk
            raise ArgmapError(f"cannot make the instance folder {path}: {error.strerror or error} "
                              "(ARGMAP_INSTANCE_PATH)") from None
        return path

    @property
    def models_folder(self) -> Path:
        return Path(self.models_path).expanduser() if self.models_path else default_models_path()

    @property
    def web_libraries_folder(self) -> Path:
        if self.web_libraries_path:
            return Path(self.web_libraries_path).expanduser()
        return Path(__file__).resolve().parent.parent / "web" / "node_modules"

    @property
    def database(self) -> str:
        """The database URL: ``database_url``, else SQLite in the instance folder."""
        return self.database_url or f"sqlite:///{self.instance_folder / 'argmap.sqlite'}"


def _convert(spec: dataclasses.Field, value):
    if not isinstance(value, str):
        return tuple(value) if spec.name == "api_tokens" else value
    kind = type(spec.default) if spec.default is not None else str
    try:
        if spec.name == "api_tokens":
            return tuple(t.strip() for t in value.split(",") if t.strip())
        if spec.name in ("instance_path", "models_path", "web_libraries_path"):
            return Path(value)
        if spec.name == "edge_threshold":
            return float(value)
        if kind is bool:
            return value.lower() not in ("off", "0", "false", "no")
        if kind in (int, float):
            return kind(value)
    except ValueError:
        raise ArgmapError(f"{spec.metadata['env']} should be a number, not {value!r}") from None
    return value


def readme_table() -> str:
    """The Markdown table of every setting (the README holds it verbatim; a test checks)."""
    rows = ["| setting (environment) | field | default | what |", "|---|---|---|---|"]
    for spec in dataclasses.fields(Settings):
        shown = spec.metadata["shown"]
        if shown is None:
            shown = "unset" if spec.default in (None, ()) else f"{spec.default}"
        rows.append(f"| `{spec.metadata['env']}` | `{spec.name}` | {shown} | {spec.metadata['doc']} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(readme_table())
