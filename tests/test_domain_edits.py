"""Domain knowledge lives in data: an edition whose table columns and headings are renamed keeps
its column questions answered when only knowledge/domain/columns.yml is edited."""
from __future__ import annotations

import shutil
from dataclasses import replace

import pytest

from assistant.answer.engine import Engine
from ingest.pipeline import run_ingest
from knowledge.domain import default_domain_dir, load_domain
from knowledge.settings import Settings

STRATEGY = "camden-professional-development-strategy-current.txt"
RENAMED = {"Progression readiness": "Ready to move on when", "Purpose": "Why this stage",
           "## Progression Pathways: Teacher to Leader": "## Career Routes: Teacher to Leader"}


@pytest.fixture(scope="module")
def renamed_settings(tmp_path_factory, embedder):
    from knowledge.settings import default_documents_dir

    documents = tmp_path_factory.mktemp("renamed-docs")
    shutil.copytree(default_documents_dir(), documents, dirs_exist_ok=True)
    text = (documents / STRATEGY).read_text()
    for old, new in RENAMED.items():
        assert old in text
        text = text.replace(old, new)
    (documents / STRATEGY).write_text(text)
    settings = Settings(data_dir=tmp_path_factory.mktemp("renamed-data"), documents_dir=documents)
    run_ingest(settings, embedder=embedder)
    return settings


@pytest.fixture
def edited_domain(tmp_path):
    folder = tmp_path / "domain"
    shutil.copytree(default_domain_dir(), folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    path = folder / "columns.yml"
    text = path.read_text()
    text = text.replace("columns: [Progression readiness, Readiness]",
                        "columns: [Progression readiness, Readiness, Ready to move on when]")
    text = text.replace("columns: [Purpose]", "columns: [Purpose, Why this stage]")
    path.write_text(text)
    return folder


READINESS = "Evidence of impact on pupil progress"  # Stage 2's readiness, under the renamed column


def test_renamed_columns_need_only_the_data_file(renamed_settings, edited_domain, embedder):
    before = Engine.from_settings(renamed_settings, embedder=embedder)
    after = Engine(replace(renamed_settings, domain_dir=edited_domain), before.index, embedder,
                   load_domain(edited_domain))
    become = "How do I become an accomplished teacher?"
    assert READINESS not in before.answer(become).answer  # the column is unknown to the data
    answer = after.answer(become).answer
    assert READINESS in answer and "Ready to move on from Stage 2" in answer
    purpose = after.answer("What is the purpose of the developing teacher stage?")
    assert "Strengthen subject expertise" in purpose.answer
    assert "Career Routes: Teacher to Leader" in purpose.citations[0].section  # renamed heading
    readiness = after.answer("What evidence shows a developing teacher is ready to progress?")
    assert READINESS in readiness.answer
