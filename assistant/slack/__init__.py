"""The Slack app: Bolt listeners, Block Kit answers, feedback, and the HTTP / Socket Mode runners."""
