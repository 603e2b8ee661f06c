"""The training loop shared by the multilayer perceptrons and the autoencoder.

`BaseMultilayerPerceptron._train(X, Y, incremental)` minimises the objective of `_layers`
by mini-batch SGD or Adam, following scikit-learn's MLP: Glorot-uniform weights from
check_random_state(random_state), rows reshuffled each epoch (`shuffle`), batches of
min(200, n) rows by default, and a plateau rule — after more than n_iter_no_change epochs
whose training loss did not fall below best_loss_ − tol (or, with early_stopping, whose
validation score did not rise above best_validation_score_ + tol) training stops, and with
early stopping the weights of the best validation epoch are restored. `dropout` > 0 zeroes
each hidden unit with that probability in every training batch and scales survivors by
1/(1 − dropout); prediction uses all units.

Fitted state: packed_coefs_ (all weights, flat; `_layers`), layer_shapes_ (int (L, 2)),
loss_curve_, loss_, best_loss_ / validation_scores_, best_validation_score_, n_iter_, t_,
n_layers_, n_outputs_, out_activation_; `coefs_` and `intercepts_` rebuild the per-layer
arrays (views into packed_coefs_).
"""

import math
import numbers
import warnings
from numbers import Real

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from algorithms._constraints import (
    FRACTION,
    NON_NEGATIVE,
    POSITIVE,
    POSITIVE_INT,
    PROBABILITY,
)
from algorithms.exceptions import ConvergenceWarning
from algorithms.neural_network._layers import (
    HIDDEN_ACTIVATIONS,
    backward,
    data_loss,
    forward,
    glorot_uniform,
    l2_penalty,
    layer_shapes,
    unpack,
)
from algorithms.neural_network._optimizers import LEARNING_RATES, SGD, Adam

SOLVERS = ("adam", "sgd")
# The `_parameter_constraints` of the training parameters every perceptron shares.
TRAINING_CONSTRAINTS = {
    "activation": [StrOptions(set(HIDDEN_ACTIVATIONS))],
    "solver": [StrOptions(set(SOLVERS))],
    "alpha": NON_NEGATIVE,
    "batch_size": [StrOptions({"auto"}), *POSITIVE_INT],
    "learning_rate": [StrOptions(set(LEARNING_RATES))],
    "learning_rate_init": POSITIVE,
    "power_t": NON_NEGATIVE,
    "max_iter": POSITIVE_INT,
    "shuffle": ["boolean"],
    "random_state": ["random_state"],
    "tol": NON_NEGATIVE,
    "momentum": PROBABILITY,
    "nesterovs_momentum": ["boolean"],
    "early_stopping": ["boolean"],
    "validation_fraction": FRACTION,
    "beta_1": [Interval(Real, 0, 1, closed="left")],
    "beta_2": [Interval(Real, 0, 1, closed="left")],
    "epsilon": POSITIVE,
    "n_iter_no_change": POSITIVE_INT,
    "dropout": [Interval(Real, 0, 1, closed="left")],
}
# A layer-sizes parameter: one int or a sequence of them (each checked by `_layer_sizes`).
LAYER_SIZES = ["array-like", *POSITIVE_INT]


class BaseMultilayerPerceptron:
    """Mixin with the training loop (module docstring); subclasses define the targets."""

    @property
    def coefs_(self) -> list:
        """W_l of each layer, shape (fan_in, fan_out): views into packed_coefs_ (no setter)."""
        return unpack(self.packed_coefs_, self.layer_shapes_)[0]

    @property
    def intercepts_(self) -> list:
        """b_l of each layer, shape (fan_out,): views into packed_coefs_ (no setter)."""
        return unpack(self.packed_coefs_, self.layer_shapes_)[1]

    def _hidden_sizes(self) -> list[int]:
        """Sizes of the hidden layers, from the subclass's parameters."""
        return _layer_sizes(self.hidden_layer_sizes, "hidden_layer_sizes")

    def _validation_score(self, Y, P) -> float:
        """Score of network outputs P for held-out targets Y, higher is better (subclass)."""
        raise NotImplementedError

    def _output(self, X) -> np.ndarray:
        """The network's output on validated X, shape (n_samples, n_outputs_)."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        coefs, intercepts = unpack(self.packed_coefs_, self.layer_shapes_)
        return forward(coefs, intercepts, X, self.activation, self.out_activation_)[2]

    def _train(self, X, Y, incremental: bool, out_activation: str):
        """Run max_iter epochs (fit) or one (partial_fit) on float64 X and 2-D targets Y."""
        fresh = not incremental or not hasattr(self, "packed_coefs_")
        if fresh:
            self._start(X.shape[1], Y.shape[1], out_activation)
        if not hasattr(self, "_optimizer"):
            self._resume()
        early_stopping = self.early_stopping and not incremental
        X_val = Y_val = None
        if early_stopping:
            X, Y, X_val, Y_val = self._split_validation(X, Y)
        n = X.shape[0]
        batch_size = min(200, n) if self.batch_size == "auto" else min(self.batch_size, n)
        theta = self.packed_coefs_.copy()
        coefs, intercepts = unpack(theta, self.layer_shapes_)
        grad = np.empty_like(theta)
        coef_grads, intercept_grads = unpack(grad, self.layer_shapes_)
        best_theta = theta.copy()
        order = np.arange(n)
        n_epochs = 1 if incremental else self.max_iter
        rng = self._random_state
        for _ in range(n_epochs):
            if self.shuffle:
                permutation = np.arange(n)
                rng.shuffle(permutation)
                order = order[permutation]
            total = 0.0
            with np.errstate(over="ignore", invalid="ignore"):
                for start in range(0, n, batch_size):
                    rows = order[start : start + batch_size]
                    X_batch, Y_batch = X[rows], Y[rows]
                    masks = self._dropout_masks(coefs, len(rows))
                    inputs, hidden, P = forward(
                        coefs, intercepts, X_batch, self.activation, out_activation, masks
                    )
                    loss = data_loss(out_activation, Y_batch, P)
                    loss += l2_penalty(coefs, self.alpha, len(rows))
                    total += loss * len(rows)
                    P -= Y_batch
                    backward(
                        coefs,
                        inputs,
                        hidden,
                        masks,
                        P,
                        self.activation,
                        self.alpha,
                        coef_grads,
                        intercept_grads,
                    )
                    self._optimizer.step(theta, grad)
            self.n_iter_ += 1
            self.t_ += n
            self.loss_ = total / n
            self.loss_curve_.append(self.loss_)
            if not (math.isfinite(self.loss_) and np.isfinite(theta).all()):
                raise ValueError(
                    f"training diverged at epoch {self.n_iter_} with "
                    f"learning_rate_init={self.learning_rate_init}: the loss or weights became "
                    "NaN/inf; try a smaller learning_rate_init."
                )
            self._optimizer.epoch_ends(self.t_)
            P_val = None
            if early_stopping:
                P_val = forward(coefs, intercepts, X_val, self.activation, out_activation)[2]
            if self._no_improvement(theta, best_theta, Y_val, P_val):
                if self._optimizer.should_stop():
                    break
                self._no_improvement_count = 0
        else:
            if not incremental:
                warnings.warn(
                    f"{type(self).__name__} reached max_iter={self.max_iter} epochs before the "
                    "loss stopped improving.",
                    ConvergenceWarning,
                    stacklevel=3,
                )
        self.packed_coefs_ = best_theta if early_stopping else theta
        return self

    def _start(self, n_features, n_outputs, out_activation):
        """Fresh weights and empty training history for a network of the given size."""
        self._random_state = check_random_state(self.random_state)
        sizes = [n_features, *self._hidden_sizes(), n_outputs]
        self.layer_shapes_ = layer_shapes(sizes)
        self.packed_coefs_ = glorot_uniform(self.layer_shapes_, self.activation, self._random_state)
        self.n_layers_ = len(sizes)
        self.n_outputs_ = n_outputs
        self.out_activation_ = out_activation
        self.n_iter_ = 0
        self.t_ = 0
        self.loss_curve_ = []
        self._resume()
        if self.early_stopping:
            self.validation_scores_ = []
            self.best_validation_score_ = -np.inf
            self.best_loss_ = None
        else:
            self.validation_scores_ = None
            self.best_validation_score_ = None
            self.best_loss_ = np.inf

    def _resume(self):
        """Fresh training memory (optimizer, plateau count) for fitted or loaded weights."""
        if not hasattr(self, "_random_state"):
            self._random_state = check_random_state(self.random_state)
        self._no_improvement_count = 0
        n_params = self.packed_coefs_.size
        if self.solver == "sgd":
            self._optimizer = SGD(
                n_params,
                self.learning_rate_init,
                self.learning_rate,
                self.power_t,
                self.momentum,
                self.nesterovs_momentum,
            )
        else:
            self._optimizer = Adam(
                n_params, self.learning_rate_init, self.beta_1, self.beta_2, self.epsilon
            )

    def _split_validation(self, X, Y):
        """(X_train, Y_train, X_val, Y_val): a seeded random validation_fraction of the rows."""
        n_val = math.ceil(self.validation_fraction * X.shape[0])
        if n_val >= X.shape[0]:
            raise ValueError(
                f"early_stopping needs rows left to train on: validation_fraction="
                f"{self.validation_fraction} of {X.shape[0]} rows leaves none."
            )
        order = self._random_state.permutation(X.shape[0])
        val, train = order[:n_val], order[n_val:]
        return X[train], Y[train], X[val], Y[val]

    def _dropout_masks(self, coefs, n_rows):
        """Per hidden layer, 0 or 1/(1 − dropout) per unit and row; None without dropout."""
        if self.dropout == 0:
            return None
        keep = 1.0 - self.dropout
        draw = self._random_state.random_sample
        return [(draw((n_rows, W.shape[1])) < keep) / keep for W in coefs[:-1]]

    def _no_improvement(self, theta, best_theta, Y_val, P_val) -> bool:
        """Track the best epoch (copying theta into best_theta); True once on a plateau.

        P_val holds the outputs on the validation rows with early stopping, else None.
        """
        if P_val is not None:
            score = self._validation_score(Y_val, P_val)
            self.validation_scores_.append(score)
            improved = score >= self.best_validation_score_ + self.tol
            if score > self.best_validation_score_:
                self.best_validation_score_ = score
                best_theta[:] = theta
        else:
            best = np.inf if self.best_loss_ is None else self.best_loss_
            improved = self.loss_curve_[-1] <= best - self.tol
            self.best_loss_ = min(best, self.loss_curve_[-1])
        self._no_improvement_count = 0 if improved else self._no_improvement_count + 1
        return self._no_improvement_count > self.n_iter_no_change


def _layer_sizes(sizes, name) -> list[int]:
    """sizes (an int or a sequence of ints) as a list of positive ints; ValueError if not."""
    sizes = [sizes] if isinstance(sizes, numbers.Integral) else list(sizes)
    if not all(isinstance(size, numbers.Integral) and size > 0 for size in sizes):
        raise ValueError(f"{name} must hold positive integers, got {sizes}.")
    return [int(size) for size in sizes]
