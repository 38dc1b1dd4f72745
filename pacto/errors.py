"""Domain errors raised by actions; the edges map them to HTTP in one place."""

from __future__ import annotations


class ActionError(Exception):
    """A request that breaks a rule. ``field`` names the input, ``rule`` the rule broken."""

    status = 422

    def __init__(self, field: str, rule: str, message: str):
        super().__init__(message)
        self.field = field
        self.rule = rule
        self.message = message

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "rule": self.rule, "message": self.message}


class NotAllowed(ActionError):
    """The actor may not do this (or may not see the object: then it is NotFound)."""

    status = 403

    def __init__(self, message: str, rule: str = "permission", field: str = "actor"):
        super().__init__(field, rule, message)


class NotFound(ActionError):
    """Missing, or not visible to the actor: both look the same, so nothing leaks."""

    status = 404

    def __init__(self, what: str):
        super().__init__(what, "exists", f"{what} not found")


def one_of(rows, pk, what: str):
    """The row ``pk`` of ``rows`` (a queryset: what the actor may see), else ``NotFound(what)``:
    a row that does not exist and one the actor may not see are refused alike."""
    row = rows.filter(pk=pk).first()
    if row is None:
        raise NotFound(what)
    return row


class Conflict(ActionError):
    """The object changed since the client read it (optimistic locking)."""

    status = 409
