"""Shared parts of the binary threshold classifiers of the viral-post chapters.

A post's score is s = X·coef_ + intercept_ (`raw_score`) and the prediction is classes_[1]
where s > threshold, else classes_[0]. `decision_function` is s − threshold, so that, as
everywhere in scikit-learn, a positive decision means the positive class. Targets are
encoded as y01 = [y == classes_[1]].
"""

import numpy as np
from sklearn.utils.validation import check_is_fitted, validate_data


class BinaryThresholdMixin:
    """raw_score s = X·coef_ + intercept_; decision s − threshold; predict classes_[1] if > 0."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags

    def raw_score(self, X):
        """The seed's virality score s = X·coef_ + intercept_ of each row, shape (n_samples,)."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return X @ self.coef_ + self.intercept_

    def decision_function(self, X):
        """s − threshold: positive where the positive class classes_[1] is predicted."""
        return self.raw_score(X) - float(self.threshold)

    def predict(self, X):
        """classes_[1] where the score exceeds threshold, else classes_[0]."""
        above = self.decision_function(X) > 0
        return self.classes_[above.astype(np.intp)]


def binary_classes(estimator, labels) -> np.ndarray:
    """Sorted unique labels; ValueError unless there are exactly two."""
    classes = np.unique(labels)
    name = type(estimator).__name__
    if len(classes) > 2:
        raise ValueError(
            f"Only binary classification is supported. {name} got {len(classes)} classes: "
            f"{classes.tolist()}."
        )
    if len(classes) < 2:
        raise ValueError(
            f"{name} needs two classes to learn from; got 1 class: {classes.tolist()}."
        )
    return classes


def encode_binary(y, classes: np.ndarray) -> np.ndarray:
    """y as float64 0/1 (1 for classes[1]); ValueError naming labels not in classes."""
    unknown = np.setdiff1d(y, classes)
    if unknown.size:
        raise ValueError(f"y has labels {unknown.tolist()} not in classes {classes.tolist()}.")
    return (np.asarray(y) == classes[1]).astype(np.float64)
