#!/usr/bin/env python3
"""Calls an Open Inference Protocol (KServe V2) model the way a client would. Standard
library only.

  infer.py URL [--model iris]
      one prediction for the first iris row: prints "version 2: class 0 (HTTP 200, 3 ms)"

  infer.py URL --load SECONDS [--interval 0.05] [--report FILE]
      calls URL every --interval seconds until SECONDS pass (or SIGTERM/SIGINT), then prints
      and writes to --report: requests, failed, and how many each model version answered.
      A failure is anything but HTTP 200 with a prediction: a refused connection, a reset,
      a timeout (10 s), a 5xx.
"""

import argparse
import json
import signal
import sys
import time
import urllib.error
import urllib.request

ROW = [5.1, 3.5, 1.4, 0.2]


def infer(base, model, timeout=10.0):
    """One request; returns (version, class) or raises with the reason."""
    body = json.dumps({"inputs": [{"name": "input-0", "shape": [1, 4], "datatype": "FP32", "data": ROW}]}).encode()
    request = urllib.request.Request(f"{base.rstrip('/')}/v2/models/{model}/infer", data=body,
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        answer = json.load(response)
    outputs = answer.get("outputs") or [{}]
    return answer.get("model_version", "?"), (outputs[0].get("data") or ["?"])[0]


def load(base, model, seconds, interval, report):
    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    signal.signal(signal.SIGINT, lambda *_: stop.update(now=True))
    total, failed, versions, reasons = 0, 0, {}, {}
    deadline = time.monotonic() + seconds
    while not stop["now"] and time.monotonic() < deadline:
        total += 1
        try:
            version, _ = infer(base, model)
            versions[version] = versions.get(version, 0) + 1
        except (urllib.error.URLError, OSError, ValueError) as error:
            failed += 1
            reason = str(getattr(error, "reason", error))
            reasons[reason] = reasons.get(reason, 0) + 1
        time.sleep(interval)
    summary = {"requests": total, "failed": failed, "versions": versions, "failures": reasons}
    line = (f"{total} requests, {failed} failed; answered by "
            + (", ".join(f"v{v}: {n}" for v, n in sorted(versions.items())) or "nobody"))
    print(line, flush=True)
    if report:
        with open(report, "w") as handle:
            json.dump(summary, handle)
    return 0 if failed == 0 else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url", help="the model server's base URL, such as http://127.0.0.1:8080")
    parser.add_argument("--model", default="iris")
    parser.add_argument("--load", type=float, metavar="SECONDS")
    parser.add_argument("--interval", type=float, default=0.05)
    parser.add_argument("--report")
    args = parser.parse_args()
    if args.load is not None:
        return load(args.url, args.model, args.load, args.interval, args.report)
    started = time.monotonic()
    try:
        version, label = infer(args.url, args.model)
    except urllib.error.HTTPError as error:
        print(f"HTTP {error.code}: {error.read().decode(errors='replace')[:200]}")
        return 1
    except (urllib.error.URLError, OSError) as error:
        print(f"no answer from {args.url}: {getattr(error, 'reason', error)}")
        return 1
    print(f"version {version}: class {label} (HTTP 200, {(time.monotonic() - started) * 1000:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
