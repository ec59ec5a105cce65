"""Pending work is finished: at start, questions left pending by a process that stopped are
answered before new ones; then, every SWEEP_SECONDS, this process renews the leases of the
questions it holds and takes over those of a process that stopped (another replica, or an
earlier run of this one).

A lease owner is "host:pid:token". On this host, an owner whose pid is not running (or is this
process under an earlier token) is gone at once, so a restart picks up right away; an owner on
another host is trusted until its lease runs out (LEASE_SECONDS without a renewal).
"""
from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time

from assistant.slack.pending import LEASE_SECONDS

log = logging.getLogger(__name__)
SWEEP_SECONDS = LEASE_SECONDS / 4


def process_owner() -> str:
    """This process, as a lease owner: host, pid and a token telling it from an earlier process
    that had the same pid."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def is_gone(owner: str, me: str) -> bool:
    """True when `owner` is known to have stopped: a process of this host no longer running."""
    host, _, rest = owner.partition(":")
    pid, _, token = rest.partition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False  # another host's process (or a released question): its lease decides
    if owner == me:
        return False
    if int(pid) == os.getpid():
        return True  # an earlier process that had this pid (a container restarted)
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # running, as another user
    return False


class Recovery:
    """Start-up recovery, then lease renewal and take-overs on a daemon thread until `stop()`."""

    def __init__(self, deliverer, client, bot_user_id: str, interval: float = SWEEP_SECONDS):
        self.deliverer = deliverer
        self.pending = deliverer.pending
        self.client, self.bot_user_id = client, bot_user_id
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pdbot-recovery", daemon=True)

    def start(self) -> dict[str, int]:
        """Take over the questions of stopped processes, hand them to the deliverer ahead of
        any new question, and start renewing; returns how many are answered and expired."""
        questions = self._take_over()
        limit = self.deliverer.recover_seconds
        now = time.time()
        counts = {"recovering": sum(1 for q in questions if now - q.created <= limit)}
        counts["expiring"] = len(questions) - counts["recovering"]
        self.deliverer.recover(questions, self.client, self.bot_user_id, first=True)
        self._thread.start()
        return counts

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def sweep(self) -> int:
        """Renew this process's leases and take over stale questions; how many were taken."""
        self.pending.renew(self.deliverer.owner)
        questions = self._take_over()
        self.deliverer.recover(questions, self.client, self.bot_user_id)
        return len(questions)

    def _take_over(self) -> list:
        me = self.deliverer.owner
        gone = {owner for owner in self.pending.owners() if is_gone(owner, me)}
        questions = self.pending.claim_stale(me, gone=gone)
        if questions:
            log.info("took over %d pending questions (%d owners gone)", len(questions),
                     len(gone), extra={"event": "take_over", "count": len(questions)})
        return questions

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.sweep()
            except Exception:  # a locked store must not stop the bot; tried again next time
                log.exception("recovery: sweep failed; trying again in %.0f s", self.interval)
