"""Numba kernels of elastic-net coordinate descent: one on the data, one on the Gram matrix.

Both minimise the primal, in the n-scaled form of scikit-learn's `_cd_fast.pyx`,

    P(w) = ½‖y − Xw‖² + α‖w‖₁ + ½β‖w‖²    (α = n·alpha·l1_ratio, β = n·alpha·(1 − l1_ratio)),

over the centred X (n × p) and y. It is a lasso on X̃ = (X; √β·I) and ỹ = (y; 0), whose
dual (formulation A) is D(v) = −½‖v‖² + ỹᵀv subject to ‖X̃ᵀv‖_∞ ≤ α. With R = y − Xw, the
residual R̃ = (R; −√β·w) scaled to the dual point v = s·R̃, s = min(1, α/‖XᵀR − βw‖_∞),
(with positive=True the max of XᵀR − βw replaces the max of its absolute values) gives

    D(v) = −½s²(‖R‖² + β‖w‖²) + s·Rᵀy,   duality gap G = P(w) − D(v) ≥ P(w) − P(w*) ≥ 0,

and G = 0 at the optimum, where v = R̃. Without an L1 term (α = 0, β > 0) the gap is
formulation B's ‖R‖² + ½β‖w‖² − Rᵀy + ‖XᵀR‖²/(2β); with neither (α = β = 0) it is the
gradient norm ‖XᵀR‖² (with positive=True, B keeps the positive part of XᵀR only and the
gradient is projected onto w ≥ 0, so that these gaps, too, vanish at the optimum). A sweep
visits the active coordinates (cyclically, or uniformly at random with replacement from the
numpy Generator rng) and sets each to its exact minimiser

    w_j ← S(X_jᵀR + w_j‖X_j‖², α) / (‖X_j‖² + β),   S(z, α) = sign(z)·max(|z| − α, 0)

(0 when positive and the argument is negative). When the largest change of a sweep is at most
tol times the largest |w_j|, or at the last sweep, the gap is computed: the solver stops once
G ≤ tol·‖y‖² (G(0) = ½‖y‖², so tol is relative); otherwise the gap-safe rule (Ndiaye et al.
2017, Eq. 11) drops from the active set, and zeroes, each j with
(1 − |X̃_jᵀv|/α)/‖X̃_j‖ > √(2G)/α, which is provably 0 at the optimum. Each kernel returns
(w, G, tol·‖y‖², sweeps); the w passed in is not modified.

The data kernel runs its dots and axpys as its own loops (`dot`, `axpy`, `transposed_product`)
rather than BLAS: they are thousands of calls of a few thousand entries each, where BLAS's
threads cost more in waking and spinning than they save (several times the whole fit when
another process keeps a core busy), so the sweeps stay on one core.
"""

import numpy as np
from numba import njit, prange

# Reassociating the sums lets LLVM vectorise them; NaN and infinity keep their IEEE meaning.
_SUMS = {"reassoc", "contract", "nsz"}


@njit(cache=True, fastmath=_SUMS)
def dot(a, b):
    """aᵀb of two equal-length vectors."""
    total = 0.0
    for i in range(a.shape[0]):
        total += a[i] * b[i]
    return total


@njit(cache=True, fastmath=_SUMS)
def axpy(scale, x, y):
    """y += scale·x in place."""
    for i in range(y.shape[0]):
        y[i] += scale * x[i]


@njit(cache=True)
def transposed_product(XT, R):
    """XᵀR from XT = Xᵀ (p × n, C order): one `dot` per row of XT."""
    out = np.empty(XT.shape[0])
    for j in range(XT.shape[0]):
        out[j] = dot(XT[j], R)
    return out


@njit(cache=True)
def duality_gap(w, XtR, R_norm2, Ry, l1, l2, positive):
    """(G, ‖XᵀR − βw‖_∞ or ‖XᵀR‖², XᵀR − βw) from XᵀR, ‖R‖² and Rᵀy (module docstring)."""
    w_l2 = w @ w if l2 > 0.0 else 0.0
    if l1 == 0.0:
        if positive:
            positive_part = np.maximum(XtR, 0.0)
            XtR = positive_part if l2 > 0.0 else np.where(w > 0.0, XtR, positive_part)
        grad_norm2 = XtR @ XtR
        if l2 == 0.0:
            return grad_norm2, grad_norm2, XtR
        return R_norm2 + 0.5 * l2 * w_l2 - Ry + grad_norm2 / (2.0 * l2), grad_norm2, XtR
    XtA = XtR - l2 * w
    dual_norm = XtA.max() if positive else np.abs(XtA).max()
    scale = l1 / dual_norm if dual_norm > l1 else 1.0
    primal = 0.5 * (R_norm2 + l2 * w_l2) + l1 * np.abs(w).sum()
    dual = -0.5 * scale * scale * (R_norm2 + l2 * w_l2) + scale * Ry
    return primal - dual, dual_norm, XtA


@njit(cache=True)
def screen(active, excluded, XtA, dual_norm, norm2, l1, l2, gap):
    """Gap-safe rule: mark the provably-zero features excluded; return the remaining active ones."""
    if l1 == 0.0:
        return active
    radius = np.sqrt(2.0 * abs(gap)) / l1
    scale = max(l1, dual_norm)
    kept = 0
    for j in active:
        if norm2[j] == 0.0 or (1.0 - abs(XtA[j] / scale)) / np.sqrt(norm2[j] + l2) > radius:
            excluded[j] = True
        else:
            active[kept] = j
            kept += 1
    return active[:kept]


@njit(cache=True)
def coordinate_minimiser(z, norm2_j, l1, l2, positive):
    """S(z, α) / (‖X_j‖² + β), or 0 when positive and z < 0."""
    if positive and z < 0.0:
        return 0.0
    return np.sign(z) * max(abs(z) - l1, 0.0) / (norm2_j + l2)


@njit(cache=True)
def enet_cd_dense(XT, y, norm2, Xty, w, l1, l2, max_iter, tol, positive, random, rng):
    """Coordinate descent on the data: XT is Xᵀ (p × n, C order), y the centred target,
    norm2 and Xty the ‖X_j‖² and X_jᵀy that `centred_transpose_into` summed.

    Keeps R = y − Xw up to date (one dot and one axpy of length n per changed coordinate).
    """
    w = w.copy()
    n_features = XT.shape[0]
    R = y.copy()
    warm = False
    for j in range(n_features):
        if w[j] != 0.0:
            axpy(-w[j], XT[j], R)
            warm = True
    XtR = transposed_product(XT, R) if warm else Xty.copy()
    y_norm2 = dot(y, y)
    tol_scaled = tol * y_norm2
    gap, dual_norm, XtA = duality_gap(w, XtR, dot(R, R), dot(R, y), l1, l2, positive)
    if gap <= tol_scaled:
        return w, gap, tol_scaled, 0
    excluded = np.zeros(n_features, dtype=np.bool_)
    active = np.arange(n_features)
    rescreen = True
    sweep = 0
    while sweep < max_iter:
        if rescreen:
            active = screen(active, excluded, XtA, dual_norm, norm2, l1, l2, gap)
            for j in range(n_features):
                if excluded[j] and w[j] != 0.0:
                    axpy(w[j], XT[j], R)
                    w[j] = 0.0
            rescreen = False
        sweep += 1
        w_max = 0.0
        d_w_max = 0.0
        n_active = active.shape[0]
        for visit in range(n_active):
            j = active[rng.integers(0, n_active)] if random else active[visit]
            if norm2[j] == 0.0:
                continue
            Xj = XT[j]
            w_j = w[j]
            new = coordinate_minimiser(dot(Xj, R) + w_j * norm2[j], norm2[j], l1, l2, positive)
            if new != w_j:
                axpy(w_j - new, Xj, R)
                w[j] = new
            d_w_max = max(d_w_max, abs(new - w_j))
            w_max = max(w_max, abs(new))
        if w_max == 0.0 or d_w_max / w_max <= tol or sweep == max_iter:
            gap, dual_norm, XtA = duality_gap(
                w, transposed_product(XT, R), dot(R, R), dot(R, y), l1, l2, positive
            )
            if gap <= tol_scaled:
                break
            rescreen = True
    return w, gap, tol_scaled, sweep


@njit(cache=True)
def enet_cd_gram(Q, q, y_norm2, w, l1, l2, max_iter, tol, positive, random, rng):
    """Coordinate descent on Q = XᵀX and q = Xᵀy (centred; ‖y‖² = y_norm2), for n ≫ p.

    Keeps Qw up to date (one axpy of length p per changed coordinate), so a sweep costs O(p²)
    whatever n; ‖R‖² = ‖y‖² − 2qᵀw + wᵀQw and Rᵀy = ‖y‖² − qᵀw give the gap.
    """
    w = w.copy()
    n_features = Q.shape[0]
    norm2 = np.diag(Q).copy()
    Qw = Q @ w
    tol_scaled = tol * y_norm2
    qw = q @ w
    gap, dual_norm, XtA = duality_gap(
        w, q - Qw, y_norm2 - 2.0 * qw + w @ Qw, y_norm2 - qw, l1, l2, positive
    )
    if 0.0 <= gap <= tol_scaled:
        return w, gap, tol_scaled, 0
    excluded = np.zeros(n_features, dtype=np.bool_)
    active = np.arange(n_features)
    rescreen = True
    sweep = 0
    while sweep < max_iter:
        if rescreen:
            active = screen(active, excluded, XtA, dual_norm, norm2, l1, l2, gap)
            for j in range(n_features):
                if excluded[j] and w[j] != 0.0:
                    Qw -= w[j] * Q[j]
                    w[j] = 0.0
            rescreen = False
        sweep += 1
        w_max = 0.0
        d_w_max = 0.0
        n_active = active.shape[0]
        for visit in range(n_active):
            j = active[rng.integers(0, n_active)] if random else active[visit]
            if norm2[j] == 0.0:
                continue
            w_j = w[j]
            new = coordinate_minimiser(q[j] - Qw[j] + w_j * norm2[j], norm2[j], l1, l2, positive)
            if new != w_j:
                step = new - w_j
                Qj = Q[j]
                for k in range(n_features):
                    Qw[k] += step * Qj[k]
                w[j] = new
            d_w_max = max(d_w_max, abs(new - w_j))
            w_max = max(w_max, abs(new))
        if w_max == 0.0 or d_w_max / w_max <= tol or sweep == max_iter:
            qw = q @ w
            gap, dual_norm, XtA = duality_gap(
                w, q - Qw, y_norm2 - 2.0 * qw + w @ Qw, y_norm2 - qw, l1, l2, positive
            )
            if gap <= tol_scaled:
                break
            rescreen = True
    return w, gap, tol_scaled, sweep


@njit(cache=True, parallel=True)
def centred_transpose_into(X, offset, y, XT, sums, block_rows, block_features):
    """XT[j, i] = X[i, j] − offset[j], in tiles of block_rows × block_features (each tile's
    writes stay in cache), the row blocks in parallel; row block b also adds its share of
    ‖XT_j‖² to sums[b, 0, j] and of XT_jᵀy to sums[b, 1, j] (sums starts at zero)."""
    n_samples, n_features = X.shape
    for block in prange((n_samples + block_rows - 1) // block_rows):
        start = block * block_rows
        stop = min(n_samples, start + block_rows)
        squares = sums[block, 0]
        products = sums[block, 1]
        for first in range(0, n_features, block_features):
            last = min(n_features, first + block_features)
            for i in range(start, stop):
                y_i = y[i]
                for j in range(first, last):
                    centred = X[i, j] - offset[j]
                    XT[j, i] = centred
                    squares[j] += centred * centred
                    products[j] += centred * y_i
