"""One hierarchy of errors, grouped by what the caller can do about them.

Front doors render an :class:`EscuchaError` once, as one line, without a traceback.
"""


class EscuchaError(Exception):
    """Root of every error escucha raises on purpose."""

    exit_code = 1


class ConfigError(EscuchaError, ValueError):
    """The configuration is wrong. ``problems`` lists every problem with its key path."""

    exit_code = 2

    def __init__(self, problems, path=None):
        if isinstance(problems, str):
            problems = [problems]
        self.problems = list(problems)
        self.path = path
        where = f" ({path})" if path else ""
        super().__init__(
            f"{len(self.problems)} problem(s) in the configuration{where}:\n"
            + "\n".join(f"  - {p}" for p in self.problems)
        )


class MissingSecret(ConfigError):
    """A secret's environment variable is not set. Names the variable, never a value."""


class CollectorError(EscuchaError):
    """A platform could not be read. ``kind`` says why in a word the pages translate
    (escucha.health): auth, quota, unreachable or error."""

    kind = "error"


class Unreachable(CollectorError):
    """The platform could not be reached (connection refused, timeout, DNS)."""

    kind = "unreachable"


class RateLimited(CollectorError):
    """The platform asked us to wait; ``retry_at`` is when (UTC epoch seconds) or None."""

    kind = "quota"

    def __init__(self, message, retry_at=None):
        super().__init__(message)
        self.retry_at = retry_at


class AuthRejected(CollectorError):
    """The platform refused our credentials."""

    kind = "auth"


class StoreError(EscuchaError):
    """The store could not read or write."""


class ChannelError(EscuchaError):
    """A notification channel is misconfigured."""


class Unpaged(EscuchaError):
    """An escalation tick could reach nobody for some open incident: every send failed.
    The tick's counts were printed already; the exit code (3) and a failed Airflow task
    make it seen."""

    exit_code = 3


class ClassifierError(EscuchaError):
    """A model is missing, corrupt or misused."""


class NotFitted(ClassifierError, AttributeError):
    """``predict`` called before ``fit`` (like scikit-learn's NotFittedError)."""


class InputError(EscuchaError, ValueError):
    """A file or value given by the user is malformed."""
