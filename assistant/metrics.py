"""Prometheus counters and histograms for `GET /metrics`, on a registry object passed around.

There is no module-level registry: `pdbot slack` makes one `Metrics` and hands it to the app
(questions, outcomes, votes, latency) and to the HTTP server (refused requests, the endpoint).
"""
from __future__ import annotations

from typing import Callable

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def refusal_kind(reason: str) -> str:
    """A refusal reason's kind for a label: "topic:pay" -> "topic", "" -> "input" (bad input)."""
    return reason.split(":", 1)[0] or "input"


class Metrics:
    """The assistant's counters; `llm_fallbacks` is read when scraped (the LLM answerer counts)."""

    def __init__(self, llm_fallbacks: Callable[[], int] = lambda: 0,
                 pending: Callable[[], int] = lambda: 0):
        from prometheus_client import CollectorRegistry, Counter, Histogram

        self.registry = CollectorRegistry(auto_describe=True)
        self.questions = Counter("pdbot_questions", "Questions received (Slack)",
                                 registry=self.registry)
        self.answered = Counter("pdbot_answered", "Questions answered from the documents",
                                registry=self.registry)
        self.refused = Counter("pdbot_refused", "Questions not answered, by kind of reason "
                               "(topic, not_stated, instructions, weak, greeting, thanks, input)",
                               ["reason"], registry=self.registry)
        self.failed = Counter("pdbot_failed", "Questions that ended in the one-line "
                              "'Something went wrong (ref N)' reply", registry=self.registry)
        self.recovered = Counter("pdbot_recovered", "Questions left pending by a stopped "
                                 "process and answered after it (or found answered)",
                                 registry=self.registry)
        self.expired = Counter("pdbot_expired", "Questions left pending longer than "
                               "SLACK_RECOVER_MINUTES: one line asked the person to ask again",
                               registry=self.registry)
        self.votes = Counter("pdbot_votes", "Feedback votes on answers", ["vote"],
                             registry=self.registry)
        self.latency = Histogram("pdbot_answer_latency_seconds",
                                 "Time to compute an answer (engine or LLM)",
                                 buckets=LATENCY_BUCKETS, registry=self.registry)
        self.http_refused = Counter("pdbot_http_refused", "HTTP requests refused before the "
                                    "app saw them, by status", ["status"], registry=self.registry)
        self.registry.register(_CallbackCounter(
            "pdbot_llm_fallbacks", "LLM replies not used (error, time-out, failed citation "
            "check); the extractive answer was sent instead", llm_fallbacks))
        self.registry.register(_CallbackGauge(
            "pdbot_pending", "Questions accepted and not answered yet (all processes sharing "
            "the store)", pending))

    def observe_answer(self, answered: bool, reason: str, seconds: float) -> None:
        """Count one question, its outcome and how long it took."""
        self.questions.inc()
        if answered:
            self.answered.inc()
        else:
            self.refused.labels(refusal_kind(reason)).inc()
        self.latency.observe(seconds)

    def observe_vote(self, vote: str) -> None:
        self.votes.labels(vote).inc()

    def exposition(self) -> tuple[bytes, str]:
        """(body, content type) of the text exposition format."""
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        return generate_latest(self.registry), CONTENT_TYPE_LATEST


class _CallbackCounter:
    """A counter whose value is read from a callable at scrape time."""

    def __init__(self, name: str, documentation: str, read: Callable[[], int]):
        self.name, self.documentation, self.read = name, documentation, read

    def collect(self):
        from prometheus_client.core import CounterMetricFamily

        family = CounterMetricFamily(self.name, self.documentation)
        family.add_metric([], float(self.read()))
        yield family

    def describe(self):
        from prometheus_client.core import CounterMetricFamily

        yield CounterMetricFamily(self.name, self.documentation)


class _CallbackGauge(_CallbackCounter):
    """A gauge whose value is read from a callable at scrape time."""

    def collect(self):
        from prometheus_client.core import GaugeMetricFamily

        family = GaugeMetricFamily(self.name, self.documentation)
        family.add_metric([], float(self.read()))
        yield family

    def describe(self):
        from prometheus_client.core import GaugeMetricFamily

        yield GaugeMetricFamily(self.name, self.documentation)
