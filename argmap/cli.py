"""The ``argmap`` command line: analyse, fetch, serve, and the workers and training around them."""

from __future__ import annotations

import os
import sys

import click

from argmap.errors import ArgmapError


class StderrProgress:
    """One live line on stderr per stage (a progress bar where stderr is a terminal)."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.last_stage = None

    def __call__(self, stage: str, done: int, total: int, message: str) -> None:
        if self.tty:
            bar = ""
            if total:
                filled = int(20 * done / total)
                bar = "[" + "#" * filled + "." * (20 - filled) + "] "
            self.stream.write(f"\r\033[K{stage:>9} {bar}{message}")
            if stage == "done":
                self.stream.write("\n")
        elif stage != self.last_stage or stage == "done" or done == total:
            self.stream.write(f"{stage}: {message}\n")
        self.stream.flush()
        self.last_stage = stage


def fail(error: ArgmapError) -> None:
    click.echo(f"argmap: error: {error.message}", err=True)
    sys.exit(2)


@click.group()
@click.version_option(package_name="argmap")
def main() -> None:
    """Map the claims in a Hacker News or Reddit thread and which claims support or rebut which."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")


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
@click.option("--format", "fmt", default="json", show_default=True, help="export format (json, graphml, …)")
@click.option("-o", "--output", help="write here instead of standard output")
@click.option("--threshold", type=float, default=None, help="minimum confidence for an edge")
@click.option("--max-comments", type=int, default=None, help="cut threads longer than this")
@click.option("-q", "--quiet", is_flag=True, help="no progress on stderr")
def analyze(source, fmt, output, threshold, max_comments, quiet):
    """Analyse SOURCE (a URL, hn:N, reddit:ID, a thread file, or - for stdin)."""
    from argmap.export import get_exporter
    from argmap.pipeline import analyze as run_analysis

    try:
        exporter = get_exporter(fmt)
        check_output(output)
        analysis, graph = run_analysis(source, progress=None if quiet else StderrProgress(),
                                       threshold=threshold, max_comments=max_comments)
        for note in analysis.thread.notes:
            click.echo(f"note: {note}", err=True)
        _write(exporter.render(analysis, graph), output)
    except ArgmapError as error:
        fail(error)


@main.command()
@click.argument("source")
@click.option("-o", "--output", help="write here instead of standard output")
@click.option("--max-comments", type=int, default=None, help="cut threads longer than this")
def fetch(source, output, max_comments):
    """Fetch SOURCE and write its canonical thread JSON (to analyse later, offline)."""
    from argmap.model import thread_to_json
    from argmap.sources import resolve

    try:
        check_output(output)
        thread = resolve(source, progress=StderrProgress(), max_comments=max_comments)
        for note in thread.notes:
            click.echo(f"note: {note}", err=True)
        _write(thread_to_json(thread).encode("utf-8"), output)
    except ArgmapError as error:
        fail(error)


@main.command("build-encoder")
def build_encoder():
    """Export MiniLM to ONNX (fp32 and int8) under models/encoder/ for fast embedding."""
    from argmap.encoder_onnx import build

    for variant, path in build().items():
        click.echo(f"built {variant}: {path}", err=True)


def waitress_options(threads: int) -> dict:
    """How ``serve`` runs waitress: many idle connections must not lock out the rest.

    ``connection_limit`` (ARGMAP_CONNECTION_LIMIT, 1000) open connections, far above the
    request threads, since an idle one holds no thread; an idle one is closed after
    ``channel_timeout`` (ARGMAP_CHANNEL_TIMEOUT, 30 s), checked every ``cleanup_interval``;
    poll(), not select() (which fails past 1024 descriptors); request bodies capped at
    ARGMAP_MAX_REQUEST_BYTES (32 MiB) and headers at 64 KiB before Flask reads anything.
    """
    from argmap.config import env_int

    channel_timeout = max(1, env_int("ARGMAP_CHANNEL_TIMEOUT", 30))
    return {
        "threads": threads,
        "connection_limit": max(env_int("ARGMAP_CONNECTION_LIMIT", 1000), 4 * threads),
        "channel_timeout": channel_timeout,
        "cleanup_interval": max(1, min(10, channel_timeout // 2)),
        "asyncore_use_poll": True,
        "max_request_body_size": env_int("ARGMAP_MAX_REQUEST_BYTES", 32 * 1024 * 1024) + 64 * 1024,
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


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on")
@click.option("--port", default=5000, show_default=True, type=int, help="port to listen on")
@click.option("--threads", default=8, show_default=True, type=int, help="request threads")
def serve(host, port, threads):
    """Run the web service and API (analyses run on ARGMAP_WORKERS threads, or Celery with ARGMAP_BROKER_URL)."""
    import waitress

    from argmap import jobs
    from argmap.service import create_app

    app = create_app()
    from argmap.service.ui import missing_front_end

    if missing_front_end():
        click.echo("argmap: warning: the map's front-end libraries are missing; run `npm ci` in web/ "
                   "(scripts/setup.sh does)", err=True)
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
    click.echo(f"argmap: serving on http://{shown}:{port}/ (API: http://{shown}:{port}/api/v1/docs, "
               f"jobs: {jobs.get_backend().name}); Ctrl-C stops", err=True)
    options = waitress_options(threads)
    _allow_open_files(options["connection_limit"] + 128)
    waitress.serve(app, host=host, port=port, **options)


@main.command()
@click.option("--concurrency", default=1, show_default=True, type=int, help="analyses at once")
@click.option("--pool", default="solo", show_default=True, type=click.Choice(["solo", "prefork", "threads"]),
              help="Celery pool (solo: one process, the models loaded once)")
@click.option("--loglevel", default="info", show_default=True)
def worker(concurrency, pool, loglevel):
    """Run a Celery worker that takes analyses from ARGMAP_BROKER_URL (e.g. redis://localhost:6379/0)."""
    from argmap import jobs

    if not jobs.broker_url():
        fail(ArgmapError("argmap worker needs ARGMAP_BROKER_URL (e.g. redis://localhost:6379/0)"))
    jobs.celery_app().worker_main(jobs.worker_argv(concurrency, pool, loglevel))


@main.command()
@click.argument("urls_file", type=click.File("r"))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="folder for the exports")
@click.option("--format", "fmt", default="graphml", show_default=True, help="export format (graphml, json, …)")
@click.option("--poll", default=1.0, show_default=True, type=float, help="seconds between status checks")
def batch(urls_file, out_dir, fmt, poll):
    """Analyse every URL in URLS_FILE (one a line, # comments) through the job system; write exports to OUT."""
    from argmap import batches as batch_run

    try:
        sources = batch_run.read_sources(urls_file)
        summary = batch_run.run_batch(sources, out_dir, fmt=fmt, poll=poll)
    except ArgmapError as error:
        fail(error)
    click.echo(batch_run.describe(summary), err=True)
    if summary["failed"]:
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
