#!/usr/bin/env python3
"""A tiny model server for Mooring's example: one iris logistic-regression model over the
Open Inference Protocol (KServe V2) REST subset. Python standard library only.

  GET  /v2                                   server metadata
  GET  /v2/health/live                       200 while the process serves
  GET  /v2/health/ready   (alias /healthz)   200 once loaded and --ready-delay has passed, else 503
  GET  /v2/models/{name}[/versions/{v}]        model metadata (name, versions, inputs, outputs)
  GET  /v2/models/{name}[/versions/{v}]/ready  same readiness as /v2/health/ready
  POST /v2/models/{name}[/versions/{v}]/infer  predictions for an [N, F] FP32 tensor

The first line on stdout is "listening on http://HOST:PORT" (useful with --port 0, which
lets the kernel pick a free port). Errors are JSON {"error": "..."} with status 400/404/405/413.
A missing or invalid model file exits 1 at start; SIGTERM/SIGINT shut down and exit 0.

Usage:
  kserve_v2_server.py --model models/iris-v2.json --port 8080 [--host 127.0.0.1]
                      [--name iris] [--ready-delay 0] [--wrong] [--latency-ms 0]
  --wrong and --latency-ms make a deliberately bad version (every prediction names the
  next class; every inference answers this many milliseconds late), to show model tests
  catching it.
  (--model defaults to $MODEL_PATH, --port to $PORT)
"""

import argparse
import json
import math
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PROG = "kserve_v2_server"
PLATFORM = "mooring-logreg"
INPUT_NAME = "input-0"
MAX_BODY_BYTES = 16 * 1024 * 1024
NUMERIC_DATATYPES = {"FP16", "FP32", "FP64", "INT8", "INT16", "INT32", "INT64",
                     "UINT8", "UINT16", "UINT32", "UINT64"}


class ModelError(Exception):
    """The model file cannot be used."""


class RequestError(Exception):
    """A client error, answered with `status` and {"error": message}."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


class Model:
    """A multinomial logistic regression read from the JSON written by train_iris.py."""

    def __init__(self, path):
        try:
            with open(path, encoding="utf-8") as handle:
                doc = json.load(handle)
        except OSError as error:
            raise ModelError(f"cannot read model file {path}: {error.strerror}") from error
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise ModelError(f"model file {path} is not valid JSON: {error}") from error
        if not isinstance(doc, dict):
            raise ModelError(f"model file {path} must hold a JSON object")

        def field(key, kind):
            value = doc.get(key)
            if not isinstance(value, kind):
                raise ModelError(f"model file {path}: field '{key}' is missing or not a {kind.__name__}")
            return value

        self.name = field("name", str)
        self.version = str(doc.get("version", ""))
        if not self.name or not self.version:
            raise ModelError(f"model file {path}: 'name' and 'version' must be non-empty")
        framework = doc.get("framework", PLATFORM)
        if framework != PLATFORM:
            raise ModelError(f"model file {path}: framework '{framework}' is not '{PLATFORM}'")
        self.features = field("features", list)
        # The columns a request carries, in order; the model uses the "features" among them.
        self.inputs = doc.get("inputs", self.features)
        if (not isinstance(self.inputs, list) or not all(isinstance(n, str) for n in self.inputs)
                or len(set(self.inputs)) != len(self.inputs)):
            raise ModelError(f"model file {path}: 'inputs' must be a list of distinct column names")
        missing = [n for n in self.features if n not in self.inputs]
        if missing:
            raise ModelError(f"model file {path}: feature '{missing[0]}' is not one of the inputs")
        self.columns = [self.inputs.index(n) for n in self.features]
        self.classes = field("classes", list)
        self.mean = field("mean", list)
        self.scale = field("scale", list)
        self.coef = field("coef", list)
        self.intercept = field("intercept", list)
        f, k = len(self.features), len(self.classes)
        if f == 0 or k < 2:
            raise ModelError(f"model file {path}: needs at least one feature and two classes")
        if not all(isinstance(c, str) for c in self.classes):
            raise ModelError(f"model file {path}: 'classes' must be strings")
        vectors = {"mean": (self.mean, f), "scale": (self.scale, f), "intercept": (self.intercept, k)}
        for key, (values, length) in vectors.items():
            if len(values) != length or not all(_is_number(v) for v in values):
                raise ModelError(f"model file {path}: '{key}' must hold {length} numbers")
        if any(s == 0 for s in self.scale):
            raise ModelError(f"model file {path}: 'scale' must not contain 0")
        if len(self.coef) != k or not all(
                isinstance(row, list) and len(row) == f and all(_is_number(v) for v in row)
                for row in self.coef):
            raise ModelError(f"model file {path}: 'coef' must be {k} rows of {f} numbers")

    def predict(self, row):
        """Returns (class label, class probabilities) for one request row (all inputs)."""
        z = [(row[c] - m) / s for c, m, s in zip(self.columns, self.mean, self.scale)]
        scores = [b + sum(w * x for w, x in zip(ws, z)) for ws, b in zip(self.coef, self.intercept)]
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        probs = [e / total for e in exps]
        best = max(range(len(probs)), key=lambda c: probs[c])
        return self.classes[best], probs

    def metadata(self, served_name):
        f, k = len(self.inputs), len(self.classes)
        return {
            "name": served_name,
            "versions": [self.version],
            "platform": PLATFORM,
            "inputs": [{"name": INPUT_NAME, "datatype": "FP32", "shape": [-1, f]}],
            "outputs": [
                {"name": "label", "datatype": "BYTES", "shape": [-1]},
                {"name": "probabilities", "datatype": "FP32", "shape": [-1, k]},
            ],
            "parameters": {"columns": self.inputs, "features_used": self.features,
                           "classes": self.classes},
        }


def _flatten(data, path="data"):
    """Flattens nested lists of numbers; raises RequestError naming the first bad element."""
    out = []
    stack = [(data, path)]
    while stack:
        value, where = stack.pop()
        if isinstance(value, list):
            stack.extend(reversed([(v, f"{where}[{i}]") for i, v in enumerate(value)]))
        elif _is_number(value):
            out.append(float(value))
        else:
            raise RequestError(400, f"{where} is {json.dumps(value)[:40]}, expected a finite number")
    return out


def infer_delay(body):
    """`parameters.delay_seconds` of an infer body (0-30): answer that much later, like a
    slow generation — for tests of requests in flight during a cutover."""
    parameters = json.loads(body).get("parameters") or {}
    delay = parameters.get("delay_seconds", 0) if isinstance(parameters, dict) else 0
    if isinstance(delay, bool) or not isinstance(delay, (int, float)) or not 0 <= delay <= 30:
        raise RequestError(400, f"parameters.delay_seconds must be a number from 0 to 30, got {json.dumps(delay)}")
    return float(delay)


def parse_infer_request(body, model):
    """Validates a V2 infer body; returns (request id or None, rows, requested output names)."""
    try:
        doc = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise RequestError(400, f"request body is not valid JSON: {error}") from error
    if not isinstance(doc, dict):
        raise RequestError(400, "request body must be a JSON object with an 'inputs' list")
    inputs = doc.get("inputs")
    if not isinstance(inputs, list) or len(inputs) != 1 or not isinstance(inputs[0], dict):
        raise RequestError(400, f"'inputs' must be a list holding exactly one tensor "
                                f"('{INPUT_NAME}', shape [N, {len(model.inputs)}])")
    tensor = inputs[0]
    name = tensor.get("name", INPUT_NAME)
    datatype = tensor.get("datatype", "FP32")
    if datatype not in NUMERIC_DATATYPES:
        raise RequestError(400, f"input '{name}' has datatype {json.dumps(datatype)}, expected FP32")
    f = len(model.inputs)
    shape = tensor.get("shape")
    if (not isinstance(shape, list) or len(shape) != 2
            or not all(isinstance(d, int) and not isinstance(d, bool) for d in shape)
            or shape[0] < 1):
        raise RequestError(400, f"input '{name}' has shape {json.dumps(shape)}, expected [N, {f}] with N >= 1")
    if shape[1] != f:
        raise RequestError(400, f"input '{name}' has {shape[1]} features per row, the model "
                                f"takes {f} ({', '.join(model.inputs)})")
    if "data" not in tensor:
        raise RequestError(400, f"input '{name}' has no 'data'")
    values = _flatten(tensor["data"], f"inputs[0].data")
    if len(values) != shape[0] * f:
        raise RequestError(400, f"input '{name}' has {len(values)} numbers, shape "
                                f"{json.dumps(shape)} needs {shape[0] * f}")
    rows = [values[i * f:(i + 1) * f] for i in range(shape[0])]

    request_id = doc.get("id")
    if request_id is not None and not isinstance(request_id, str):
        raise RequestError(400, "'id' must be a string")
    wanted = ["label", "probabilities"]
    outputs = doc.get("outputs")
    if outputs is not None:
        if not isinstance(outputs, list) or not all(isinstance(o, dict) for o in outputs):
            raise RequestError(400, "'outputs' must be a list of {\"name\": ...} objects")
        names = [o.get("name") for o in outputs]
        unknown = [n for n in names if n not in wanted]
        if unknown:
            raise RequestError(400, f"unknown output {json.dumps(unknown[0])}; "
                                    f"this model has 'label' and 'probabilities'")
        wanted = names or wanted
    return request_id, rows, wanted


class State:
    """What the handlers share: the model, its served name, and when it becomes ready."""

    def __init__(self, model, served_name, ready_at, wrong=False, latency_ms=0.0, error_ratio=0.0):
        self.model = model
        self.served_name = served_name
        self.ready_at = ready_at
        self.wrong = wrong
        self.latency_ms = latency_ms
        self.error_ratio = error_ratio
        self._answered = 0
        self._lock = threading.Lock()

    def injects_failure(self):
        """Whether this model request gets an injected 500: exactly `error_ratio` of them,
        spread evenly (the n-th fails when floor(n * ratio) grows)."""
        if self.error_ratio <= 0:
            return False
        with self._lock:
            before = int(self._answered * self.error_ratio)
            self._answered += 1
            return int(self._answered * self.error_ratio) > before

    def ready(self):
        return time.monotonic() >= self.ready_at


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "mooring-kserve-v2-example/1"
    timeout = 60  # idle keep-alive connections are closed after this many seconds
    state: State  # set on the subclass built in main()

    # -- plumbing -------------------------------------------------------------------------

    def log_message(self, format, *args):  # noqa: A002 - signature from the base class
        sys.stderr.write(f"{PROG}: {format % args}\n")

    def log_request(self, code="-", size="-"):
        code = getattr(code, "value", code)
        sys.stderr.write(f"{PROG}: {self.command} {self.path} {code}\n")

    def _send(self, status, doc):
        body = (json.dumps(doc, separators=(",", ":")) + "\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, status, message):
        self._send(status, {"error": message})

    def _route(self):
        """Splits the path; returns (kind, rest) or raises RequestError for unknown routes."""
        path = self.path.split("?", 1)[0].rstrip("/") or "/"
        parts = path.strip("/").split("/")
        if path == "/healthz":
            return "ready", None
        if parts[:1] != ["v2"]:
            raise RequestError(404, f"no route for {path}; try /v2/health/ready or /v2/models/{self.state.served_name}")
        rest = parts[1:]
        if rest == []:
            return "server", None
        if rest in (["health", "live"], ["health", "ready"]):
            return rest[1], None
        if len(rest) >= 2 and rest[0] == "models":
            name, tail = rest[1], rest[2:]
            if name != self.state.served_name:
                raise RequestError(404, f"model '{name}' is not served here; this server serves '{self.state.served_name}'")
            if len(tail) >= 2 and tail[0] == "versions":
                if tail[1] != self.state.model.version:
                    raise RequestError(404, f"model '{name}' has no version '{tail[1]}'; "
                                            f"this server serves version '{self.state.model.version}'")
                tail = tail[2:]
            if tail == []:
                return "metadata", None
            if tail == ["ready"]:
                return "ready", None
            if tail == ["infer"]:
                return "infer", None
        raise RequestError(404, f"no route for {path}")

    # -- methods --------------------------------------------------------------------------

    def do_GET(self):  # noqa: N802 - name from the base class
        try:
            kind, _ = self._route()
            if kind == "live":
                self._send(200, {"live": True})
            elif kind == "ready":
                ready = self.state.ready()
                self._send(200 if ready else 503, {"ready": ready})
            elif kind == "server":
                self._send(200, {"name": "mooring-kserve-v2-example", "version": "1", "extensions": []})
            elif kind == "metadata":
                if self.state.injects_failure():
                    raise RequestError(500, "injected failure (--error-ratio)")
                self._send(200, self.state.model.metadata(self.state.served_name))
            else:
                raise RequestError(405, f"{self.path} takes POST")
        except RequestError as error:
            self._error(error.status, error.message)

    do_HEAD = do_GET

    def do_POST(self):  # noqa: N802
        try:
            kind, _ = self._route()
            if kind != "infer":
                raise RequestError(405, f"{self.path} takes GET")
            body = self._read_body()
            if not self.state.ready():
                raise RequestError(503, "model is not ready yet")
            if self.state.injects_failure():
                raise RequestError(500, "injected failure (--error-ratio)")
            request_id, rows, wanted = parse_infer_request(body, self.state.model)
            if self.state.latency_ms:
                time.sleep(self.state.latency_ms / 1000)
            delay = infer_delay(body)
            if delay:
                time.sleep(delay)
            labels, probs = [], []
            classes = self.state.model.classes
            for row in rows:
                label, p = self.state.model.predict(row)
                if self.state.wrong:
                    label = classes[(classes.index(label) + 1) % len(classes)]
                labels.append(label)
                probs.extend(round(v, 6) for v in p)
            all_outputs = {
                "label": {"name": "label", "shape": [len(rows)], "datatype": "BYTES", "data": labels},
                "probabilities": {"name": "probabilities", "shape": [len(rows), len(self.state.model.classes)],
                                  "datatype": "FP32", "data": probs},
            }
            response = {"model_name": self.state.served_name, "model_version": self.state.model.version}
            if request_id is not None:
                response["id"] = request_id
            response["outputs"] = [all_outputs[name] for name in wanted]
            self._send(200, response)
        except RequestError as error:
            self._error(error.status, error.message)

    def _read_body(self):
        length = self.headers.get("Content-Length")
        if length is None:
            raise RequestError(411, "Content-Length is required")
        try:
            size = int(length)
        except ValueError as error:
            raise RequestError(400, f"Content-Length '{length}' is not a number") from error
        if size < 0 or size > MAX_BODY_BYTES:
            self.close_connection = True
            raise RequestError(413, f"request body of {size} bytes is over the {MAX_BODY_BYTES} byte limit")
        return self.rfile.read(size)


def main(argv):
    stop = threading.Event()
    # Install the handlers first, so a SIGTERM during start-up is a clean exit too.
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    parser = argparse.ArgumentParser(prog=PROG, description="Serve an iris model over KServe V2 REST.")
    parser.add_argument("--model", default=os.environ.get("MODEL_PATH"),
                        help="model JSON file (default: $MODEL_PATH)")
    parser.add_argument("--port", type=int, default=os.environ.get("PORT"),
                        help="TCP port; 0 picks a free one (default: $PORT)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument("--name", default=None, help="model name in routes (default: the file's 'name')")
    parser.add_argument("--ready-delay", type=float, default=0.0, metavar="SECONDS",
                        help="answer 503 on readiness for this long after start (default: 0)")
    parser.add_argument("--exit-delay", type=float, default=0.0, metavar="SECONDS",
                        help="after SIGTERM, keep serving this long before exiting, as a server "
                             "draining its requests does (default: 0)")
    parser.add_argument("--wrong", action="store_true",
                        help="predict the wrong class on purpose (the next one), for testing gates")
    parser.add_argument("--latency-ms", type=float, default=0.0, metavar="MS",
                        help="answer every inference this many milliseconds late (default: 0)")
    parser.add_argument("--error-ratio", type=float, default=0.0, metavar="R",
                        help="answer 500 to this share (0-1) of model requests (metadata and infer; "
                             "health checks are unaffected), for testing canary analysis (default: 0)")
    args = parser.parse_args(argv)
    if not args.model:
        parser.error("no model: pass --model PATH or set MODEL_PATH")
    if args.port is None:
        parser.error("no port: pass --port N or set PORT")
    if not 0 <= args.port <= 65535:
        parser.error(f"--port {args.port} is out of range 0-65535")
    if args.ready_delay < 0:
        parser.error("--ready-delay must not be negative")
    if args.exit_delay < 0:
        parser.error("--exit-delay must not be negative")
    if args.latency_ms < 0:
        parser.error("--latency-ms must not be negative")
    if not 0 <= args.error_ratio <= 1:
        parser.error("--error-ratio must be between 0 and 1")

    try:
        model = Model(args.model)
    except ModelError as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return 1
    started = time.monotonic()

    handler = type("BoundHandler", (Handler,), {
        "state": State(model, args.name or model.name, started + args.ready_delay,
                       wrong=args.wrong, latency_ms=args.latency_ms, error_ratio=args.error_ratio)})
    try:
        server = ThreadingHTTPServer((args.host, args.port), handler)
    except OSError as error:
        print(f"{PROG}: cannot listen on {args.host}:{args.port}: {error.strerror}", file=sys.stderr)
        return 1
    host, port = server.server_address[:2]
    print(f"listening on http://{host}:{port}", flush=True)
    print(f"{PROG}: serving model '{args.name or model.name}' version {model.version} "
          f"from {args.model} on {host}:{port}", file=sys.stderr, flush=True)

    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    thread.start()
    while not stop.wait(0.5):
        pass
    if args.exit_delay:
        print(f"{PROG}: draining for {args.exit_delay:g}s before shutting down", file=sys.stderr, flush=True)
        time.sleep(args.exit_delay)
    print(f"{PROG}: shutting down", file=sys.stderr, flush=True)
    server.shutdown()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
