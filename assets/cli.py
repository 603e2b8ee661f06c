"""The `trainyard` command: list, run, validate and show pipelines, score files with a
champion, list or roll back champions, or open the UI.

Runs use the persistent instance in `<home>/.dagster/`, so they appear in `trainyard ui`.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from assets.engine import EngineError, executor_name
from pipelines.kinds.environment_spec import ReinforcementSpec
from pipelines.paths import SPECS_DIR
from pipelines.spec import SpecError, load_spec, load_specs

if TYPE_CHECKING:
    from upath import UPath

    from pipelines.champions import ChampionRecord
    from pipelines.spec_base import SpecBase
    from pipelines.summaries import DamagedSummaryError, Summary


def _pipelines(args: argparse.Namespace, specs: dict) -> list[str]:
    names = list(specs) if getattr(args, "all", False) else [args.pipeline]
    unknown = [n for n in names if n not in specs]
    if unknown or not names or names == [None]:
        raise SystemExit(
            f"trainyard: unknown pipeline {', '.join(map(str, unknown)) or '(none given)'}; "
            f"pipelines: {', '.join(specs)}"
        )
    return names


def _named_spec(args: argparse.Namespace, data_only: bool = True) -> SpecBase:
    """The spec of `args.pipeline` alone (by default for its data and names: no estimator or
    study is loaded); the unknown-pipeline error (listing the pipelines) if there is none."""
    path = SPECS_DIR / f"{args.pipeline}.yaml"
    if not path.is_file():
        _pipelines(args, {p.stem: p for p in sorted(SPECS_DIR.glob("*.yaml"))})
    return load_spec(path, data_only=data_only)


def _pipeline_dir(name: str) -> Path | UPath:
    """Where the pipeline's assets are stored (a `Path`, or a `UPath` for an fsspec URL)."""
    from pipelines.paths import artifacts_root, location

    return location(artifacts_root()) / name


def _latest(names: list[str], asset: str) -> dict[str, Summary | DamagedSummaryError | None]:
    """The latest materialization of `<p>/<asset>` of each pipeline: its summary record (None
    when never materialized, the error when the record cannot be read). Only an asset stored
    before summary records existed is read from the instance, which imports Dagster."""
    from pipelines.summaries import DamagedSummaryError, has_stored_value, read_summary

    latest: dict[str, Summary | DamagedSummaryError | None] = {}
    for name in names:
        try:
            latest[name] = read_summary(_pipeline_dir(name), asset)
        except DamagedSummaryError as exc:
            latest[name] = exc
    before = [n for n in names if latest[n] is None and has_stored_value(_pipeline_dir(n), asset)]
    if before:
        from assets.summaries import instance_summaries

        found = instance_summaries([(name, asset) for name in before])
        latest |= {name: found[name, asset] for name in before}
    return latest


def _champion_status(name: str) -> str:
    """'none', 'yes', or 'damaged (file: field: why)' when its files cannot be loaded."""
    from pipelines.champions import POINTER, champion_problem

    if not (_pipeline_dir(name) / POINTER).exists():
        return "none"
    problem = champion_problem(_pipeline_dir(name))
    return "yes" if problem is None else f"damaged ({problem})"


def cmd_list(args: argparse.Namespace) -> int:
    from pipelines.summaries import DamagedSummaryError

    # Names and data only: listing imports no estimator, study or scikit-learn, and the
    # evaluations come from their summary records, so no Dagster either.
    specs = load_specs(data_only=True)
    evaluations = _latest(list(specs), "evaluation")
    print(f"{'pipeline':<20} {'model':<26} {'last headline metric':<28} champion")
    damaged = False
    unreadable = []
    for name, spec in specs.items():
        evaluation = evaluations[name]
        metric = "never run"
        if isinstance(evaluation, DamagedSummaryError):
            metric = "damaged summary"
            unreadable.append(f"{name}: damaged evaluation summary ({evaluation})")
        elif evaluation is not None:
            headline = evaluation.metadata["headline"]
            metric = f"{headline} {evaluation.metadata[headline]:.4f}"
        models = spec.trained_models()
        model = f"{len(models)} candidates" if len(models) > 1 else spec.algorithm
        status = _champion_status(name)
        damaged |= status.startswith("damaged")
        print(f"{name:<20} {model:<26} {metric:<28} {status}")
    for line in unreadable:
        print(line)
    # Exit 1 when a champion or a summary cannot be read, as `show` does, so scripts notice.
    return 1 if damaged or unreadable else 0


@contextlib.contextmanager
def _young_collections_every(allocations: int) -> Iterator[None]:
    """Inside: the collector's youngest generation collected every `allocations` allocations
    (Python's default is 700); the previous thresholds restored after."""
    # Dagster makes many short-lived objects per event: collecting every 700 cost run --all
    # 1.3-1.6 s, every 10,000 0.56 s, at the same peak memory (0.67-0.71 GB).
    thresholds = gc.get_threshold()
    gc.set_threshold(allocations, 10, 10)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def cmd_run(args: argparse.Namespace) -> int:
    # Importing Dagster, scikit-learn and matplotlib and checking the specs make objects that
    # live as long as the process: collecting during it finds nothing, and after it only
    # rescans them, so it runs uncollected and what it made is frozen (~0.5 s a command).
    gc.disable()
    try:
        from assets.instance import instance_dir
        from assets.runner import run_pipeline
        from assets.sqlite_writes import kept_open
        from pipelines.rendering import render_worker

        # One pipeline: its spec alone (every spec with --all), checked in full.
        specs = load_specs() if args.all else {args.pipeline: _named_spec(args, data_only=False)}
    finally:
        gc.enable()
    gc.freeze()
    names = _pipelines(args, specs)
    # Many reports drawn in this process: their figures are drawn on both cores. One report
    # does not pay for starting the worker; other executors draw them in their own processes.
    here = len(names) > 1 and executor_name() == "in_process"
    drawing = render_worker() if here else contextlib.nullcontext()
    with _young_collections_every(10_000), kept_open(instance_dir()), drawing:
        failed = [name for name in names if not run_pipeline(specs[name])]
    if failed:
        print(f"trainyard: failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from pipelines.read_options import CsvOptions
    from pipelines.sources import file_row_label, read_table
    from pipelines.spec import resolve_schema
    from pipelines.validation import validate_frame

    spec = _named_spec(args)
    if isinstance(spec, ReinforcementSpec):
        load_spec(SPECS_DIR / f"{args.pipeline}.yaml")  # a full load checks the environment
        print(
            f"trainyard: {spec.name} learns from an environment, not from a data file: there is "
            f"no schema to validate {args.file} against. Its environment is checked whenever the "
            f"spec loads (this command got that far, so pipelines/specs/{spec.name}.yaml is "
            "valid).",
            file=sys.stderr,
        )
        return 1
    # The file is read as the pipeline reads its own CSV: same separator, nulls and encoding.
    options = spec.source if isinstance(spec.source, CsvOptions) else CsvOptions()
    frame = read_table(Path(args.file), options)
    report = validate_frame(
        frame, resolve_schema(spec.schema_), file_row_label(Path(args.file), options)
    )
    if report.ok:
        print(f"{args.file}: {report.n_rows} rows conform to {spec.schema_}")
        return 0
    print(f"{args.file}: does not conform to {spec.schema_}\n{report.summary()}")
    return 1


def cmd_show(args: argparse.Namespace) -> int:
    from pipelines.paths import reports_dir
    from pipelines.summaries import DamagedSummaryError

    spec = _named_spec(args)
    name = spec.name
    summary = _latest([name], "evaluation")[name]
    if isinstance(summary, DamagedSummaryError):
        print(f"{name}: damaged evaluation summary ({summary}); `trainyard run {name}` rewrites it")
        return 1
    if summary is None:
        print(f"{name}: never evaluated; run `trainyard run {name}`")
        return 1
    evaluation = summary.metadata
    print(f"{name}: {spec.description.strip()}")
    print(f"scored on: {evaluation['scored_on']}")
    # The latest evaluation that succeeded: a later run that failed before it leaves it as is.
    print(f"evaluated: {_when(summary.materialized_at)} by run {summary.run_id[:8]}")
    floats = {key: value for key, value in evaluation.items() if isinstance(value, float)}
    width = max([28, *map(len, floats)])
    for key, value in sorted(floats.items()):
        print(f"  {key:<{width}} {value:.4f}")
    if "choice" in evaluation:
        print(f"chosen candidate: {evaluation['chosen_candidate']}. {evaluation['choice']}")
    damaged = False
    if getattr(spec, "on_invalid", None) == "quarantine":
        rejected = _latest([name], "rejected")[name]
        damaged = isinstance(rejected, DamagedSummaryError)
        print(*_quarantined(name, rejected), sep="\n")
    print(f"report: {reports_dir(name) / 'report.md'}")
    champion = _champion_status(name)
    print(f"champion: {champion}")
    # A champion that cannot be loaded is a failure a script running `show` must notice.
    return 1 if damaged or champion.startswith("damaged") else 0


def _quarantined(
    name: str, rejected: Summary | DamagedSummaryError | None, sample: int = 5
) -> list[str]:
    """The counts of the latest `<p>/rejected` and its first rows with their reasons."""
    from pipelines.quarantine import quarantine_headline
    from pipelines.summaries import DamagedSummaryError

    if isinstance(rejected, DamagedSummaryError):
        return [f"rejected: damaged summary ({rejected})"]
    if rejected is None:
        return ["rejected: nothing recorded yet"]
    entries = rejected.metadata
    headline = quarantine_headline(
        entries["dagster/row_count"], entries["num_rows_read"], entries["max_rejected_fraction"]
    )
    rows = entries["preview"][:sample]
    more = entries["dagster/row_count"] - len(rows)
    return [
        f"rejected: {headline}, in {name}/rejected",
        *(f"  {row['where']:<12} {row['reason']}" for row in rows),
        *([f"  … and {more} more"] if more > 0 else []),
    ]


def _predictions_path(file: Path, out: str | None) -> Path:
    """`-o OUT` (.parquet or .csv), else `<stem>.predictions.parquet` beside the input."""
    path = Path(out) if out else file.with_name(f"{file.stem}.predictions.parquet")
    if path.suffix.lower() not in (".parquet", ".csv"):
        raise ValueError(f"cannot write {path}: the output must end in .parquet or .csv")
    if path.resolve() == file.resolve():
        raise ValueError(f"cannot write the predictions over their input {file}")
    return path


def cmd_predict(args: argparse.Namespace) -> int:
    from algorithms.atomic_files import atomic_file
    from pipelines.read_options import CsvOptions
    from pipelines.scoring import current_champion, pipeline_spec, score_frame, table_spec
    from pipelines.sources import file_row_label, read_table
    from pipelines.validation import DataValidationError

    spec = table_spec(pipeline_spec(args.pipeline))
    file = Path(args.file)
    out = _predictions_path(file, args.output)
    champion = current_champion(spec.name)
    # A CSV is read as the pipeline reads its own: same separator, nulls and encoding.
    options = spec.source if isinstance(spec.source, CsvOptions) else CsvOptions()
    frame = read_table(file, options)
    try:
        scored = score_frame(
            spec, champion.bundle, champion.version, frame, file_row_label(file, options)
        )
    except DataValidationError as exc:
        print(f"trainyard: {file}: does not conform to {exc.report.schema}", file=sys.stderr)
        print(f"{exc.report.summary()}\nnothing written", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"trainyard: {file}: {exc}; nothing written", file=sys.stderr)
        return 1
    # A temporary sibling renamed into place: a failed write leaves no partial output.
    with atomic_file(out) as handle:
        if out.suffix.lower() == ".csv":
            scored.write_csv(handle)
        else:
            scored.write_parquet(handle)
    print(f"{out}: {scored.height} rows scored by the {spec.name} champion {champion.version}")
    return 0


def cmd_champion(args: argparse.Namespace) -> int:
    from upath import UPath

    from pipelines.champions import current, events, rollback
    from pipelines.paths import artifacts_root
    from pipelines.scoring import pipeline_spec

    name = pipeline_spec(args.pipeline).name
    pipeline_dir = UPath(artifacts_root()) / name
    if args.rollback is not None:
        record = rollback(pipeline_dir, args.rollback)
        _record_rollback(record)
        since = _when(record.since)
        print(f"{name}: champion is {record.version} again ({record.reason}) since {since}")
        return 0
    now = current(pipeline_dir)
    if now is None:
        print(f"{name}: no champion yet; run `trainyard run {name}`")
        return 1
    rows = events(pipeline_dir) or [now]
    print(f"{name}: champion {now.version} since {_when(now.since)} ({now.reason})")
    print(f"  {'version':<8} {'became champion (UTC)':<22} {'run':<9} {'headline':<22} reason")
    for event in rows:
        mark = "*" if event == now else " "
        since = _when(event.since).removesuffix(" UTC")
        metric = (
            f"{event.headline} {event.metrics[event.headline]:.4f}"
            if event.headline in event.metrics
            else "-"
        )
        print(
            f"{mark} {event.version:<8} {since:<22} {(event.run_id or '-')[:8]:<9} "
            f"{metric:<22} {event.reason}"
        )
    return 0


def _when(timestamp: str) -> str:
    """An ISO 8601 UTC timestamp to the second, e.g. `2026-01-05 06:00:12 UTC`; `-` if unknown."""
    return f"{timestamp[:19].replace('T', ' ')} UTC" if timestamp else "-"


def _record_rollback(record: ChampionRecord) -> None:
    """The rollback as a champion materialization in the instance (no run): the UI shows the
    champion and since when, and the next promotion gate compares against its metrics."""
    import dagster as dg

    from assets.champion import EXACT_METRICS
    from assets.instance import persistent_instance
    from assets.metadata import float_entries

    persistent_instance().report_runless_asset_event(
        dg.AssetMaterialization(
            asset_key=[record.pipeline, "champion"],
            description=f"{record.version} is champion again ({record.reason})",
            metadata={
                **float_entries(record.metrics),
                EXACT_METRICS: dg.MetadataValue.json(record.metrics),
                "version": record.version,
                "reason": record.reason,
                "champion_since": record.since,
                "spec_hash": record.spec_hash,
                "promoted_from_run": record.run_id or "",
                "bundle_hash": record.bundle_hash,
            },
        )
    )


def cmd_ui(args: argparse.Namespace) -> int:
    from assets.instance import instance_dir, persistent_instance
    from assets.ui import serve

    persistent_instance()
    return serve(args.host, args.port, {**os.environ, "DAGSTER_HOME": str(instance_dir())})


def cmd_worker(args: argparse.Namespace) -> int:
    from assets.engine import check_broker
    from assets.instance import persistent_instance

    # Both servers are checked first, so a wrong URL is one clear line, not a worker that
    # starts and then fails every step it takes.
    persistent_instance()
    check_broker()
    from assets.celery_worker import start_worker

    start_worker(args.name, args.concurrency, args.loglevel)
    return 0


def cmd_algorithms(args: argparse.Namespace) -> int:
    from algorithms.registry import algorithm_names, get_algorithm

    if args.name is None:
        print(f"{'algorithm':<30} {'task':<16} description")
        for name in algorithm_names():
            info = get_algorithm(name)
            print(f"{name:<30} {info.task.name:<16} {info.description}")
        print("\n`trainyard algorithms NAME` lists one algorithm's parameters.")
        return 0
    info = get_algorithm(args.name)
    print(f"{info.name}: {info.description}")
    print(f"task: {info.task.name} (default metrics: {', '.join(info.default_metrics) or 'none'})")
    print(f"class: {info.qualified_name}\n")
    print(f"{'parameter':<24} {'default':<14} allowed")
    for param in info.parameters():
        print(f"{param.name:<24} {param.default!r:<14} {param.allowed}")
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from pipelines.read_options import CsvOptions
    from pipelines.scaffold import default_layout, new_pipeline, shown_path

    flags = {"separator": "--separator", "null_values": "--null-value", "encoding": "--encoding"}
    given = {"separator": args.separator, "null_values": args.null_value, "encoding": args.encoding}
    try:
        options = CsvOptions(**{key: value for key, value in given.items() if value is not None})
    except ValidationError as exc:
        raise ValueError(
            "; ".join(
                f"{flags[e['loc'][0]]}: {e['msg'].removeprefix('Value error, ')}"
                for e in exc.errors()
            )
        ) from None
    layout = default_layout()
    made = new_pipeline(args.name, args.csv, args.target, options, layout)
    plan, spec = made.plan, made.spec
    print(f"wrote {shown_path(made.schema, layout.root)}: the schema, inferred from the file")
    print(
        f"wrote {shown_path(made.spec_path, layout.root)}: {plan.task.name} of {spec.target} by "
        f"{plan.algorithm}, on_invalid: quarantine"
    )
    print(f"noted {spec.source.csv} in {shown_path(made.data_notes, layout.root)}")
    print(f"  features: {', '.join(plan.features)}")
    for column, why in plan.left_out.items():
        print(f"  left out {column}: {why}")
    if made.rejected_rows:
        print(
            f"  rows without {spec.target}, rejected when the pipeline runs: {made.rejected_rows}"
        )
    if made.too_many_rejected:
        print(
            f"  that is more than max_rejected_fraction {spec.max_rejected_fraction} of the "
            f"{made.rows} rows: the run fails until {spec.target} is filled in or the spec "
            "allows more"
        )
    print(f"Review the schema's ranges and categories, then: trainyard run {spec.name}")
    return 0


def parser() -> argparse.ArgumentParser:
    """The argument parser of `trainyard`."""
    top = argparse.ArgumentParser(prog="trainyard", description=__doc__.splitlines()[0])
    sub = top.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="pipelines, their algorithm and last headline metric")
    run = sub.add_parser("run", help="materialize a pipeline (or --all) and print its evaluation")
    run.add_argument("pipeline", nargs="?")
    run.add_argument("--all", action="store_true", help="every pipeline in pipelines/specs/")
    validate = sub.add_parser("validate", help="check a CSV/parquet file against a pipeline schema")
    validate.add_argument("pipeline")
    validate.add_argument("file")
    show = sub.add_parser("show", help="latest metrics and the report path of a pipeline")
    show.add_argument("pipeline")
    predict = sub.add_parser("predict", help="score a CSV/parquet file with a pipeline's champion")
    predict.add_argument("pipeline")
    predict.add_argument("file")
    predict.add_argument(
        "-o", "--output", help="a .parquet or .csv file (default: FILE-STEM.predictions.parquet)"
    )
    champion = sub.add_parser("champion", help="a pipeline's champion versions, or roll back")
    champion.add_argument("pipeline")
    champion.add_argument("--rollback", metavar="VERSION", help="make VERSION champion again")
    algorithms = sub.add_parser("algorithms", help="registered algorithms, or one's parameters")
    algorithms.add_argument("name", nargs="?")
    new = sub.add_parser("new", help="a pipeline from a CSV file: schema, spec and data note")
    new.add_argument("name", help="the pipeline's name (lower case, digits, underscores)")
    new.add_argument("--csv", required=True, type=Path, help="the data file")
    new.add_argument("--target", required=True, help="the column to predict")
    new.add_argument("--separator", help='the field separator (default ",")')
    new.add_argument(
        "--null-value",
        action="append",
        help='a cell text read as null; repeat for more (default: "", NA and null)',
    )
    new.add_argument("--encoding", help="utf8 (default), utf8-lossy or a Python codec")
    ui = sub.add_parser("ui", help="start the Dagster UI on the persistent instance")
    ui.add_argument("--port", type=int, default=3000)
    ui.add_argument("--host", default="127.0.0.1", help="address to bind (default: this machine)")
    worker = sub.add_parser(
        "worker", help="start a Celery worker that runs pipeline steps (TRAINYARD_EXECUTOR=celery)"
    )
    worker.add_argument("--name", help="worker name (default: trainyard-<pid>); @<host> is added")
    worker.add_argument("--concurrency", type=int, default=1, help="steps at once (default: 1)")
    worker.add_argument("--loglevel", default="INFO")
    return top


COMMANDS = {
    "list": cmd_list,
    "run": cmd_run,
    "validate": cmd_validate,
    "show": cmd_show,
    "predict": cmd_predict,
    "champion": cmd_champion,
    "ui": cmd_ui,
    "worker": cmd_worker,
    "algorithms": cmd_algorithms,
    "new": cmd_new,
}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `trainyard` console script."""
    args = parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (SpecError, ValueError, FileNotFoundError, EngineError) as exc:
        print(f"trainyard: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader left (`trainyard list | head -1`): stop quietly, as the Python docs advise
        # (point the streams at devnull so the flush at exit does not raise again).
        devnull = os.open(os.devnull, os.O_WRONLY)
        for stream in (sys.stdout, sys.stderr):
            os.dup2(devnull, stream.fileno())
        return 1
    finally:
        # Exempt everything imported from the collection at exit: saves ~1.2 s per command.
        gc.freeze()


if __name__ == "__main__":
    sys.exit(main())
