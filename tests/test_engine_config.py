"""The engine configuration: every tuned number in one validated object, recorded with results."""
from __future__ import annotations

import json

import pytest

from assistant.answer.config import EngineConfig
from knowledge.errors import ConfigError


def test_defaults_round_trip_through_plain_values():
    config = EngineConfig()
    again = EngineConfig.from_dict(json.loads(json.dumps(config.to_dict())))
    assert again == config and again.digest() == config.digest()


def test_a_file_overrides_only_what_it_names(tmp_path):
    path = tmp_path / "engine.json"
    path.write_text(json.dumps({"composition": {"answer_budget": 500},
                                "components": {"spelling": False}}))
    config = EngineConfig.load(path)
    assert config.composition.answer_budget == 500 and not config.components.spelling
    assert config.decision == EngineConfig().decision
    assert config.digest() != EngineConfig().digest()


@pytest.mark.parametrize("data, named", [
    ({"composition": {"answer_budgt": 500}}, "answer_budgt"),
    ({"retrieval": {"similarity_margin": 1.5}}, "retrieval.similarity_margin"),
    ({"composition": {"answer_budget": "long"}}, "composition.answer_budget"),
    ({"composition": {"answer_budget": 1.5}}, "composition.answer_budget"),
    ({"components": {"spelling": "no"}}, "components.spelling"),
    ({"decision": 3}, "decision"),
])
def test_bad_values_are_refused_naming_the_setting(data, named):
    with pytest.raises(ConfigError, match=named.replace(".", r"\.")):
        EngineConfig.from_dict(data)


def test_a_broken_file_is_one_clear_error(tmp_path):
    path = tmp_path / "engine.json"
    path.write_text("{not json")
    with pytest.raises(ConfigError, match="not valid JSON"):
        EngineConfig.load(path)


def test_without_switches_off_one_component_and_rejects_unknown_ones():
    config = EngineConfig().without("spelling")
    assert not config.components.spelling and config.components.learned_ranker
    with pytest.raises(ConfigError):
        EngineConfig().without("telepathy")


def test_settings_read_the_configuration_file_from_the_environment(tmp_path):
    from knowledge.settings import Settings

    settings = Settings.from_env({"PDBOT_ENGINE_CONFIG": str(tmp_path / "e.json")})
    assert settings.engine_config == tmp_path / "e.json"
    assert Settings.from_env({}).engine_config is None
