"""Asset keys of a pipeline's models, the one place that says how they are formed."""

import dagster as dg


def model_key(pipeline: str, candidate: str | None = None) -> dg.AssetKey:
    """`<p>/model`, or `<p>/model/<candidate>` for one of a spec's candidates."""
    return dg.AssetKey([pipeline, "model", *([candidate] if candidate else [])])


def models_by_key(
    context: dg.AssetExecutionContext, inputs: dict[str, object]
) -> dict[dg.AssetKey, object]:
    """An asset's model inputs keyed by the asset key each was loaded from."""
    return {context.asset_key_for_input(name): value for name, value in inputs.items()}
