"""The source documents, their metadata, and access to the stores built from them."""
