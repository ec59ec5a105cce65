"""Many workspaces: "Add to Slack" at /slack/install and Slack's redirect at
/slack/oauth_redirect (Bolt's OAuth flow), with installations and one-time states in the store's
database (slack_sdk's SQLAlchemy stores, tables made by revision 0003). Each request then runs
with its team's bot token; an uninstall or revoked tokens delete that team's installation.
"""
from __future__ import annotations

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
STATE_SECONDS = 600  # an "Add to Slack" link is good for this long


def oauth_settings(slack, engine, scopes):
    """Bolt's OAuthSettings for `slack` (SlackSettings with client_id and client_secret)."""
    from slack_bolt.oauth.oauth_settings import OAuthSettings
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
    from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

    return OAuthSettings(
        client_id=slack.client_id, client_secret=slack.client_secret, scopes=sorted(scopes),
        installation_store=SQLAlchemyInstallationStore(client_id=slack.client_id, engine=engine),
        state_store=SQLAlchemyOAuthStateStore(expiration_seconds=STATE_SECONDS, engine=engine),
        install_path=INSTALL_PATH, redirect_uri_path=REDIRECT_PATH)


def team_client(app, team_id: str):
    """(a WebClient with the team's bot token, the bot's user id) from its installation, or
    (None, "") when the team has none (uninstalled)."""
    from slack_sdk import WebClient

    store = app.installation_store
    bot = store.find_bot(enterprise_id=None, team_id=team_id) if store is not None else None
    if bot is None or not bot.bot_token:
        return None, ""
    return WebClient(token=bot.bot_token, base_url=app.client.base_url,
                     retry_handlers=app.client.retry_handlers), bot.bot_user_id or ""


def installed_teams(app) -> list[str]:
    """The team ids with an installation, for the start-up line."""
    from sqlalchemy import select

    store = app.installation_store
    with store.engine.connect() as db:
        return sorted({r[0] for r in db.execute(select(store.bots.c.team_id).distinct())
                       if r[0]})
