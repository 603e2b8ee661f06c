"""Class labels as every classifier here checks and encodes them."""

import numpy as np
from sklearn.utils.multiclass import check_classification_targets


def encode_labels(estimator, y) -> tuple[np.ndarray, np.ndarray]:
    """(classes, codes): the sorted distinct labels of y and each row's index into them.

    ValueError (naming the estimator's class) unless y holds class labels of two classes or
    more; scikit-learn's own error for continuous targets.
    """
    check_classification_targets(y)
    classes, codes = np.unique(y, return_inverse=True)
    if len(classes) < 2:
        raise ValueError(
            f"{type(estimator).__name__} needs at least two classes; got 1 class: "
            f"{classes.tolist()}."
        )
    return classes, codes
