#!/usr/bin/env python3
"""Train the two example iris models Mooring deploys (standard library only).

Multinomial (softmax) logistic regression on standardised features, fitted by full-batch
gradient descent from all-zero weights. There is no randomness anywhere, so running this
script again reproduces models/iris-v1.json and models/iris-v2.json byte for byte.

  v1: only the two sepal features, few epochs  -> a deliberately weaker model
  v2: all four features, more epochs           -> the model you want in production

Usage: python3 examples/train/train_iris.py [--data CSV] [--out-dir DIR]
"""

import argparse
import csv
import json
import math
import os
import sys

CLASSES = ["setosa", "versicolor", "virginica"]
ALL_FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]

# Each version: which features it sees and how long it trains.
VERSIONS = [
    {"version": "1", "features": ["sepal_length", "sepal_width"], "epochs": 60,
     "learning_rate": 0.1},
    {"version": "2", "features": ALL_FEATURES, "epochs": 2000, "learning_rate": 0.5},
]

DECIMALS = 6


def load(path):
    """Returns (rows of floats keyed by feature name, class indices)."""
    rows, labels = [], []
    with open(path, newline="") as handle:
        for record in csv.DictReader(handle):
            rows.append({name: float(record[name]) for name in ALL_FEATURES})
            labels.append(CLASSES.index(record["species"]))
    return rows, labels


def softmax(scores):
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    total = sum(exps)
    return [e / total for e in exps]


def train(rows, labels, features, epochs, learning_rate):
    n, k, f = len(rows), len(CLASSES), len(features)
    columns = [[row[name] for row in rows] for name in features]
    mean = [sum(col) / n for col in columns]
    # Population standard deviation, as scikit-learn's StandardScaler uses.
    scale = [math.sqrt(sum((v - m) ** 2 for v in col) / n) for col, m in zip(columns, mean)]
    x = [[(row[name] - mean[j]) / scale[j] for j, name in enumerate(features)] for row in rows]

    coef = [[0.0] * f for _ in range(k)]
    intercept = [0.0] * k
    for _ in range(epochs):
        grad_w = [[0.0] * f for _ in range(k)]
        grad_b = [0.0] * k
        for xi, yi in zip(x, labels):
            probs = softmax([intercept[c] + sum(w * v for w, v in zip(coef[c], xi))
                             for c in range(k)])
            for c in range(k):
                err = probs[c] - (1.0 if c == yi else 0.0)
                grad_b[c] += err
                for j in range(f):
                    grad_w[c][j] += err * xi[j]
        for c in range(k):
            intercept[c] -= learning_rate * grad_b[c] / n
            for j in range(f):
                coef[c][j] -= learning_rate * grad_w[c][j] / n
    return mean, scale, coef, intercept


def predict(model, row):
    """Predicts a class index for one row, using the model's rounded (published) numbers."""
    z = [(row[name] - m) / s for name, m, s in zip(model["features"], model["mean"], model["scale"])]
    scores = [b + sum(w * v for w, v in zip(ws, z))
              for ws, b in zip(model["coef"], model["intercept"])]
    return max(range(len(scores)), key=lambda c: scores[c])


def rounded(value):
    if isinstance(value, list):
        return [rounded(v) for v in value]
    return round(value, DECIMALS)


def build(rows, labels, spec):
    mean, scale, coef, intercept = train(rows, labels, spec["features"], spec["epochs"],
                                         spec["learning_rate"])
    model = {
        "name": "iris",
        "version": spec["version"],
        "framework": "mooring-logreg",
        # Every version takes the same request columns, so clients need not change when a
        # deployment rolls forward or back; "features" are the columns this version uses.
        "inputs": ALL_FEATURES,
        "features": spec["features"],
        "classes": CLASSES,
        "mean": rounded(mean),
        "scale": rounded(scale),
        "coef": rounded(coef),
        "intercept": rounded(intercept),
        "training": {"epochs": spec["epochs"], "learning_rate": spec["learning_rate"],
                     "rows": len(rows)},
    }
    correct = sum(1 for row, y in zip(rows, labels) if predict(model, row) == y)
    model["training_accuracy"] = round(correct / len(rows), 4)
    return model


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.normpath(os.path.join(here, "..", ".."))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.path.join(root, "examples", "data", "iris.csv"))
    parser.add_argument("--out-dir", default=os.path.join(root, "models"))
    args = parser.parse_args(argv)

    rows, labels = load(args.data)
    os.makedirs(args.out_dir, exist_ok=True)
    for spec in VERSIONS:
        model = build(rows, labels, spec)
        path = os.path.join(args.out_dir, f"iris-v{spec['version']}.json")
        with open(path, "w") as handle:
            json.dump(model, handle, indent=2)
            handle.write("\n")
        print(f"wrote {path}: features={len(model['features'])} "
              f"training_accuracy={model['training_accuracy']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
