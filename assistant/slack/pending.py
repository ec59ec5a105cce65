"""Questions accepted from Slack and not yet answered, kept where a crash cannot lose them.

Slack does not resend an event it got an acknowledgement for, so a question is written down
before the acknowledgement goes back, and crossed off in the transaction that records its
answer. The contract below holds for any store behind it (SQLite today:
assistant/slack/pending_store.py, over SQLite or PostgreSQL):

- `accept` is durable when it returns, and returns False for an event id seen before (Slack's
  retry of it), so an event is answered once however many processes share the store;
- a pending question is leased to one owner (a process) at a time; `claim_stale` hands over only
  questions whose lease ran out or whose owner is known to be gone, so two replicas never answer
  the same one; `renew` keeps a living owner's leases;
- `answered` records the answer and marks the question answered in one transaction;
- `replying` notes a reply begun (a stream's message), which a claim hands over with it;
- a question no longer pending (answered, skipped, expired, failed) keeps no text;
- nothing here talks to Slack.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Iterable

from assistant.slack.questions import Question
from knowledge.records import Answer

LEASE_SECONDS = 60.0  # a question's owner renews its lease well within this while it lives


class PendingQuestions(ABC):
    """Pending questions with leases; see the module docstring for the contract."""

    @abstractmethod
    def accept(self, question: Question, owner: str, lease: float = LEASE_SECONDS) -> bool:
        """Record `question` as pending, leased to `owner`; False when its event id was seen."""

    @abstractmethod
    def claim_stale(self, owner: str, lease: float = LEASE_SECONDS,
                    gone: Iterable[str] = (), now: float | None = None) -> list[Question]:
        """Lease to `owner` every pending question whose lease has run out or whose owner is in
        `gone`; returns them oldest first, marked recovered, with their attempt count."""

    @abstractmethod
    def renew(self, owner: str, lease: float = LEASE_SECONDS) -> int:
        """Extend the leases `owner` holds; how many."""

    @abstractmethod
    def owners(self) -> set[str]:
        """The owners holding leases on pending questions."""

    @abstractmethod
    def answered(self, question: Question, answer: Answer, answer_id: str,
                 history: list[dict]) -> bool:
        """Record the answer (as FeedbackStore.record_answer does) and mark the question
        answered, in one transaction; False when it was no longer pending."""

    @abstractmethod
    def replying(self, question: Question, ts: str) -> None:
        """Note the message a reply to `question` was begun in (a stream), so that after a
        crash the answer replaces that message instead of posting a second one."""

    @abstractmethod
    def finish(self, question: Question, outcome: str) -> bool:
        """Mark a question done without an answer: "skipped" (not for the bot), "expired" (too
        old after a restart) or "failed"; False when it was no longer pending."""

    @abstractmethod
    def release(self, question: Question, retry_after: float) -> None:
        """Give a question back, to be claimed again after `retry_after` seconds (Slack could
        not be reached to reply)."""

    @abstractmethod
    def count(self) -> int:
        """Questions pending now."""
