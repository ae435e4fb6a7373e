"""The one family of errors a user can cause; the CLI prints them, the API returns them as JSON."""


class ArgmapError(Exception):
    """A problem with the input or the outside world that the user can act on.

    ``code`` is a stable machine-readable name (used by the API), ``status`` the HTTP
    status the API answers with.
    """

    code = "bad_input"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status


class UnsupportedSourceError(ArgmapError):
    """A source argmap cannot read; the message lists the forms it can (the API answers 422)."""

    code = "unsupported_source"
    status = 422


class ThreadNotFoundError(ArgmapError):
    code = "thread_not_found"
    status = 404


class AccessDeniedError(ArgmapError):
    code = "access_denied"
    status = 403


class RateLimitedError(ArgmapError):
    code = "rate_limited"
    status = 429


class NetworkError(ArgmapError):
    code = "network_error"
    status = 502


class TooLargeError(ArgmapError):
    code = "too_large"
    status = 413
