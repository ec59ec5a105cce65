"""`pdbot slack` as an operator runs it: a subprocess in HTTP mode on 127.0.0.1 (a free port),
against a Web API stand-in, stopped (or killed) by the test; and the signed mentions a load
probe sends it."""
from __future__ import annotations

import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.conftest import free_port, wait_until_serving
from tests.test_slack import SECRET, TOKEN, mention, signed_post

QUESTIONS = ["What should an HLTA do next?", "Which NPQs does Camden Learning offer?",
             "How do I become a deputy head?", "What is the salary of an HLTA?",
             "How often do SEND networks meet?"]


class SlackProcess:
    """One `pdbot slack` process on `data_dir`; `start()` returns once /healthz answers."""

    def __init__(self, data_dir: Path, api_url: str, log: Path, **env: str):
        self.port = free_port()
        self.log = log
        self.env = {**os.environ, "PDBOT_DATA_DIR": str(data_dir), "SLACK_BOT_TOKEN": TOKEN,
                    "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": api_url,
                    "SLACK_APP_TOKEN": "", **env}
        self.process: subprocess.Popen | None = None

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def events(self) -> str:
        return f"{self.root}/slack/events"

    def start(self, timeout: float = 180) -> "SlackProcess":
        sink = self.log.open("a")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "assistant.cli", "slack", "--host", "127.0.0.1", "--port",
             str(self.port)], env=self.env, stdout=subprocess.DEVNULL, stderr=sink, text=True)
        sink.close()
        wait_until_serving(f"{self.root}/healthz", self.process, timeout)
        return self

    def rss_mb(self) -> float:
        """Resident memory of the process, from /proc."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def kill(self) -> None:
        """SIGKILL: what an OOM kill or a power cut does; nothing runs after it."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> int:
        """SIGTERM, as systemd stops it; the exit code."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.process.returncode


def send_mentions(url: str, count: int, senders: int = 20, retries: int = 0,
                  prefix: str = "Ev", first_ts: int = 1700100000) -> dict:
    """`count` signed mentions (five questions in turn, each in a thread of its own) from
    `senders` concurrent senders, plus `retries` of them sent again as Slack retries them.
    Returns each thread's send time, the ack latencies (ms) and the statuses."""
    sent: dict[str, float] = {}
    acks: list[float] = []
    statuses: list[int] = []

    def send(i: int) -> None:
        n = i if i < count else (i - count) * max(1, count // max(1, retries))
        ts = f"{first_ts + n}.000100"
        headers = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"} \
            if i >= count else None
        body = mention(QUESTIONS[n % len(QUESTIONS)], ts=ts, event_id=f"{prefix}{n}")
        started = time.monotonic()
        sent.setdefault(ts, started)
        status, _ = signed_post(url, body, headers=headers)
        acks.append((time.monotonic() - started) * 1000)
        statuses.append(status)

    with ThreadPoolExecutor(max_workers=senders) as pool:
        list(pool.map(send, range(count + retries)))
    return {"sent": sent, "acks": sorted(acks), "statuses": statuses}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(round(share * len(ordered))) - 1)]


def summary(acks: list[float]) -> str:
    return f"ack p50 {statistics.median(acks):.0f} ms, p95 {percentile(acks, 0.95):.0f} ms"


def load_probe(data_dir: Path, log: Path, count: int = 300, retries: int = 30,
               senders: int = 20) -> dict:
    """The reviewer's load probe: `count` signed mentions from `senders` concurrent senders
    plus `retries` Slack retries, against a fresh `pdbot slack` on `data_dir` and a stand-in.
    Returns the figures and how many times each thread was answered."""
    from tests.slack_standin import SlackStandIn

    with SlackStandIn() as api:
        bot = SlackProcess(data_dir, api.url, log).start()
        try:
            rss_before = bot.rss_mb()
            started = time.monotonic()
            load = send_mentions(bot.events, count, senders=senders, retries=retries)
            sent_for = time.monotonic() - started
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and len(_answered(api, load["sent"])) < count:
                time.sleep(0.05)
            posts = [c.at for c in api.called("chat.postMessage")]
            answered_in = (max(posts) - started) if posts else float("inf")
            time.sleep(1.0)
            rss_after = bot.rss_mb()
            per_thread = _answered(api, load["sent"])
        finally:
            code = bot.stop()
    return {"sent_for": sent_for, "acks": load["acks"], "statuses": load["statuses"],
            "answered_in": answered_in, "rss_before": rss_before, "rss_after": rss_after,
            "per_thread": per_thread, "exit_code": code}


def _answered(api, threads) -> dict[str, int]:
    counts: dict[str, int] = {}
    for call in api.called("chat.postMessage"):
        thread = call.body.get("thread_ts")
        if thread in threads:
            counts[thread] = counts.get(thread, 0) + 1
    return counts


def describe(figures: dict, count: int = 300, retries: int = 30, senders: int = 20) -> str:
    once = sum(1 for n in figures["per_thread"].values() if n == 1)
    return (f"{count} mentions + {retries} retries from {senders} senders sent in "
            f"{figures['sent_for']:.1f} s; {summary(figures['acks'])}; {once}/{count} answered "
            f"exactly once, all in {figures['answered_in']:.1f} s; RSS "
            f"{figures['rss_before']:.0f} -> {figures['rss_after']:.0f} MB")


if __name__ == "__main__":  # python -m tests.slack_process DATA_DIR: the probe, on a built index
    import tempfile

    folder = Path(tempfile.mkdtemp())
    shutil.copytree(sys.argv[1], folder / "data")
    print(describe(load_probe(folder / "data", folder / "bot.log")))
