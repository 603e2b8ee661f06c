"""The Dagster code location: every spec in `pipelines/specs/` as an asset group.

`dagster dev` (via the root `workspace.yaml`) and
`dagster asset materialize -m assets.definitions --select 'group:viral_posts'` load `defs`.
"""

from assets.factory import build_definitions
from pipelines.spec import load_specs

defs = build_definitions(load_specs())
