"""Support vector machines: LinearSVC (liblinear's solvers) and SVC (libsvm's SMO)."""

from algorithms.svm.linear_svc import LinearSVC
from algorithms.svm.svc import SVC

__all__ = ["SVC", "LinearSVC"]
