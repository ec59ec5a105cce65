"""The section ranker and unit selector trained from the question bank (`pdbot train-ranker`)."""
