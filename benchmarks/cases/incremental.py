"""The incremental learners, SGDClassifier and MiniBatchKMeans, against scikit-learn's.

SGDClassifier, shuffle=False: both visit the rows in the same order and (by design) take the
same steps, so both fits stop after the same epochs with the same weights; the ratio compares
two implementations of one algorithm. Shuffled (log_loss, 5 classes, one-vs-rest, default
tol=1e-3 and n_iter_no_change=5): each library draws its own permutations, so the fits and
their epoch counts differ (random_state=0: 26 epochs for ours, 23 for scikit-learn's). Both
SGD cases take the median of five repeats, not three: scikit-learn's time for the shuffled
case ranged over 0.42–1.01 s in one afternoon's runs.

MiniBatchKMeans on the KMeans case's blobs (100,000 × 10, k=8, batch_size=1024): with
max_no_improvement=None both make exactly (max_iter · n) // batch_size = 976 steps
(max_iter=10), so the ratio compares implementations; the default stopping rule is
informational, since each library draws its own batches and stops after its own number of
steps. Scores: held-out relative inertia, as the KMeans case.
"""

from functools import cache

from sklearn import cluster, linear_model

from algorithms.cluster.minibatch_kmeans import MiniBatchKMeans
from algorithms.linear.sgd_classifier import SGDClassifier
from benchmarks.cases.cluster_decomposition import blobs, relative_inertia_score
from benchmarks.cases.logistic import noisy_classes
from benchmarks.harness import Case


@cache
def binary():
    """Two classes, 100,000 × 50 (30 informative): held-out accuracy about 0.85."""
    return noisy_classes(100_000, 50, 2, 4.0, seed=0)


@cache
def five_classes():
    """Five classes, 50,000 × 30 (18 informative)."""
    return noisy_classes(50_000, 30, 5, 6.0, seed=1)


FIXED_STEPS = {"max_iter": 10, "max_no_improvement": None, "random_state": 0}

CASES = [
    Case(
        name="SGDClassifier hinge binary 100,000 × 50, shuffle=False (same steps)",
        data=binary,
        ours=lambda: SGDClassifier(shuffle=False),
        reference=lambda: linear_model.SGDClassifier(shuffle=False),
        repeats=5,
    ),
    Case(
        name="SGDClassifier log_loss 5 classes 50,000 × 30, shuffled",
        data=five_classes,
        ours=lambda: SGDClassifier(loss="log_loss", random_state=0),
        reference=lambda: linear_model.SGDClassifier(loss="log_loss", random_state=0),
        max_score_gap=0.01,
        repeats=5,
    ),
    Case(
        name="MiniBatchKMeans 100,000 × 10, k=8, 976 steps of 1,024 rows",
        data=blobs,
        ours=lambda: MiniBatchKMeans(8, **FIXED_STEPS),
        reference=lambda: cluster.MiniBatchKMeans(8, **FIXED_STEPS),
        score=relative_inertia_score,
        max_score_gap=0.01,
    ),
    Case(
        name="MiniBatchKMeans 100,000 × 10, k=8, default stopping (informational)",
        data=blobs,
        ours=lambda: MiniBatchKMeans(8, random_state=0),
        reference=lambda: cluster.MiniBatchKMeans(8, random_state=0),
        score=relative_inertia_score,
        max_score_gap=0.01,
    ),
]
