"""The answer path: understand -> retrieve -> decide -> compose, run in order by engine.py."""
