"""Elastic net and lasso by coordinate descent: the estimators and the regularisation paths.

ElasticNet minimises, with scikit-learn's names and scaling,

    (1/2n)‖y − Xw − b‖² + alpha·l1_ratio·‖w‖₁ + ½·alpha·(1 − l1_ratio)·‖w‖²,

and Lasso is l1_ratio = 1. The intercept b is not penalised: with fit_intercept, X and y are
centred and b = ȳ − x̄·w. The solver (`_cd_kernels`) works on n times this objective and stops
when its duality gap is at most tol·‖y − ȳ‖², i.e. when `dual_gap_` (the gap of the objective
above) ≤ tol·‖y − ȳ‖²/n, as scikit-learn does, so both stop at the same accuracy.

precompute chooses where the sweeps run. On the data, a sweep costs O(n·p) and needs a centred,
transposed copy of X first; on the Gram matrix XᵀX of the centred X, O(p²), after a one-off
BLAS syrk of n·p²/2 multiply-adds (XᵀX − n·x̄x̄ᵀ, or accumulated over centred row blocks when a
feature's mean is far from its spread; no copy of X). When n_samples > n_features,
precompute="auto" (the default) builds the Gram matrix straight away for up to 256 features,
where it costs about as much as the copy plus four sweeps, which almost every fit needs
(measured with one BLAS thread at n = 40,000: 0.5–0.9× the time of the data sweeps on fits of
10–13 sweeps, at most 1.3× on fits of 4). Wider problems rent before they buy: they sweep the
data for up to ⌈p/64⌉ sweeps (about the cost of the syrk; counted over a whole path) and only
then, if the gap is still above tol, build the Gram matrix and finish on it, so fits that
converge fast never pay for it and slow ones pay at most about twice the better choice. With
n_samples ≤ n_features, or precompute=False, the sweeps run on the data; precompute=True uses
the Gram matrix from the start.

The fits run with BLAS on one thread (`algorithms._threads.numba_owns_the_cores`): the sweeps
use no BLAS, and one threaded syrk of the Gram matrix was no faster than one thread at 80,000 ×
100 on this 2-core machine, but 9 times slower while another process kept a core busy. The
Gram matrix is summed over row blocks on parallel threads instead (`algorithms._gram`), each
block's product on one BLAS thread.

enet_path and lasso_path follow scikit-learn's: they do not centre X or y (there is no
fit_intercept argument; centre the data first to get an intercept model's path), take the
largest alpha as max_j |X_jᵀy| / (n·l1_ratio), the smallest alpha at which all coefficients
are 0, and warm-start each fit from the previous one along descending alphas.
"""

import numbers
import warnings

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import StrOptions, validate_params
from sklearn.utils.validation import check_is_fitted, check_X_y, validate_data

from algorithms._constraints import NON_NEGATIVE, POSITIVE, POSITIVE_INT, PROBABILITY
from algorithms._gram import row_block_gram
from algorithms._kernel_args import read_only
from algorithms._threads import numba_owns_the_cores
from algorithms.exceptions import ConvergenceWarning
from algorithms.linear._cd_kernels import centred_transpose_into, enet_cd_dense, enet_cd_gram

SELECTIONS = ("cyclic", "random")
# "auto" builds the Gram matrix at once up to this many features (n_samples > n_features)...
GRAM_AT_ONCE_MAX_FEATURES = 256
# ...and beyond, after n_features / this sweeps on the data: about the cost of the syrk.
FEATURES_PER_GRAM_SWEEP = 64
# Rows × features of X per tile of centred_transpose (512 × 128 was fastest of 64–1,024 rows
# and 32–256 features at 20,000 × 1,000 and 80,000 × 100).
_TRANSPOSE_TILE = (512, 128)
# XᵀX − n·x̄x̄ᵀ is used while every x̄_j² ≤ this times the centred mean square σ_j².
CANCELLATION_RATIO = 100.0
# Rows centred at a time while accumulating the Gram matrix otherwise (8 MB of float64).
_GRAM_BLOCK_ENTRIES = 1 << 20


def data_sweep_budget(precompute, n_samples: int, n_features: int) -> int | None:
    """Sweeps on the data before switching to the Gram matrix (module docstring); None: never."""
    if isinstance(precompute, str) and precompute == "auto":
        if n_samples <= n_features:
            return None
        if n_features <= GRAM_AT_ONCE_MAX_FEATURES:
            return 0
        return -(-n_features // FEATURES_PER_GRAM_SWEEP)
    if isinstance(precompute, bool | np.bool_):
        return 0 if precompute else None
    raise ValueError(f"precompute must be 'auto', True or False, got {precompute!r}.")


def centred_transpose(
    X: np.ndarray, offset: np.ndarray, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(XT, norm2, Xty): XT = (X − offset)ᵀ as a C-ordered (n_features, n_samples) array (one
    row per column of X), with ‖XT_j‖² and XT_jᵀy summed in the same pass.

    Copied in parallel tiles of _TRANSPOSE_TILE rows × features, each tile's writes in cache
    (at 16,000 × 1,000, 2 threads: 20 ms with both sums, against 35 ms for the copy alone
    followed by 5 ms for the sums; numpy copying 256-row blocks took 120–140 ms).
    Call it under `numba_owns_the_cores`.
    """
    n_samples, n_features = X.shape
    XT = np.empty((n_features, n_samples))
    sums = np.zeros((-(-n_samples // _TRANSPOSE_TILE[0]), 2, n_features))
    centred_transpose_into(
        read_only(X), read_only(offset), read_only(y), XT, sums, *_TRANSPOSE_TILE
    )
    norm2, Xty = sums.sum(axis=0)
    return XT, norm2, Xty


def centred_gram(X: np.ndarray, offset: np.ndarray) -> np.ndarray:
    """(X − offset)ᵀ(X − offset): XᵀX − n·offset·offsetᵀ when that is numerically safe.

    The subtraction loses about log10(1 + offset_j²/σ_j²) digits in column j (σ_j² its
    centred mean square); when some column is centred too far from its mean for that
    (offset_j² > CANCELLATION_RATIO·σ_j², or a constant column off zero) the Gram matrix is
    accumulated over centred row blocks instead, so X is never copied whole.
    """
    gram = row_block_gram(X)
    if not offset.any():
        return gram
    n_samples = X.shape[0]
    shift = n_samples * offset * offset
    if (shift <= CANCELLATION_RATIO * (np.diag(gram) - shift)).all():
        gram -= np.outer(n_samples * offset, offset)
        return gram
    block = max(1, _GRAM_BLOCK_ENTRIES // X.shape[1])
    gram[:] = 0.0
    for start in range(0, X.shape[0], block):
        rows = X[start : start + block] - offset
        gram += rows.T @ rows
    return gram


def alpha_grid(Xty, n_samples, l1_ratio=1.0, eps=1e-3, n_alphas=100, positive=False):
    """n_alphas log-spaced alphas from alpha_max = max_j |X_jᵀy| / (n·l1_ratio) to eps·alpha_max.

    alpha_max is the smallest alpha whose solution is all zeros (max_j X_jᵀy with positive).
    """
    if l1_ratio == 0:
        raise ValueError(
            "an automatic alpha grid needs l1_ratio > 0 (alpha_max is infinite for a pure L2 "
            "penalty); pass alphas explicitly."
        )
    top = max(0.0, Xty.max()) if positive else np.abs(Xty).max()
    alpha_max = top / (n_samples * l1_ratio)
    resolution = np.finfo(np.float64).resolution
    if alpha_max <= resolution:
        return np.full(n_alphas, resolution)
    return np.geomspace(alpha_max, alpha_max * eps, num=n_alphas)


# The coordinate-descent settings enet_path and ElasticNet share.
_CD_CONSTRAINTS = {
    "l1_ratio": PROBABILITY,
    "precompute": [StrOptions({"auto"}), "boolean"],
    "max_iter": POSITIVE_INT,
    "tol": NON_NEGATIVE,
    "positive": ["boolean"],
    "random_state": ["random_state"],
    "selection": [StrOptions(set(SELECTIONS))],
}


def enet_coordinate_descent(
    X,
    y,
    X_offset,
    alphas,
    l1_ratio,
    coef_init,
    *,
    precompute,
    max_iter,
    tol,
    positive,
    random_state,
    selection,
):
    """Fit (1/2n)‖y − (X − X_offset)w‖² + penalty at each alpha in turn, warm-started.

    y must already be centred when X_offset is the column means. Sweeps run on the data, then
    on the Gram matrix once data_sweep_budget is spent. Returns (coefs (p, k), dual_gaps (k,)
    of the (1/2n)-scaled objective, n_iters (k,)); warns ConvergenceWarning for each alpha
    whose gap stays above tol·‖y‖² after max_iter sweeps.
    """
    n_samples, n_features = X.shape
    max_iter = int(max_iter)
    budget = data_sweep_budget(precompute, n_samples, n_features)
    rng = np.random.default_rng(check_random_state(random_state).randint(0, 2**31 - 1))
    options = (float(tol), bool(positive), selection == "random")
    XT = gram = Xty = None
    data_sweeps = 0
    coef = np.array(coef_init, dtype=np.float64)
    coefs = np.empty((n_features, len(alphas)))
    dual_gaps = np.empty(len(alphas))
    n_iters = np.zeros(len(alphas), dtype=np.int64)
    with numba_owns_the_cores():  # BLAS on one thread (module docstring)
        for k, alpha in enumerate(alphas):
            l1 = float(alpha * l1_ratio * n_samples)
            l2 = float(alpha * (1.0 - l1_ratio) * n_samples)
            gap, tol_scaled = np.inf, 0.0
            if gram is None and (budget is None or data_sweeps < budget):
                if XT is None:
                    XT, norm2, Xty = centred_transpose(X, X_offset, y)
                limit = max_iter if budget is None else min(max_iter, budget - data_sweeps)
                coef, gap, tol_scaled, n_iters[k] = enet_cd_dense(
                    XT, y, norm2, Xty, coef, l1, l2, limit, *options, rng
                )
                data_sweeps += n_iters[k]
            if gap > tol_scaled and n_iters[k] < max_iter:
                if gram is None:
                    if XT is None:
                        gram, Xty = centred_gram(X, X_offset), X.T @ y - X_offset * y.sum()
                    else:
                        gram = XT @ XT.T
                    XT, y_norm2 = None, float(y @ y)
                coef, gap, tol_scaled, sweeps = enet_cd_gram(
                    gram, Xty, y_norm2, coef, l1, l2, max_iter - n_iters[k], *options, rng
                )
                n_iters[k] += sweeps
            if gap > tol_scaled:
                warnings.warn(
                    f"coordinate descent did not converge at alpha={alpha:.6g} in max_iter="
                    f"{max_iter} sweeps: duality gap {gap / n_samples:.3e} > tol·‖y‖²/n = "
                    f"{tol_scaled / n_samples:.3e}. Increase max_iter, scale the features or "
                    "increase alpha.",
                    ConvergenceWarning,
                    stacklevel=3,
                )
            coefs[:, k] = coef
            dual_gaps[k] = gap / n_samples
    if not (np.isfinite(coefs).all() and np.isfinite(dual_gaps).all()):
        raise ValueError(
            "coordinate descent produced non-finite coefficients; the input has values too "
            "large for float64 arithmetic: scale the features and the target."
        )
    return coefs, dual_gaps, n_iters


@validate_params(
    {**_CD_CONSTRAINTS, "eps": POSITIVE, "n_alphas": POSITIVE_INT},
    prefer_skip_nested_validation=True,
)
def enet_path(
    X,
    y,
    *,
    l1_ratio=0.5,
    eps=1e-3,
    n_alphas=100,
    alphas=None,
    precompute="auto",
    coef_init=None,
    max_iter=1000,
    tol=1e-4,
    positive=False,
    random_state=None,
    selection="cyclic",
    return_n_iter=False,
):
    """Elastic-net solutions along descending alphas, as scikit-learn's enet_path (no centring).

    Minimises (1/2n)‖y − Xw‖² + alpha·l1_ratio·‖w‖₁ + ½·alpha·(1 − l1_ratio)·‖w‖² at each
    alpha (default: alpha_grid of n_alphas down to eps·alpha_max), each fit warm-started from
    the previous one; an integer alphas is n_alphas (scikit-learn's newer spelling). Returns
    (alphas, coefs (n_features, n_alphas), dual_gaps) and n_iters when return_n_iter.
    """
    X, y = check_X_y(X, y, dtype=np.float64, y_numeric=True)
    y = np.ascontiguousarray(y, dtype=np.float64)
    n_samples, n_features = X.shape
    if isinstance(alphas, numbers.Integral):
        n_alphas, alphas = alphas, None
    if alphas is None:
        alphas = alpha_grid(X.T @ y, n_samples, l1_ratio, eps, n_alphas, positive)
    else:
        alphas = np.sort(np.asarray(alphas, dtype=np.float64).ravel())[::-1]
        if alphas.size == 0 or not np.isfinite(alphas).all() or alphas[-1] < 0:
            raise ValueError(f"alphas must be finite numbers >= 0, got {alphas.tolist()}.")
    if coef_init is None:
        coef_init = np.zeros(n_features)
    elif np.shape(coef_init) != (n_features,) or not np.isfinite(coef_init).all():
        raise ValueError(
            f"coef_init must hold {n_features} finite numbers, got shape {np.shape(coef_init)}."
        )
    coefs, dual_gaps, n_iters = enet_coordinate_descent(
        X,
        y,
        np.zeros(n_features),
        alphas,
        float(l1_ratio),
        coef_init,
        precompute=precompute,
        max_iter=max_iter,
        tol=tol,
        positive=positive,
        random_state=random_state,
        selection=selection,
    )
    if return_n_iter:
        return alphas, coefs, dual_gaps, n_iters
    return alphas, coefs, dual_gaps


def lasso_path(X, y, *, eps=1e-3, n_alphas=100, alphas=None, **params):
    """Lasso solutions along descending alphas: enet_path with l1_ratio=1 (no centring)."""
    return enet_path(X, y, l1_ratio=1.0, eps=eps, n_alphas=n_alphas, alphas=alphas, **params)


class ElasticNet(RegressorMixin, BaseEstimator):
    """Least squares with an L1 + L2 penalty, by coordinate descent (module docstring).

    Minimises (1/2n)‖y − Xw − b‖² + alpha·l1_ratio·‖w‖₁ + ½·alpha·(1 − l1_ratio)·‖w‖² with an
    unpenalised intercept b. Fitted attributes: coef_ (n_features,), intercept_ (float),
    dual_gap_ (the final duality gap of that objective, ≤ tol·‖y − ȳ‖²/n on convergence),
    n_iter_ (sweeps over the coordinates), n_features_in_.
    """

    _parameter_constraints = {
        **_CD_CONSTRAINTS,
        "alpha": NON_NEGATIVE,
        "fit_intercept": ["boolean"],
        "warm_start": ["boolean"],
    }

    def __init__(
        self,
        alpha=1.0,
        *,
        l1_ratio=0.5,
        fit_intercept=True,
        precompute="auto",
        max_iter=1000,
        tol=1e-4,
        warm_start=False,
        positive=False,
        random_state=None,
        selection="cyclic",
    ):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.positive = positive
        self.random_state = random_state
        self.selection = selection

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Minimise the objective from zeros (or from coef_ when warm_start) until converged."""
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True)
        if self.alpha == 0:
            warnings.warn(
                "alpha=0 fits ordinary least squares, which coordinate descent solves slowly "
                "and inaccurately on correlated features; prefer a least-squares solver.",
                UserWarning,
                stacklevel=2,
            )
        n_features = X.shape[1]
        if self.fit_intercept:
            X_offset, y_offset = X.mean(axis=0), float(y.mean())
        else:
            X_offset, y_offset = np.zeros(n_features), 0.0
        warm = self.warm_start and getattr(self, "coef_", np.empty(0)).shape == (n_features,)
        coefs, dual_gaps, n_iters = enet_coordinate_descent(
            X,
            y - y_offset,
            X_offset,
            [float(self.alpha)],
            float(self.l1_ratio),
            self.coef_ if warm else np.zeros(n_features),
            precompute=self.precompute,
            max_iter=self.max_iter,
            tol=self.tol,
            positive=self.positive,
            random_state=self.random_state,
            selection=self.selection,
        )
        self.coef_ = coefs[:, 0]
        self.intercept_ = y_offset - float(X_offset @ self.coef_)
        self.dual_gap_ = float(dual_gaps[0])
        self.n_iter_ = int(n_iters[0])
        return self

    def predict(self, X):
        """X·coef_ + intercept_."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return X @ self.coef_ + self.intercept_


class Lasso(ElasticNet):
    """ElasticNet with l1_ratio = 1: minimises (1/2n)‖y − Xw − b‖² + alpha·‖w‖₁."""

    _parameter_constraints = {**ElasticNet._parameter_constraints}
    _parameter_constraints.pop("l1_ratio")

    def __init__(
        self,
        alpha=1.0,
        *,
        fit_intercept=True,
        precompute="auto",
        max_iter=1000,
        tol=1e-4,
        warm_start=False,
        positive=False,
        random_state=None,
        selection="cyclic",
    ):
        super().__init__(
            alpha=alpha,
            l1_ratio=1.0,
            fit_intercept=fit_intercept,
            precompute=precompute,
            max_iter=max_iter,
            tol=tol,
            warm_start=warm_start,
            positive=positive,
            random_state=random_state,
            selection=selection,
        )
