"""Linear threshold classifiers of the viral-post chapters: random weights, the delta rule."""

from algorithms.linear.delta_rule import DeltaRuleClassifier
from algorithms.linear.random_weights import RandomWeightsClassifier

__all__ = ["DeltaRuleClassifier", "RandomWeightsClassifier"]
