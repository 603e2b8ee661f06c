"""Studies of an image classifier: the images it gets wrong, drawn as pictures.

- `misclassified_images`: a grid of the scored images whose predicted class is wrong, each
  titled "true → predicted", with the most frequent confusions as a table.

Rows are images flattened row-major (`image_shape` = height, width), as the model sees them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from pipelines.sections import Section, markdown_table, new_figure
from pipelines.studies.context import PipelineData


def misclassified_images(
    data: PipelineData, image_shape: Sequence[int] = (8, 8), max_images: int = 24
) -> Section:
    """Up to `max_images` wrongly predicted scored images, with the top confusions."""
    shape = image_shape_of(data, image_shape)
    predicted = data.estimator.predict(data.X_scored)
    wrong = np.flatnonzero(predicted != data.y_scored)
    intro = (
        f"## Misclassified images\n\n{wrong.size} of {len(data.y_scored)} scored images are "
        f"misclassified ({wrong.size / len(data.y_scored):.1%})."
    )
    if wrong.size == 0:
        return Section(intro)
    pairs = Counter((data.y_scored[i], predicted[i]) for i in wrong).most_common(5)
    table = markdown_table(
        [f"true {data.target}", "predicted", "images"], [[t, p, n] for (t, p), n in pairs]
    )
    shown = wrong[:max_images]
    titles = [f"{data.y_scored[i]} → {predicted[i]}" for i in shown]
    figure = image_grid(data.X_scored[shown], shape, titles, columns=8)
    return Section(
        f"{intro} The most frequent confusions:\n\n{table}\n\n"
        f"The first {shown.size}, titled true → predicted:\n\n"
        "![Misclassified images](misclassified.png)",
        {"misclassified": figure},
    )


def image_shape_of(data: PipelineData, image_shape: Sequence[int]) -> tuple[int, int]:
    """`image_shape` as (height, width); ValueError unless height · width = the feature count."""
    height, width = (int(v) for v in image_shape)
    if height * width != data.X_scored.shape[1]:
        raise ValueError(
            f"image_shape {height}×{width} = {height * width} pixels, but the pipeline has "
            f"{data.X_scored.shape[1]} feature columns"
        )
    return height, width


def image_grid(
    rows: np.ndarray,
    shape: tuple[int, int],
    titles: Sequence[str],
    columns: int,
    limits: tuple[float, float] | None = None,
) -> Figure:
    """Each row of `rows` drawn as a grey image of `shape`, titled, on a grid; values at or
    below `limits[0]` are white, at or above `limits[1]` black (default: the rows' range)."""
    n_rows = -(-len(rows) // columns)
    figure = new_figure(1.1 * columns, 1.25 * n_rows + 0.2)
    axes = np.atleast_1d(figure.subplots(n_rows, columns, squeeze=False)).ravel()
    low, high = limits or (float(rows.min()), float(rows.max()))
    for ax, row, title in zip(axes, rows, titles, strict=False):
        ax.imshow(row.reshape(shape), cmap="gray_r", vmin=low, vmax=high)
        ax.set_title(title, fontsize="small")
    for ax in axes:
        ax.set_axis_off()
    return figure
