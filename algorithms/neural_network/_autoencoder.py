"""Autoencoder: a multilayer perceptron trained to reproduce its input through a bottleneck.

The network is X → encoder_layer_sizes → decoder_layer_sizes → identity output of
n_features units, trained by `_base` on Σ‖x̂ − x‖²/(2n) + alpha·Σ‖W‖²/(2n). The code of a
row is the activation of the last encoder layer; the decoder mirrors the encoder by default
(encoder (32, 8) → decoder (32,)).
"""

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils.validation import check_is_fitted, validate_data

from algorithms.neural_network._base import (
    LAYER_SIZES,
    TRAINING_CONSTRAINTS,
    BaseMultilayerPerceptron,
    _layer_sizes,
)
from algorithms.neural_network._layers import forward, unpack


class Autoencoder(
    ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseMultilayerPerceptron, BaseEstimator
):
    """Dense autoencoder: transform gives the bottleneck code, inverse_transform decodes it.

    Training parameters are those of MLPRegressor. validation_scores_ (early stopping) are
    the negated mean squared reconstruction errors of the validation rows.
    """

    _parameter_constraints = {
        **TRAINING_CONSTRAINTS,
        "encoder_layer_sizes": LAYER_SIZES,
        "decoder_layer_sizes": [*LAYER_SIZES, None],
    }

    def __init__(
        self,
        encoder_layer_sizes=(32, 8),
        decoder_layer_sizes=None,
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
        self.encoder_layer_sizes = encoder_layer_sizes
        self.decoder_layer_sizes = decoder_layer_sizes
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

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train a fresh autoencoder on X for up to max_iter epochs; y is ignored."""
        X = validate_data(self, X, dtype=np.float64)
        return self._train(X, X, False, "identity")

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """One epoch over X, continuing from the fitted weights when there are some."""
        first_call = not hasattr(self, "packed_coefs_")
        X = validate_data(self, X, dtype=np.float64, reset=first_call)
        return self._train(X, X, True, "identity")

    def transform(self, X):
        """The code of each row: the last encoder layer's activations, (n_samples, n_codes)."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        coefs, intercepts = unpack(self.packed_coefs_, self.layer_shapes_)
        n_encoder = self._n_encoder_layers()
        code_layers = slice(0, n_encoder)
        return forward(
            coefs[code_layers], intercepts[code_layers], X, self.activation, self.activation
        )[2]

    def inverse_transform(self, X):
        """Decode codes X, shape (n_samples, n_codes), into rows in the input space."""
        check_is_fitted(self)
        codes = np.asarray(X, dtype=np.float64)
        n_encoder = self._n_encoder_layers()
        if codes.ndim != 2 or codes.shape[1] != self._n_features_out:
            raise ValueError(
                f"inverse_transform expects codes of shape (n_samples, {self._n_features_out}), "
                f"got {codes.shape}."
            )
        coefs, intercepts = unpack(self.packed_coefs_, self.layer_shapes_)
        return forward(
            coefs[n_encoder:], intercepts[n_encoder:], codes, self.activation, "identity"
        )[2]

    def reconstruction_error(self, X):
        """Mean squared error of each row's reconstruction over its features, (n_samples,).

        Take .mean() of it for the overall mean squared error.
        """
        reconstruction = self._output(X)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return ((reconstruction - X) ** 2).mean(axis=1)

    @property
    def _n_features_out(self):
        """Number of code units (the last encoder layer's size)."""
        return int(self.layer_shapes_[self._n_encoder_layers() - 1, 1])

    def _n_encoder_layers(self) -> int:
        """Number of weight layers from the input to the code."""
        return len(_layer_sizes(self.encoder_layer_sizes, "encoder_layer_sizes"))

    def _hidden_sizes(self) -> list[int]:
        """Encoder sizes, then decoder sizes (default: the encoder reversed, without the code)."""
        encoder = _layer_sizes(self.encoder_layer_sizes, "encoder_layer_sizes")
        if self.decoder_layer_sizes is None:
            return encoder + encoder[-2::-1]
        return encoder + _layer_sizes(self.decoder_layer_sizes, "decoder_layer_sizes")

    def _validation_score(self, Y, P):
        """Negated mean squared reconstruction error of the validation rows."""
        return -float(((P - Y) ** 2).mean())
