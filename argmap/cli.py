"""The ``argmap`` command line: analyse, fetch, serve, and the workers and training around them."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from argmap.errors import ArgmapError
from argmap.settings import Settings


class StderrProgress:
    """One live line on stderr per stage (a progress bar where stderr is a terminal)."""

    open_line = None  # the stream whose live line is not ended yet

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.last_stage = None

    @classmethod
    def end_line(cls) -> None:
        """End a live progress line left open (before an error or a note is written)."""
        if cls.open_line is not None:
            cls.open_line.write("\n")
            cls.open_line.flush()
            cls.open_line = None

    def __call__(self, stage: str, done: int, total: int, message: str) -> None:
        if self.tty:
            bar = ""
            if total:
                filled = int(20 * done / total)
                bar = "[" + "#" * filled + "." * (20 - filled) + "] "
            width = _columns(self.stream) - 12 - len(bar)  # one row: \r clears no more
            text = message if len(message) <= width else message[:max(width - 1, 10)] + "…"
            self.stream.write(f"\r\033[K{stage:>9} {bar}{text}")
            StderrProgress.open_line = self.stream
            if stage == "done":
                self.stream.write("\n")
                StderrProgress.open_line = None
        elif stage != self.last_stage or stage == "done" or done == total:
            self.stream.write(f"{stage}: {message}\n")
        self.stream.flush()
        self.last_stage = stage


# the export formats, for --help (argmap.export's registry holds the same names: a test checks)
FORMATS_HELP = "json, graphml, graphml-yed, cytoscape, aif, argdown, csv, authors (who argues with whom), summary"


def _columns(stream) -> int:
    """The width of the terminal ``stream`` writes to (stderr: stdout may be a file)."""
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (OSError, ValueError, AttributeError):
        return 100


def _a_number(value: float | None) -> float | None:
    if value is not None and value != value:  # NaN passes every range check
        raise click.BadParameter("not a number")
    return value


def fail(error: ArgmapError) -> None:
    StderrProgress.end_line()  # an error starts its own line, not the end of a progress line
    click.echo(f"argmap: error: {error.message}", err=True)
    sys.exit(2)


class ArgmapGroup(click.Group):
    """The command group: Ctrl-C ends a command with one line and the shells' status 130."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            StderrProgress.end_line()
            click.echo("argmap: interrupted", err=True)
            sys.exit(130)


@click.group(cls=ArgmapGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="argmap")
@click.option("--settings", "settings_file", type=click.Path(dir_okay=False, exists=True),
              help="a TOML file of settings (field names as keys); the environment overrides it")
@click.pass_context
def main(context: click.Context, settings_file: str | None) -> None:
    """Map the claims in a Hacker News or Reddit thread and which claims support or rebut which."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        context.obj = Settings.from_env(os.environ, settings_file)
    except ArgmapError as error:
        fail(error)


def format_for(fmt: str | None, output: str | None) -> str:
    """The export format: the one asked for, else the one the output file's name ends with
    (``map.graphml`` → graphml, ``map.aif.json`` → aif, ``map.zip`` → csv), else json.

    >>> format_for(None, "out/map.graphml"), format_for(None, "m.yed.graphml"), format_for("aif", "m.json")
    ('graphml', 'graphml-yed', 'aif')
    >>> format_for(None, "-"), format_for(None, "notes.txt"), format_for(None, "tables.zip")
    ('json', 'json', 'csv')
    """
    from argmap.export import format_names, get_exporter

    if fmt:
        return fmt
    name = (output or "").lower()
    if name.endswith(".csv"):
        raise ArgmapError("the CSV export is a zip of three tables (claims, relations, topics): name the output "
                          "….zip, or give --format")
    by_extension = sorted(((get_exporter(n).extension, n) for n in format_names()), key=lambda pair: -len(pair[0]))
    return next((n for extension, n in by_extension if name.endswith("." + extension)), "json")


def check_output(output: str | None) -> None:
    """Refuse, before any work, an output that cannot be written: a folder, a path in a folder
    that does not exist or cannot be written, a closed standard output."""
    if output and output != "-":
        if os.path.isdir(output):
            raise ArgmapError(f"cannot write {output}: it is a folder")
        folder = os.path.dirname(os.path.abspath(output))
        if not os.path.isdir(folder):
            raise ArgmapError(f"cannot write {output}: no folder {folder}")
        if (os.path.exists(output) and not os.access(output, os.W_OK)) or not os.access(folder, os.W_OK):
            raise ArgmapError(f"cannot write {output}: permission denied")
        return
    stdout = sys.stdout
    if stdout is None or stdout.closed:  # Python sets None when started with descriptor 1 closed
        raise ArgmapError("standard output is closed: give -o FILE")
    try:
        descriptor = stdout.fileno()
    except (AttributeError, ValueError, OSError):  # not a file (a test runner's buffer): writable
        return
    try:
        os.fstat(descriptor)
    except OSError:
        raise ArgmapError("standard output is closed: give -o FILE") from None


def _write(data: bytes, output: str | None) -> None:
    if output and output != "-":
        try:
            with open(output, "wb") as handle:
                handle.write(data)
        except OSError as error:
            raise ArgmapError(f"cannot write {output}: {error.strerror or error}") from None
        click.echo(f"wrote {output}", err=True)
        return
    try:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    except OSError as error:  # a full disk (>/dev/full), a closed pipe
        # what is left in the buffer must not fail again at exit: point the descriptor at nothing
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        raise ArgmapError(f"cannot write to standard output: {error.strerror or error}") from None


@main.command()
@click.argument("source")
@click.option("--format", "fmt", default=None, help=f"export format: {FORMATS_HELP} (default: from the -o file's "
              "extension, else json)")
@click.option("-o", "--output", help="write here instead of standard output")
@click.option("--threshold", type=click.FloatRange(0.0, 1.0), default=None, callback=lambda _c, _p, v: _a_number(v), help="minimum stance confidence for a reply's edge (default: the judge's; replies to "
                   "the post keep the judge's own rule)")
@click.option("--max-comments", type=click.IntRange(min=1), default=None, help="analyse at most this many comments (whole branches, in reply-tree order)")
@click.option("-q", "--quiet", is_flag=True, help="no progress on stderr")
@click.option("--update-from", "update_from", metavar="FILE.json",
              help="an earlier JSON export of the same thread: analyse what is new, say what changed")
@click.pass_obj
def analyze(settings, source, fmt, output, threshold, max_comments, quiet, update_from):
    """Analyse SOURCE (a URL, hn:N, reddit:ID, a thread file, or - for stdin)."""
    from argmap.export import get_exporter
    from argmap.live import describe, read_export
    from argmap.pipeline import analyze as run_analysis

    try:
        exporter = get_exporter(format_for(fmt, output))
        check_output(output)
        previous = read_export(update_from) if update_from else None
        analysis, graph = run_analysis(source, settings=settings, progress=None if quiet else StderrProgress(),
                                       threshold=threshold, max_comments=max_comments, update_from=previous)
        StderrProgress.end_line()
        for note in analysis.thread.notes:
            click.echo(f"note: {note}", err=True)
        if not analysis.claims:
            click.echo("note: argmap found no claims here (no sentence that states something one could agree or "
                       "disagree with): the map is empty", err=True)
        if analysis.changes:
            click.echo(describe(analysis.changes), err=True)
        _write(exporter.render(analysis, graph), output)
    except ArgmapError as error:
        fail(error)


@main.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("--format", "fmt", default=None, help=f"export format: {FORMATS_HELP} (default: from the -o file's "
              "extension, else json)")
@click.option("-o", "--output", help="write here instead of standard output")
@click.option("--title", default="", help="the corpus's title (default: N threads)")
@click.option("--max-comments", type=click.IntRange(min=1), default=None, help="analyse at most this many comments (whole branches, in reply-tree order)")
@click.option("-q", "--quiet", is_flag=True, help="no progress on stderr")
@click.pass_obj
def corpus(settings, sources, fmt, output, title, max_comments, quiet):
    """Map many threads as one debate: SOURCES are URLs, thread files, or a file of URLs (@urls.txt)."""
    from argmap.corpus import build_corpus, note_failed, part_of
    from argmap.export import get_exporter
    from argmap.pipeline import analyze as run_analysis

    try:
        exporter = get_exporter(format_for(fmt, output))
        check_output(output)
        listed = []
        for source in sources:
            listed += _listed_sources(source[1:]) if source.startswith("@") else [source]
        parts, failed = [], []
        for number, source in enumerate(dict.fromkeys(listed), start=1):
            if not quiet:
                click.echo(f"[{number}/{len(set(listed))}] {source}", err=True)
            try:
                analysis, _graph = run_analysis(source, settings=settings, max_comments=max_comments,
                                                progress=None if quiet else StderrProgress())
            except ArgmapError as error:
                failed.append(source)
                StderrProgress.end_line()
                click.echo(f"skipped {source}: {error.message}", err=True)
                continue
            parts.append(part_of(analysis, settings=settings))
        if not parts:
            raise ArgmapError("no thread of the corpus could be read")
        unique: dict[str, object] = {}
        for part in parts:  # the same thread named twice (a URL and its file) is mapped once
            unique.setdefault(part.key, part)
        analysis, graph = build_corpus(list(unique.values()), title=title)
        note_failed(analysis, failed)
        if not quiet:
            stats = analysis.stats
            click.echo(f"corpus: {stats['threads']} threads, {stats['claims']:,} claims, "
                       f"{stats['cross_thread_restates']:,} cross-thread restates, "
                       f"{stats['recurring_disputes']} recurring disputes"
                       + (f"; {len(failed)} skipped" if failed else ""), err=True)
        _write(exporter.render(analysis, graph), output)
    except ArgmapError as error:
        fail(error)
    if failed:  # the map is written without them; like ``batch``, the exit status says so
        sys.exit(1)


def _listed_sources(path: str) -> list[str]:
    """The sources listed in a file (one a line, ``#`` comments)."""
    from argmap import batches as batch_run

    limit = 1024 * 1024
    try:
        if path == "-":
            raw = sys.stdin.buffer.read(limit + 1)
        else:
            with open(path, "rb") as handle:
                raw = handle.read(limit + 1)
        if len(raw) > limit:  # never a list cut mid-line ("hn:12345678" read as "hn:1234")
            raise ArgmapError(f"the list {path} is larger than 1 MiB; split it")
        return batch_run.read_sources(raw.decode("utf-8-sig").splitlines())
    except (OSError, UnicodeDecodeError) as error:
        raise ArgmapError(f"cannot read the list {path}: {getattr(error, 'strerror', None) or error}") from None


@main.command()
@click.argument("source")
@click.option("-o", "--output", help="write here instead of standard output")
@click.option("--max-comments", type=click.IntRange(min=1), default=None, help="keep at most this many comments (whole branches, in reply-tree order)")
@click.pass_obj
def fetch(settings, source, output, max_comments):
    """Fetch SOURCE and write its canonical thread JSON (to analyse later, offline)."""
    from argmap.model import thread_to_json
    from argmap.sources.resolver import resolve

    try:
        check_output(output)
        thread = resolve(source, settings=settings, progress=StderrProgress(), max_comments=max_comments)
        StderrProgress.end_line()  # fetching ends without a "done" stage
        for note in thread.notes:
            click.echo(f"note: {note}", err=True)
        _write(thread_to_json(thread).encode("utf-8"), output)
    except ArgmapError as error:
        fail(error)


@main.command("build-encoder")
@click.pass_obj
def build_encoder(settings):
    """Export MiniLM to ONNX (fp32 and int8) under the models folder's encoder/ for fast embedding."""
    import logging
    import warnings

    # the exporter's tracer and the quantiser explain themselves at length; set-up prints one line per file
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logging.getLogger().setLevel(logging.ERROR)
        built = build_onnx_encoder(settings.models_folder / "encoder")
    for variant, path in built.items():
        click.echo(f"built {variant}: {path}", err=True)


def waitress_options(threads: int, settings) -> dict:
    """How ``serve`` runs waitress: many idle connections must not lock out the rest.

    ``connection_limit`` (the settings' ``connection_limit``, 1000) open connections, far
    above the request threads, since an idle one holds no thread; an idle one is closed after
    ``channel_timeout`` (30 s), checked every ``cleanup_interval``; poll(), not select()
    (which fails past 1024 descriptors); request bodies capped at ``max_request_bytes``
    (32 MiB) and headers at 64 KiB before Flask reads anything.
    """
    channel_timeout = max(1, settings.channel_timeout)
    return {
        "threads": threads,
        "connection_limit": max(settings.connection_limit, 4 * threads),
        "channel_timeout": channel_timeout,
        "cleanup_interval": max(1, min(10, channel_timeout // 2)),
        "asyncore_use_poll": True,
        "max_request_body_size": settings.max_request_bytes + 64 * 1024,
        "max_request_header_size": 64 * 1024,
        "ident": "argmap",
    }


def _allow_open_files(wanted: int) -> None:
    """Raise the soft limit on open files towards ``wanted`` (connections need descriptors)."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        if soft != resource.RLIM_INFINITY and soft < target:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    except (ImportError, ValueError, OSError):  # pragma: no cover - not on this platform
        pass


def build_onnx_encoder(folder: Path) -> dict[str, Path]:
    """Export fp32 ONNX from the packaged weights and a per-channel int8 copy of its MatMuls."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from argmap.embed.onnx_runtime import VARIANTS
    from argmap.embed.torch_runtime import load_encoder

    folder.mkdir(parents=True, exist_ok=True)
    sentence_model = load_encoder()
    transformer = sentence_model[0].auto_model.eval()

    class Pooled(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            hidden = self.model(input_ids=input_ids, attention_mask=attention_mask,
                                token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    example = sentence_model.tokenizer(["an example", "a slightly longer example sentence"], padding=True,
                                       return_tensors="pt")
    names = ["input_ids", "attention_mask", "token_type_ids"]
    fp32 = folder / VARIANTS["fp32"]
    with torch.no_grad():
        torch.onnx.export(Pooled(transformer), tuple(example[n] for n in names), str(fp32), input_names=names,
                          output_names=["embedding"], opset_version=17, dynamo=False,
                          dynamic_axes={**{n: {0: "batch", 1: "tokens"} for n in names}, "embedding": {0: "batch"}})
    int8 = folder / VARIANTS["int8"]
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=True,
                     op_types_to_quantize=["MatMul"])
    return {"fp32": fp32, "int8": int8}


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535), help="port to listen on")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(min=1), help="request threads")
@click.pass_obj
def serve(settings, host, port, threads):
    """Run the web service and API (analyses run on ARGMAP_WORKERS threads, or Celery with ARGMAP_BROKER_URL)."""
    import waitress

    from argmap.service import create_app

    app = create_app(settings=settings)
    from argmap.service.ui import missing_front_end

    if missing_front_end(settings.web_libraries_folder):
        click.echo("argmap: warning: the map's front-end libraries are missing; run `npm ci` in web/ "
                   "(scripts/setup.sh does)", err=True)
    if host not in ("127.0.0.1", "localhost", "::1") and not settings.api_tokens:
        click.echo(f"argmap: warning: listening on {host} with no API tokens: anyone who reaches it can list, "
                   "read and delete every analysis (set ARGMAP_API_TOKENS; README, Deployment)", err=True)
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
    options = waitress_options(threads, settings)
    _allow_open_files(options["connection_limit"] + 128)
    try:
        server = waitress.create_server(app, host=host, port=port, **options)  # binds: a busy port fails here
    except (OSError, ValueError) as error:  # a busy port, a host that does not resolve or is no address
        fail(ArgmapError(f"cannot listen on {host}:{port}: {getattr(error, 'strerror', None) or error}"))
    click.echo(f"argmap: serving on http://{shown}:{port}/ (API: http://{shown}:{port}/api/v1/docs, "
               f"jobs: {app.extensions['argmap_jobs'].name}); Ctrl-C stops", err=True)
    server.run()


@main.command()
@click.option("--concurrency", default=1, show_default=True, type=click.IntRange(min=1), help="analyses at once")
@click.option("--pool", default="solo", show_default=True, type=click.Choice(["solo", "prefork", "threads"]),
              help="Celery pool (solo: one process, the models loaded once)")
@click.option("--loglevel", default="info", show_default=True)
@click.pass_obj
def worker(settings, concurrency, pool, loglevel):
    """Run a Celery worker that takes analyses from ARGMAP_BROKER_URL (e.g. redis://localhost:6379/0)."""
    from argmap import jobs

    if not settings.broker_url:
        fail(ArgmapError("argmap worker needs ARGMAP_BROKER_URL (e.g. redis://localhost:6379/0)"))
    jobs.celery_app(settings).worker_main(jobs.worker_argv(concurrency, pool, loglevel))


@main.command()
@click.argument("urls_file", type=click.Path(dir_okay=False))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="folder for the exports")
@click.option("--format", "fmt", default="graphml", show_default=True, help=f"export format: {FORMATS_HELP}")
@click.option("--poll", default=1.0, show_default=True, type=click.FloatRange(0.05, 3600.0), callback=lambda _c, _p, v: _a_number(v),
              help="seconds between status checks")
@click.pass_obj
def batch(settings, urls_file, out_dir, fmt, poll):
    """Analyse every URL in URLS_FILE (one a line, # comments) through the job system; write exports to OUT."""
    from argmap import batches as batch_run

    try:
        sources = _listed_sources(urls_file)
        summary = batch_run.run_batch(sources, out_dir, settings, fmt=fmt, poll=poll)
    except ArgmapError as error:
        fail(error)
    click.echo(batch_run.describe(summary), err=True)
    if summary["failed"]:
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
