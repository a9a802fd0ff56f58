"""Domain errors; the HTTP layer maps them to 404, 409 and 422."""


class DomainError(Exception):
    """Base class: the message is shown to the user as the problem's detail."""


class NotFoundError(DomainError):
    """The thing named does not exist."""


class ConflictError(DomainError):
    """The request contradicts the current state (illegal stage change, closed vacancy, duplicate)."""


class RuleViolationError(DomainError):
    """The request is well-formed but breaks a business rule (e.g. a plan above its parent's)."""
