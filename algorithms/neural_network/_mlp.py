"""MLPClassifier and MLPRegressor: scikit-learn's multilayer perceptrons, plus dropout.

The classifier's output layer is one logistic unit for two classes (binary log loss) or a
softmax over the classes (log loss); the regressor's is the identity (squared loss). The
parameters, their defaults and the training loop are scikit-learn's (`_base`), without
lbfgs; `dropout` (inverted dropout on the hidden layers) is ours.
"""

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, _fit_context
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data

from algorithms._labels import encode_labels
from algorithms.neural_network._base import (
    LAYER_SIZES,
    TRAINING_CONSTRAINTS,
    BaseMultilayerPerceptron,
)


class _MLPParams(BaseMultilayerPerceptron, BaseEstimator):
    """The hyper-parameters shared by both perceptrons (scikit-learn's names and defaults)."""

    _parameter_constraints = {**TRAINING_CONSTRAINTS, "hidden_layer_sizes": LAYER_SIZES}

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        dropout=0.0,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.dropout = dropout


class MLPClassifier(ClassifierMixin, _MLPParams):
    """Multilayer perceptron classifier minimising (binary) log loss + alpha·‖W‖²/(2n).

    predict_proba is the output layer: [1 − p, p] from one logistic unit for two classes,
    else the softmax over classes_. validation_scores_ (early stopping) are accuracies.
    """

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Train a fresh network for up to max_iter epochs; returns self."""
        X, y = validate_data(self, X, y, dtype=np.float64)
        classes, _ = encode_labels(self, y)
        self._train(X, _one_hot(y, classes), False, _out_activation(classes))
        self.classes_ = classes
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None):
        """One epoch over X, y, continuing from the fitted weights; the first call needs classes."""
        first_call = not hasattr(self, "classes_")
        X, y = validate_data(self, X, y, dtype=np.float64, reset=first_call)
        check_classification_targets(y)
        if first_call:
            if classes is None:
                raise ValueError("classes must be passed on the first call to partial_fit.")
            labels, _ = encode_labels(self, classes)
        else:
            labels = self.classes_
            if classes is not None and not np.array_equal(np.unique(classes), labels):
                raise ValueError(
                    f"classes={np.unique(classes).tolist()} differs from the classes of the "
                    f"previous calls, {labels.tolist()}."
                )
        self._train(X, _one_hot(y, labels), True, _out_activation(labels))
        self.classes_ = labels
        return self

    def predict_proba(self, X):
        """Class probabilities, shape (n_samples, n_classes), columns in classes_ order."""
        P = self._output(X)
        return np.hstack([1.0 - P, P]) if P.shape[1] == 1 else P

    def predict_log_proba(self, X):
        """log of predict_proba."""
        return np.log(self.predict_proba(X))

    def predict(self, X):
        """The most probable class of each row."""
        best = np.argmax(self.predict_proba(X), axis=1)
        return self.classes_[best]

    def _validation_score(self, Y, P):
        """Accuracy of outputs P against one-hot (or 0/1 column) targets Y."""
        if P.shape[1] == 1:
            return float(np.mean((P[:, 0] > 0.5) == (Y[:, 0] == 1)))
        return float(np.mean(P.argmax(axis=1) == Y.argmax(axis=1)))


class MLPRegressor(RegressorMixin, _MLPParams):
    """Multilayer perceptron regressor minimising Σ(P − Y)²/(2n) + alpha·‖W‖²/(2n).

    Identity output; y may have several columns. validation_scores_ (early stopping) are R²
    averaged over the outputs.
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Train a fresh network for up to max_iter epochs; returns self."""
        X, y = validate_data(self, X, y, dtype=np.float64, multi_output=True, y_numeric=True)
        self._train(X, y.reshape(len(y), -1), False, "identity")
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y):
        """One epoch over X, y, continuing from the fitted weights when there are some."""
        first_call = not hasattr(self, "packed_coefs_")
        X, y = validate_data(
            self, X, y, dtype=np.float64, multi_output=True, y_numeric=True, reset=first_call
        )
        return self._train(X, y.reshape(len(y), -1), True, "identity")

    def predict(self, X):
        """The network's output: shape (n_samples,) for one target, else (n_samples, n_outputs)."""
        P = self._output(X)
        return P.ravel() if P.shape[1] == 1 else P

    def _validation_score(self, Y, P):
        """R² of outputs P against targets Y, averaged over the columns (1 where Y is constant
        and matched, 0 where it is constant and missed)."""
        residual = ((Y - P) ** 2).sum(axis=0)
        total = ((Y - Y.mean(axis=0)) ** 2).sum(axis=0)
        safe = np.where(total > 0, total, 1.0)
        scores = np.where(total > 0, 1.0 - residual / safe, np.where(residual == 0, 1.0, 0.0))
        return float(scores.mean())


def _out_activation(classes) -> str:
    """One logistic unit for two classes, a softmax for more."""
    return "logistic" if len(classes) == 2 else "softmax"


def _one_hot(y, classes) -> np.ndarray:
    """Targets as float columns: [y == classes[1]] for two classes, one-hot for more."""
    unknown = np.setdiff1d(y, classes)
    if unknown.size:
        raise ValueError(f"y has labels {unknown.tolist()} not in classes {classes.tolist()}.")
    if len(classes) == 2:
        return (y == classes[1]).astype(np.float64)[:, np.newaxis]
    return (y[:, np.newaxis] == classes[np.newaxis, :]).astype(np.float64)
