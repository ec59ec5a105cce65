"""Answer-quality evals: question sets, metrics and the benchmark."""
