"""GaussianNB and MultinomialNB: against scikit-learn, the seed's text example, sparse input."""

import re
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn import naive_bayes as sk_naive_bayes

from algorithms.naive_bayes import GaussianNB, MultinomialNB
from algorithms.persistence import load_estimator, save_estimator

# The seed's five texts, one label each, and its test sentence.
SEED_TEXTS = [
    "machine learning is fascinating",
    "deep neural networks are powerful",
    "natural language processing with python",
    "statistical analysis and data science",
    "artificial intelligence and robotics",
]
SEED_LABELS = ["ML", "DL", "NLP", "Stats", "AI"]
SEED_QUERY = "learning neural networks with python"


def tokenize(text):
    """The seed's tokeniser: lower case, runs of word characters."""
    return re.findall(r"\w+", text.lower())


def bag_of_words(texts, vocabulary):
    """Counts of each vocabulary word in each text, shape (len(texts), len(vocabulary))."""
    index = {word: j for j, word in enumerate(vocabulary)}
    counts = np.zeros((len(texts), len(vocabulary)))
    for i, text in enumerate(texts):
        for token in tokenize(text):
            if token in index:
                counts[i, index[token]] += 1
    return counts


def gaussian_classes(n=300, n_features=4, seed=0):
    """Three Gaussian classes of different means and spreads, and fresh query rows."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    X = (
        rng.normal(0, 1, (3, n_features))[y]
        + rng.standard_normal((n, n_features)) * (1 + y)[:, np.newaxis]
    )
    return X * [1.0, 10.0, 0.1, 1.0] + [0.0, 5.0, 0.0, -3.0], y, rng.standard_normal((80, 4)) * 3


def word_counts(n=300, n_words=30, seed=0):
    """Sparse-ish counts whose word rates depend on the class (of three); fresh query rows."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n + 80)
    rates = rng.gamma(0.5, 1.0, (3, n_words))
    counts = rng.poisson(rates[y])
    return counts[:n], y[:n], counts[n:]


@pytest.mark.parametrize(
    "params", [{}, {"var_smoothing": 1e-3}, {"priors": [0.5, 0.3, 0.2]}, {"var_smoothing": 0.0}]
)
def test_gaussian_nb_matches_scikit_learn(params):
    X, y, queries = gaussian_classes()
    names = np.array(["low", "mid", "high"])[y]
    ours = GaussianNB(**params).fit(X, names)
    theirs = sk_naive_bayes.GaussianNB(**params).fit(X, names)
    assert_array_equal(ours.classes_, theirs.classes_)
    for name in ("theta_", "var_", "class_prior_", "class_count_"):
        assert_allclose(getattr(ours, name), getattr(theirs, name), rtol=1e-12)
    assert ours.epsilon_ == pytest.approx(theirs.epsilon_, rel=1e-12)
    assert_allclose(ours.predict_proba(queries), theirs.predict_proba(queries), atol=1e-10)
    assert_allclose(ours.predict_log_proba(queries), theirs.predict_log_proba(queries), rtol=1e-10)
    assert_allclose(
        ours.predict_joint_log_proba(queries), theirs.predict_joint_log_proba(queries), rtol=1e-10
    )
    assert_array_equal(ours.predict(queries), theirs.predict(queries))


def test_gaussian_nb_by_hand():
    X = np.array([[1.0, 0.0], [3.0, 0.0], [10.0, 4.0], [14.0, 8.0]])
    nb = GaussianNB(var_smoothing=0.1).fit(X, [0, 0, 1, 1])
    assert_allclose(nb.theta_, [[2.0, 0.0], [12.0, 6.0]])
    epsilon = 0.1 * np.var(X[:, 0])  # the larger of the two feature variances
    assert nb.epsilon_ == pytest.approx(epsilon)
    assert_allclose(nb.var_, [[1.0 + epsilon, epsilon], [4.0 + epsilon, 4.0 + epsilon]])
    assert_allclose(nb.class_prior_, [0.5, 0.5])
    x = np.array([2.0, 1.0])
    per_feature = -0.5 * (np.log(2 * np.pi * nb.var_) + (x - nb.theta_) ** 2 / nb.var_)
    assert_allclose(nb.predict_joint_log_proba([x]), [np.log(0.5) + per_feature.sum(axis=1)])


@pytest.mark.parametrize(
    "params",
    [{}, {"alpha": 0.3}, {"fit_prior": False}, {"class_prior": [0.1, 0.6, 0.3]}, {"alpha": 0.0}],
)
@pytest.mark.parametrize("container", [np.asarray, sparse.csr_matrix, sparse.csr_array])
def test_multinomial_nb_matches_scikit_learn(params, container):
    counts, y, queries = word_counts()
    counts[:3], y[:3] = 1, [0, 1, 2]  # every word occurs in every class: alpha=0 is defined
    ours = MultinomialNB(**params).fit(container(counts), y)
    theirs = sk_naive_bayes.MultinomialNB(**params).fit(counts, y)
    for name in ("feature_count_", "class_count_", "feature_log_prob_", "class_log_prior_"):
        assert_allclose(getattr(ours, name), getattr(theirs, name), rtol=1e-12)
    proba = ours.predict_proba(container(queries))
    assert_allclose(proba, theirs.predict_proba(queries), atol=1e-10)
    assert_allclose(ours.predict_log_proba(queries), theirs.predict_log_proba(queries), rtol=1e-10)
    assert_array_equal(ours.predict(container(queries)), theirs.predict(queries))


def test_multinomial_nb_laplace_smoothing_by_hand():
    counts = np.array([[2, 0, 1], [0, 0, 3], [1, 4, 0]])
    nb = MultinomialNB().fit(counts, ["a", "a", "b"])
    assert_array_equal(nb.feature_count_, [[2, 0, 4], [1, 4, 0]])
    assert_array_equal(nb.class_count_, [2, 1])
    # (N_cj + 1) / (N_c + 3): class a has 6 words, class b 5.
    assert_allclose(np.exp(nb.feature_log_prob_), [[3 / 9, 1 / 9, 5 / 9], [2 / 8, 5 / 8, 1 / 8]])
    assert_allclose(np.exp(nb.class_log_prior_), [2 / 3, 1 / 3])
    lidstone = MultinomialNB(alpha=0.5, fit_prior=False).fit(counts, ["a", "a", "b"])
    assert_allclose(np.exp(lidstone.feature_log_prob_[1]), [1.5 / 6.5, 4.5 / 6.5, 0.5 / 6.5])
    assert_allclose(np.exp(lidstone.class_log_prior_), [0.5, 0.5])


@pytest.mark.parametrize("container", [np.asarray, sparse.csr_matrix])
def test_seed_text_classifier(container):
    # The seed's add-one word probabilities (count + 1) / (words of the class + vocabulary
    # size), over every word of its five texts; "neural networks" makes the query DL.
    vocabulary = sorted({token for text in SEED_TEXTS for token in tokenize(text)})
    counts = container(bag_of_words(SEED_TEXTS, vocabulary))
    query = container(bag_of_words([SEED_QUERY], vocabulary))
    nb = MultinomialNB(alpha=1.0).fit(counts, SEED_LABELS)
    assert_array_equal(nb.predict(query), ["DL"])
    seed_scores = []
    for label in nb.classes_:
        words = tokenize(SEED_TEXTS[SEED_LABELS.index(label)])
        seed_scores.append(
            np.log(1 / 5)
            + sum(
                np.log((words.count(token) + 1) / (len(words) + len(vocabulary)))
                for token in tokenize(SEED_QUERY)
            )
        )
    assert_allclose(nb.predict_joint_log_proba(query), [seed_scores], rtol=1e-12)


def test_fitted_state_persists(tmp_path):
    X, y, queries = gaussian_classes()
    counts, labels, count_queries = word_counts()
    for model, data, rows in (
        (GaussianNB(priors=[0.2, 0.3, 0.5]), (X, y), queries),
        (MultinomialNB(alpha=0.5), (sparse.csr_matrix(counts), labels), count_queries),
    ):
        model.fit(*data)
        save_estimator(model, tmp_path / type(model).__name__)
        loaded = load_estimator(tmp_path / type(model).__name__)
        assert_array_equal(loaded.predict_proba(rows), model.predict_proba(rows))


def test_force_alpha_false_raises_a_tiny_alpha_with_a_warning():
    counts, y, queries = word_counts()
    with pytest.warns(UserWarning, match="alpha=0.0 is too small"):
        nb = MultinomialNB(alpha=0.0, force_alpha=False).fit(counts, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = sk_naive_bayes.MultinomialNB(alpha=0.0, force_alpha=False).fit(counts, y)
    assert_allclose(nb.feature_log_prob_, theirs.feature_log_prob_, rtol=1e-12)


X_GAUSS, Y_GAUSS, _ = gaussian_classes(n=30)
COUNTS, Y_COUNTS, _ = word_counts(n=30)


@pytest.mark.parametrize(
    ("estimator", "X", "y", "match"),
    [
        (GaussianNB(), np.where(X_GAUSS > 2, np.nan, X_GAUSS), Y_GAUSS, "NaN"),
        (GaussianNB(), np.where(X_GAUSS > 2, np.inf, X_GAUSS), Y_GAUSS, "infinity"),
        (GaussianNB(), X_GAUSS[:, 0], Y_GAUSS, "2D array"),
        (GaussianNB(), X_GAUSS[:0], Y_GAUSS[:0], "0 sample"),
        (GaussianNB(), X_GAUSS, np.zeros(30), "needs at least two classes; got 1 class"),
        (GaussianNB(), X_GAUSS, np.linspace(0, 1, 30), "Unknown label type"),
        (GaussianNB(priors=[0.5, 0.5]), X_GAUSS, Y_GAUSS, r"one number per class, 3, .*\(2,\)"),
        (GaussianNB(priors=[0.5, 0.5, 0.5]), X_GAUSS, Y_GAUSS, "priors must sum to 1, got 1.5"),
        (GaussianNB(priors=[1.5, -0.5, 0.0]), X_GAUSS, Y_GAUSS, "finite and non-negative"),
        (
            GaussianNB(var_smoothing=-1.0),
            X_GAUSS,
            Y_GAUSS,
            r"'var_smoothing' parameter .* float in the range \[0\.0, inf\)\. Got -1\.0",
        ),
        (GaussianNB(), np.ones((30, 2)), Y_GAUSS, "feature 0 is constant in class 0"),
        (MultinomialNB(), COUNTS - 1, Y_COUNTS, "Negative values in data .* smallest value is -1"),
        (
            MultinomialNB(),
            sparse.csr_matrix(-COUNTS),
            Y_COUNTS,
            "Negative values in data passed to MultinomialNB",
        ),
        (MultinomialNB(), np.where(COUNTS > 2, np.nan, COUNTS), Y_COUNTS, "NaN"),
        (MultinomialNB(), COUNTS, np.full(30, "spam"), "got 1 class: \\['spam'\\]"),
        (
            MultinomialNB(alpha=-1.0),
            COUNTS,
            Y_COUNTS,
            r"'alpha' parameter .* float in the range \[0\.0, inf\)\. Got -1\.0",
        ),
        (MultinomialNB(alpha=0.0), np.zeros((30, 3)), Y_COUNTS, "alpha=0 leaves a feature"),
        (MultinomialNB(class_prior=[1.0]), COUNTS, Y_COUNTS, "class_prior must hold one number"),
    ],
)
def test_bad_input_raises_a_clear_value_error(estimator, X, y, match):
    with pytest.raises(ValueError, match=match):
        estimator.fit(X, y)


def test_bad_queries_raise():
    nb = MultinomialNB().fit(COUNTS, Y_COUNTS)
    with pytest.raises(ValueError, match="X has 2 features, but MultinomialNB is expecting 30"):
        nb.predict(COUNTS[:, :2])
    with pytest.raises(ValueError, match="NaN"):
        GaussianNB().fit(X_GAUSS, Y_GAUSS).predict_proba(np.full((1, 4), np.nan))


def test_partial_fit_in_batches_fits_what_fit_fits_on_all_rows():
    rng = np.random.default_rng(5)
    X = rng.normal(3.0, 2.0, (1_000, 4))
    y = rng.choice(["a", "b", "c"], 1_000)
    X_counts = rng.poisson(3.0, (1_000, 6)).astype(float)
    for estimator, data in ((GaussianNB(), X), (MultinomialNB(alpha=0.5), X_counts)):
        whole = type(estimator)(**estimator.get_params()).fit(data, y)
        for start in range(0, 1_000, 170):
            estimator.partial_fit(
                data[start : start + 170], y[start : start + 170], ["a", "b", "c"]
            )
        for name in ("class_count_", "theta_", "var_", "feature_count_", "feature_log_prob_"):
            if hasattr(whole, name):
                np.testing.assert_allclose(
                    getattr(estimator, name), getattr(whole, name), rtol=1e-12
                )
        np.testing.assert_array_equal(estimator.predict(data), whole.predict(data))


def test_partial_fit_names_what_it_needs_and_refuses_unknown_labels():
    X, y = np.ones((4, 2)) + np.arange(8).reshape(4, 2), np.array([0, 1, 0, 1])
    for estimator in (GaussianNB(), MultinomialNB()):
        with pytest.raises(ValueError, match="classes must be passed on the first call"):
            type(estimator)().partial_fit(X, y)
        estimator.partial_fit(X, y, classes=[0, 1])
        with pytest.raises(ValueError, match=r"y has labels \[2\] not in classes \[0, 1\]"):
            estimator.partial_fit(X, np.array([0, 1, 2, 1]))
        with pytest.raises(ValueError, match=r"classes=\[0, 1, 2\] differs"):
            estimator.partial_fit(X, y, classes=[0, 1, 2])
