"""Every answer a fault test's clients got, when, and how long it took, beside the faults' marks."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx

PROBLEM_JSON = "application/problem+json"


def is_proper_refusal(response: httpx.Response) -> bool:
    """A 503 as promised: a problem document that says when to retry."""
    return (
        response.status_code == 503
        and response.headers.get("content-type", "").startswith(PROBLEM_JSON)
        and response.headers.get("retry-after", "").isdigit()
    )


@dataclass(frozen=True)
class Answer:
    sent: float
    received: float
    method: str
    path: str
    status: int
    proper_refusal: bool

    @property
    def latency(self) -> float:
        return self.received - self.sent

    @property
    def succeeded(self) -> bool:
        return 200 <= self.status < 300


@dataclass
class Timeline:
    origin: float = field(default_factory=time.monotonic)
    answers: list[Answer] = field(default_factory=list)
    marks: dict[str, float] = field(default_factory=dict)

    def mark(self, event: str) -> None:
        self.marks[event] = time.monotonic()

    def since(self, event: str, moment: float) -> float:
        return moment - self.marks[event]

    def event_hooks(self) -> dict[str, list[Callable[..., Any]]]:
        """httpx hooks that time every request from sending to the answer's headers."""

        async def sent(request: httpx.Request) -> None:
            request.extensions["sent_at"] = time.monotonic()

        async def answered(response: httpx.Response) -> None:
            request = response.request
            self.answers.append(
                Answer(
                    sent=request.extensions["sent_at"],
                    received=time.monotonic(),
                    method=request.method,
                    path=request.url.path,
                    status=response.status_code,
                    proper_refusal=is_proper_refusal(response),
                )
            )

        return {"request": [sent], "response": [answered]}

    def sent_between(self, first: str, last: str | None = None) -> list[Answer]:
        """Answers to requests sent after mark `first` (and before mark `last`, if given)."""
        end = self.marks[last] if last else float("inf")
        return [answer for answer in self.answers if self.marks[first] <= answer.sent < end]


def first_answer(answers: Iterable[Answer], wanted: Callable[[Answer], bool]) -> Answer | None:
    """The earliest received of the answers that are `wanted`."""
    return min((answer for answer in answers if wanted(answer)), key=lambda a: a.received, default=None)
