"""A question once acknowledged is answered, even if the process dies: `pdbot slack` as a real
process against the Web API stand-in, loaded, killed with SIGKILL and restarted."""
from __future__ import annotations

import shutil
import time
from collections import Counter

import pytest

from tests.slack_process import describe, load_probe, percentile
from tests.slack_standin import SlackStandIn


@pytest.fixture
def api():
    with SlackStandIn() as standin:
        yield standin


@pytest.fixture
def data_dir(built_settings, tmp_path):
    target = tmp_path / "data"
    shutil.copytree(built_settings.data_dir, target)
    return target


def answers_per_thread(api, threads) -> Counter:
    return Counter(c.body.get("thread_ts") for c in api.called("chat.postMessage")
                   if c.body.get("thread_ts") in threads)


def wait_answered(api, threads, timeout: float) -> float:
    """Seconds until every thread has an answer (AssertionError after `timeout`)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if len(answers_per_thread(api, threads)) == len(threads):
            return time.monotonic() - started
        time.sleep(0.05)
    missing = len(threads) - len(answers_per_thread(api, threads))
    raise AssertionError(f"{missing} of {len(threads)} questions unanswered after {timeout}s")


def test_load_300_mentions_and_30_retries_are_each_answered_once(data_dir, tmp_path):
    figures = load_probe(data_dir, tmp_path / "bot.log")
    print(f"\nload: {describe(figures)}")
    assert figures["statuses"] == [200] * 330 and figures["exit_code"] == 0
    assert len(figures["per_thread"]) == 300 and set(figures["per_thread"].values()) == {1}
    assert percentile(figures["acks"], 0.95) < 1000
    assert figures["answered_in"] < 30
    assert figures["rss_after"] - figures["rss_before"] < 100
