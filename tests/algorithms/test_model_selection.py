"""Model selection: folds, scorers, cross-validation and grid search against scikit-learn's.

scikit-learn estimators (Ridge, ElasticNet, LogisticRegression) sit inside both our CV
machinery and scikit-learn's, so only the machinery is compared.
"""

import math

import numpy as np
import pytest
import sklearn.metrics as skm
import sklearn.model_selection as skms
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.linear_model import ElasticNet, LogisticRegression, Ridge

from algorithms.model_selection import (
    SCORERS,
    FitFailedError,
    GridSearchCV,
    KFold,
    ParameterGrid,
    StratifiedKFold,
    _validation,
    check_cv,
    cross_val_score,
    cross_validate,
    estimator_score,
    get_scorer,
)


def regression_data(n=120, n_features=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_features))
    y = X @ rng.normal(size=n_features) + rng.normal(0.0, 0.5, n)
    return X, y


def classification_data(n=150, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    y = (X @ [1.0, -2.0, 0.5, 0.0] + rng.normal(0.0, 1.0, n) > 0.3).astype(int)
    return X, y


def seed_elastic_net_data():
    """The seed's grid-search example: 100 × 10 uniform X, y = 3x₀ + 2x₁ − x₂ + N(0, 0.1)."""
    rng = np.random.RandomState(42)
    X = rng.rand(100, 10)
    y = 3 * X[:, 0] + 2 * X[:, 1] - X[:, 2] + rng.normal(0, 0.1, 100)
    return X, y


SEED_GRID = {"alpha": [0.1, 1, 10], "l1_ratio": [0, 0.5, 1]}


def fit_seed_grid(search_class, n_jobs=1):
    X, y = seed_elastic_net_data()
    search = search_class(
        ElasticNet(), SEED_GRID, cv=5, scoring="neg_mean_squared_error", n_jobs=n_jobs
    )
    return search.fit(X, y)


def assert_partition(pairs, n_samples):
    tests = np.concatenate([test for _, test in pairs])
    assert_array_equal(np.sort(tests), np.arange(n_samples))
    for train, test in pairs:
        assert_array_equal(np.sort(np.concatenate([train, test])), np.arange(n_samples))


# KFold


@pytest.mark.parametrize(("n_samples", "n_splits"), [(10, 3), (11, 5), (7, 7), (100, 4), (9, 2)])
def test_kfold_gives_sklearn_folds(n_samples, n_splits):
    X = np.zeros((n_samples, 2))
    ours = list(KFold(n_splits).split(X))
    theirs = list(skms.KFold(n_splits).split(X))
    assert len(ours) == len(theirs) == KFold(n_splits).get_n_splits()
    for (train, test), (sk_train, sk_test) in zip(ours, theirs, strict=True):
        assert_array_equal(train, sk_train)
        assert_array_equal(test, sk_test)


def test_kfold_first_folds_are_one_larger():
    sizes = [len(test) for _, test in KFold(4).split(np.zeros((10, 1)))]
    assert sizes == [3, 3, 2, 2]


def test_shuffled_kfold_is_a_seeded_partition():
    X = np.zeros((23, 1))
    first = list(KFold(4, shuffle=True, random_state=0).split(X))
    again = list(KFold(4, shuffle=True, random_state=0).split(X))
    other = list(KFold(4, shuffle=True, random_state=1).split(X))
    assert_partition(first, 23)
    assert [len(test) for _, test in first] == [6, 6, 6, 5]
    for (_, test), (_, test_again) in zip(first, again, strict=True):
        assert_array_equal(test, test_again)
    assert not all(np.array_equal(a[1], b[1]) for a, b in zip(first, other, strict=True))
    assert not np.array_equal(first[0][1], np.arange(6))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_splits": 1}, "n_splits >= 2, got n_splits=1"),
        ({"n_splits": 2.5}, "n_splits must be an integer"),
        ({"shuffle": "yes"}, "shuffle must be True or False"),
        ({"random_state": 0}, "random_state has no effect when shuffle=False"),
    ],
)
@pytest.mark.parametrize("splitter", [KFold, StratifiedKFold])
def test_bad_splitter_parameters_raise(splitter, kwargs, match):
    with pytest.raises(ValueError, match=match):
        splitter(**kwargs)


def test_more_folds_than_rows_raises():
    with pytest.raises(ValueError, match="cannot split 3 samples into n_splits=5"):
        list(KFold(5).split(np.zeros((3, 1))))
    with pytest.raises(ValueError, match="cannot split 0 samples"):
        list(KFold(5).split(np.zeros((0, 1))))


# StratifiedKFold

IMBALANCED = np.repeat(["a", "b", "c"], [61, 29, 10])


@pytest.mark.parametrize("shuffle", [False, True])
def test_stratified_folds_keep_the_class_proportions(shuffle):
    y = np.random.default_rng(0).permutation(IMBALANCED)
    splitter = StratifiedKFold(5, shuffle=shuffle, random_state=3 if shuffle else None)
    pairs = list(splitter.split(np.zeros((len(y), 1)), y))
    assert len(pairs) == splitter.get_n_splits() == 5
    assert_partition(pairs, len(y))
    assert sorted(len(test) for _, test in pairs) == [20] * 5
    for _, test in pairs:
        counts = {label: int(np.sum(y[test] == label)) for label in "abc"}
        # 61, 29 and 10 rows over 5 folds: 12 or 13, 5 or 6, and 2 of each class.
        assert counts["a"] in (12, 13)
        assert counts["b"] in (5, 6)
        assert counts["c"] == 2
    proportions = np.array([[np.mean(y[test] == label) for label in "abc"] for _, test in pairs])
    assert_allclose(proportions, np.tile([0.61, 0.29, 0.10], (5, 1)), atol=0.05 + 1e-12)


def test_stratified_fold_sizes_differ_by_at_most_one():
    y = np.array([0] * 7 + [1] * 6)
    sizes = [len(test) for _, test in StratifiedKFold(3).split(np.zeros((13, 1)), y)]
    assert max(sizes) - min(sizes) <= 1
    assert sum(sizes) == 13


def test_shuffled_stratified_folds_are_seeded():
    y = np.tile([0, 1, 1], 20)
    X = np.zeros((60, 1))

    def folds(seed):
        return [test for _, test in StratifiedKFold(4, shuffle=True, random_state=seed).split(X, y)]

    assert all(np.array_equal(a, b) for a, b in zip(folds(0), folds(0), strict=True))
    assert not all(np.array_equal(a, b) for a, b in zip(folds(0), folds(1), strict=True))


def test_stratified_kfold_bad_targets():
    X = np.zeros((20, 1))
    with pytest.raises(ValueError, match="needs class labels.*'continuous'"):
        list(StratifiedKFold(3).split(X, np.linspace(0, 1, 20)))
    with pytest.raises(ValueError, match="X has 20 rows, y has 19 labels"):
        list(StratifiedKFold(3).split(X, np.zeros(19)))
    with pytest.raises(ValueError, match="y should be a 1d array"):
        list(StratifiedKFold(3).split(X, np.zeros((20, 2))))
    with pytest.raises(ValueError, match="largest class has 2"):
        list(StratifiedKFold(3).split(X[:4], [0, 0, 1, 1]))
    with pytest.warns(UserWarning, match="smallest class \\(1\\) has only 2 rows"):
        list(StratifiedKFold(3).split(X, [0] * 18 + [1] * 2))


# check_cv


def test_check_cv_follows_sklearns_rule():
    binary, continuous = np.array([0, 1] * 10), np.linspace(0, 1, 20)
    assert check_cv(3, binary, classifier=True) == StratifiedKFold(3)
    assert check_cv(3, np.array(list("abc") * 4), classifier=True) == StratifiedKFold(3)
    assert check_cv(3, binary, classifier=False) == KFold(3)
    assert check_cv(3, continuous, classifier=True) == KFold(3)
    assert check_cv(4, None, classifier=True) == KFold(4)
    assert check_cv(None) == KFold(5)
    splitter = KFold(3, shuffle=True, random_state=0)
    assert check_cv(splitter, binary, classifier=True) is splitter
    sk_splitter = skms.KFold(3)
    assert check_cv(sk_splitter) is sk_splitter


def test_check_cv_takes_a_list_of_splits():
    pairs = [([0, 1], [2, 3]), ([2, 3], [0, 1])]
    cv = check_cv(pairs)
    assert cv.get_n_splits() == 2
    listed = list(cv.split(np.zeros((4, 1))))
    assert_array_equal(listed[1][0], [2, 3])
    assert_array_equal(listed[1][1], [0, 1])


@pytest.mark.parametrize("cv", ["five", 2.5, [], True])
def test_check_cv_rejects_other_values(cv):
    with pytest.raises(ValueError, match="cv"):
        check_cv(cv)


# Scorers

REGRESSION_SCORERS = [
    "r2",
    "neg_mean_squared_error",
    "neg_root_mean_squared_error",
    "neg_mean_absolute_error",
]
CLASSIFICATION_SCORERS = ["accuracy", "f1", "precision", "recall"]


def test_every_scorer_is_tested():
    assert sorted(SCORERS) == sorted(REGRESSION_SCORERS + CLASSIFICATION_SCORERS)


@pytest.mark.parametrize("name", REGRESSION_SCORERS)
def test_regression_scorers_equal_sklearns(name):
    X, y = regression_data()
    model = Ridge(alpha=10.0).fit(X[:80], y[:80])
    ours = get_scorer(name)(model, X[80:], y[80:])
    assert ours == pytest.approx(skm.get_scorer(name)(model, X[80:], y[80:]), rel=1e-12)
    assert ours < 0 if name.startswith("neg_") else 0 < ours < 1


@pytest.mark.parametrize("name", CLASSIFICATION_SCORERS)
def test_classification_scorers_equal_sklearns(name):
    X, y = classification_data()
    model = LogisticRegression(C=0.05).fit(X[:100], y[:100])
    ours = get_scorer(name)(model, X[100:], y[100:])
    assert ours == pytest.approx(skm.get_scorer(name)(model, X[100:], y[100:]), rel=1e-12)
    assert 0.5 < ours < 1


def test_no_scoring_is_the_estimators_score_and_callables_pass_through():
    X, y = regression_data()
    model = Ridge().fit(X, y)
    assert get_scorer(None) is estimator_score
    assert get_scorer(None)(model, X, y) == pytest.approx(model.score(X, y))

    def custom(estimator, X, y):
        return 7.0

    assert get_scorer(custom) is custom


def test_unknown_scoring_lists_the_names():
    with pytest.raises(ValueError, match="unknown scoring 'mse'; known scorings: .*'r2'"):
        get_scorer("mse")
    with pytest.raises(ValueError, match="scoring must be None, a name"):
        get_scorer(3)


# cross_validate / cross_val_score


@pytest.mark.parametrize("scoring", [None, "neg_mean_squared_error", "r2"])
def test_cross_val_score_equals_sklearns_with_the_same_folds(scoring):
    X, y = regression_data()
    for cv in (5, skms.KFold(4, shuffle=True, random_state=0)):
        ours = cross_val_score(Ridge(alpha=2.0), X, y, cv=cv, scoring=scoring)
        theirs = skms.cross_val_score(Ridge(alpha=2.0), X, y, cv=cv, scoring=scoring)
        assert_allclose(ours, theirs, rtol=1e-12)
    folds = list(KFold(3, shuffle=True, random_state=1).split(X))
    assert_allclose(
        cross_val_score(Ridge(), X, y, cv=folds, scoring=scoring),
        skms.cross_val_score(Ridge(), X, y, cv=folds, scoring=scoring),
        rtol=1e-12,
    )


def test_cross_val_score_of_a_classifier_with_stratified_folds():
    X, y = classification_data()
    folds = list(StratifiedKFold(5).split(X, y))
    ours = cross_val_score(LogisticRegression(), X, y, cv=5, scoring="f1")
    theirs = skms.cross_val_score(LogisticRegression(), X, y, cv=folds, scoring="f1")
    assert_allclose(ours, theirs, rtol=1e-12)


def test_cross_validate_returns_scores_and_times_per_fold():
    X, y = regression_data()
    results = cross_validate(Ridge(), X, y, cv=4)
    assert sorted(results) == ["fit_time", "score_time", "test_score"]
    for values in results.values():
        assert values.shape == (4,)
    assert (results["fit_time"] > 0).all()
    assert (results["score_time"] > 0).all()
    assert_allclose(results["test_score"], skms.cross_val_score(Ridge(), X, y, cv=4))


def test_cross_validate_accepts_lists():
    X, y = regression_data(n=30)
    assert_allclose(
        cross_val_score(Ridge(), X.tolist(), y.tolist(), cv=3),
        cross_val_score(Ridge(), X, y, cv=3),
    )


def test_cross_validate_bad_input():
    X, y = regression_data(n=30)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        cross_val_score(Ridge(), X, y[:-1])
    with pytest.raises(ValueError, match="cannot split 0 samples"):
        cross_val_score(Ridge(), X[:0], y[:0])
    with pytest.raises(FitFailedError, match="Ridge fit failed on fold 0: ValueError.*NaN"):
        cross_val_score(Ridge(), np.where(X > 1.5, np.nan, X), y)


# ParameterGrid


@pytest.mark.parametrize(
    "grid",
    [
        SEED_GRID,
        {"b": [1, 2], "a": ["x", "y", "z"], "c": [True]},
        [{"kernel": ["linear"]}, {"kernel": ["rbf"], "gamma": [1, 10]}],
        [{}, {"alpha": np.array([0.5, 1.5])}],
    ],
)
def test_parameter_grid_order_equals_sklearns(grid):
    ours = list(ParameterGrid(grid))
    assert ours == list(skms.ParameterGrid(grid))
    assert len(ParameterGrid(grid)) == len(ours)


@pytest.mark.parametrize(
    ("grid", "match"),
    [
        ({"alpha": []}, "grid of parameter 'alpha' is an empty list"),
        ({"alpha": 1.0}, "grid of parameter 'alpha' must be a list of values"),
        ({"solver": "svd"}, "grid of parameter 'solver' must be a list of values"),
        ("alpha", "param_grid must be a dict or a list of dicts"),
        ([{"alpha": [1]}, 3], "param_grid must be a dict or a list of dicts"),
        ({1: [1]}, "parameter names must be strings"),
    ],
)
def test_bad_parameter_grids_raise(grid, match):
    with pytest.raises(ValueError, match=match):
        ParameterGrid(grid)


# GridSearchCV


def test_seed_grid_search_equals_sklearns():
    ours = fit_seed_grid(GridSearchCV)
    theirs = fit_seed_grid(skms.GridSearchCV)
    assert ours.best_params_ == theirs.best_params_ == {"alpha": 0.1, "l1_ratio": 0.5}
    assert ours.best_index_ == theirs.best_index_
    assert ours.best_score_ == pytest.approx(theirs.best_score_, rel=1e-12)
    assert ours.n_splits_ == theirs.n_splits_ == 5
    ours_results, theirs_results = ours.cv_results_, theirs.cv_results_
    assert ours_results["params"] == theirs_results["params"]
    for key in ["mean_test_score", "std_test_score"] + [f"split{k}_test_score" for k in range(5)]:
        assert_allclose(ours_results[key], theirs_results[key], rtol=1e-10, err_msg=key)
    assert_array_equal(ours_results["rank_test_score"], theirs_results["rank_test_score"])
    assert ours_results["rank_test_score"].dtype == np.int32
    for name in ("alpha", "l1_ratio"):
        assert ours_results[f"param_{name}"].tolist() == theirs_results[f"param_{name}"].tolist()
    assert (ours_results["mean_fit_time"] > 0).all()
    assert ours_results["mean_score_time"].shape == (9,)


def test_grid_search_refits_the_best_and_delegates():
    ours, theirs = fit_seed_grid(GridSearchCV), fit_seed_grid(skms.GridSearchCV)
    X, y = seed_elastic_net_data()
    assert_allclose(ours.best_estimator_.coef_, theirs.best_estimator_.coef_)
    assert ours.best_estimator_.get_params() == theirs.best_estimator_.get_params()
    assert_allclose(ours.predict(X), theirs.predict(X))
    assert ours.score(X, y) == pytest.approx(theirs.score(X, y))
    assert ours.score(X, y) == pytest.approx(-skm.mean_squared_error(y, ours.predict(X)))
    assert ours.n_features_in_ == 10
    assert ours.refit_time_ > 0


@pytest.fixture
def always_parallel(monkeypatch):
    """Send even the tiny searches of these tests to worker processes."""
    monkeypatch.setattr(_validation, "SERIAL_BELOW_SECONDS", 0.0)


def test_one_and_two_jobs_give_identical_results(always_parallel):
    serial, parallel = fit_seed_grid(GridSearchCV, n_jobs=1), fit_seed_grid(GridSearchCV, n_jobs=2)
    for key in ["mean_test_score", "std_test_score", "rank_test_score", "split3_test_score"]:
        assert_array_equal(serial.cv_results_[key], parallel.cv_results_[key])
    assert serial.best_params_ == parallel.best_params_
    assert_array_equal(serial.best_estimator_.coef_, parallel.best_estimator_.coef_)
    X, y = seed_elastic_net_data()
    assert_array_equal(
        cross_val_score(Ridge(), X, y, cv=5, n_jobs=1),
        cross_val_score(Ridge(), X, y, cv=5, n_jobs=2),
    )


def test_a_search_below_the_serial_threshold_stays_in_this_process(monkeypatch):
    def no_workers(*args, **kwargs):
        raise AssertionError("a search below the threshold started worker processes")

    # The threshold, not the machine's speed, decides (a loaded machine must not flip it).
    monkeypatch.setattr(_validation, "SERIAL_BELOW_SECONDS", math.inf)
    monkeypatch.setattr(_validation, "Parallel", no_workers)
    search = fit_seed_grid(GridSearchCV, n_jobs=-1)
    assert search.best_params_ == {"alpha": 0.1, "l1_ratio": 0.5}


def test_grid_search_of_a_classifier_stratifies_and_keeps_classes():
    X, y = classification_data()
    labels = np.array(["no", "yes"])[y]
    grid = {"C": [0.01, 1.0]}
    ours = GridSearchCV(LogisticRegression(), grid, scoring="accuracy", n_jobs=1).fit(X, labels)
    folds = list(StratifiedKFold(5).split(X, labels))
    theirs = skms.GridSearchCV(LogisticRegression(), grid, scoring="accuracy", cv=folds)
    theirs.fit(X, labels)
    assert_allclose(ours.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"])
    assert_array_equal(ours.classes_, ["no", "yes"])
    assert set(ours.predict(X)) == {"no", "yes"}


def test_list_of_grids_masks_missing_parameters():
    X, y = regression_data()
    grid = [{"alpha": [0.1, 1.0]}, {"fit_intercept": [False]}]
    results = GridSearchCV(Ridge(), grid, cv=3, n_jobs=1).fit(X, y).cv_results_
    assert results["params"] == [{"alpha": 0.1}, {"alpha": 1.0}, {"fit_intercept": False}]
    assert results["param_alpha"].mask.tolist() == [False, False, True]
    assert results["param_fit_intercept"].mask.tolist() == [True, True, False]
    assert results["param_alpha"][1] == 1.0


def test_refit_false_keeps_the_results_but_no_estimator():
    X, y = regression_data()
    search = GridSearchCV(Ridge(), {"alpha": [0.1, 1000.0]}, refit=False, n_jobs=1).fit(X, y)
    assert search.best_params_ == {"alpha": 0.1}
    assert not hasattr(search, "best_estimator_")
    with pytest.raises(AttributeError, match="refit=False"):
        search.predict(X)


def test_equal_means_rank_alike_and_the_first_wins():
    X, y = regression_data()
    search = GridSearchCV(Ridge(), {"alpha": [1.0, 1.0, 0.5]}, cv=3, n_jobs=1).fit(X, y)
    ranks = search.cv_results_["rank_test_score"]
    assert ranks[0] == ranks[1]
    assert search.best_index_ == int(np.argmin(ranks))
    assert search.best_params_ == search.cv_results_["params"][search.best_index_]


@pytest.mark.parametrize("grid", [{}, [], [{}], [{}, {}]])
def test_empty_grid_raises(grid):
    X, y = regression_data()
    with pytest.raises(ValueError, match="param_grid is empty"):
        GridSearchCV(Ridge(), grid, n_jobs=1).fit(X, y)


def test_unknown_parameter_lists_the_estimators_parameters():
    X, y = regression_data()
    with pytest.raises(
        ValueError,
        match=r"unknown parameter\(s\) \['alpah'\] for Ridge; its parameters: \['alpha', ",
    ):
        GridSearchCV(Ridge(), {"alpah": [1.0]}, n_jobs=1).fit(X, y)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_a_failing_fit_names_the_grid_point(n_jobs, always_parallel):
    X, y = regression_data()
    search = GridSearchCV(Ridge(), {"alpha": [1.0, -1.0]}, n_jobs=n_jobs)
    with pytest.raises(FitFailedError, match=r"fit failed with parameters \{'alpha': -1.0\}"):
        search.fit(X, y)
    assert not hasattr(search, "cv_results_")


def test_a_non_finite_score_stops_the_search():
    X, y = regression_data()

    def nan_score(estimator, X, y):
        return float("nan")

    search = GridSearchCV(Ridge(), {"alpha": [1.0]}, scoring=nan_score, n_jobs=1)
    with pytest.raises(FitFailedError, match=r"scored nan with parameters \{'alpha': 1.0\}"):
        search.fit(X, y)


def test_unfitted_search_cannot_predict():
    with pytest.raises(ValueError, match="not fitted"):
        GridSearchCV(Ridge(), {"alpha": [1.0]}).predict(np.zeros((2, 5)))
