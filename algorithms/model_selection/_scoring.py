"""Scorers: score(estimator, X, y) -> float, where greater is always better.

A named scorer predicts X with the fitted estimator and applies a metric of
`algorithms.metrics` to (y, prediction); error metrics are negated ("neg_…", as in
scikit-learn) so that model selection can always maximise. No scoring (None) means the
estimator's own `score` (accuracy for classifiers, R² for regressors).

The classification scorers follow `algorithms.metrics`: binary problems score the larger
label (scikit-learn's pos_label=1 for 0/1 labels), more than two labels the macro average.
"""

from collections.abc import Callable
from dataclasses import dataclass

from algorithms.metrics import accuracy, f1, mae, mse, precision, r2, recall, rmse


@dataclass(frozen=True)
class Scorer:
    """sign · metric(y, estimator.predict(X)); sign is −1 for the negated error metrics."""

    name: str
    metric: Callable[..., float]
    sign: float = 1.0

    def __call__(self, estimator, X, y) -> float:
        return self.sign * self.metric(y, estimator.predict(X))


def estimator_score(estimator, X, y) -> float:
    """The estimator's own score(X, y)."""
    return float(estimator.score(X, y))


SCORERS: dict[str, Scorer] = {
    scorer.name: scorer
    for scorer in (
        Scorer("r2", r2),
        Scorer("neg_mean_squared_error", mse, -1.0),
        Scorer("neg_root_mean_squared_error", rmse, -1.0),
        Scorer("neg_mean_absolute_error", mae, -1.0),
        Scorer("accuracy", accuracy),
        Scorer("precision", precision),
        Scorer("recall", recall),
        Scorer("f1", f1),
    )
}


def get_scorer(scoring=None) -> Callable[..., float]:
    """The scorer for `scoring`: None → estimator_score, a name in SCORERS, or a callable
    score(estimator, X, y) as it is; ValueError listing the names otherwise."""
    if scoring is None:
        return estimator_score
    if isinstance(scoring, str):
        try:
            return SCORERS[scoring]
        except KeyError:
            raise ValueError(
                f"unknown scoring {scoring!r}; known scorings: {sorted(SCORERS)}"
            ) from None
    if callable(scoring):
        return scoring
    raise ValueError(
        f"scoring must be None, a name in {sorted(SCORERS)} or a callable "
        f"score(estimator, X, y); got {scoring!r}."
    )
