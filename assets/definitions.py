"""The Dagster code location: every spec in `pipelines/specs/` as an asset group.

`dagster dev` (via the root `workspace.yaml`) and
`dagster asset materialize -m assets.definitions --select 'group:viral_posts'` load `defs`.
Each spec is loaded and built on its own: a broken one is left out with a warning naming it
and why (`BROKEN`, pipeline name → message), and every other pipeline still loads and runs.
"""

import warnings

import dagster as dg

from assets.factory import BrokenPipelineWarning, build_definitions
from pipelines.spec import load_each_spec

_specs, BROKEN = load_each_spec()
for _message in BROKEN.values():
    warnings.warn(_message, BrokenPipelineWarning, stacklevel=1)
defs = build_definitions(_specs, broken=BROKEN)


def retrain_job(name: str) -> dg.JobDefinition:
    """The resolved job `name` of `defs`, for `dg.build_reconstructable_job`: how processes
    other than the one starting a run (multiprocess steps, Celery workers) load it."""
    return defs.resolve_job_def(name)
