"""Studies of a clustering pipeline: how many clusters, and what they look like.

- `elbow_curve`: k-means refitted for k = 1…k_max on the pipeline's rows, inertia per k
  (the "elbow" where adding a cluster stops paying) and each k's adjusted Rand index.
- `clusters_on_principal_components`: the rows projected on their first two principal
  components, coloured by the model's cluster beside the reference labels.

Both use the from-scratch `algorithms.cluster.KMeans` and `algorithms.decomposition.PCA`.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from algorithms.cluster import KMeans, adjusted_rand_score
from algorithms.decomposition import PCA
from pipelines.sections import Section, markdown_table, new_figure
from pipelines.studies.context import PipelineData

_SEEDING = ("n_init", "max_iter", "tol", "random_state")


def elbow_curve(data: PipelineData, k_max: int = 10) -> Section:
    """Inertia (within-cluster sum of squares) of k-means for k = 1…k_max, on the train rows."""
    if not 1 <= k_max <= len(data.X_train):
        raise ValueError(f"elbow_curve: k_max must be in 1…{len(data.X_train)}, got {k_max}")
    seeding = {name: data.params[name] for name in _SEEDING if name in data.params}
    ks = np.arange(1, k_max + 1)
    fits = [KMeans(n_clusters=int(k), **seeding).fit(data.X_train) for k in ks]
    inertias = np.array([fit.inertia_ for fit in fits])
    scores = [adjusted_rand_score(data.y_train, fit.labels_) for fit in fits]
    chosen = data.params.get("n_clusters")
    rows = [
        [
            str(k),
            f"{inertia:.2f}",
            _drop(inertias, i),
            f"{score:.3f}",
            "◀ model" if k == chosen else "",
        ]
        for i, (k, inertia, score) in enumerate(zip(ks, inertias, scores, strict=True))
    ]
    table = markdown_table(
        ["k", "inertia", "drop from k − 1", f"adjusted Rand vs {data.target}", ""], rows
    )
    return Section(
        f"## Elbow: inertia for k = 1…{k_max}\n\n"
        f"k-means ({', '.join(f'{k}={v}' for k, v in seeding.items())}) refitted on the "
        f"{len(data.X_train)} training rows for each k. Inertia always falls as k grows; the "
        "elbow is where the fall flattens, and the adjusted Rand index says which k matches "
        f"the {data.target} best.\n\n{table}\n\n![Elbow plot](elbow.png)",
        {"elbow": _elbow_figure(ks, inertias, chosen)},
    )


def clusters_on_principal_components(data: PipelineData) -> Section:
    """The scored rows on their first two principal components: model clusters vs reference."""
    if data.X_train.shape[1] < 2:
        raise ValueError("clusters_on_principal_components: needs at least two feature columns")
    pca = PCA(n_components=2).fit(data.X_train)
    points = pca.transform(data.X_scored)
    clusters = data.estimator.predict(data.X_scored)
    centres = pca.transform(data.estimator.cluster_centers_)
    ratio = pca.explained_variance_ratio_
    score = adjusted_rand_score(data.y_scored, clusters)
    figure = new_figure(10.0, 4.4)
    left, right = figure.subplots(1, 2, sharex=True, sharey=True)
    labels = np.unique(data.y_scored)
    _scatter_groups(left, points, clusters, "cluster", _colour_of_majority(clusters, data, labels))
    left.scatter(*centres.T, marker="X", s=160, c="black", label="centre")
    left.legend(fontsize="small")
    left.set(title="k-means clusters", xlabel="PC 1", ylabel="PC 2")
    _scatter_groups(right, points, data.y_scored, data.target, _palette(labels))
    right.legend(fontsize="small")
    right.set(title=f"reference: {data.target}", xlabel="PC 1")
    return Section(
        "## Clusters on the first two principal components\n\n"
        f"PC 1 and PC 2 explain {ratio[0]:.1%} and {ratio[1]:.1%} of the variance of the "
        f"features as the model sees them ({ratio.sum():.1%} together). Adjusted Rand index "
        f"of the clusters against {data.target}: {score:.3f} (1 = the same grouping, "
        "0 = chance).\n\n"
        "![Clusters on the first two principal components](clusters_pca.png)",
        {"clusters_pca": figure},
    )


def _drop(inertias: np.ndarray, i: int) -> str:
    return "" if i == 0 else f"{inertias[i - 1] - inertias[i]:.2f}"


def _elbow_figure(ks: np.ndarray, inertias: np.ndarray, chosen) -> Figure:
    figure = new_figure()
    ax = figure.add_subplot()
    ax.plot(ks, inertias, marker="o")
    if chosen in ks:
        ax.plot([chosen], [inertias[chosen - 1]], marker="o", ms=14, mfc="none", c="tab:red")
        ax.annotate(
            f"model: k = {chosen}",
            (chosen, inertias[chosen - 1]),
            xytext=(12, 12),
            textcoords="offset points",
            color="tab:red",
        )
    ax.set_xticks(ks)
    ax.set(xlabel="number of clusters k", ylabel="inertia", title="Elbow plot")
    return figure


def _colour_of_majority(clusters: np.ndarray, data: PipelineData, labels: np.ndarray) -> dict:
    """Each cluster drawn in the colour of its most frequent reference label, so matching
    groups share a colour in both panels; falls back to distinct colours when two clusters
    share a majority label."""
    ids = np.unique(clusters)
    majority = [np.unique(data.y_scored[clusters == c], return_counts=True) for c in ids]
    index = [int(np.flatnonzero(labels == found[np.argmax(n)])[0]) for found, n in majority]
    if len(set(index)) < len(index):
        return _palette(ids)
    return {c: f"C{i % 10}" for c, i in zip(ids, index, strict=True)}


def _palette(values) -> dict:
    """Matplotlib's ten default colours, in order, for `values` (repeating past ten)."""
    return {value: f"C{i % 10}" for i, value in enumerate(values)}


def _scatter_groups(ax, points: np.ndarray, groups: np.ndarray, name: str, colours) -> None:
    """One scatter per distinct value of `groups`, labelled `name value`, in `colours[value]`."""
    for value in np.unique(groups):
        mask = groups == value
        ax.scatter(
            points[mask, 0],
            points[mask, 1],
            s=14,
            alpha=0.8,
            color=colours.get(value, "grey"),
            label=f"{name} {value}",
        )
