"""PyTorch CPU engine of @convnet-ts/bench: a long-lived child process.

Reads the bench's seeded data from raw little-endian float32 files (NHWC
tensors and [H, W, C, K] filters, as convnet-ts) described by
``manifest.json`` in the directory given as the first argument, then answers
one JSON request per line on stdin with one JSON line on stdout:

- ``{"op": "run", "row": "W1", "threads": 2}`` runs the row once (one timed
  repetition of the bench's interleaving; the bench times the round trip) and
  answers ``{"ms": <time measured here>}``;
- ``{"op": "checksum", "row": "W1"}``: sum and sum of |.| of a row's
  output, in float64, to prove the data is the same as convnet-ts's;
- ``{"op": "probe", "threads": 2}``: the best SGEMM rate (GFLOP/s) of
  ``torch.mm`` at 512^3, 1024^3 and 2048^3 (or ``"size"``/4, /2, 1), the best, on that many threads (a measured lower bound of the
  machine's native FMA peak);
- ``{"op": "route", "row": "W3", "threads": 2, "reps": 2}``: PyTorch's best
  route for the row at that thread count: the row's tensors in NCHW
  (``torch.contiguous_format``) and in ``torch.channels_last``, each run once
  untimed and then ``reps`` times, interleaved; the faster median is kept for
  every later ``run``/``checksum`` of the row at that thread count, and the
  answer is ``{"route": "channels_last", "times": {"nchw": ..., "channels_last": ...}}`` (ms)
  (W4, a matrix product, has one route: ``{"route": null}``);
- ``{"op": "quit"}``.

Layouts: NHWC -> NCHW, filters [H, W, C/g, K] -> [K, C/g, H, W], stored
contiguous or channels_last (oneDNN is faster with one or the other depending
on the shapes: the ``route`` op picks). Every workload is the same operation
as convnet-ts's (see ../src/workloads.ts).
"""

import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

DATA = sys.argv[1]
with open(os.path.join(DATA, "manifest.json"), encoding="utf-8") as fh:
    MANIFEST = json.load(fh)


def load(name):
    info = MANIFEST["tensors"][name]
    a = np.fromfile(os.path.join(DATA, info["file"]), dtype="<f4").reshape(info["shape"])
    return torch.from_numpy(a)


FORMATS = {"nchw": torch.contiguous_format, "channels_last": torch.channels_last}
# The memory format of the row being run (set by run_row from ROUTES).
CURRENT = ["nchw"]
# (row, threads) -> the chosen format's name.
ROUTES = {}


def nchw(t):
    return t.permute(0, 3, 1, 2).contiguous(memory_format=FORMATS[CURRENT[0]])


def filters(t):
    return t.permute(3, 2, 0, 1).contiguous(memory_format=FORMATS[CURRENT[0]])


CACHE = {}


def cached(key, make):
    key = (key, CURRENT[0])
    if key not in CACHE:
        CACHE[key] = make()
    return CACHE[key]


def conv_data():
    return cached("conv", lambda: (nchw(load("x")), filters(load("f")), nchw(load("dy"))))


def conv_backward(mask):
    x, f, dy = conv_data()
    return torch.ops.aten.convolution_backward(dy, x, f, None, [1, 1], [MANIFEST["pad"]] * 2, [1, 1], False, [0, 0], 1, mask)


def network(key, prefix, input_name):
    """A network's input NCHW, its 0-based labels and its parameters [f0, b0, f1, b1, ...] with gradients on."""

    def make():
        params = []
        for i in range(len(MANIFEST[key])):
            params.append(filters(load(f"{prefix}{i}f")).requires_grad_())
            params.append(load(f"{prefix}{i}b").clone().requires_grad_())
        labels = torch.tensor([v - 1 for v in MANIFEST[key + "Labels"]], dtype=torch.long)
        return nchw(load(input_name)), labels, params

    return cached(key, make)


def sgd(loss, params, rate):
    loss.backward()
    with torch.no_grad():
        for p in params:
            p.sub_(rate * p.grad)
            p.grad = None


def lenet_step():
    x, labels, params = network("lenet", "lenet", "lenetX")
    h = x
    for i, layer in enumerate(MANIFEST["lenet"]):
        h = F.conv2d(h, params[2 * i], params[2 * i + 1])
        if layer["after"] == "pool":
            h = F.max_pool2d(h, 2, 2)
        elif layer["after"] == "relu":
            h = F.relu(h)
    loss = F.cross_entropy(h.reshape(h.shape[0], -1), labels, reduction="sum")
    sgd(loss, params, MANIFEST["lenetRate"])
    return loss


def alexnet_step():
    x, labels, params = network("alexnet", "alex", "alexX")
    h = x
    for i, layer in enumerate(MANIFEST["alexnet"]):
        w = params[2 * i]
        groups = h.shape[1] // w.shape[1]
        h = F.conv2d(h, w, params[2 * i + 1], stride=layer["stride"], padding=layer["pad"], groups=groups)
        if layer["relu"]:
            h = F.relu(h)
        if layer["pool"]:
            h = F.max_pool2d(h, 3, 2)
        if layer["dropout"]:
            h = F.dropout(h, 0.5, training=True)
    loss = F.cross_entropy(h.reshape(h.shape[0], -1), labels, reduction="sum")
    sgd(loss, params, MANIFEST["alexnetRate"])
    return loss


def gemm():
    a, b = cached("gemm", lambda: (load("gemmA").contiguous(), load("gemmB").contiguous()))
    return torch.mm(a, b)


def w1():
    x, f, _ = conv_data()
    return F.conv2d(x, f, padding=MANIFEST["pad"])


ROWS = {
    "W1": w1,
    "W2 dzdx": lambda: conv_backward([True, False, False])[0],
    "W2 dzdf": lambda: conv_backward([False, True, False])[1],
    "W3": lenet_step,
    "W4": gemm,
    "W5": alexnet_step,
}

# Rows whose tensors have a memory format (W4 is a plain matrix product).
FORMATTED = {"W1", "W2 dzdx", "W2 dzdf", "W3", "W5"}

THREADS = [0]


def threads(n):
    if n != THREADS[0]:
        torch.set_num_threads(n)
        THREADS[0] = n


def probe(n, size):
    """The best GFLOP/s of torch.mm at size/4, size/2 and size (cubes): BLAS runs nearest its peak
    at a size that depends on the caches, so one size alone can read low."""
    threads(n)
    best = 0.0
    for s in (size // 4, size // 2, size):
        a = torch.randn(s, s)
        b = torch.randn(s, s)
        torch.mm(a, b)
        for _ in range(4 if s == size else 8):
            t0 = time.perf_counter()
            torch.mm(a, b)
            best = max(best, 2 * s**3 / (time.perf_counter() - t0) / 1e9)
    return best


def run_row(row, threads_now, fmt=None):
    """Runs a row once in `fmt` (default: its chosen route at this thread count, else NCHW)."""
    threads(threads_now)
    CURRENT[0] = fmt or ROUTES.get((row, threads_now), "nchw")
    return ROWS[row]()


def choose_route(row, n, reps):
    """Times the row in each memory format (one untimed run each, then `reps` interleaved) and keeps the faster."""
    if row not in FORMATTED:
        return {"route": None}
    times = {name: [] for name in FORMATS}
    for name in FORMATS:
        run_row(row, n, name)
    for _ in range(reps):
        for name in FORMATS:
            t0 = time.perf_counter()
            y = run_row(row, n, name)
            times[name].append((time.perf_counter() - t0) * 1e3)
            del y
    med = {name: sorted(v)[len(v) // 2] for name, v in times.items()}
    ROUTES[(row, n)] = min(med, key=med.get)
    return {"route": ROUTES[(row, n)], "times": med}


def answer(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main():
    torch.set_num_interop_threads(1)
    torch.set_grad_enabled(True)
    answer({"ready": True, "torch": torch.__version__, "config": torch.__config__.parallel_info().splitlines()[:6]})
    for line in sys.stdin:
        req = json.loads(line)
        try:
            op = req["op"]
            if op == "quit":
                break
            if op == "run":
                t0 = time.perf_counter()
                y = run_row(req["row"], req["threads"])
                ms = (time.perf_counter() - t0) * 1e3
                del y
                answer({"ms": ms})
            elif op == "checksum":
                with torch.no_grad():
                    y = run_row(req["row"], req.get("threads", THREADS[0] or 1)).double()
                answer({"sums": [float(y.sum()), float(y.abs().sum())]})
            elif op == "route":
                answer(choose_route(req["row"], req["threads"], req.get("reps", 2)))
            elif op == "probe":
                answer({"gflops": probe(req["threads"], req.get("size", 2048))})
            else:
                answer({"error": f"unknown op {op}"})
        except Exception as e:  # noqa: BLE001 - the bench reports it as the cell's failure
            answer({"error": f"{type(e).__name__}: {e}"})


if __name__ == "__main__":
    main()
