"""A small convolutional classifier trained by backpropagation with Adam on mini-batches.

Architecture, for X rows that are flattened (height, width, channels) images in C order:

    for f in filters:  conv 3×3 (f kernels, stride 1, zero padding 1) → ReLU → max-pool,
    flatten → for d in dense: affine (d units) → ReLU → affine (n_classes) → softmax.

The pool is 2×2 with stride 2 on each side longer than 1 and 1 on a side of length 1, so a
(1, n_features, 1) "signal" image passes too. The loss is the mean cross-entropy plus
alpha / (2·batch size) · Σ‖kernel and weight matrices‖² (biases are not penalised), as in
scikit-learn's MLPClassifier. All weights live in one flat vector `packed_params_`, cut into
arrays by the rows of `param_shapes_`; Adam updates that vector in place.
"""

import numbers
import warnings

import numpy as np
from numba import njit
from numba.typed import List
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from algorithms._constraints import FRACTION, NON_NEGATIVE, POSITIVE, POSITIVE_INT
from algorithms._kernel_args import read_only
from algorithms._labels import encode_labels
from algorithms._threads import parallel_loops
from algorithms.exceptions import ConvergenceWarning
from algorithms.neural_network._conv import conv_relu_pool_backward, conv_relu_pool_forward

KERNEL = 3
PADDING = 1
_MAX_NDIM = 4
_PREDICT_CHUNK = 512
# Own Adam, not _optimizers.Adam: its form m += (1 − β₁)(g − m) turns an overflowing gradient
# into NaN weights, which the divergence check catches; the shared one would decay to a silent 0.
_ADAM_BETAS = (0.9, 0.999)
_ADAM_EPSILON = 1e-8


def pool_size(height: int, width: int) -> tuple[int, int]:
    """The pooling window (and stride) of an image side: 2, or 1 on a side of length 1."""
    return min(2, height), min(2, width)


def network_shapes(image_shape, filters, dense, n_classes) -> list[tuple[int, ...]]:
    """Weight shapes in order: per conv (kernel, bias), per dense layer and output (W, b)."""
    height, width, channels = image_shape
    shapes = []
    for n_filters in filters:
        shapes += [(KERNEL, KERNEL, channels, n_filters), (n_filters,)]
        ph, pw = pool_size(height, width)
        height, width, channels = height // ph, width // pw, n_filters
    fan_in = height * width * channels
    for units in (*dense, n_classes):
        shapes += [(fan_in, units), (units,)]
        fan_in = units
    return shapes


def unpack(flat, shapes) -> list[np.ndarray]:
    """Views of the 1-D `flat` reshaped to each of `shapes` in turn (writes go through)."""
    arrays, offset = [], 0
    for shape in shapes:
        size = int(np.prod(shape))
        arrays.append(flat[offset : offset + size].reshape(shape))
        offset += size
    return arrays


def shapes_to_array(shapes) -> np.ndarray:
    """(n_arrays, 4) int array, each shape padded with zeros on the right."""
    table = np.zeros((len(shapes), _MAX_NDIM), dtype=np.int64)
    for row, shape in enumerate(shapes):
        table[row, : len(shape)] = shape
    return table


def shapes_from_array(table) -> list[tuple[int, ...]]:
    """Inverse of shapes_to_array: the nonzero entries of each row."""
    return [tuple(int(d) for d in row if d > 0) for row in table]


def initial_params(shapes, rng) -> np.ndarray:
    """Glorot-uniform kernels/weights (limit √(6 / (fan_in + fan_out))), zero biases, packed."""
    flat = np.zeros(sum(int(np.prod(shape)) for shape in shapes))
    for shape, view in zip(shapes, unpack(flat, shapes), strict=True):
        if len(shape) == 1:
            continue
        receptive = int(np.prod(shape[:-2]))
        fan_in, fan_out = receptive * shape[-2], receptive * shape[-1]
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        view[...] = rng.uniform(-limit, limit, shape)
    return flat


def forward(params, images, n_conv):
    """(proba, cache): class probabilities of the images and the activations backward needs."""
    cache = []
    a = images
    for layer in range(n_conv):
        kernel, bias = params[2 * layer], params[2 * layer + 1]
        size = pool_size(a.shape[1], a.shape[2])
        cols, z, pooled, argmax = conv_relu_pool_forward(
            read_only(a), read_only(kernel), read_only(bias), PADDING, *size
        )
        cache.append((a, cols, z, argmax, size))
        a = pooled
    conv_shape = a.shape
    dense = params[2 * n_conv :]
    proba, activations = dense_forward(
        a.reshape(a.shape[0], -1),
        tuple(read_only(weights) for weights in dense[::2]),
        tuple(read_only(bias) for bias in dense[1::2]),
    )
    return proba, (cache, conv_shape, activations)


def backward(params, grads, proba, onehot, cache, alpha):
    """Write into `grads` (views like params) the gradient of the batch loss (module doc)."""
    conv_cache, conv_shape, activations = cache
    n_conv = len(conv_cache)
    n = proba.shape[0]
    dense, dense_grads = params[2 * n_conv :], grads[2 * n_conv :]
    delta = dense_backward(
        proba,
        onehot,
        activations,
        tuple(dense[::2]),
        tuple(dense_grads[::2]),
        tuple(dense_grads[1::2]),
        alpha,
    )
    delta = delta.reshape(conv_shape)
    for layer in range(n_conv - 1, -1, -1):
        x, cols, z, argmax, size = conv_cache[layer]
        kernel = params[2 * layer]
        delta = conv_relu_pool_backward(
            delta,
            x,
            cols,
            z,
            argmax,
            kernel,
            PADDING,
            *size,
            layer > 0,
            grads[2 * layer],
            grads[2 * layer + 1],
            alpha / n,
        )


@njit(cache=True)
def dense_forward(a, weights, biases):
    """(proba, activations): the dense head's softmax(h_L W_L + b_L) with h_0 = a and
    h_{l+1} = relu(h_l W_l + b_l), and the list of the h_l (a first); one numba call, so
    that a batch costs no Python per layer operation."""
    activations = List()
    activations.append(a)
    for layer in range(len(weights)):
        z = np.dot(a, weights[layer])
        rows, units = z.shape
        last = layer == len(weights) - 1
        for r in range(rows):
            for u in range(units):
                value = z[r, u] + biases[layer][u]
                z[r, u] = value if last or value > 0.0 else 0.0
        if not last:
            activations.append(z)
        a = z
    for r in range(a.shape[0]):
        largest = a[r].max()
        total = 0.0
        for u in range(a.shape[1]):
            a[r, u] = np.exp(a[r, u] - largest)
            total += a[r, u]
        for u in range(a.shape[1]):
            a[r, u] /= total
    return a, activations


@njit(cache=True)
def dense_backward(proba, onehot, activations, weights, dweights, dbiases, alpha):
    """Write the dense head's gradients of the batch loss into dweights, dbiases (the
    cross-entropy's δ = (proba − onehot)/n carried back through each layer: dW_l = h_lᵀδ +
    (alpha/n)·W_l, db_l = Σ δ, δ ← δW_lᵀ masked by h_l > 0); return δ at the head's input."""
    n = proba.shape[0]
    delta = (proba - onehot) / n
    for layer in range(len(weights) - 1, -1, -1):
        a = activations[layer]
        dweights[layer][...] = np.dot(a.T, delta) + (alpha / n) * weights[layer]
        dbiases[layer][...] = delta.sum(axis=0)
        delta = np.dot(delta, weights[layer].T)
        if layer > 0:
            delta *= a > 0.0
    return delta


@njit(cache=True)
def adam_step(flat, grad, first_moment, second_moment, rate):
    """Adam's update in place, one pass: m += (1 − β₁)(g − m), v += (1 − β₂)(g² − v),
    w −= rate·m / (√v + ε), rate the bias-corrected learning rate."""
    beta1, beta2 = _ADAM_BETAS
    for k in range(flat.shape[0]):
        first_moment[k] += (1.0 - beta1) * (grad[k] - first_moment[k])
        second_moment[k] += (1.0 - beta2) * (grad[k] ** 2 - second_moment[k])
        flat[k] -= rate * first_moment[k] / (np.sqrt(second_moment[k]) + _ADAM_EPSILON)


def batch_loss(params, proba, onehot, alpha):
    """Mean cross-entropy of the batch plus alpha / (2·n) · Σ squared kernel/weight entries."""
    n = proba.shape[0]
    log_likelihood = np.log(np.clip(proba[onehot.astype(bool)], 1e-300, None)).sum()
    penalty = sum(float(np.vdot(w, w)) for w in params if w.ndim > 1)
    return -log_likelihood / n + alpha * penalty / (2.0 * n)


class CNNClassifier(ClassifierMixin, BaseEstimator):
    """Convolutional softmax classifier of flattened images (module docstring for the maths).

    image_shape is (height, width, channels) with height·width·channels = n_features; None
    reads each row as a (1, n_features, 1) signal. Training runs `max_iter` epochs of Adam
    (learning_rate_init, β = (0.9, 0.999), ε = 1e-8) over shuffled mini-batches of
    min(batch_size, n_samples) rows. It stops early, as MLPClassifier does, once for
    n_iter_no_change epochs the training loss has not dropped by tol below its best (or, with
    early_stopping, the accuracy on a held-out validation_fraction has not risen by tol above
    its best; the best-scoring weights are then kept).

    Fitted attributes: classes_, n_features_in_, image_shape_ (list), packed_params_ (1-D),
    param_shapes_ ((n_arrays, 4), zero-padded shapes), loss_curve_, validation_scores_
    (None without early_stopping), best_loss_, n_iter_.
    """

    _parameter_constraints = {
        "image_shape": ["array-like", None],
        "filters": ["array-like"],
        "dense": ["array-like"],
        "alpha": NON_NEGATIVE,
        "batch_size": POSITIVE_INT,
        "learning_rate_init": POSITIVE,
        "max_iter": POSITIVE_INT,
        "tol": NON_NEGATIVE,
        "n_iter_no_change": POSITIVE_INT,
        "early_stopping": ["boolean"],
        "validation_fraction": FRACTION,
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        image_shape=(8, 8, 1),
        filters=(8, 16),
        dense=(32,),
        alpha=1e-4,
        batch_size=32,
        learning_rate_init=1e-3,
        max_iter=50,
        tol=1e-4,
        n_iter_no_change=10,
        early_stopping=False,
        validation_fraction=0.1,
        random_state=None,
    ):
        self.image_shape = image_shape
        self.filters = filters
        self.dense = dense
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    @parallel_loops
    def fit(self, X, y):
        """Initialise the weights from random_state and train them (class docstring)."""
        for name in ("filters", "dense"):
            sizes = getattr(self, name)
            if not all(isinstance(s, numbers.Integral) and s >= 1 for s in sizes):
                raise ValueError(f"{name} must be a sequence of positive integers, got {sizes!r}.")
        X, y = validate_data(self, X, y, dtype=np.float64, order="C")
        classes, y_index = encode_labels(self, y)
        image_shape = self._image_shape(X.shape[1])
        rng = check_random_state(self.random_state)
        shapes = network_shapes(image_shape, self.filters, self.dense, len(classes))
        flat = initial_params(shapes, rng)
        images = X.reshape(-1, *image_shape)
        onehot = np.eye(len(classes))[y_index]
        train, validation = self._split(len(y), rng)
        self.classes_ = classes
        self.image_shape_ = list(image_shape)
        self.param_shapes_ = shapes_to_array(shapes)
        self.packed_params_ = flat
        self._train(images, onehot, y_index, train, validation, rng)
        return self

    @parallel_loops
    def predict_proba(self, X):
        """(n_samples, n_classes) softmax probabilities, in the order of classes_."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, order="C", reset=False)
        images = X.reshape(-1, *self.image_shape_)
        params = unpack(self.packed_params_, shapes_from_array(self.param_shapes_))
        n_conv = len(self.filters)
        chunks = [
            forward(params, images[start : start + _PREDICT_CHUNK], n_conv)[0]
            for start in range(0, len(images), _PREDICT_CHUNK)
        ]
        return np.concatenate(chunks)

    def predict(self, X):
        """The class of highest probability for each row."""
        proba = self.predict_proba(X)
        return self.classes_[proba.argmax(axis=1)]

    def _image_shape(self, n_features) -> tuple[int, int, int]:
        """image_shape as three ints matching n_features, or (1, n_features, 1) when None."""
        if self.image_shape is None:
            return 1, n_features, 1
        shape = tuple(self.image_shape)
        if len(shape) != 3 or not all(isinstance(d, numbers.Integral) and d >= 1 for d in shape):
            raise ValueError(
                f"image_shape must be (height, width, channels) positive integers, got {shape!r}."
            )
        if int(np.prod(shape)) != n_features:
            raise ValueError(
                f"image_shape {shape} holds {int(np.prod(shape))} values but X has "
                f"{n_features} features per row."
            )
        return tuple(int(d) for d in shape)

    def _split(self, n_samples, rng):
        """(train rows, validation rows or None): a seeded validation_fraction when early."""
        rows = np.arange(n_samples)
        if not self.early_stopping:
            return rows, None
        n_validation = int(np.ceil(self.validation_fraction * n_samples))
        if n_validation >= n_samples:
            raise ValueError(
                f"early_stopping leaves no training rows: validation_fraction="
                f"{self.validation_fraction} of {n_samples} samples."
            )
        order = rng.permutation(n_samples)
        return order[n_validation:], order[:n_validation]

    def _train(self, images, onehot, y_index, train, validation, rng):
        """Adam epochs over shuffled mini-batches of the train rows; sets the curves and n_iter_."""
        flat = self.packed_params_
        shapes = shapes_from_array(self.param_shapes_)
        params = unpack(flat, shapes)
        grad_flat = np.zeros_like(flat)
        grads = unpack(grad_flat, shapes)
        first_moment, second_moment = np.zeros_like(flat), np.zeros_like(flat)
        beta1, beta2 = _ADAM_BETAS
        n_conv = len(self.filters)
        batch_size = min(self.batch_size, len(train))
        losses, scores = [], []
        best, best_flat, stale, step = np.inf, flat.copy(), 0, 0
        for epoch in range(self.max_iter):
            total = 0.0
            order = train[rng.permutation(len(train))]
            for start in range(0, len(order), batch_size):
                batch = order[start : start + batch_size]
                batch_onehot = onehot[batch]
                proba, cache = forward(params, images[batch], n_conv)
                total += batch_loss(params, proba, batch_onehot, self.alpha) * len(batch)
                backward(params, grads, proba, batch_onehot, cache, self.alpha)
                step += 1
                rate = self.learning_rate_init * np.sqrt(1.0 - beta2**step) / (1.0 - beta1**step)
                adam_step(flat, grad_flat, first_moment, second_moment, rate)
            losses.append(total / len(order))
            if not (np.isfinite(losses[-1]) and np.isfinite(flat).all()):
                raise ValueError(
                    f"training diverged at epoch {epoch + 1} with learning_rate_init="
                    f"{self.learning_rate_init}: the loss or weights became NaN/inf; try a "
                    "smaller learning_rate_init."
                )
            if validation is None:
                progress = -losses[-1]
            else:
                proba = forward(params, images[validation], n_conv)[0]
                scores.append(float(np.mean(proba.argmax(axis=1) == y_index[validation])))
                progress = scores[-1]
            if -progress < best - self.tol:
                stale = 0
            else:
                stale += 1
            if -progress < best:
                best = -progress
                best_flat = flat.copy()
            if stale >= self.n_iter_no_change:
                break
        else:
            warnings.warn(
                f"CNNClassifier stopped after max_iter={self.max_iter} epochs while the "
                f"{'validation accuracy' if validation is not None else 'loss'} was still "
                "improving; raise max_iter.",
                ConvergenceWarning,
                stacklevel=3,
            )
        if validation is not None:
            flat[...] = best_flat
        self.loss_curve_ = np.array(losses)
        self.validation_scores_ = None if validation is None else np.array(scores)
        self.best_loss_ = float(np.min(losses))
        self.n_iter_ = len(losses)
