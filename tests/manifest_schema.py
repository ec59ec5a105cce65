"""The parts of Slack's app manifest schema that pdbot's manifests use, written down from the
manifest reference (docs.slack.dev/reference/app-manifest, and the JSON schema Slack publishes
at github.com/slackapi/manifest-schema): field names, required fields, lengths and counts.
Unknown fields are refused, as Slack's manifest API refuses them.

One rule is Slack's documentation rather than its schema: an app uses the agent view or the
legacy assistant view, not both (moving to `agent_view` replaces `assistant_view`).
"""
from __future__ import annotations

URL = {"type": "string", "pattern": "^https?://", "maxLength": 3500}
PROMPT = {"type": "object", "additionalProperties": False, "required": ["title", "message"],
          "properties": {"title": {"type": "string"}, "message": {"type": "string"}}}
EVENT_NAMES = {"type": "array", "maxItems": 100, "uniqueItems": True,
               "items": {"type": "string", "maxLength": 50}}
SCOPES = {"type": "array", "maxItems": 255, "items": {"type": "string", "maxLength": 50}}


def _object(properties: dict, required: tuple[str, ...] = ()) -> dict:
    return {"type": "object", "additionalProperties": False, "properties": properties,
            "required": list(required)}


SCHEMA = _object({
    "_metadata": {"type": "object"},
    "display_information": _object({
        "name": {"type": "string", "minLength": 1, "maxLength": 35},
        "description": {"type": "string", "minLength": 1, "maxLength": 140},
        "background_color": {"type": "string", "pattern": "^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$"},
        "long_description": {"type": "string", "minLength": 175, "maxLength": 4000},
    }, ("name",)),
    "features": {**_object({
        "app_home": _object({"home_tab_enabled": {"type": "boolean"},
                             "messages_tab_enabled": {"type": "boolean"},
                             "messages_tab_read_only_enabled": {"type": "boolean"}}),
        "bot_user": _object({"display_name": {"type": "string", "minLength": 1, "maxLength": 80},
                             "always_online": {"type": "boolean"}}, ("display_name",)),
        "agent_view": _object({
            "agent_description": {"type": "string", "maxLength": 300},
            "suggested_prompts": {"type": "array", "maxItems": 4, "items": PROMPT},
            "actions": {"type": "array", "items": _object(
                {"name": {"type": "string"}, "description": {"type": "string"}},
                ("name", "description"))},
        }),
        "assistant_view": _object({
            "assistant_description": {"type": "string"},
            "suggested_prompts": {"type": "array", "items": PROMPT},
        }, ("assistant_description",)),
        "slash_commands": {"type": "array", "minItems": 1, "maxItems": 50, "items": _object({
            "command": {"type": "string", "minLength": 2, "maxLength": 32, "pattern": "^/"},
            "url": URL,
            "description": {"type": "string", "minLength": 1, "maxLength": 2000},
            "usage_hint": {"type": "string", "minLength": 1, "maxLength": 1000},
            "should_escape": {"type": "boolean"},
        }, ("command", "description"))},
    }), "not": {"required": ["agent_view", "assistant_view"]}},
    "oauth_config": _object({"scopes": _object({"bot": SCOPES, "user": SCOPES}),
                             "redirect_urls": {"type": "array", "items": {"type": "string"}}}),
    "settings": _object({
        "event_subscriptions": _object({"request_url": URL, "bot_events": EVENT_NAMES,
                                        "user_events": EVENT_NAMES}),
        "interactivity": _object({"is_enabled": {"type": "boolean"}, "request_url": URL,
                                  "message_menu_options_url": URL}, ("is_enabled",)),
        "org_deploy_enabled": {"type": "boolean"},
        "socket_mode_enabled": {"type": "boolean"},
        "token_rotation_enabled": {"type": "boolean"},
    }),
}, ("display_information",))


def check_manifest(manifest: dict) -> list[str]:
    """Every way `manifest` breaks the schema, as messages (empty when it follows it)."""
    from jsonschema import Draft7Validator

    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
            for e in Draft7Validator(SCHEMA).iter_errors(manifest)]
