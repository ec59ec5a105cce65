"""Domain knowledge as data: the files under knowledge/domain load, and every mistake in them is
reported with the file and line; the glossary reads school terms the way staff write them."""
import shutil

import pytest

from ingest.abbreviations import defined_abbreviations
from knowledge.domain import default_domain_dir, load_domain
from knowledge.errors import DomainDataError
from knowledge.glossary import build_glossary


@pytest.fixture
def domain_copy(tmp_path):
    target = tmp_path / "domain"
    shutil.copytree(default_domain_dir(), target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target


def test_the_shipped_data_loads():
    domain = load_domain()
    assert {"next_step", "become", "stage_detail", "instruction_attack", "topic.pay"} <= set(domain.intents)
    assert all(len(examples) >= 8 for examples in domain.intents.values())
    assert "Progression readiness" in domain.aspects["readiness"].columns
    assert domain.topics["pay"].ask and domain.prompts


@pytest.mark.parametrize("file, old, new, message", [
    ("intents.yml", "  next_step:", "  next_steps:", "unknown intent 'next_steps'"),
    ("intents.yml", "  topic.pay:", "  topic.salary:", "no topic 'salary' in topics.yml"),
    ("intents.yml", "    - what comes after being a developing teacher\n",
     "    - what comes after being a developing teacher\n    - what is the AI hub for\n",
     "listed under both"),
    ("cues.yml", "count: ['", "count: ['(unclosed", "bad regular expression"),
    ("columns.yml", "    asked_by: [purpose, point of", "    said_by: [purpose, point of",
     "unknown field(s) said_by"),
    ("glossary.yml", "    role: true\n", "    role: yes please\n", "role must be true or false"),
    ("topics.yml", "topics:\n", "topics: [\n", "not valid YAML"),
])
def test_a_mistake_names_the_file_and_line(domain_copy, file, old, new, message):
    path = domain_copy / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(DomainDataError) as error:
        load_domain(domain_copy)
    assert f"{path}:" in str(error.value) and message in str(error.value)
    assert str(error.value).split(f"{path}:")[1].split(":")[0].isdigit()  # a line number


def test_more_than_four_suggested_prompts_is_an_error(domain_copy):
    path = domain_copy / "prompts.yml"
    extra = "  - title: More\n    message: More?\n"
    path.write_text(path.read_text() + extra)
    with pytest.raises(DomainDataError, match="at most 4"):
        load_domain(domain_copy)


def test_the_glossary_reads_abbreviations_texting_and_old_names():
    glossary = build_glossary(load_domain(), {}, known=frozenset({"npq", "hlta"}))
    assert glossary.canonical("aht here, wot shud i do nxt") == \
        "assistant headteacher here what should i do next"
    assert glossary.canonical("NQT here") == "early career teacher here"
    assert glossary.canonical("head of maths") == "head of department"
    assert glossary.canonical("heads up about the SENDCo") == "heads up about the senco"
    assert glossary.mask_roles("what should a DHT do next") == "what should a ROLE do next"
    # embeddings get every expansion; lexical search only those of words the documents lack
    assert glossary.expand("hlta and dht") == \
        "hlta (higher level teaching assistant) and dht (deputy headteacher)"
    assert glossary.expand("hlta and dht", every=False) == "hlta and dht (deputy headteacher)"


def test_abbreviations_the_documents_define_are_mined():
    found = defined_abbreviations([
        "A Higher Level Teaching Assistant (HLTA) plans lessons.",
        "Early Career Teachers (ECTs) are entitled to support.",
        "Black and Global Majority (BGM) leaders.", "Something (XYZ) else."])
    assert found == {"HLTA": "Higher Level Teaching Assistant", "ECT": "Early Career Teachers",
                     "BGM": "Black and Global Majority"}
