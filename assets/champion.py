"""`<p>/champion`: the promoted model of every pipeline kind (table or environment).

Its blocking `promotion_gate` check passes only when the spec's `promote_if` holds and the
new model is not worse than the current champion on the headline metric. On a failed gate
the step fails without an output, so the stored champion stays exactly as it was. A
promotion is stored as the next champion version (`ChampionIOManager`, `pipelines.champions`)
with the data versions of every asset upstream of it.
"""

from collections.abc import Iterable, Iterator, Mapping

import dagster as dg

from assets.instance import latest_metadata
from assets.keys import model_key, models_by_key
from assets.metadata import float_entries
from assets.versions import code_version
from pipelines.champions import Promotion
from pipelines.gate import decide_promotion
from pipelines.spec_base import SpecBase

GATE_CHECK = "promotion_gate"
CHAMPION_IO = "champion_io"
# The float entries are rounded for display; the gate compares these exact values.
EXACT_METRICS = "exact_metrics"
# Dagster's tags on a materialization: its data version and those of the inputs it read.
_DATA_VERSION_TAG = "dagster/data_version"
_INPUT_VERSION_PREFIX = "dagster/input_data_version/"


def _champion_metrics(metadata: dict | None) -> dict | None:
    """Exact metric values recorded on the latest champion materialization, if any (a champion
    recorded before `exact_metrics` existed has only its floats)."""
    if metadata is None:
        return None
    if EXACT_METRICS in metadata:
        return metadata[EXACT_METRICS]
    return {name: value for name, value in metadata.items() if isinstance(value, float)}


def _verdict(name: str, passed: bool, champion: dict | None) -> str:
    """What became of the champion, for the check's description."""
    if passed:
        return f"promoted: {name}/champion is this run's model now"
    if champion is None:
        return f"not promoted: {name}/champion stays empty"
    run = champion.get("promoted_from_run", "an unrecorded run")
    return f"not promoted: judged against {name}/champion from run {run}, which stays as it was"


def _upstream_data_versions(
    instance: dg.DagsterInstance, keys: Iterable[dg.AssetKey]
) -> dict[str, str]:
    """Asset key → data version of `keys` and of everything upstream of them, as recorded on
    their latest materializations (the ones this step read)."""
    found: dict[str, str] = {}
    seen: set[dg.AssetKey] = set()
    level = list(keys)
    while level:  # one query per level of the graph, not one per asset
        seen.update(level)
        upstream: list[dg.AssetKey] = []
        for record in instance.get_asset_records(level):
            event = record.asset_entry.last_materialization
            if event is None or event.asset_materialization is None:
                continue
            tags = event.asset_materialization.tags or {}
            found[record.asset_entry.asset_key.to_user_string()] = tags.get(_DATA_VERSION_TAG, "")
            upstream += [
                dg.AssetKey.from_user_string(name.removeprefix(_INPUT_VERSION_PREFIX))
                for name in tags
                if name.startswith(_INPUT_VERSION_PREFIX)
            ]
        level = [key for key in dict.fromkeys(upstream) if key not in seen]
    return dict(sorted(found.items()))


def champion_asset(spec: SpecBase, models: Mapping[str, dg.AssetIn]) -> dg.AssetsDefinition:
    """`<p>/champion` fed by `<p>/evaluation` and the `models` inputs (`<p>/model`, or each
    `<p>/model/<name>` candidate: the evaluation's chosen candidate is promoted)."""
    key = dg.AssetKey([spec.name, "champion"])
    gate = spec.evaluation.promote_if or {"(none)": "always"}
    check = dg.AssetCheckSpec(
        GATE_CHECK,
        asset=key,
        blocking=True,
        description=f"promote_if {gate} and not worse than the current champion.",
    )

    @dg.asset(
        key=key,
        group_name=spec.name,
        ins={"evaluation": dg.AssetIn(key=[spec.name, "evaluation"]), **models},
        io_manager_key=CHAMPION_IO,
        check_specs=[check],
        output_required=False,
        code_version=code_version(spec.evaluation.promote_if),
        description="The promoted model; replaced only when the promotion gate passes.",
        kinds={"numpy"},
    )
    def champion(
        context: dg.AssetExecutionContext, evaluation, **models
    ) -> Iterator[dg.Output | dg.AssetCheckResult]:
        candidate = evaluation.candidate
        model = models_by_key(context, models)[model_key(spec.name, candidate)]
        champion_metadata = latest_metadata(context.instance, key.path)
        decision = decide_promotion(spec, evaluation, _champion_metrics(champion_metadata))
        if decision.passed:
            inputs = context.assets_def.keys_by_input_name.values()
            yield dg.Output(
                Promotion(
                    bundle=model,
                    metrics=evaluation.metrics,
                    headline=evaluation.headline,
                    run_id=context.run.run_id,
                    data_versions=_upstream_data_versions(context.instance, inputs),
                ),
                metadata={
                    **float_entries(evaluation.metrics),
                    EXACT_METRICS: dg.MetadataValue.json(evaluation.metrics),
                    "spec_hash": model.spec_hash,
                    "promoted_from_run": context.run.run_id,
                },
            )
        # After the output, so Dagster links the check to this run's champion; on a failed
        # gate there is none, and the link goes to the champion it was judged against. The
        # description's last line is the conditions, which `trainyard run` prints.
        yield dg.AssetCheckResult(
            check_name=GATE_CHECK,
            passed=decision.passed,
            metadata={
                "reasons": dg.MetadataValue.md("\n".join(f"- {r}" for r in decision.reasons))
            },
            description=f"{_verdict(spec.name, decision.passed, champion_metadata)}\n"
            + "; ".join(decision.reasons),
        )

    return champion
