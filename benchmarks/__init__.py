"""Speed benchmarks against scikit-learn, run by hand; results in RESULTS.md."""
