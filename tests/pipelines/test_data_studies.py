"""Studies on a pipeline's own rows (iris clusters, digits images): their numbers against
scikit-learn computing the same thing, their sections, and how a spec passes them the data."""

from __future__ import annotations

import re
import warnings

import numpy as np
import polars as pl
import pytest
from sklearn.cluster import KMeans as SkKMeans
from sklearn.decomposition import PCA as SkPCA
from sklearn.exceptions import ConvergenceWarning

from algorithms.cluster import adjusted_rand_score
from pipelines.evaluation import pipeline_data
from pipelines.features import prepare
from pipelines.paths import PROJECT_ROOT, SPECS_DIR
from pipelines.spec import SpecError, load_spec
from pipelines.studies import study_params, uses_pipeline_data
from pipelines.studies.clustering import clusters_on_principal_components, elbow_curve
from pipelines.studies.decomposition import autoencoder_reconstructions, pca_explained_variance
from pipelines.studies.images import misclassified_images
from pipelines.training import train


def _data(name: str, csv: str, candidate: str | None = None):
    spec = load_spec(SPECS_DIR / f"{name}.yaml")
    spec = spec.for_candidate(candidate) if candidate else spec
    prepared = prepare(pl.read_csv(PROJECT_ROOT / csv), spec)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bundle = train(spec, prepared)
    return pipeline_data(spec, bundle, prepared.frame)


@pytest.fixture(scope="module")
def iris():
    return _data("iris_clusters", "data/iris.csv")


@pytest.fixture(scope="module")
def digits():
    """The digits pipeline's MLP candidate (trains in under a second; makes a few mistakes)."""
    return _data("digits", "data/digits.csv", "mlp")


def _table(markdown: str, after: str) -> list[list[str]]:
    """The cells of the first Markdown table after the text `after`."""
    lines = markdown[markdown.index(after) :].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def test_data_studies_take_the_pipeline_data_and_specs_cannot_pass_it():
    for name in ("elbow_curve", "misclassified_images", "autoencoder_reconstructions"):
        assert uses_pipeline_data(name)
        assert "data" not in study_params(name)
    assert not uses_pipeline_data("bias_variance")
    assert study_params("elbow_curve") == ["k_max"]


def test_a_spec_giving_a_study_its_data_is_refused(tmp_path):
    text = (SPECS_DIR / "iris_clusters.yaml").read_text()
    text = text.replace("params: {k_max: 10}", "params: {k_max: 10, data: rows}")
    (tmp_path / "iris_clusters.yaml").write_text(text)
    with pytest.raises(SpecError, match=r"unknown parameter\(s\) data for study 'elbow_curve'"):
        load_spec(tmp_path / "iris_clusters.yaml")


def test_elbow_inertia_per_k_matches_scikit_learn(iris):
    section = elbow_curve(iris, k_max=10)
    rows = _table(section.markdown, "## Elbow")
    assert [r[0] for r in rows] == [str(k) for k in range(1, 11)]
    for k in (1, 2, 3, 4):
        reference = SkKMeans(n_clusters=k, n_init=10, random_state=0).fit(iris.X_train)
        assert float(rows[k - 1][1]) == pytest.approx(reference.inertia_, abs=0.01)
    assert float(rows[2][1]) == pytest.approx(78.85, abs=0.01)  # iris, k = 3, unscaled cm
    assert rows[2][4] == "◀ model" and all(r[4] == "" for i, r in enumerate(rows) if i != 2)
    assert float(rows[0][3]) == 0.0  # one cluster matches nothing beyond chance
    assert set(section.figures) == {"elbow"}


def test_elbow_rejects_an_impossible_k_max(iris):
    with pytest.raises(ValueError, match=r"k_max must be in 1…150, got 151"):
        elbow_curve(iris, k_max=151)


def test_clusters_on_principal_components_reports_variance_and_rand_index(iris):
    section = clusters_on_principal_components(iris)
    ratio = SkPCA(n_components=2).fit(iris.X_train).explained_variance_ratio_
    assert f"PC 1 and PC 2 explain {ratio[0]:.1%} and {ratio[1]:.1%}" in section.markdown
    score = adjusted_rand_score(iris.y_scored, iris.estimator.predict(iris.X_scored))
    assert f"against species: {score:.3f}" in section.markdown
    assert score > 0.7
    assert set(section.figures) == {"clusters_pca"}


def test_pca_components_needed_per_threshold_match_scikit_learn(digits):
    section = pca_explained_variance(digits, thresholds=[0.5, 0.9])
    cumulative = np.cumsum(SkPCA().fit(digits.X_train).explained_variance_ratio_)
    expected = [int(np.argmax(cumulative >= t)) + 1 for t in (0.5, 0.9)]
    assert _table(section.markdown, "## PCA") == [
        ["50%", str(expected[0])],
        ["90%", str(expected[1])],
    ]
    with pytest.raises(ValueError, match="thresholds must lie in"):
        pca_explained_variance(digits, thresholds=[1.5])


def test_misclassified_images_counts_the_wrong_predictions(digits):
    section = misclassified_images(digits, image_shape=[8, 8], max_images=6)
    predicted = digits.estimator.predict(digits.X_scored)
    wrong = int((predicted != digits.y_scored).sum())
    assert wrong > 0
    assert f"{wrong} of {len(digits.y_scored)} scored images are misclassified" in section.markdown
    assert f"The first {min(wrong, 6)}, titled" in section.markdown
    pairs = _table(section.markdown, "most frequent confusions")
    assert sum(int(p[2]) for p in pairs) <= wrong
    true, pred = int(pairs[0][0]), int(pairs[0][1])
    assert int(pairs[0][2]) == int(((digits.y_scored == true) & (predicted == pred)).sum())
    assert set(section.figures) == {"misclassified"}


def test_misclassified_images_with_none_wrong_has_no_grid(digits):
    perfect = type(digits)(**{**vars(digits), "estimator": _Oracle(digits)})
    section = misclassified_images(perfect)
    assert "0 of 359 scored images are misclassified (0.0%)" in section.markdown
    assert section.figures == {}


class _Oracle:
    """Predicts the scored rows' true labels."""

    def __init__(self, data):
        self.data = data

    def predict(self, X):
        return self.data.y_scored


def test_image_shape_must_match_the_feature_count(digits):
    with pytest.raises(ValueError, match=r"image_shape 8×7 = 56 pixels, but the pipeline has 64"):
        misclassified_images(digits, image_shape=[8, 7])


def test_autoencoder_beside_pca_with_as_many_components(digits):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        section = autoencoder_reconstructions(
            digits, encoder_layer_sizes=[32, 8], max_iter=20, random_state=0
        )
    rows = dict(_table(section.markdown, "## Autoencoder"))
    pca = SkPCA(n_components=8).fit(digits.X_train)
    rebuilt = pca.inverse_transform(pca.transform(digits.X_scored))
    assert float(rows["PCA, 8 components"]) == pytest.approx(
        np.mean((rebuilt - digits.X_scored) ** 2), abs=5e-5
    )
    assert 0.0 < float(rows["autoencoder"]) < np.mean(digits.X_scored**2)
    assert re.search(r"64 → 32 → 8 → mirror, relu, 20 epochs", section.markdown)
    assert set(section.figures) == {"reconstructions"}
