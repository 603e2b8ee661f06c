"""Studies of neural-network regularization: dropout and early stopping.

- `dropout_and_early_stopping`: the regularization tutorial's network (two hidden layers of
  64 ReLU units, Adam) on its line y = 3x + 2 + N(0, 2), trained plainly, with dropout and
  with early stopping; the training loss and the validation MSE of each per epoch.

The data are drawn by a seeded generator, the validation rows by a seeded split, and the
networks are the from-scratch `algorithms.neural_network.MLPRegressor`.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from sklearn.base import clone

from algorithms.exceptions import ConvergenceWarning
from algorithms.metrics import mse
from algorithms.neural_network import MLPRegressor
from pipelines.sections import Section, markdown_table, new_figure

# The tutorial's line: x evenly spaced on [0, 10], y = 3x + 2 + N(0, 2).
SLOPE, INTERCEPT, NOISE = 3.0, 2.0, 2.0
LOW, HIGH = 0.0, 10.0


def _line(rows: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(X, y): x evenly spaced on [LOW, HIGH], standardized, as one column; y = 3x + 2 + noise
    with the noise from a generator seeded with `seed` (the `line` generator's recipe)."""
    rng = np.random.default_rng(seed)
    x = np.linspace(LOW, HIGH, rows)
    y = SLOPE * x + INTERCEPT + rng.normal(0.0, NOISE, rows)
    return ((x - x.mean()) / x.std())[:, None], y


def _epoch_by_epoch(model: MLPRegressor, X, y, X_val, y_val) -> tuple[list, list]:
    """Train `model` for max_iter epochs by partial_fit; the training loss and the validation
    MSE after each epoch. Each partial_fit reshuffles the rows from their given order, while
    one fit call keeps composing its shuffles (scikit-learn's MLP does the same), so the
    batches, and the curves, match fit's in distribution but not bit for bit."""
    validation = []
    for _ in range(model.max_iter):
        model.partial_fit(X, y)
        validation.append(mse(y_val, model.predict(X_val)))
    return list(model.loss_curve_), validation


def _rows_for_internal_split(model: MLPRegressor, train: np.ndarray, val: np.ndarray):
    """An order of the rows `train` ∪ `val` such that `model.fit(X[order], ...)` with
    early_stopping holds out exactly the rows `val`: the estimator draws its validation rows
    from its seeded generator right after the initial weights, so a fresh copy replays that
    draw (`_split_validation` on the row numbers) and the rows are placed where it looks."""
    n = train.size + val.size
    probe = clone(model)
    probe._validate_params()
    probe._start(1, 1, "identity")
    positions = np.arange(n)[:, None]
    _, _, held, _ = probe._split_validation(positions, positions)
    held = held[:, 0]
    if held.size != val.size:
        raise ValueError(
            f"early stopping holds out {held.size} of {n} rows, the split {val.size}; "
            "validation_fraction must give the same count."
        )
    order = np.empty(n, dtype=np.int64)
    order[held] = val
    order[np.setdiff1d(np.arange(n), held)] = train
    return order


def dropout_and_early_stopping(
    rows: int = 1000,
    seed: int = 42,
    hidden_layer_sizes: tuple[int, ...] | list[int] = (64, 64),
    dropout: float = 0.5,
    max_iter: int = 100,
    patience: int = 10,
    validation_fraction: float = 0.2,
) -> Section:
    """Three MLPRegressors (ReLU, Adam, the tutorial's two hidden layers of 64) on `rows`
    points of y = 3x + 2 + N(0, 2), x on [0, 10] standardized, with a seeded
    `validation_fraction` of the rows held out: a plain network and one with `dropout` on
    every hidden layer, each trained `max_iter` epochs one by one with partial_fit and scored
    on the validation rows after each; and one with the estimator's own early stopping
    (patience `patience`, best weights restored), whose validation rows are the same ones.
    """
    hidden = tuple(hidden_layer_sizes)
    X, y = _line(rows, seed)
    n_val = math.ceil(validation_fraction * rows)
    permutation = np.random.default_rng(seed).permutation(rows)
    val, train = np.sort(permutation[:n_val]), np.sort(permutation[n_val:])
    X_train, y_train, X_val, y_val = X[train], y[train], X[val], y[val]

    # n_iter_no_change = max_iter: the plateau rule never stops these two, as in the tutorial.
    base = MLPRegressor(
        hidden_layer_sizes=hidden, max_iter=max_iter, n_iter_no_change=max_iter, random_state=seed
    )
    curves = {}
    finals = {}
    for name, rate in (("plain", 0.0), (f"dropout {dropout:g}", dropout)):
        model = clone(base).set_params(dropout=rate)
        train_loss, val_mse = _epoch_by_epoch(model, X_train, y_train, X_val, y_val)
        curves[name] = (train_loss, val_mse)
        finals[name] = model

    stopping = clone(base).set_params(
        early_stopping=True, validation_fraction=validation_fraction, n_iter_no_change=patience
    )
    order = _rows_for_internal_split(stopping, train, val)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        stopping.fit(X[order], y[order])
    # validation_scores_ are R² on the held-out rows: MSE = (1 − R²) · their variance.
    variance = float(np.mean((y_val - y_val.mean()) ** 2))
    stopping_val = [(1.0 - score) * variance for score in stopping.validation_scores_]
    restored = mse(y_val, stopping.predict(X_val))
    if not math.isclose(restored, min(stopping_val), rel_tol=1e-9, abs_tol=1e-12):
        raise RuntimeError(
            "the early-stopping model's validation rows are not the split's: restored MSE "
            f"{restored} against its best epoch's {min(stopping_val)}"
        )
    best_epoch = int(np.argmax(stopping.validation_scores_)) + 1
    stopped = stopping.n_iter_
    es_name = f"early stopping (patience {patience})"
    curves[es_name] = (list(stopping.loss_curve_), stopping_val)

    rows_out = []
    for name, (train_loss, val_mse) in curves.items():
        is_es = name == es_name
        rows_out.append(
            [
                name,
                f"{train_loss[-1]:.4f}",
                f"{(restored if is_es else val_mse[-1]):.4f}",
                f"{min(val_mse):.4f}",
                str(len(train_loss)),
                str(stopped) if is_es else "—",
                str(best_epoch) if is_es else "—",
            ]
        )
    table = markdown_table(
        [
            "model",
            "final training loss",
            "validation MSE",
            "lowest validation MSE",
            "epochs run",
            "stopped at epoch",
            "best epoch",
        ],
        rows_out,
    )

    figure = new_figure(14.0, 4.4)
    axes = figure.subplots(1, 3, sharey=True)
    for ax, (name, (train_loss, val_mse)), color in zip(
        axes, curves.items(), ("C0", "C1", "C2"), strict=True
    ):
        epochs = np.arange(1, len(train_loss) + 1)
        ax.plot(epochs, 2.0 * np.asarray(train_loss), color=color, label="training (2 × loss)")
        ax.plot(epochs, val_mse, color=color, linestyle="--", label="validation MSE")
        ax.axhline(NOISE**2, color="0.5", linestyle=":", label=f"noise variance {NOISE**2:g}")
        if name == es_name:
            ax.axvline(stopped, color="C3", linestyle="-.", label=f"stopped, epoch {stopped}")
            ax.plot(
                best_epoch,
                stopping_val[best_epoch - 1],
                "o",
                color="C3",
                label=f"best, epoch {best_epoch} (restored)",
            )
        ax.set_yscale("log")
        ax.set(xlim=(0, max_iter + 1), xlabel="epoch", ylabel="MSE (log scale)", title=name)
        ax.legend(loc="upper right", fontsize="small")
    axes[1].tick_params(labelleft=True)
    axes[2].tick_params(labelleft=True)

    plain, dropped = curves["plain"][0][-1], curves[f"dropout {dropout:g}"][0][-1]
    markdown = (
        "## Study: dropout and early stopping\n\n"
        f"{rows} points of y = {SLOPE:g}x + {INTERCEPT:g} + N(0, {NOISE:g}) with x evenly "
        f"spaced on [{LOW:g}, {HIGH:g}] and standardized (seed {seed}); a seeded "
        f"{validation_fraction:g} of them ({n_val}) held out for validation. Three "
        f"MLPRegressors with hidden layers {list(hidden)} (ReLU, Adam, seed {seed}): a plain "
        f"one and one whose hidden units are dropped with probability {dropout:g} in every "
        f"training batch, both trained {max_iter} epochs one at a time with partial_fit and "
        "scored on the validation rows after each (each call reshuffles the rows afresh, so "
        "the batches differ from one fit call's, not their distribution); and one with early "
        "stopping, which scores "
        f"R² on the same rows after each epoch, stops once more than {patience} epochs in a "
        f"row have not raised it by tol ({base.tol:g}) and restores the weights of its best "
        "epoch. The training loss is the "
        "estimator's `loss_curve_`, half the mean squared error plus the L2 term (alpha "
        f"{base.alpha:g}); the figure doubles it to compare it with the validation MSE. With "
        f"dropout the training loss ends higher ({dropped:.4f} against {plain:.4f}): each "
        "batch trains a thinned network, while prediction uses all units. Early stopping ran "
        f"{stopped} of at most {max_iter} epochs, its best at epoch {best_epoch}. The noise "
        f"variance {NOISE**2:g} is what the true line itself scores on average.\n\n"
        f"{table}\n\n"
        "![Training and validation loss per epoch](dropout_and_early_stopping.png)"
    )
    return Section(markdown, {"dropout_and_early_stopping": figure})
