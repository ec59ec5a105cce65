"""The quickstart contract: every `pdbot` command the Makefile runs is one the CLI accepts."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

from assistant.cli import build_parser

MAKEFILE = Path(__file__).resolve().parent.parent / "Makefile"


def test_every_pdbot_command_in_the_makefile_parses():
    text = MAKEFILE.read_text().replace("\\\n", " ")  # a recipe line continued is one command
    variables = dict(re.findall(r"^(\w+) \?= (.*)$", text, flags=re.M))
    commands = re.findall(r"^\t\$\(BIN\)/pdbot (.*)$", text, flags=re.M)
    assert any(c.startswith("ask") for c in commands) and any(c.startswith("ingest") for c in commands)
    for command in commands:
        expanded = re.sub(r"\$\((\w+)\)", lambda m: variables.get(m.group(1), "x"), command)
        build_parser().parse_args(shlex.split(expanded))  # exits (fails the test) if not accepted


def test_run_and_test_targets_exist():
    text = MAKEFILE.read_text()
    assert re.search(r"^run:", text, flags=re.M) and re.search(r"^test:", text, flags=re.M)
