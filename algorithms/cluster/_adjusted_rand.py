"""The adjusted Rand index of two labelings (Hubert and Arabie, 1985), as scikit-learn computes it.

Over all pairs of samples: tp pairs together in both labelings, fp/fn together in one only, tn
apart in both. ARI = 2(tp·tn − fn·fp) / ((tp + fn)(fn + tn) + (tp + fp)(fp + tn)): 1 for
identical partitions (up to label names), about 0 for independent ones.
"""

import numpy as np


def _pair_confusion(labels_true, labels_pred):
    """(tn, fp, fn, tp) as Python ints (each ordered pair counted, as scikit-learn does)."""
    true_codes = np.unique(labels_true, return_inverse=True)[1].ravel()
    pred_codes = np.unique(labels_pred, return_inverse=True)[1].ravel()
    n_pred = int(pred_codes.max()) + 1
    contingency = np.bincount(true_codes * n_pred + pred_codes).astype(np.int64)
    contingency = np.pad(contingency, (0, (true_codes.max() + 1) * n_pred - contingency.size))
    contingency = contingency.reshape(-1, n_pred)
    n_samples = len(true_codes)
    sum_squares = int((contingency**2).sum())
    true_sizes, pred_sizes = contingency.sum(axis=1), contingency.sum(axis=0)
    tp = sum_squares - n_samples
    fp = int((contingency @ pred_sizes).sum()) - sum_squares
    fn = int((contingency.T @ true_sizes).sum()) - sum_squares
    tn = n_samples**2 - fp - fn - sum_squares
    return tn, fp, fn, tp


def adjusted_rand_score(labels_true, labels_pred):
    """Adjusted Rand index between two labelings of the same samples, in [−0.5, 1] (module doc)."""
    labels_true, labels_pred = np.asarray(labels_true), np.asarray(labels_pred)
    if labels_true.ndim != 1 or labels_pred.ndim != 1:
        raise ValueError(
            f"labels must be 1-d, got shapes {labels_true.shape} and {labels_pred.shape}."
        )
    if labels_true.shape != labels_pred.shape:
        raise ValueError(
            f"labels_true and labels_pred differ in length: {len(labels_true)} and "
            f"{len(labels_pred)}."
        )
    if labels_true.size == 0:
        return 1.0
    tn, fp, fn, tp = _pair_confusion(labels_true, labels_pred)
    if fn == 0 and fp == 0:
        return 1.0
    return 2.0 * (tp * tn - fn * fp) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn))
