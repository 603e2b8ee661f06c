"""trainyard algorithms."""

from algorithms.linear import DeltaRuleClassifier, RandomWeightsClassifier

__all__ = ["DeltaRuleClassifier", "RandomWeightsClassifier"]
