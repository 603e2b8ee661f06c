"""Dense layers: parameter packing, Glorot initialisation, forward pass, losses and backprop.

All weights of a network live in one flat vector `theta`: for each layer l, the coefficient
matrix W_l (fan_in × fan_out, row-major) followed by its intercept b_l (fan_out). `shapes`
is the int array of (fan_in, fan_out) per layer. Layer l computes a_{l+1} = f(a_l W_l + b_l)
with f the hidden activation, or the output activation on the last layer.

The data loss of n rows with targets Y and outputs P is

    squared (identity output):  Σ (P − Y)² / (2n)
    log (softmax output):       −Σ Y log P / n
    binary log (logistic):      −Σ [Y log P + (1 − Y) log(1 − P)] / n

(P clipped to [eps, 1 − eps] in the logs), plus alpha · Σ_l ‖W_l‖² / (2n); each output
activation is the canonical link of its loss, so ∂loss/∂z_out = (P − Y) / n.
"""

import numpy as np
from scipy.special import expit, xlogy

HIDDEN_ACTIVATIONS = ("identity", "logistic", "tanh", "relu")


def activate(name: str, Z: np.ndarray) -> np.ndarray:
    """Apply activation `name` (a hidden one or softmax) to Z in place and return Z."""
    if name == "logistic":
        expit(Z, out=Z)
    elif name == "tanh":
        np.tanh(Z, out=Z)
    elif name == "relu":
        np.maximum(Z, 0.0, out=Z)
    elif name == "softmax":
        Z -= Z.max(axis=1, keepdims=True)
        np.exp(Z, out=Z)
        Z /= Z.sum(axis=1, keepdims=True)
    return Z


def multiply_derivative(name: str, A: np.ndarray, delta: np.ndarray) -> None:
    """delta *= f'(z) for hidden activation `name`, written through its output A = f(z)."""
    if name == "logistic":
        delta *= A * (1.0 - A)
    elif name == "tanh":
        delta *= 1.0 - A**2
    elif name == "relu":
        delta[A <= 0.0] = 0.0


def layer_shapes(sizes) -> np.ndarray:
    """(fan_in, fan_out) of each layer of a network with the given layer sizes, as int64."""
    sizes = np.asarray(sizes, dtype=np.int64)
    return np.column_stack([sizes[:-1], sizes[1:]])


def unpack(theta: np.ndarray, shapes: np.ndarray) -> tuple[list, list]:
    """(coefs, intercepts): views into theta of each layer's W_l and b_l (module docstring)."""
    coefs, intercepts, start = [], [], 0
    for fan_in, fan_out in shapes:
        stop = start + fan_in * fan_out
        coefs.append(theta[start:stop].reshape(fan_in, fan_out))
        intercepts.append(theta[stop : stop + fan_out])
        start = stop + fan_out
    return coefs, intercepts


def glorot_uniform(shapes: np.ndarray, activation: str, random_state) -> np.ndarray:
    """theta with W_l then b_l drawn U(±√(k / (fan_in + fan_out))), k = 2 for logistic else 6.

    The draws come from the RandomState in scikit-learn's order, so a network seeded like
    scikit-learn's MLP starts from the same weights.
    """
    factor = 2.0 if activation == "logistic" else 6.0
    parts = []
    for fan_in, fan_out in shapes:
        bound = np.sqrt(factor / (fan_in + fan_out))
        parts.append(random_state.uniform(-bound, bound, (fan_in, fan_out)).ravel())
        parts.append(random_state.uniform(-bound, bound, fan_out))
    return np.concatenate(parts)


def forward(coefs, intercepts, X, activation, out_activation, masks=None):
    """(inputs, hidden, output): inputs[l] enters layer l, hidden[l] = f(z) before dropout.

    masks[l], when given, multiplies hidden layer l (inverted dropout: 0 or 1/(1 − p)), so
    inputs[l + 1] = hidden[l] · masks[l]; output is the last layer's out_activation.
    """
    inputs, hidden = [X], []
    last = len(coefs) - 1
    for layer, (W, b) in enumerate(zip(coefs, intercepts, strict=True)):
        Z = inputs[-1] @ W
        Z += b
        if layer == last:
            return inputs, hidden, activate(out_activation, Z)
        hidden.append(activate(activation, Z))
        inputs.append(Z if masks is None else Z * masks[layer])
    raise ValueError("a network needs at least one layer.")


def data_loss(out_activation: str, Y: np.ndarray, P: np.ndarray) -> float:
    """The loss of outputs P for targets Y paired with out_activation (module docstring)."""
    n = P.shape[0]
    if out_activation == "identity":
        return float(((P - Y) ** 2).sum() / (2 * n))
    eps = np.finfo(P.dtype).eps
    P = np.clip(P, eps, 1 - eps)
    if out_activation == "softmax":
        return float(-xlogy(Y, P).sum() / n)
    return float(-(xlogy(Y, P) + xlogy(1 - Y, 1 - P)).sum() / n)


def l2_penalty(coefs, alpha: float, n: int) -> float:
    """alpha · Σ_l ‖W_l‖² / (2n): the weight decay term of the objective (not the intercepts)."""
    return alpha * sum(float(np.dot(W.ravel(), W.ravel())) for W in coefs) / (2 * n)


def backward(coefs, inputs, hidden, masks, delta, activation, alpha, coef_grads, intercept_grads):
    """Fill the gradient views with ∂objective/∂W_l and ∂objective/∂b_l by backpropagation.

    delta = P − Y, the derivative of n · data loss with respect to the output layer's z;
    ∂/∂W_l = (inputs[l]ᵀ δ_l + alpha · W_l) / n, ∂/∂b_l = mean of δ_l over rows, and
    δ_{l−1} = (δ_l W_lᵀ) · masks[l−1] · f'(z_{l−1}).
    """
    n = delta.shape[0]
    for layer in range(len(coefs) - 1, -1, -1):
        W = coefs[layer]
        np.matmul(inputs[layer].T, delta, out=coef_grads[layer])
        coef_grads[layer] += alpha * W
        coef_grads[layer] /= n
        np.mean(delta, axis=0, out=intercept_grads[layer])
        if layer > 0:
            delta = delta @ W.T
            if masks is not None:
                delta *= masks[layer - 1]
            multiply_derivative(activation, hidden[layer - 1], delta)
