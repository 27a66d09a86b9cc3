"""A FastAPI app serving the repository's iris model (models/iris-v*.json) under uvicorn.

MODEL_PATH and MODEL_VERSION come from Mooring ({{model.path}}, {{model.version}}).
/healthz answers 200 only once the model is loaded; POST /predict classifies.
"""
import json
import math
import os

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

app = FastAPI()
state = {}


@app.on_event("startup")
def load_model():
    with open(os.environ["MODEL_PATH"]) as f:
        state["model"] = json.load(f)


class Features(BaseModel):
    features: dict[str, float]


@app.get("/healthz")
def healthz():
    if "model" not in state:
        raise HTTPException(status_code=503, detail="model not loaded")
    return {"status": "ok", "version": os.environ.get("MODEL_VERSION", "")}


@app.post("/predict")
def predict(body: Features):
    model = state["model"]
    x = [(body.features[name] - mean) / scale
         for name, mean, scale in zip(model["features"], model["mean"], model["scale"])]
    scores = [sum(w * v for w, v in zip(row, x)) + b for row, b in zip(model["coef"], model["intercept"])]
    top = max(range(len(scores)), key=lambda i: scores[i])
    total = sum(math.exp(s - scores[top]) for s in scores)
    return {"class": model["classes"][top], "probability": 1 / total, "version": os.environ.get("MODEL_VERSION", "")}
