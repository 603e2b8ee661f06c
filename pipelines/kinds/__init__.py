"""Pipeline kinds, plain-Python side: what a kind's spec declares, how its models are
evaluated and which sections its report has.

- table (`pipelines.spec.PipelineSpec`, `pipelines.kinds.table`): rows read from a file or a
  generator, validated, turned into features; models scored on the rows.
- environment (`pipelines.kinds.environment_spec`, `pipelines.kinds.environment`,
  `pipelines.kinds.environment_report`): an agent trained in a simulated environment, its
  greedy policy scored over seeded episodes.

The spec models are registered in `pipelines.spec.SPEC_KINDS`; the Dagster assets of each
kind in `assets.kinds.ASSET_KINDS`.
"""
