"""Answering questions about the professional-development documents: engine, CLI and Slack app."""
