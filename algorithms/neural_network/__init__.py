"""Neural networks trained by backpropagation: perceptrons, the autoencoder, a small CNN."""

from algorithms.neural_network._autoencoder import Autoencoder
from algorithms.neural_network._cnn import CNNClassifier
from algorithms.neural_network._mlp import MLPClassifier, MLPRegressor

__all__ = ["Autoencoder", "CNNClassifier", "MLPClassifier", "MLPRegressor"]
