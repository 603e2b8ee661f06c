"""trainyard assets."""
