"""Studies of the classics tutorial: trees, forests, boosting and nearest neighbours.

- `forest_on_four_features`: a random forest against a single tree on the sign of a sum of
  four features, with the forest's out-of-bag score and feature importances.
- `boosting_on_a_plane`: the tutorial's own boosting loop (regression trees fitted to the
  residuals) beside histogram gradient boosting, on y = 3x₀ + 2x₁ + noise.
- `knn_classification_and_regression`: k nearest neighbours with distance weights, as a
  classifier of the sign of x₀ + x₁ and as a regressor of y = 2x₀ + 3x₁ + noise.

Each draws its data from seeded generators (the tutorial's X ~ N(0, 1)), holds out rows by a
seeded split stratified as the pipeline's is where it scores, and fits the from-scratch
estimators of `algorithms`.
"""

from __future__ import annotations

import warnings

import numpy as np
import polars as pl
from matplotlib.patches import Patch

from algorithms.ensemble import GradientBoostingRegressor
from algorithms.metrics import accuracy, mse, r2
from algorithms.neighbors import KNeighborsClassifier, KNeighborsRegressor
from algorithms.tree import DecisionTreeClassifier, DecisionTreeRegressor, RandomForestClassifier
from pipelines.generators.synthetic import sum_sign
from pipelines.sections import Section, markdown_table, new_figure

# The tutorial's trees split by information gain, i.e. the entropy criterion.
CRITERION = "entropy"
# Standard deviation of the noise in the tutorial's regression targets.
NOISE = 0.1
# Histogram boosting's default min_samples_leaf (20) leaves few splits on 100 rows.
HIST_MIN_SAMPLES_LEAF = 5
# The forest warns when a row was drawn by every tree; with 10 trees that is expected.
_NO_OOB_WARNING = "Some rows were drawn by every tree"
# Grid points per axis of the KNN decision-region panel.
GRID_POINTS = 300


def _split(frame: pl.DataFrame, test_fraction: float, seed: int) -> tuple[pl.DataFrame, ...]:
    """(train, test) rows of `frame`, stratified on `label` as the pipeline's split is: for each
    class in sorted order, round(test_fraction · class rows) of its rows drawn by one generator
    seeded with `seed` are held out. (`pipelines.features` imports the studies' registry
    through the spec, so the study cannot import its split.)"""
    rng = np.random.default_rng(seed)
    labels = frame["label"].to_numpy()
    is_test = np.zeros(frame.height, dtype=bool)
    for label in np.unique(labels):
        rows = np.flatnonzero(labels == label)
        is_test[rng.permutation(rows)[: round(test_fraction * rows.size)]] = True
    return frame.filter(~is_test), frame.filter(is_test)


def _xy(frame: pl.DataFrame, target: str) -> tuple[np.ndarray, np.ndarray]:
    """(X, y): the `x…` columns of a frame and its `target` column."""
    return frame.select(pl.col("^x\\d+$")).to_numpy(), frame[target].to_numpy()


def forest_on_four_features(
    rows: int = 100,
    seed: int = 42,
    n_estimators: int = 10,
    max_depth: int = 10,
    test_fraction: float = 0.2,
) -> Section:
    """A random forest (bootstrap rows, √4 = 2 features tried per split, entropy criterion)
    beside one decision tree of the same depth, on y = 0 if x₀ + x₁ + x₂ + x₃ > 0 else 1 with
    X ~ N(0, 1)^(rows × 4): held-out accuracy of both, the forest's out-of-bag accuracy and its
    feature importances. All four features carry the label equally, so each importance should
    be near 1/4; the diagonal boundary is hard for axis-aligned splits, which averaging many
    trees smooths.
    """
    train, test = _split(sum_sign(rows, seed, 4, negative=1, positive=0), test_fraction, seed)
    X_train, y_train = _xy(train, "label")
    X_test, y_test = _xy(test, "label")
    forest = RandomForestClassifier(
        n_estimators=n_estimators,
        criterion=CRITERION,
        max_depth=max_depth,
        max_features="sqrt",
        bootstrap=True,
        oob_score=True,
        random_state=seed,
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_NO_OOB_WARNING, category=UserWarning)
        forest.fit(X_train, y_train)
    no_oob = int(np.count_nonzero(forest.oob_decision_function_.sum(axis=1) == 0))
    tree = DecisionTreeClassifier(criterion=CRITERION, max_depth=max_depth, random_state=seed)
    tree.fit(X_train, y_train)
    scores = {
        "forest, held-out": accuracy(y_test, forest.predict(X_test)),
        "forest, out-of-bag": forest.oob_score_,
        "single tree, held-out": accuracy(y_test, tree.predict(X_test)),
    }
    importances = forest.feature_importances_
    names = [f"x{j}" for j in range(len(importances))]

    figure = new_figure(11.0, 4.2)
    ax_importance, ax_accuracy = figure.subplots(1, 2)
    ax_importance.bar(names, importances, color="C0")
    ax_importance.axhline(
        1.0 / len(names), color="0.3", linestyle="--", label=f"equal share 1/{len(names)}"
    )
    ax_importance.set(
        xlabel="feature",
        ylabel="importance (mean impurity decrease)",
        title=f"Forest feature importances ({n_estimators} trees)",
    )
    ax_importance.legend(loc="lower right")
    bars = ax_accuracy.bar(list(scores), list(scores.values()), color=["C0", "C9", "C1"])
    ax_accuracy.bar_label(bars, fmt="%.3f", padding=2)
    ax_accuracy.set(
        ylim=(0.0, 1.1),
        xlabel="model and score",
        ylabel="accuracy",
        title=f"Accuracy: forest vs one tree (max_depth {max_depth})",
    )

    score_table = markdown_table(
        ["model", "held-out accuracy", "out-of-bag accuracy"],
        [
            [
                f"RandomForestClassifier ({n_estimators} trees)",
                f"{scores['forest, held-out']:.4f}",
                f"{scores['forest, out-of-bag']:.4f}",
            ],
            ["DecisionTreeClassifier", f"{scores['single tree, held-out']:.4f}", "—"],
        ],
    )
    importance_table = markdown_table(
        ["feature", "importance"],
        [[name, f"{value:.4f}"] for name, value in zip(names, importances, strict=True)],
    )
    markdown = (
        "## Study: random forest on four features\n\n"
        f"{rows} rows of X ~ N(0, 1)⁴ with y = 0 if x₀ + x₁ + x₂ + x₃ > 0 else 1 (seed {seed}), "
        f"{len(y_test)} held out by a stratified seeded split. The forest grows {n_estimators} "
        f"trees of depth ≤ {max_depth} by information gain (entropy), each on a bootstrap sample "
        "of the training rows and trying √4 = 2 random features at each split; the single tree "
        "uses the same depth and all features. The out-of-bag accuracy scores each training "
        "row by the trees that did not draw it"
        + (
            " (rows drawn by every tree have no out-of-bag prediction and count as class 0, "
            f"as in scikit-learn: {no_oob} of the {len(y_train)} training rows here)"
            if no_oob
            else ""
        )
        + ".\n\n"
        f"{score_table}\n\n"
        "Every feature enters the label with the same weight, so each importance should be "
        "near 1/4:\n\n"
        f"{importance_table}\n\n"
        "![Forest feature importances and accuracies](forest_on_four_features.png)"
    )
    return Section(markdown, {"forest_on_four_features": figure})


def _plane(rng: np.random.Generator, rows: int) -> tuple[np.ndarray, np.ndarray]:
    """The boosting example's data: X ~ N(0, 1)^(rows × 2), y = 3x₀ + 2x₁ + N(0, 0.1²)."""
    X = rng.standard_normal((rows, 2))
    return X, 3.0 * X[:, 0] + 2.0 * X[:, 1] + NOISE * rng.standard_normal(rows)


def boosting_on_a_plane(
    rows: int = 100,
    seed: int = 42,
    n_estimators: int = 100,
    learning_rate: float = 0.1,
    max_depth: int = 3,
) -> Section:
    """The tutorial's gradient boosting — start from mean(y), then n_estimators times fit a
    regression tree of depth max_depth to the residuals y − F and add learning_rate times its
    prediction to F — beside histogram gradient boosting with the same rounds, rate and depth,
    on y = 3x₀ + 2x₁ + N(0, 0.1²) with X ~ N(0, 1)^(rows × 2). Shows both training MSEs (the
    number the tutorial prints) falling per round far below the variance of y, and both MSEs
    on a second sample of `rows` rows drawn after the first by the same seeded generator.
    """
    rng = np.random.default_rng(seed)
    X, y = _plane(rng, rows)
    X_new, y_new = _plane(rng, rows)

    start = np.full(rows, y.mean())
    F, F_new = start.copy(), start.copy()
    loop_curve = [mse(y, F)]
    for _ in range(n_estimators):
        tree = DecisionTreeRegressor(max_depth=max_depth, random_state=seed).fit(X, y - F)
        F += learning_rate * tree.predict(X)
        F_new += learning_rate * tree.predict(X_new)
        loop_curve.append(mse(y, F))

    hist = GradientBoostingRegressor(
        learning_rate=learning_rate,
        n_estimators=n_estimators,
        max_depth=max_depth,
        min_samples_leaf=HIST_MIN_SAMPLES_LEAF,
        early_stopping=False,
        random_state=seed,
    ).fit(X, y)
    # train_score_ is the negated mean of ½(y − F)² before the first and after each round.
    hist_curve = -2.0 * hist.train_score_
    results = {
        "tutorial loop: DecisionTreeRegressor on residuals": (
            mse(y, F),
            mse(y_new, F_new),
        ),
        f"GradientBoostingRegressor (histogram, min_samples_leaf {HIST_MIN_SAMPLES_LEAF})": (
            mse(y, hist.predict(X)),
            mse(y_new, hist.predict(X_new)),
        ),
        "mean of the training y (round 0)": (mse(y, start), mse(y_new, start)),
    }

    figure = new_figure(7.6, 4.6)
    ax = figure.add_subplot()
    rounds = np.arange(n_estimators + 1)
    ax.plot(rounds, loop_curve, color="C0", linewidth=2.0, label="tutorial loop (exact trees)")
    ax.plot(
        rounds,
        hist_curve,
        color="C1",
        linestyle="--",
        linewidth=2.0,
        label="histogram GradientBoostingRegressor",
    )
    ax.axhline(NOISE**2, color="0.4", linestyle=":", label=f"noise variance {NOISE**2:g}")
    ax.set_yscale("log")
    ax.set(
        xlabel="boosting round",
        ylabel="training MSE (log scale)",
        title=f"Training MSE per round (learning rate {learning_rate:g}, depth {max_depth})",
    )
    ax.legend(loc="upper right")

    table = markdown_table(
        ["model", "training MSE", f"MSE on {rows} new rows"],
        [[name, f"{train:.4f}", f"{new:.4f}"] for name, (train, new) in results.items()],
    )
    loop_train, hist_train = loop_curve[-1], hist_curve[-1]
    markdown = (
        "## Study: gradient boosting on a plane\n\n"
        f"{rows} rows of X ~ N(0, 1)² with y = 3x₀ + 2x₁ + N(0, {NOISE:g}²) (seed {seed}). "
        "The tutorial's boosting starts from the mean of y and, for "
        f"{n_estimators} rounds, fits a regression tree of depth {max_depth} to the residuals "
        f"and adds {learning_rate:g} × its prediction. Beside it, histogram gradient boosting "
        "(features binned, trees grown on gradient histograms) with the same rounds, rate and "
        "depth, without early stopping. The tutorial prints the mean squared error on its "
        f"training rows: {loop_train:.4f} for its loop and {hist_train:.4f} for the histogram "
        f"model, against a variance of y of {loop_curve[0]:.4f}. A second sample of {rows} "
        "rows from the same generator scores both on data they have not seen. There the "
        "error is far larger: depth-limited trees approximate the plane by steps, and the "
        "training MSE flatters them, as every tree was fitted to those very rows.\n\n"
        f"{table}\n\n![Training MSE per boosting round](boosting_on_a_plane.png)"
    )
    return Section(markdown, {"boosting_on_a_plane": figure})


def knn_classification_and_regression(
    rows: int = 100,
    seed: int = 42,
    n_neighbors: int = 3,
    test_fraction: float = 0.2,
) -> Section:
    """k nearest neighbours weighted by 1 / distance on X ~ N(0, 1)^(rows × 2): a classifier
    of y = 0 if x₀ + x₁ > 0 else 1 (held-out accuracy, decision regions on a grid) and a
    regressor of y = 2x₀ + 3x₁ + N(0, 0.1²) on the same rows (held-out R² and MSE, predicted
    against actual). Distance weights let the nearest neighbour dominate, so the regions
    follow the training points closely.
    """
    frame = sum_sign(rows, seed, 2, negative=1, positive=0)
    noise = NOISE * np.random.default_rng(seed + 1).standard_normal(rows)
    frame = frame.with_columns(y=2.0 * pl.col("x0") + 3.0 * pl.col("x1") + noise)
    train, test = _split(frame, test_fraction, seed)
    X_train, label_train = _xy(train, "label")
    X_test, label_test = _xy(test, "label")
    y_train, y_test = train["y"].to_numpy(), test["y"].to_numpy()

    classifier = KNeighborsClassifier(n_neighbors=n_neighbors, weights="distance")
    classifier.fit(X_train, label_train)
    regressor = KNeighborsRegressor(n_neighbors=n_neighbors, weights="distance")
    regressor.fit(X_train, y_train)
    held_out_accuracy = accuracy(label_test, classifier.predict(X_test))
    predicted = regressor.predict(X_test)
    held_out_r2, held_out_mse = r2(y_test, predicted), mse(y_test, predicted)

    figure = new_figure(13.5, 5.2)
    ax_regions, ax_regression = figure.subplots(1, 2)
    X_all = np.vstack([X_train, X_test])
    low, high = X_all.min() - 0.5, X_all.max() + 0.5
    axis = np.linspace(low, high, GRID_POINTS)
    g0, g1 = np.meshgrid(axis, axis)
    regions = classifier.predict(np.column_stack([g0.ravel(), g1.ravel()])).reshape(g0.shape)
    colors = ("C0", "C3")
    ax_regions.contourf(g0, g1, regions, levels=[-0.5, 0.5, 1.5], colors=colors, alpha=0.25)
    handles = [Patch(color=c, alpha=0.25, label=f"predicted {k}") for k, c in enumerate(colors)]
    for k, color in enumerate(colors):
        ax_regions.scatter(
            *X_train[label_train == k].T, s=22, color=color, label=f"training, class {k}"
        )
        ax_regions.scatter(
            *X_test[label_test == k].T,
            s=50,
            facecolors="none",
            edgecolors=color,
            linewidths=1.5,
            label=f"held-out, class {k}",
        )
    ax_regions.plot([low, high], [-low, -high], color="black", linestyle="--", label="x₀ + x₁ = 0")
    ax_regions.set(
        xlim=(low, high),
        ylim=(low, high),
        aspect="equal",
        xlabel="x₀",
        ylabel="x₁",
        title=f"KNN classifier (k = {n_neighbors}): held-out accuracy {held_out_accuracy:.3f}",
    )
    points, labels = ax_regions.get_legend_handles_labels()
    ax_regions.legend(
        handles + points,
        [h.get_label() for h in handles] + labels,
        fontsize="small",
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
    )

    ax_regression.scatter(y_test, predicted, s=30, color="C2", label="held-out rows")
    span = [min(y_test.min(), predicted.min()), max(y_test.max(), predicted.max())]
    ax_regression.plot(span, span, color="0.3", linestyle="--", label="predicted = actual")
    ax_regression.set(
        xlabel="actual y = 2x₀ + 3x₁ + noise",
        ylabel="predicted y",
        title=f"KNN regressor (k = {n_neighbors}): held-out R² {held_out_r2:.3f}",
    )
    ax_regression.legend(loc="upper left")

    table = markdown_table(
        ["task", "target", "held-out metric", "value"],
        [
            ["classification", "0 if x₀ + x₁ > 0 else 1", "accuracy", f"{held_out_accuracy:.4f}"],
            ["regression", "2x₀ + 3x₁ + N(0, 0.1²)", "R²", f"{held_out_r2:.4f}"],
            ["regression", "2x₀ + 3x₁ + N(0, 0.1²)", "MSE", f"{held_out_mse:.4f}"],
        ],
        "lllr",
    )
    markdown = (
        "## Study: k nearest neighbours, classification and regression\n\n"
        f"{rows} rows of X ~ N(0, 1)² (seed {seed}; the regression noise from seed {seed + 1}), "
        f"{len(label_test)} held out by a stratified seeded split. Both estimators take the "
        f"{n_neighbors} nearest training rows (Euclidean) and weight each by 1 / distance: the "
        "classifier's weighted vote, the regressor's weighted mean.\n\n"
        f"{table}\n\n"
        "![KNN decision regions; predicted against actual]"
        "(knn_classification_and_regression.png)"
    )
    return Section(markdown, {"knn_classification_and_regression": figure})
