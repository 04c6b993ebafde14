"""Errors the domain raises; the Slack edge turns them into clear messages."""


class RelayError(Exception):
    """Something the person asking can fix; `str(error)` is shown to them as is. `fields`
    maps form fields to messages for inline modal errors."""

    def __init__(self, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.fields = fields or {}


class NotFound(RelayError):
    pass


class Forbidden(RelayError):
    pass


class Invalid(RelayError):
    """Bad input."""
