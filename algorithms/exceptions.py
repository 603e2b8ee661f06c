"""Warnings shared by the iterative solvers."""


class ConvergenceWarning(UserWarning):
    """An iterative solver stopped (max_iter reached, no more progress) before its tolerance."""
