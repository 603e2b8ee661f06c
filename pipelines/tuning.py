"""Model selection declared in the spec: k-fold cross-validated grid search on the train rows.

`tune` scores every grid point of `spec.tuning.grid` by `cv`-fold cross-validation (grid
points × folds run in parallel on all cores), and `TuningResult.best_params` go to the model.
The folds are shuffled and seeded (`tuning_folds`), stratified for classification, and
`sorted_target_warning` says when the target looks sorted in the file, where unshuffled
folds would each test a different range of it. `tuning_section` renders the table and a
plot of the score against the parameter(s).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import polars as pl
from matplotlib.figure import Figure
from scipy.stats import spearmanr

from algorithms.model_selection import GridSearchCV, KFold, StratifiedKFold
from algorithms.tasks import CLASSIFICATION
from pipelines.features import design_matrix
from pipelines.sections import Section, markdown_table, new_figure
from pipelines.spec import PipelineSpec
from pipelines.training import build_estimator


@dataclass(frozen=True)
class TuningResult:
    """Every grid point's CV scores (mean, std, per fold, rank) and the best parameters.

    `folds_rule` says how the folds were cut; `sorted_target` is the warning of
    `sorted_target_warning`, or None.
    """

    scoring: str
    cv: int
    params: list[dict[str, Any]]
    mean: list[float]
    std: list[float]
    folds: list[list[float]]
    rank: list[int]
    best_params: dict[str, Any]
    best_score: float
    folds_rule: str
    sorted_target: str | None

    def table(self) -> pl.DataFrame:
        """One row per grid point: its parameters, mean, std and rank of the CV score."""
        columns = {name: [p[name] for p in self.params] for name in self.params[0]}
        return pl.DataFrame(
            {**columns, "mean_score": self.mean, "std_score": self.std, "rank": self.rank},
            strict=False,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (`from_dict` inverts it)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TuningResult:
        """Inverse of `to_dict`."""
        return cls(**data)


def _plain(value: Any) -> Any:
    """numpy scalars as Python values, so results stay JSON-able and YAML-comparable."""
    return value.item() if isinstance(value, np.generic) else value


def tuning_folds(spec: PipelineSpec) -> KFold | StratifiedKFold:
    """The splitter of the search: `cv` folds, shuffled with `tuning.seed` (default: the split's
    seed, 0 without a split) unless `shuffle` is false, stratified on the classes when
    `stratify` says so (default: for a classification algorithm)."""
    tuning = spec.tuning
    stratify = tuning.stratify
    if stratify is None:
        stratify = spec.model.task is CLASSIFICATION
    seed = None
    if tuning.shuffle:
        seed = tuning.seed if tuning.seed is not None else (spec.split.seed if spec.split else 0)
    splitter = StratifiedKFold if stratify else KFold
    return splitter(tuning.cv, shuffle=tuning.shuffle, random_state=seed)


def _folds_rule(splitter: KFold | StratifiedKFold) -> str:
    order = f"shuffled with seed {splitter.random_state}" if splitter.shuffle else "in file order"
    kind = "stratified on the classes, " if isinstance(splitter, StratifiedKFold) else ""
    return f"{kind}{order}"


# A file in random order shows a rank correlation this strong with p this small about once
# in a thousand files; |ρ| ≥ 0.3 keeps a faint drift in a large file from raising it.
SORTED_MAX_P = 0.001
SORTED_MIN_RHO = 0.3


def sorted_target_warning(y: np.ndarray, target: str, shuffled: bool) -> str | None:
    """A warning when the target looks sorted over the rows in file order, else None.

    Sorted means: monotone (with at least two values), or Spearman's rank correlation ρ
    between the row position and the target (classes ranked in label order) has |ρ| ≥ 0.3
    and p < 0.001.
    """
    codes = np.unique(y, return_inverse=True)[1].ravel()
    if codes.size < 3 or codes.min() == codes.max():
        return None
    steps = np.diff(codes)
    monotone = bool(np.all(steps >= 0) or np.all(steps <= 0))
    rho, p = spearmanr(np.arange(codes.size), codes)
    if not monotone and not (abs(rho) >= SORTED_MIN_RHO and p < SORTED_MAX_P):
        return None
    evidence = "is monotone over" if monotone else f"has Spearman ρ = {rho:.2f} (p = {p:.1g}) with"
    consequence = (
        "The folds are shuffled, so each still sees the whole range."
        if shuffled
        else "The folds are not shuffled (`tuning.shuffle: false`), so each fold tests a "
        "different range of it and the CV scores mislead: shuffle them."
    )
    return (
        f"The target `{target}` looks sorted in the file: it {evidence} the position of the "
        f"{codes.size} train rows. {consequence}"
    )


def tune(spec: PipelineSpec, normalized: pl.DataFrame) -> TuningResult:
    """Grid search over `spec.tuning.grid` on `tuning_folds(spec)` of the train rows."""
    if spec.tuning is None:
        raise ValueError(f"pipeline {spec.name} declares no tuning section")
    X, y = design_matrix(normalized, spec, "train")
    splitter = tuning_folds(spec)
    search = GridSearchCV(
        build_estimator(spec.model),
        spec.tuning.grid,
        scoring=spec.tuning.scoring,
        cv=splitter,
        n_jobs=-1,
        refit=False,
    ).fit(X, y)
    results = search.cv_results_
    n_points = len(results["params"])
    folds = [
        [float(results[f"split{k}_test_score"][i]) for k in range(spec.tuning.cv)]
        for i in range(n_points)
    ]
    return TuningResult(
        scoring=spec.tuning.scoring or "score",
        cv=spec.tuning.cv,
        params=[{k: _plain(v) for k, v in p.items()} for p in results["params"]],
        mean=[float(v) for v in results["mean_test_score"]],
        std=[float(v) for v in results["std_test_score"]],
        folds=folds,
        rank=[int(v) for v in results["rank_test_score"]],
        best_params={k: _plain(v) for k, v in search.best_params_.items()},
        best_score=float(search.best_score_),
        folds_rule=_folds_rule(splitter),
        sorted_target=sorted_target_warning(y, spec.target, splitter.shuffle),
    )


def _markdown(spec: PipelineSpec, result: TuningResult, plotted: bool) -> str:
    names = list(result.params[0])
    header = [*names, f"mean {result.scoring}", "std", "rank"]
    rows = [
        [*(str(p[n]) for n in names), f"{mean:.4f}", f"{std:.4f}", str(rank)]
        for p, mean, std, rank in zip(
            result.params, result.mean, result.std, result.rank, strict=True
        )
    ]
    best = ", ".join(f"{k}={v}" for k, v in result.best_params.items())
    warning = f"**Warning:** {result.sorted_target}\n\n" if result.sorted_target else ""
    text = (
        f"## Tuning\n\n{result.cv}-fold cross-validation of `{spec.algorithm}` on "
        f"the train rows (folds {result.folds_rule}), {len(result.params)} grid points, "
        f"scored by {result.scoring} (higher is better).\n\n{warning}Best: {best} with mean "
        f"{result.scoring} {result.best_score:.4f}; the model is trained with these "
        "parameters.\n\n" + markdown_table(header, rows, align="l" * len(names) + "rrr")
    )
    return text + ("\n\n![CV score against the parameters](tuning.png)" if plotted else "")


def _numeric_log(values: list[Any]) -> bool:
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    return len(numbers) == len(values) and min(numbers) > 0 and max(numbers) / min(numbers) >= 100


def _plot(result: TuningResult) -> Figure | None:
    names = list(result.params[0])
    figure = new_figure()
    ax = figure.add_subplot()
    mean, std = np.array(result.mean), np.array(result.std)
    if len(names) == 1:
        values = [p[names[0]] for p in result.params]
        x = values if _numeric_log(values) or _numeric(values) else np.arange(len(values))
        ax.errorbar(x, mean, yerr=std, marker="o", capsize=3)
        if _numeric_log(values):
            ax.set_xscale("log")
        if x is not values:
            ax.set_xticks(x, [str(v) for v in values])
        ax.set(xlabel=names[0], ylabel=f"mean CV {result.scoring}")
    elif len(names) == 2:
        rows = list(dict.fromkeys(p[names[0]] for p in result.params))
        cols = list(dict.fromkeys(p[names[1]] for p in result.params))
        grid = np.full((len(rows), len(cols)), np.nan)
        for p, m in zip(result.params, mean, strict=True):
            grid[rows.index(p[names[0]]), cols.index(p[names[1]])] = m
        image = ax.imshow(grid, cmap="viridis", aspect="auto")
        for (i, j), value in np.ndenumerate(grid):
            ax.text(j, i, f"{value:.3g}", ha="center", va="center", color="white")
        ax.set_xticks(range(len(cols)), [str(c) for c in cols])
        ax.set_yticks(range(len(rows)), [str(r) for r in rows])
        ax.set(xlabel=names[1], ylabel=names[0])
        figure.colorbar(image, ax=ax, label=f"mean CV {result.scoring}")
    else:
        return None
    ax.set_title(f"{len(result.folds[0])}-fold CV {result.scoring} over the grid")
    return figure


def _numeric(values: list[Any]) -> bool:
    return all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)


def tuning_section(spec: PipelineSpec, result: TuningResult) -> Section:
    """The tuning table and plot as a report section."""
    figure = _plot(result)
    markdown = _markdown(spec, result, figure is not None)
    return Section(markdown, {"tuning": figure} if figure is not None else {})
