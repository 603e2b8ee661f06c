"""Studies of the regularization tutorial: ridge, lasso and elastic net, compared and tuned.

- `shrinkage_on_a_line`: how each penalty pulls the slope of a noisy line towards zero.
- `cv_score_per_alpha`: ridge's cross-validated R² for each penalty strength.
- `elastic_net_grid`: a grid search over elastic net's alpha × l1_ratio.
- `bias_variance`: polynomial degree and ridge penalty between under- and over-fitting.
- `regularization_path`: the order in which lasso lets the features in as alpha decreases.

Each makes its data with a seeded generator of `pipelines.generators.synthetic` and fits the
from-scratch estimators of `algorithms`; cross-validation uses unshuffled contiguous k-fold
splits (scikit-learn's `cv=k` for a regressor).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import polars as pl

from algorithms.linear.coordinate_descent import ElasticNet, Lasso, lasso_path
from algorithms.linear.least_squares import LinearRegression
from algorithms.linear.ridge import Ridge
from algorithms.metrics import mse
from algorithms.model_selection import GridSearchCV, KFold, cross_val_score
from pipelines.derived import polynomial
from pipelines.generators.synthetic import line, noisy_sine, sparse_linear
from pipelines.sections import Section, markdown_table, new_figure

DPI = 100
# The tutorial's elastic net on the line uses alpha = 1 for every l1_ratio.
LINE_ENET_ALPHA = 1.0
# y = 3x₀ + 2x₁ − x₂ + N(0, 0.1): the tutorial's cross-validation and grid-search data.
SMALL_WEIGHTS = (3.0, 2.0, -1.0)
SMALL_NOISE = 0.1
# The estimators warn that alpha = 0 is plain least squares solved by coordinate descent.
_OLS_WARNING = "alpha=0 fits ordinary least squares"
# Curves of one panel differ in style too, so coinciding ones stay visible.
_LINESTYLES = ("-", "--", "-.", ":")


def _features(frame: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(X, y) of a generated frame: every column but `y` as features."""
    return frame.drop("y").to_numpy(), frame["y"].to_numpy()


def _fit(model, X: np.ndarray, y: np.ndarray):
    """model.fit(X, y), without the expected warning that alpha = 0 is least squares."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_OLS_WARNING, category=UserWarning)
        return model.fit(X, y)


def shrinkage_on_a_line(
    rows: int = 100,
    seed: int = 42,
    alphas: Sequence[float] = (0, 0.1, 1, 10),
    l1_ratios: Sequence[float] = (0, 0.5, 1),
) -> Section:
    """Slope and intercept of ridge and lasso at each alpha and of elastic net (alpha = 1)
    at each l1_ratio, fitted to y = 3x + 2 + N(0, 2) on x evenly spaced in [0, 10].

    Ridge penalises α‖w‖² against the *summed* squared error, lasso and elastic net penalise
    the *mean* (halved), so the same alpha shrinks ridge far less. alpha = 0 is ordinary
    least squares; lasso's coordinate descent warns about it, the warning is expected here.
    """
    X, y = _features(line(rows, seed))
    ols = LinearRegression().fit(X, y)
    fits = {
        "Ridge": [(f"α = {a:g}", Ridge(alpha=a)) for a in alphas],
        "Lasso": [(f"α = {a:g}", Lasso(alpha=a)) for a in alphas],
        "ElasticNet": [
            (f"l1_ratio = {r:g}", ElasticNet(alpha=LINE_ENET_ALPHA, l1_ratio=r)) for r in l1_ratios
        ],
    }
    table_rows = [["least squares", "—", f"{ols.coef_[0]:.4f}", f"{ols.intercept_:.4f}", ""]]
    figure = new_figure(13.0, 4.4)
    axes = figure.subplots(1, 3, sharey=True)
    grid = np.array([[0.0], [10.0]])
    for ax, (name, models) in zip(axes, fits.items(), strict=True):
        ax.scatter(X[:, 0], y, s=10, color="0.6", label="data")
        for i, (setting, model) in enumerate(models):
            _fit(model, X, y)
            slope, intercept = model.coef_[0], model.intercept_
            table_rows.append(
                [name, setting, f"{slope:.4f}", f"{intercept:.4f}", _shrinkage_note(model)]
            )
            ax.plot(
                grid[:, 0],
                model.predict(grid),
                color=f"C{i}",
                linestyle=_LINESTYLES[i % len(_LINESTYLES)],
                linewidth=1.8,
                label=f"{setting}: slope {slope:.3f}",
            )
        title = f"ElasticNet (α = {LINE_ENET_ALPHA:g})" if name == "ElasticNet" else name
        ax.set(title=title, xlabel="x")
        ax.legend(loc="upper left", fontsize="small")
    axes[0].set_ylabel("y")
    figure.suptitle(f"Fitted lines on y = 3x + 2 + N(0, 2), {rows} points")
    table = markdown_table(["model", "setting", "slope", "intercept", "note"], table_rows, "llrrl")
    markdown = (
        "## Study: shrinkage on a line\n\n"
        f"Ridge, lasso and elastic net fitted to {rows} points of y = 3x + 2 + N(0, 2) "
        f"(seed {seed}); the true slope is 3 and the intercept 2. Ridge's α multiplies ‖w‖² "
        "against the summed squared error, lasso's and elastic net's against half the mean "
        f"squared error ({2 * rows} times smaller), so the same α shrinks ridge's slope far "
        "less. Shrinking the slope raises the intercept, keeping the line through the centre "
        "of the data.\n\n"
        f"{table}\n\n![Ridge, lasso and elastic net lines](shrinkage_on_a_line.png)"
    )
    return Section(markdown, {"shrinkage_on_a_line": figure})


def _shrinkage_note(model) -> str:
    """The table's note on a fitted line model: alpha = 0 and a pure L2 elastic net."""
    if model.alpha == 0 and isinstance(model, ElasticNet):
        return "α = 0 is least squares (the solver's expected warning suppressed)"
    if model.alpha == 0:
        return "α = 0 is least squares"
    if isinstance(model, ElasticNet) and model.l1_ratio == 0:
        return "pure L2 penalty, ½α‖w‖² against half the mean squared error"
    return ""


def cv_score_per_alpha(
    rows: int = 100,
    seed: int = 42,
    n_features: int = 5,
    alphas: Sequence[float] = (0.01, 0.1, 1, 10, 100),
    cv: int = 5,
) -> Section:
    """Ridge's cross-validated R² (mean and ± 2 standard deviations over the folds) at each
    alpha, on y = 3x₀ + 2x₁ − x₂ + N(0, 0.1) with uniform features x ~ U(0, 1)^n_features.

    Small alphas fit as well as least squares; large ones shrink the real weights and R²
    drops.
    """
    X, y = _features(sparse_linear(rows, seed, n_features, SMALL_WEIGHTS, SMALL_NOISE))
    scores = np.array([cross_val_score(Ridge(alpha=a), X, y, cv=KFold(cv)) for a in alphas])
    mean, spread = scores.mean(axis=1), 2.0 * scores.std(axis=1)
    best = int(np.argmax(mean))
    table_rows = [
        [f"{a:g}", f"{m:.4f}", f"± {s:.4f}", ", ".join(f"{v:.3f}" for v in fold)]
        for a, m, s, fold in zip(alphas, mean, spread, scores, strict=True)
    ]
    table = markdown_table(["alpha", "mean CV R²", "± 2·std", "R² per fold"], table_rows)
    figure = new_figure(6.4, 4.0)
    ax = figure.add_subplot()
    ax.errorbar(alphas, mean, yerr=spread, marker="o", capsize=4, label="mean ± 2·std")
    ax.scatter(
        [alphas[best]],
        [mean[best]],
        s=90,
        facecolors="none",
        edgecolors="C3",
        zorder=3,
        label=f"best: α = {alphas[best]:g}",
    )
    ax.set_xscale("log")
    ax.set(
        xlabel="alpha (log scale)",
        ylabel=f"R², {cv}-fold cross-validation",
        title=f"Ridge: cross-validated R² per alpha ({rows} rows, {n_features} features)",
    )
    ax.legend(loc="lower left")
    markdown = (
        "## Study: cross-validated ridge per alpha\n\n"
        f"Ridge on {rows} rows of y = 3x₀ + 2x₁ − x₂ + N(0, 0.1) with {n_features} uniform "
        f"features (seed {seed}), scored by R² on {cv} unshuffled contiguous folds. Small "
        "penalties fit as well as least squares; large ones shrink the three real weights "
        f"and the score falls. Best mean: α = {alphas[best]:g} (R² {mean[best]:.4f}).\n\n"
        f"{table}\n\n![Cross-validated R² per alpha](cv_score_per_alpha.png)"
    )
    return Section(markdown, {"cv_score_per_alpha": figure})


def elastic_net_grid(
    rows: int = 100,
    seed: int = 42,
    n_features: int = 10,
    alphas: Sequence[float] = (0.1, 1, 10),
    l1_ratios: Sequence[float] = (0, 0.5, 1),
    cv: int = 5,
) -> Section:
    """Grid search of elastic net over alpha × l1_ratio by cross-validated mean squared error
    on y = 3x₀ + 2x₁ − x₂ + N(0, 0.1) with n_features uniform features: every grid point's
    CV MSE, the best point and the coefficients of the best model refitted on all rows.
    """
    X, y = _features(sparse_linear(rows, seed, n_features, SMALL_WEIGHTS, SMALL_NOISE))
    search = GridSearchCV(
        ElasticNet(),
        {"alpha": list(alphas), "l1_ratio": list(l1_ratios)},
        cv=KFold(cv),
        scoring="neg_mean_squared_error",
        n_jobs=None,
    )
    _fit(search, X, y)
    results = search.cv_results_
    mse_of = {
        (p["alpha"], p["l1_ratio"]): (-m, s, r)
        for p, m, s, r in zip(
            results["params"],
            results["mean_test_score"],
            results["std_test_score"],
            results["rank_test_score"],
            strict=True,
        )
    }
    grid_rows = [
        [
            f"{a:g}",
            f"{r:g}",
            f"{mse_of[a, r][0]:.4f}",
            f"{mse_of[a, r][1]:.4f}",
            str(mse_of[a, r][2]),
        ]
        for a in alphas
        for r in l1_ratios
    ]
    best = search.best_params_
    coef = search.best_estimator_.coef_
    truth = np.zeros(n_features)
    truth[: len(SMALL_WEIGHTS)] = SMALL_WEIGHTS
    coef_rows = [
        [f"x{j}", f"{c:.4f}", f"{t:g}"] for j, (c, t) in enumerate(zip(coef, truth, strict=True))
    ]
    coef_rows.append(["intercept", f"{search.best_estimator_.intercept_:.4f}", "0"])

    figure = new_figure(6.4, 4.6)
    ax = figure.add_subplot()
    matrix = np.array([[mse_of[a, r][0] for r in l1_ratios] for a in alphas])
    image = ax.imshow(matrix, cmap="viridis_r", aspect="auto")
    figure.colorbar(image, ax=ax, label="mean CV MSE")
    ax.set_xticks(range(len(l1_ratios)), [f"{r:g}" for r in l1_ratios])
    ax.set_yticks(range(len(alphas)), [f"{a:g}" for a in alphas])
    middle = (matrix.min() + matrix.max()) / 2.0
    for (i, j), value in np.ndenumerate(matrix):
        is_best = (alphas[i], l1_ratios[j]) == (best["alpha"], best["l1_ratio"])
        ax.text(
            j,
            i,
            f"{value:.4f}" + ("\n(best)" if is_best else ""),
            ha="center",
            va="center",
            color="white" if value > middle else "black",
            fontweight="bold" if is_best else "normal",
        )
    ax.set(xlabel="l1_ratio", ylabel="alpha", title=f"Elastic net: {cv}-fold CV mean squared error")
    markdown = (
        "## Study: elastic net grid search\n\n"
        f"Elastic net on {rows} rows of y = 3x₀ + 2x₁ − x₂ + N(0, 0.1) with {n_features} "
        f"uniform features (seed {seed}); every alpha × l1_ratio scored by mean squared error "
        f"on {cv} unshuffled contiguous folds (std over the folds, rank 1 = best).\n\n"
        f"{markdown_table(['alpha', 'l1_ratio', 'mean CV MSE', 'std', 'rank'], grid_rows)}\n\n"
        f"Best: alpha = {best['alpha']:g}, l1_ratio = {best['l1_ratio']:g} with CV MSE "
        f"{-search.best_score_:.4f} (the noise variance is {SMALL_NOISE**2:g}). A U(0, 1) "
        "feature has variance 1/12, so on elastic net's mean-loss scale alpha = 0.1 is "
        "already strong: lasso's soft threshold is then 0.1 / (1/12) = 1.2 per weight. "
        f"The best model's coefficients, refitted on all {rows} rows, beside the true "
        "weights:\n\n"
        f"{markdown_table(['feature', 'coefficient', 'true weight'], coef_rows)}\n\n"
        "![Elastic net CV MSE over the grid](elastic_net_grid.png)"
    )
    return Section(markdown, {"elastic_net_grid": figure})


def bias_variance(
    rows: int = 20,
    seed: int = 0,
    noise: float = 0.1,
    degrees: Sequence[int] = (1, 4, 15),
    alphas: Sequence[float] = (0, 0.001, 1),
) -> Section:
    """Polynomial ridge fits of each degree and alpha to `rows` points of sin(2πx) + noise:
    the mean squared error on the training points and against the true sine on 100 grid
    points. A low degree under-fits (both errors high); a high degree without a penalty
    over-fits (training error near 0, true error high); the penalty tames it.
    """
    train = noisy_sine(rows, seed, noise)
    x, y = train["x0"].to_numpy(), train["y"].to_numpy()
    grid = pl.DataFrame({"x0": np.linspace(0.0, 1.0, 100)})
    truth = np.sin(2.0 * np.pi * grid["x0"].to_numpy())

    figure = new_figure(13.0, 4.6)
    figure.get_layout_engine().set(wspace=0.04)
    axes = figure.subplots(1, len(degrees), sharey=True, squeeze=False)[0]
    errors = {}
    for ax, degree in zip(axes, degrees, strict=True):
        expand = polynomial(["x0"], degree)
        X_train, X_grid = train.select(expand).to_numpy(), grid.select(expand).to_numpy()
        ax.scatter(x, y, s=25, color="navy", zorder=3, label="training points")
        ax.plot(grid["x0"], truth, color="0.5", linestyle=":", linewidth=2, label="sin(2πx)")
        for i, alpha in enumerate(alphas):
            model = Ridge(alpha=alpha).fit(X_train, y)
            curve = model.predict(X_grid)
            errors[degree, alpha] = (mse(y, model.predict(X_train)), mse(truth, curve))
            ax.plot(
                grid["x0"],
                curve,
                color=f"C{i + 1}",
                linestyle=_LINESTYLES[i % len(_LINESTYLES)],
                label=f"α = {alpha:g}",
            )
        ax.set(xlim=(0.0, 1.0), ylim=(-1.5, 1.5), title=f"Degree {degree}", xlabel="x")
    axes[0].set_ylabel("y")
    handles, labels = axes[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncols=len(labels))
    figure.suptitle(f"Polynomial ridge on {rows} noisy points of sin(2πx)")

    table_rows = [
        [str(d), f"{a:g}", f"{errors[d, a][0]:.4g}", f"{errors[d, a][1]:.4g}"]
        for d in degrees
        for a in alphas
    ]
    table = markdown_table(["degree", "alpha", "training MSE", "MSE against sin(2πx)"], table_rows)
    markdown = (
        "## Study: bias and variance\n\n"
        f"Ridge on polynomial features of {rows} sorted points x ~ U(0, 1) with "
        f"y = sin(2πx) + {noise:g}·N(0, 1) (seed {seed}); each curve is scored on the "
        "training points and against the true sine on 100 grid points.\n\n"
        f"{table}\n\n{_fit_verdict(errors, degrees, alphas)}\n\n"
        "![Polynomial ridge fits per degree](bias_variance.png)"
    )
    return Section(markdown, {"bias_variance": figure})


def _fit_verdict(errors: dict, degrees: Sequence[int], alphas: Sequence[float]) -> str:
    """Sentences naming the under-fitted and the over-fitted fits of the bias–variance table:
    the lowest degree, and the highest degree with the weakest penalty when it has the lowest
    training MSE yet not the lowest MSE against the sine."""
    low, high, weakest = min(degrees), max(degrees), min(alphas)
    best = min(errors, key=lambda key: errors[key][1])
    under_train, under_true = errors[low, weakest]
    verdict = (
        f"Degree {low} under-fits (high bias): even on its training points the MSE is "
        f"{under_train:.3g} with α = {weakest:g}, and {under_true:.3g} against the sine. "
        f"Closest to the sine: degree {best[0]} with α = {best[1]:g} "
        f"(MSE {errors[best][1]:.3g})."
    )
    over_train, over_true = errors[high, weakest]
    if over_train == min(e[0] for e in errors.values()) and (high, weakest) != best:
        tamed = min(alphas, key=lambda a: errors[high, a][1])
        verdict += (
            f" Degree {high} with α = {weakest:g} over-fits (high variance): the lowest "
            f"training MSE of the table ({over_train:.3g}), but {over_true:.3g} against the "
            f"sine as the curve swings between the points; α = {tamed:g} brings that down "
            f"to {errors[high, tamed][1]:.3g}."
        )
    return verdict


def regularization_path(
    rows: int = 1000,
    seed: int = 42,
    n_features: int = 20,
    eps: float = 1e-3,
    n_alphas: int = 100,
) -> Section:
    """The lasso path on y = 5x₀ + 2x₁ − 3x₂ + N(0, 0.5) with n_features uniform features,
    standardized (and y centred): every coefficient against alpha, and the largest alpha at
    which each feature is non-zero — the order in which lasso lets the features in.
    """
    X, y = _features(sparse_linear(rows, seed, n_features))
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    y = y - y.mean()
    path_alphas, coefs, _ = lasso_path(X, y, eps=eps, n_alphas=n_alphas)
    active = coefs != 0
    entered = sorted(
        (j for j in range(n_features) if active[j].any()),
        key=lambda j: (-path_alphas[np.argmax(active[j])], j),
    )
    table_rows = [
        [str(order), f"x{j}", f"{path_alphas[np.argmax(active[j])]:.4g}", f"{coefs[j, -1]:.4f}"]
        for order, j in enumerate(entered, start=1)
    ]
    table = markdown_table(
        ["order", "feature", "largest non-zero alpha", f"coefficient at α = {path_alphas[-1]:.3g}"],
        table_rows,
    )

    figure = new_figure(8.0, 5.0)
    ax = figure.add_subplot()
    named = min(3, n_features)
    for j in range(n_features - 1, -1, -1):
        if j < named:
            ax.plot(path_alphas, coefs[j], color=f"C{j}", linewidth=2.2, label=f"x{j}")
        else:
            label = f"x{named}…x{n_features - 1} (no effect)" if j == named else None
            ax.plot(path_alphas, coefs[j], color="0.6", linewidth=0.8, label=label)
    ax.set_xscale("log")
    ax.invert_xaxis()
    ax.axhline(0.0, color="black", linewidth=0.5)
    ax.set(
        xlabel="alpha (log scale, decreasing to the right)",
        ylabel="coefficient (standardized features)",
        title=f"Lasso path: {n_alphas} alphas down to {eps:g}·alpha_max",
    )
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], labels[::-1], loc="upper left")
    markdown = (
        "## Study: lasso regularization path\n\n"
        f"Lasso on {rows} rows of y = 5x₀ + 2x₁ − 3x₂ + N(0, 0.5) with {n_features} uniform "
        f"features (seed {seed}), standardized, y centred; {n_alphas} alphas from "
        f"alpha_max = {path_alphas[0]:.4g} (every coefficient 0) down to {path_alphas[-1]:.4g}. "
        f"{len(entered)} of {n_features} features become non-zero somewhere on the path; "
        "they enter in this order:\n\n"
        f"{table}\n\n![Lasso coefficients against alpha](regularization_path.png)"
    )
    return Section(markdown, {"regularization_path": figure})
