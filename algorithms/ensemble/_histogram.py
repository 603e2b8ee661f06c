"""Histograms: per feature and bin, the sums of gradients and hessians and the sample count.

The histogram of a node is a float64 array hist[feature, bin, :] = (Σ g, Σ h, count) over the
node's samples whose binned feature equals bin. Every candidate split of the node is a prefix
sum of it, so the splitter never looks at the samples. Since hist(parent) = hist(left) +
hist(right), the grower builds the histogram of the smaller child from its samples and gets
the larger one by subtraction.
"""

import numpy as np
from numba import njit, prange


@njit(parallel=True, cache=True)
def build_histogram(X_binned, gradients, hessians, sample_indices, constant_hessian, n_bins):
    """hist (n_features, n_bins, 3) of the rows sample_indices of X_binned (Fortran uint8).

    With constant_hessian the hessians are taken to be 1 and Σ h is the count.
    """
    n_samples = sample_indices.shape[0]
    n_features = X_binned.shape[1]
    ordered_gradients = np.empty(n_samples)
    ordered_hessians = np.empty(0 if constant_hessian else n_samples)
    for i in prange(n_samples):
        ordered_gradients[i] = gradients[sample_indices[i]]
        if not constant_hessian:
            ordered_hessians[i] = hessians[sample_indices[i]]
    hist = np.zeros((n_features, n_bins, 3))
    for j in prange(n_features):
        column = X_binned[:, j]
        feature_hist = hist[j]
        if constant_hessian:
            for i in range(n_samples):
                b = column[sample_indices[i]]
                feature_hist[b, 0] += ordered_gradients[i]
                feature_hist[b, 2] += 1.0
            for b in range(n_bins):
                feature_hist[b, 1] = feature_hist[b, 2]
        else:
            for i in range(n_samples):
                b = column[sample_indices[i]]
                feature_hist[b, 0] += ordered_gradients[i]
                feature_hist[b, 1] += ordered_hessians[i]
                feature_hist[b, 2] += 1.0
    return hist
