"""Studies of dimensionality reduction on the pipeline's rows.

- `pca_explained_variance`: PCA of the training rows, the variance each component explains,
  the cumulative share, and how many components reach each threshold.
- `autoencoder_reconstructions`: an autoencoder compresses each image to a short code and
  rebuilds it; originals beside its reconstructions and PCA's with as many components.

Both use the from-scratch `algorithms.decomposition.PCA` and
`algorithms.neural_network.Autoencoder`, fitted on the training rows only.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

from algorithms.decomposition import PCA
from algorithms.exceptions import ConvergenceWarning
from algorithms.neural_network import Autoencoder
from pipelines.sections import Section, markdown_table, new_figure
from pipelines.studies.context import PipelineData
from pipelines.studies.images import image_grid, image_shape_of


def pca_explained_variance(
    data: PipelineData, thresholds: Sequence[float] = (0.8, 0.9, 0.95)
) -> Section:
    """Explained variance ratio per principal component of the training rows, and cumulative."""
    if not all(0.0 < t <= 1.0 for t in thresholds):
        raise ValueError(f"pca_explained_variance: thresholds must lie in (0, 1], got {thresholds}")
    ratio = PCA().fit(data.X_train).explained_variance_ratio_
    cumulative = np.cumsum(ratio)
    needed = [int(np.searchsorted(cumulative, t - 1e-12) + 1) for t in thresholds]
    table = markdown_table(
        ["share of variance", "components needed"],
        [[f"{t:.0%}", n] for t, n in zip(thresholds, needed, strict=True)],
    )
    figure = new_figure()
    ax = figure.add_subplot()
    components = np.arange(1, ratio.size + 1)
    ax.bar(components, ratio, color="tab:blue", label="each component")
    ax.plot(components, cumulative, color="tab:orange", marker=".", label="cumulative")
    for t, n in zip(thresholds, needed, strict=True):
        ax.axhline(t, color="grey", linestyle=":", linewidth=0.8)
        ax.annotate(f"{t:.0%}: {n}", (n, t), xytext=(4, -12), textcoords="offset points")
    ax.set(xlabel="principal component", ylabel="explained variance ratio", ylim=(0, 1.02))
    ax.set_title("PCA explained variance")
    ax.legend(loc="center right")
    return Section(
        f"## PCA explained variance\n\nPCA of the {len(data.X_train)} training rows "
        f"({ratio.size} features). The first component explains {ratio[0]:.1%} of the "
        f"variance, the first two {cumulative[1]:.1%}.\n\n{table}\n\n"
        "![PCA explained variance](pca_variance.png)",
        {"pca_variance": figure},
    )


def autoencoder_reconstructions(
    data: PipelineData,
    image_shape: Sequence[int] = (8, 8),
    encoder_layer_sizes: Sequence[int] = (32, 8),
    learning_rate_init: float = 1e-3,
    max_iter: int = 200,
    random_state: int = 0,
) -> Section:
    """Autoencoder (Adam, the given layers mirrored) fitted on the training images; the first
    scored image of each class drawn as original, autoencoder reconstruction and PCA
    reconstruction with as many components as the code has units."""
    shape = image_shape_of(data, image_shape)
    autoencoder = Autoencoder(
        encoder_layer_sizes=tuple(encoder_layer_sizes),
        learning_rate_init=learning_rate_init,
        max_iter=max_iter,
        random_state=random_state,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        autoencoder.fit(data.X_train)
    code = int(encoder_layer_sizes[-1])
    pca = PCA(n_components=code).fit(data.X_train)
    rebuilt = autoencoder.inverse_transform(autoencoder.transform(data.X_scored))
    by_pca = pca.inverse_transform(pca.transform(data.X_scored))
    errors = {
        "autoencoder": float(np.mean((rebuilt - data.X_scored) ** 2)),
        f"PCA, {code} components": float(np.mean((by_pca - data.X_scored) ** 2)),
    }
    labels, first = np.unique(data.y_scored, return_index=True)
    rows = np.concatenate([data.X_scored[first], rebuilt[first], by_pca[first]])
    titles = [f"{label}" for label in labels] + ["autoencoder"] * first.size
    titles += ["PCA"] * first.size
    limits = (float(data.X_scored.min()), float(data.X_scored.max()))
    layers = " → ".join(map(str, [data.X_train.shape[1], *encoder_layer_sizes]))
    table = markdown_table(
        ["reconstruction", "mean squared error per pixel"],
        [[name, f"{value:.4f}"] for name, value in errors.items()],
    )
    return Section(
        "## Autoencoder: original vs reconstructed\n\n"
        f"An autoencoder ({layers} → mirror, {autoencoder.activation}, {autoencoder.n_iter_} "
        f"epochs) trained on the {len(data.X_train)} training images compresses each to "
        f"{code} numbers and rebuilds it; PCA with {code} components does the same linearly. "
        f"Scored on {len(data.X_scored)} images:\n\n{table}\n\n"
        "Top row: the first scored image of each class; then the autoencoder's "
        "reconstructions; then PCA's.\n\n![Original vs reconstructed](reconstructions.png)",
        {"reconstructions": image_grid(rows, shape, titles, first.size, limits)},
    )
