"""One error hierarchy for the whole service, mapped to HTTP in exactly one place (app.py).

Every error a user can see is a `SummarizerError`: it carries a stable machine-readable `code`,
a message that says what to do, and the HTTP status it maps to. Modules raise the subclass for
the status they mean and pass a specific `code` (e.g. ``UnprocessableDocument("pdf_encrypted",
"...")``), so clients can branch on the code without parsing the message.
"""


class SummarizerError(Exception):
    """Base of every user-facing error."""

    status = 500
    default_code = "internal_error"

    def __init__(self, code=None, message=None, *, details=None, headers=None):
        if message is None:
            code, message = self.default_code, code or self.default_code.replace("_", " ")
        super().__init__(message)
        self.code = code or self.default_code
        self.message = message
        self.details = details
        self.headers = headers or {}

    def to_dict(self):
        """The JSON body every error response has: {"error": {"code", "message"}}."""
        body = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return {"error": body}


class BadRequest(SummarizerError):
    """The request is malformed: bad JSON, unknown or invalid options, empty input."""

    status = 400
    default_code = "bad_request"


class Unauthorized(SummarizerError):
    """No valid API token."""

    status = 401
    default_code = "unauthorized"


class Forbidden(SummarizerError):
    """Refused whoever asks: a browser page of an origin the service does not serve."""

    status = 403
    default_code = "forbidden"


class NotFound(SummarizerError):
    """An unknown job or route."""

    status = 404
    default_code = "not_found"


class PayloadTooLarge(SummarizerError):
    """The upload or the extracted document exceeds a configured limit."""

    status = 413
    default_code = "too_large"


class UnsupportedMediaType(SummarizerError):
    """A file type or request content type the service does not read."""

    status = 415
    default_code = "unsupported_type"


class UnprocessableDocument(SummarizerError):
    """A document of a known type that cannot be read (encrypted, scanned, truncated...)."""

    status = 422
    default_code = "unreadable_document"


class TooManyRequests(SummarizerError):
    """Backpressure: the queue is full or a client is over its rate."""

    status = 429
    default_code = "too_many_requests"


class ServiceUnavailable(SummarizerError):
    """Redis is down or no worker is serving the queue."""

    status = 503
    default_code = "unavailable"


class JobCanceled(SummarizerError):
    """Raised inside a worker when the client canceled the running job."""

    status = 409
    default_code = "canceled"


class ModelError(SummarizerError):
    """The model could not be loaded or failed while generating."""

    status = 500
    default_code = "model_error"


class JobFailed(SummarizerError):
    """A job ended with an error in the worker; its own code and message are kept."""

    status = 500
    default_code = "job_failed"


class WaitTimeout(SummarizerError):
    """`?wait=true` gave up before the job finished; the job itself goes on."""

    status = 504
    default_code = "wait_timeout"


class UpstreamError(SummarizerError):
    """The inference server (backend `openai`) answered something the service cannot use: a 4xx
    (a refused API key, an unknown model, a prompt longer than its context) or a body that is not
    an OpenAI-compatible answer. `details["status"]` is its HTTP status. Not retried: asking again
    would get the same answer."""

    status = 502
    default_code = "upstream_error"


class UpstreamUnavailable(UpstreamError):
    """The inference server could not be reached, dropped the answer, or kept failing (5xx, 429)
    after the retries with back-off; it may come back by itself."""

    status = 503
    default_code = "upstream_unavailable"
