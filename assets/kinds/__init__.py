"""Pipeline kinds, Dagster side: the asset graph each kind of spec becomes.

A kind is registered once, under its spec's `kind` name; the factory asks the registry for
the assets of every spec. Adding a kind is one spec module in `pipelines/` (registered in
`pipelines.spec.SPEC_KINDS`) and one module here that builds its assets, registered below.
"""

from __future__ import annotations

from collections.abc import Callable

import dagster as dg

from assets.kinds.environment import environment_assets
from assets.kinds.table import table_assets
from pipelines.kinds.environment_spec import ReinforcementSpec
from pipelines.spec import PipelineSpec
from pipelines.spec_base import SpecBase

AssetsOfSpec = Callable[[SpecBase], list[dg.AssetsDefinition]]

ASSET_KINDS: dict[str, AssetsOfSpec] = {
    PipelineSpec.kind: table_assets,
    ReinforcementSpec.kind: environment_assets,
}


def pipeline_assets(spec: SpecBase) -> list[dg.AssetsDefinition]:
    """The asset definitions of one pipeline, in graph order, built by its kind."""
    return ASSET_KINDS[spec.kind](spec)
