"""`<p>/normalized` and `<p>/model`, and the training op `train_<name>` of every algorithm.

Each registered algorithm gets one op, `train_<name>`, made when a pipeline first uses it
(`training_op`), so building one pipeline imports its own estimators only. A reinforcement
algorithm's op, which trains on an environment, is `assets.kinds.environment.agent_train_op`;
a pipeline's `model` asset is a graph asset that calls the op of its spec's algorithm. The op
reads the spec from the `specs` resource; its config `params` overrides the spec's parameters
for one run (handy in the launchpad), and the overrides are recorded in the model's metadata.
"""

import functools
import time
import warnings
from typing import Any, Optional

import dagster as dg

from algorithms.registry import get_algorithm
from assets.keys import model_key
from assets.kinds.environment import agent_train_op
from assets.landing import batches_metadata, is_landing, training_frame
from assets.metadata import frame_schema, params_config, shown, training_entries
from assets.retries import TRAINING_RETRY
from assets.versions import code_version
from pipelines.bundle import ModelBundle
from pipelines.features import PreparedFeatures, prepare
from pipelines.kinds.environment_spec import ReinforcementSpec
from pipelines.spec import PipelineSpec
from pipelines.training import train
from pipelines.tuning import TuningResult


def normalized_asset(spec: PipelineSpec) -> dg.AssetsDefinition:
    """`<p>/normalized`: split, scaled on the train rows only, transform kept alongside; a
    landing pipeline's reads its validated batches (`assets.landing.training_frame`)."""
    landing = is_landing(spec)
    # A batch that never validated has no stored rows: skip it rather than fail the load.
    metadata = {"allow_missing_partitions": True} if landing else None
    # Which batches it reads is part of a landing pipeline's version (others keep theirs).
    reads = [spec.source.train_on] if landing else []

    @dg.asset(
        key=[spec.name, "normalized"],
        group_name=spec.name,
        ins={"validated": dg.AssetIn(key=[spec.name, "validated"], metadata=metadata)},
        io_manager_key="features_io",
        code_version=code_version(spec.features, spec.target, spec.split, *reads),
        description=f"Features {', '.join(spec.features.columns)} of {spec.name} "
        f"({spec.features.normalize} scaling fitted on the train rows) with a `split` column"
        + (", from its validated batches." if landing else "."),
        kinds={"polars"},
    )
    def normalized(context: dg.AssetExecutionContext, validated) -> dg.Output[PreparedFeatures]:
        extra = {}
        if landing:
            validated, batches, left_out = training_frame(context, spec, validated)
            extra = batches_metadata(batches, left_out)
        prepared = prepare(validated, spec)
        counts = dict(prepared.frame.group_by("split").len().iter_rows())
        return dg.Output(
            prepared,
            metadata={
                "dagster/row_count": prepared.frame.height,
                "train_rows": counts.get("train", 0),
                "test_rows": counts.get("test", 0),
                "transform": dg.MetadataValue.json(prepared.transform.to_dict()),
                "dagster/column_schema": frame_schema(prepared.frame),
                **extra,
            },
        )

    return normalized


def _model_metadata(bundle: ModelBundle, seconds: float, overrides: dict[str, Any]) -> dict:
    estimator = bundle.estimator
    metadata = training_entries(
        bundle.algorithm, bundle.params, seconds, overrides, bundle.spec_hash
    )
    curve = getattr(estimator, "loss_curve_", None)
    if curve is not None and len(curve):
        metadata["final_loss"] = dg.MetadataValue.float(shown(curve[-1]))
        metadata["epochs_run"] = len(curve)
        metadata["loss_history"] = dg.MetadataValue.json([float(v) for v in curve][:1000])
    return metadata


def train_op(algorithm: str) -> dg.OpDefinition:
    """The op `train_<algorithm>`: fit the spec's model on the train rows of `normalized`."""
    info = get_algorithm(algorithm)

    @dg.op(
        name=f"train_{algorithm}",
        description=f"Fit {info.estimator_class.__name__} ({info.task.name}) on the train rows.",
        ins={
            "normalized": dg.In(PreparedFeatures),
            "tuning": dg.In(
                Optional[TuningResult],  # noqa: UP045 (Dagster needs typing.Optional here)
                default_value=None,
                description="Best parameters of the spec's grid search, when it has one.",
            ),
        },
        out=dg.Out(ModelBundle, io_manager_key="model_io"),
        config_schema=params_config(),
        required_resource_keys={"specs"},
        tags={"kind": "numpy"},
        retry_policy=TRAINING_RETRY,
    )
    def _train(context: dg.OpExecutionContext, normalized: PreparedFeatures, tuning):
        spec = spec_for_model(context.resources.specs, context.asset_key)
        overrides = dict(context.op_config["params"])
        params = {**(tuning.best_params if tuning else {}), **overrides}
        started = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            bundle = train(spec, normalized, overrides=params or None)
        seconds = time.perf_counter() - started
        metadata = _model_metadata(bundle, seconds, overrides)
        # Training warnings (e.g. max_iter reached) go to the run's log and the model's
        # metadata, where the people reading the run look, rather than to bare stderr.
        messages = list(dict.fromkeys(str(w.message) for w in caught))
        for message in messages:
            context.log.warning(f"{context.asset_key.to_user_string()}: {message}")
        if messages:
            metadata["warnings"] = dg.MetadataValue.json(messages)
        return dg.Output(bundle, metadata=metadata)

    return _train


@functools.cache
def training_op(algorithm: str) -> dg.OpDefinition:
    """The op training `algorithm`: from its environment for an agent, else on rows. Made on
    first use and kept (one op per name), so a pipeline imports its own estimators only."""
    if get_algorithm(algorithm).task in ReinforcementSpec.tasks:
        return agent_train_op(algorithm)
    return train_op(algorithm)


def spec_for_model(specs: dict[str, PipelineSpec], key: dg.AssetKey) -> PipelineSpec:
    """The single-model spec of `<p>/model` or of candidate `<p>/model/<name>`."""
    spec = specs[key.path[0]]
    return spec.for_candidate(key.path[2]) if len(key.path) == 3 else spec


def model_inputs(spec: PipelineSpec) -> dict[str, dg.AssetIn]:
    """Input name → model asset (`<p>/model` or each `<p>/model/<name>`), the name derived
    from the key; consumers look the models up by key (`assets.keys.models_by_key`)."""
    names = spec.candidates or [None]
    keys = [model_key(spec.name, name) for name in names]
    return {key.to_python_identifier(): dg.AssetIn(key=key) for key in keys}


def model_assets(spec: PipelineSpec) -> list[dg.AssetsDefinition]:
    """`<p>/model`, or one `<p>/model/<name>` per candidate."""
    if spec.candidates is None:
        return [_model_asset(spec, model_key(spec.name))]
    return [
        _model_asset(spec.for_candidate(name), model_key(spec.name, name))
        for name in spec.candidates
    ]


def _model_asset(spec: PipelineSpec, key: dg.AssetKey) -> dg.AssetsDefinition:
    """A graph asset around the op `train_<algorithm>` of the (single-model) spec."""
    op = training_op(spec.algorithm)
    ins = {"normalized": dg.AssetIn(key=[spec.name, "normalized"])}
    description = (
        f"{spec.algorithm} fitted by the op {op.name} "
        "(estimator + feature transform, stored as JSON + .npz)"
    )
    common = dict(
        key=key,
        group_name=spec.name,
        code_version=code_version(spec.model),
        kinds={"numpy"},
    )
    if spec.tuning is None:

        @dg.graph_asset(ins=ins, description=description + ".", **common)
        def model(normalized):
            return op(normalized)

        return model
    ins["tuning"] = dg.AssetIn(key=[spec.name, "tuning"])

    @dg.graph_asset(
        ins=ins, description=description + f", with {spec.name}/tuning's best.", **common
    )
    def tuned_model(normalized, tuning):
        return op(normalized, tuning)

    return tuned_model
