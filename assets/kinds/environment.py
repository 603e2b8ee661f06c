"""The assets of an environment pipeline (a spec with `environment:`).

`<p>/environment → <p>/model → <p>/evaluation → <p>/champion`: the validated environment,
the agent trained on it (Q-table, reward per episode), the greedy policy scored over seeded
episodes beside a uniformly random policy (report under `reports/<p>/`), and the champion,
promoted only through the blocking `promotion_gate` check exactly as in table pipelines.
"""

import time
from collections.abc import Callable
from functools import cache

import dagster as dg

from algorithms.registry import get_algorithm
from algorithms.reinforcement import GridWorld
from assets.champion import champion_asset
from assets.keys import model_key
from assets.metadata import evaluation_entries, float_entries, params_config, training_entries
from assets.retries import TRAINING_RETRY
from assets.versions import code_version
from pipelines.evaluation_result import Evaluation
from pipelines.kinds.environment import (
    AgentBundle,
    evaluate_policy,
    report_sections,
    train_agent,
)
from pipelines.kinds.environment_report import (
    environment_section,
    training_section,
    training_summary,
)
from pipelines.kinds.environment_spec import ReinforcementSpec
from pipelines.paths import reports_dir
from pipelines.report import write_report
from pipelines.sections import inline_markdown
from pipelines.training import build_estimator

PROGRESS_LINES = 10


def environment_assets(spec: ReinforcementSpec) -> list[dg.AssetsDefinition]:
    """The asset definitions of one environment pipeline, in graph order."""
    return [
        environment_asset(spec),
        model_asset(spec),
        evaluation_asset(spec),
        champion_asset(spec, {"model": dg.AssetIn(key=model_key(spec.name))}),
    ]


def environment_asset(spec: ReinforcementSpec) -> dg.AssetsDefinition:
    """`<p>/environment`: the spec's environment, built and checked (the goal is reachable)."""

    @dg.asset(
        key=[spec.name, "environment"],
        group_name=spec.name,
        io_manager_key="environment_io",
        code_version=code_version(spec.environment),
        description=f"The grid world of {spec.name} (walls, start, goal, rewards, slip), "
        "checked to be solvable; stored as its JSON definition.",
        kinds={"numpy"},
    )
    def environment() -> dg.Output[GridWorld]:
        world = spec.environment.build()
        return dg.Output(
            world,
            metadata={
                "size": f"{world.size[0]} × {world.size[1]}",
                "walls": len(world.walls),
                "shortest_path_length": len(world.shortest_path()) - 1,
                "slip": dg.MetadataValue.float(world.slip),
                "grid": dg.MetadataValue.md(inline_markdown(environment_section(world))),
                "definition": dg.MetadataValue.json(world.to_dict()),
            },
        )

    return environment


def _progress(context: dg.AssetExecutionContext, total: int) -> Callable[[int, float, int], None]:
    """An episode callback that logs a line every total / PROGRESS_LINES episodes."""
    every = max(1, total // PROGRESS_LINES)
    returns: list[float] = []

    def log(episode: int, episode_return: float, moves: int) -> None:
        returns.append(episode_return)
        if (episode + 1) % every == 0 or episode + 1 == total:
            recent = returns[-every:]
            context.log.info(
                f"episode {episode + 1}/{total}: return {episode_return:g} in {moves} moves; "
                f"mean return of the last {len(recent)}: {sum(recent) / len(recent):.2f}"
            )

    return log


@cache
def agent_train_op(algorithm: str) -> dg.OpDefinition:
    """The op `train_<algorithm>` of a reinforcement algorithm: train the spec's agent on the
    environment; config `params` overrides the spec's parameters for one run."""
    info = get_algorithm(algorithm)

    @dg.op(
        name=f"train_{algorithm}",
        description=f"Train {info.estimator_class.__name__} ({info.task.name}) on the environment.",
        ins={"environment": dg.In(GridWorld)},
        out=dg.Out(AgentBundle, io_manager_key="agent_io"),
        config_schema=params_config(),
        required_resource_keys={"specs"},
        tags={"kind": "numpy"},
        retry_policy=TRAINING_RETRY,
    )
    def _train(context: dg.OpExecutionContext, environment: GridWorld):
        spec = context.resources.specs[context.asset_key.path[0]]
        overrides = dict(context.op_config["params"])
        total = build_estimator(spec.model, overrides).get_params()["n_episodes"]
        started = time.perf_counter()
        bundle = train_agent(spec, environment, _progress(context, total), overrides or None)
        seconds = time.perf_counter() - started
        summary = training_summary(bundle.agent)
        return dg.Output(
            bundle,
            metadata={
                **training_entries(
                    bundle.algorithm, bundle.params, seconds, overrides, bundle.spec_hash
                ),
                "episodes": summary["episodes"],
                **float_entries({k: v for k, v in summary.items() if k != "episodes"}),
                "rewards": dg.MetadataValue.md(inline_markdown(training_section(bundle))),
            },
        )

    return _train


def model_asset(spec: ReinforcementSpec) -> dg.AssetsDefinition:
    """`<p>/model`: a graph asset around the op `train_<algorithm>` of the spec's agent."""
    op = agent_train_op(spec.algorithm)

    @dg.graph_asset(
        key=model_key(spec.name),
        group_name=spec.name,
        ins={"environment": dg.AssetIn(key=[spec.name, "environment"])},
        code_version=code_version(spec.model),
        description=f"{spec.algorithm} trained by the op {op.name} on {spec.name}/environment: "
        "the Q-table and the reward of every episode (stored as JSON + .npz, no pickle).",
        kinds={"numpy"},
    )
    def model(environment):
        return op(environment)

    return model


def evaluation_asset(spec: ReinforcementSpec) -> dg.AssetsDefinition:
    """`<p>/evaluation`: the greedy policy over seeded episodes beside a random policy."""
    settings = spec.evaluation

    @dg.asset(
        key=[spec.name, "evaluation"],
        group_name=spec.name,
        ins={"model": dg.AssetIn(key=model_key(spec.name))},
        io_manager_key="evaluation_io",
        code_version=code_version(spec.evaluation),
        description=f"The greedy policy of {spec.name}/model over {settings.episodes} seeded "
        "episodes (success rate, mean return, mean moves) beside a uniformly random policy; "
        f"the path drawn on the grid; the report is written to reports/{spec.name}/report.md.",
        kinds={"matplotlib"},
    )
    def evaluation(model: AgentBundle) -> dg.Output[Evaluation]:
        result = evaluate_policy(spec, model)
        report = write_report(reports_dir(spec.name), report_sections(spec, model, result))
        metadata = evaluation_entries(result, report)
        metadata["greedy_steps"] = result.details["greedy_steps"]
        metadata["shortest_path_length"] = result.details["shortest_path_length"]
        return dg.Output(result, metadata=metadata)

    return evaluation
