#!/usr/bin/env python3
"""Train the two small scikit-learn iris models of the MLServer example.

Writes models/iris-v1/ and models/iris-v2/, each an MLServer model folder:
model.joblib (a LogisticRegression on sklearn's bundled iris data, no download) and
model-settings.json (name `iris`, implementation mlserver_sklearn.SKLearnModel, the version).
Deterministic: run it again with the same scikit-learn and the files come out the same.

  v1: the two sepal features only (a weaker model)   v2: all four features

Run with the python of a virtualenv holding mlserver-sklearn and scikit-learn==1.5.2
(the version the committed models were made with; joblib files are version-bound):
  python train.py
"""
import json
import os

import joblib
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

HERE = os.path.dirname(os.path.abspath(__file__))
VERSIONS = {"v1": [0, 1], "v2": [0, 1, 2, 3]}


def main():
    iris = load_iris()
    for version, columns in VERSIONS.items():
        # Every model takes all four features; v1 ignores the petal ones (zero weights).
        x = iris.data.copy()
        for column in range(4):
            if column not in columns:
                x[:, column] = 0.0
        model = LogisticRegression(max_iter=500).fit(x, iris.target)
        folder = os.path.join(HERE, "models", f"iris-{version}")
        os.makedirs(folder, exist_ok=True)
        joblib.dump(model, os.path.join(folder, "model.joblib"))
        settings = {
            "name": "iris",
            "implementation": "mlserver_sklearn.SKLearnModel",
            "parameters": {"uri": "./model.joblib", "version": version},
        }
        with open(os.path.join(folder, "model-settings.json"), "w") as f:
            json.dump(settings, f, indent=2, sort_keys=True)
            f.write("\n")
        print(f"{folder}: accuracy {model.score(x, iris.target):.3f}")


if __name__ == "__main__":
    main()
