"""The lecture's data sets, bundled or generated, never downloaded."""
import numpy as np


def sine_data(seed=42, n=200, true_w=(1.1, 2.5), noise=0.5):
    """x ~ U(0, 2.5 pi) sorted, y = sin(w0 + w1 x) + noise * N(0, 1).

    Draw order matters for reproducibility: all uniforms first, then all normals,
    from numpy's legacy generator.
    """
    rng = np.random.RandomState(seed)
    x = np.sort(rng.rand(n) * 2.5 * np.pi)
    y = np.sin(true_w[0] + true_w[1] * x) + noise * rng.randn(n)
    return x, y


def breast_cancer_features(features=("mean radius", "mean texture")):
    """Standardized columns of sklearn's bundled breast cancer data and the 0/1 target.

    Returns (X, t, target_names); sklearn codes 0 = malignant, 1 = benign.
    """
    from sklearn.datasets import load_breast_cancer
    from sklearn.preprocessing import StandardScaler

    data = load_breast_cancer()
    columns = [list(data.feature_names).index(f) for f in features]
    X = StandardScaler().fit_transform(data.data[:, columns])
    return X, data.target.astype(float), [str(n) for n in data.target_names]
