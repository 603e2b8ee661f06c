"""trainyard pipelines."""
