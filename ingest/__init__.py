"""Turning source documents into sections, chunks, pathways and indexes."""
