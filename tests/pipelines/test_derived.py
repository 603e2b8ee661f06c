"""Derived features against scikit-learn's CountVectorizer and PolynomialFeatures."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.preprocessing import PolynomialFeatures

from pipelines import derived
from pipelines.features import FeatureTransform, prepare
from pipelines.spec import FeaturesSpec

REVIEWS = ["I love this product", "Great service", "Terrible experience", "Not worth the price"]


def test_vocabulary_and_counts_match_count_vectorizer():
    train = pl.DataFrame({"text": [*REVIEWS, "love love LOVE it, great!"]})
    vocabulary = derived.fit_vocabulary(train, "text")
    reference = CountVectorizer().fit(train["text"].to_list())
    assert list(vocabulary) == reference.get_feature_names_out().tolist()
    counts = train.select(derived.bag_of_words("text", vocabulary)).to_numpy()
    np.testing.assert_array_equal(counts, reference.transform(train["text"].to_list()).toarray())


def test_min_df_drops_rare_tokens_and_unknown_tokens_are_ignored():
    train = pl.DataFrame({"text": ["great great", "great service", "bad"]})
    assert derived.fit_vocabulary(train, "text", min_df=2) == ("great",)
    new = pl.DataFrame({"text": ["never seen words", None]})
    counts = new.select(derived.bag_of_words("text", ("great",))).to_numpy()
    np.testing.assert_array_equal(counts, [[0.0], [0.0]])


def test_empty_vocabulary_is_a_clear_error():
    with pytest.raises(ValueError, match="vocabulary would be empty"):
        derived.fit_vocabulary(pl.DataFrame({"text": ["a b", "c"]}), "text")


def test_polynomial_matches_polynomial_features():
    frame = pl.DataFrame({"x": [0.5, 1.0, 2.0], "y": [1.0, -1.0, 3.0]})
    ours = frame.select(derived.polynomial(["x", "y"], 3))
    reference = PolynomialFeatures(3, include_bias=False).fit(frame.to_numpy())
    np.testing.assert_allclose(ours.to_numpy(), reference.transform(frame.to_numpy()))
    names = reference.get_feature_names_out(["x", "y"]).tolist()
    assert ours.columns == [n.replace(" ", "*") for n in names]


def test_transform_with_text_and_polynomial_predicts_new_rows_the_same_way():
    frame = pl.DataFrame({"x": [0.0, 1.0, 2.0, 3.0], "review": REVIEWS, "label": [1, 1, 0, 0]})
    spec = FeaturesSpec(columns=["x"], polynomial=2, normalize="minmax", text={"column": "review"})
    transform = FeatureTransform.fit_features(frame, spec)
    assert transform.columns[:2] == ("x", "x^2")
    assert "review=love" in transform.columns
    restored = FeatureTransform.from_dict(transform.to_dict())
    new = pl.DataFrame({"x": [1.5], "review": ["love the price"]})
    row = dict(zip(restored.columns, restored.to_array(new)[0], strict=True))
    assert row["x"] == pytest.approx(0.5) and row["x^2"] == pytest.approx(2.25 / 9)
    assert row["review=love"] == 1.0 and row["review=price"] == 1.0 and row["review=great"] == 0


def test_prepare_keeps_only_model_features_target_and_split():
    from tests.assets.helpers import make_spec

    spec = make_spec("viral_posts_seed")
    frame = pl.read_csv("data/viral_posts_seed.csv")
    prepared = prepare(frame, spec)
    assert prepared.frame.columns == [
        "hour",
        "content_length",
        "engagement_score",
        "viral",
        "split",
    ]


@pytest.mark.parametrize("weighting", ["binary", "tfidf"])
def test_weightings_match_scikit_learn(weighting):
    from sklearn.feature_extraction.text import TfidfVectorizer

    train = pl.DataFrame({"text": [*REVIEWS, "great great product, love it", "not great"]})
    spec = FeaturesSpec(text={"column": "text", "weighting": weighting}, normalize="none")
    transform = FeatureTransform.fit_features(train, spec)
    new = ["great product not worth it", "unknown words only"]
    ours = transform.to_array(pl.DataFrame({"text": new}))
    if weighting == "binary":
        reference = CountVectorizer(binary=True).fit(train["text"].to_list())
    else:
        reference = TfidfVectorizer().fit(train["text"].to_list())
    np.testing.assert_allclose(ours, reference.transform(new).toarray(), atol=1e-12)
    restored = FeatureTransform.from_dict(transform.to_dict())
    np.testing.assert_array_equal(restored.to_array(pl.DataFrame({"text": new})), ours)
