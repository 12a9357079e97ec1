"""The domain's errors.  The service maps each to an HTTP answer in one table."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one field of one submitted development."""

    field: str
    message: str
    index: int | None = None

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"field": self.field, "message": self.message}
        if self.index is not None:
            out["index"] = self.index
        return out


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""


class FieldError(DomainError):
    """A single field is wrong; raised while validating, collected into ``InvalidDevelopment``."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass
class InvalidDevelopment(DomainError):
    """A development (or a batch) breaks the vocabulary: schema violations."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join(f"{p.field}: {p.message}" for p in self.problems)


@dataclass
class UnknownReference(DomainError):
    """A development names a conflict, actor or development the log does not know."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join(f"{p.field}: {p.message}" for p in self.problems)


@dataclass
class IdConflict(DomainError):
    """An id (client id, idempotency key or registry id) is taken by other content."""

    detail: str
    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return self.detail


@dataclass
class DevelopmentNotFound(DomainError):
    """No development has this id."""

    id: str

    def __str__(self) -> str:
        return f"no development has the id {self.id}"


@dataclass
class BatchTooLarge(DomainError):
    """A batch holds more developments than one transaction takes."""

    size: int
    limit: int

    def __str__(self) -> str:
        return f"a batch holds at most {self.limit} developments; this one holds {self.size}"
