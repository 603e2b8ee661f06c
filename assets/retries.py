"""The retry policy of training steps.

A training step that raises (a `MemoryError`, a storage write that failed) is run again, up
to twice, after 1 s then 2 s. A worker process that dies mid-step raises nothing in the step:
there the broker gives the step's task to another worker (`assets.engine`: late
acknowledgement), so either way a lost step costs a retry, not the run. A deterministic
error (bad parameters) fails the same way each attempt and is reported after the last.
"""

import dagster as dg

TRAINING_RETRY = dg.RetryPolicy(max_retries=2, delay=1, backoff=dg.Backoff.EXPONENTIAL)
