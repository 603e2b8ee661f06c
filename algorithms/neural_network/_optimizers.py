"""Stochastic gradient optimizers over one flat parameter vector, with scikit-learn's rules.

SGD:  v ← μ·v − η·g;  θ ← θ + μ·v − η·g (Nesterov) or θ ← θ + v.  The rate η is constant,
      η₀ / (t + 1)^power_t after t samples ("invscaling"), or divided by 5 whenever training
      stops improving ("adaptive", until η ≤ 1e-6).
Adam: m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;  t ← t + 1;
      θ ← θ − η₀ · √(1 − β₂ᵗ) / (1 − β₁ᵗ) · m / (√v + ε).

The optimizer state is the training-time memory of an estimator, kept off its fitted state.
"""

import numpy as np

LEARNING_RATES = ("constant", "invscaling", "adaptive")
# The adaptive schedule gives up once the rate has fallen to this.
_MIN_ADAPTIVE_RATE = 1e-6


class SGD:
    """Mini-batch SGD with (Nesterov) momentum; `step` updates theta in place."""

    def __init__(self, n_params, learning_rate_init, schedule, power_t, momentum, nesterov):
        self.learning_rate_init = learning_rate_init
        self.learning_rate = learning_rate_init
        self.schedule = schedule
        self.power_t = power_t
        self.momentum = momentum
        self.nesterov = nesterov
        self.velocity = np.zeros(n_params)

    def step(self, theta: np.ndarray, grad: np.ndarray) -> None:
        """One update of theta from the gradient grad (module docstring)."""
        self.velocity *= self.momentum
        self.velocity -= self.learning_rate * grad
        if self.nesterov:
            theta += self.momentum * self.velocity - self.learning_rate * grad
        else:
            theta += self.velocity

    def epoch_ends(self, samples_seen: int) -> None:
        """Apply the invscaling schedule after `samples_seen` samples in total."""
        if self.schedule == "invscaling":
            self.learning_rate = self.learning_rate_init / (samples_seen + 1) ** self.power_t

    def should_stop(self) -> bool:
        """True to stop on a plateau; the adaptive schedule divides the rate by 5 instead."""
        if self.schedule != "adaptive" or self.learning_rate <= _MIN_ADAPTIVE_RATE:
            return True
        self.learning_rate /= 5.0
        return False


class Adam:
    """Adam (Kingma & Ba) with bias-corrected step size; `step` updates theta in place."""

    def __init__(self, n_params, learning_rate_init, beta_1, beta_2, epsilon):
        self.learning_rate_init = learning_rate_init
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.t = 0
        self.m = np.zeros(n_params)
        self.v = np.zeros(n_params)
        self._buffer = np.empty(n_params)

    def step(self, theta: np.ndarray, grad: np.ndarray) -> None:
        """One update of theta from the gradient grad (module docstring)."""
        self.t += 1
        self.m *= self.beta_1
        self.m += (1.0 - self.beta_1) * grad
        self.v *= self.beta_2
        np.multiply(grad, grad, out=self._buffer)
        self._buffer *= 1.0 - self.beta_2
        self.v += self._buffer
        rate = (
            self.learning_rate_init
            * np.sqrt(1.0 - self.beta_2**self.t)
            / (1.0 - self.beta_1**self.t)
        )
        np.sqrt(self.v, out=self._buffer)
        self._buffer += self.epsilon
        np.divide(self.m, self._buffer, out=self._buffer)
        self._buffer *= rate
        theta -= self._buffer

    def epoch_ends(self, samples_seen: int) -> None:
        """Adam has no schedule: nothing to do at the end of an epoch."""

    def should_stop(self) -> bool:
        """Adam always stops on a plateau."""
        return True
