#!/usr/bin/env python3
"""The PyTorch peer of medrepro_benchmark: the same rows, measured in PyTorch.

medrepro_benchmark writes the rows it wants (shapes, budgets) to a JSON file and
runs this script; the timings come back as JSON on stdout (progress on stderr).
The four CNNs below are papers/khan_yong_anatomy/models.cpp written in torch.nn,
layer for layer: sizes, strides, padding, Caffe's ceil-mode pooling, LRN,
dropout and GoogLeNet's two auxiliary heads (loss weight 0.3); the M-Net is
papers/wong_segmentation_features/mnet.cpp (skip reading A).

  peer_pytorch.py --probe                     versions and devices, as JSON
  peer_pytorch.py --rows ROWS.json --device cpu|cuda [--tf32 on|off]
"""
import argparse
import json
import os
import sys
import time

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as error:
    print(f"peer_pytorch.py: this Python has no torch ({error})", file=sys.stderr)
    sys.exit(3)


# ---------------------------------------------------------------- models

def caffe_max_pool(kernel, stride):
    return nn.MaxPool2d(kernel, stride, ceil_mode=True)


def lrn():
    return nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=1.0)  # Caffe's defaults, as core/ops/lrn.h


def flat_features(layers, size):
    with torch.no_grad():
        return layers(torch.zeros(1, 1, size, size)).numel()


class LeNet(nn.Module):
    def __init__(self, size, classes):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 20, 5), nn.MaxPool2d(2, 2), nn.Conv2d(20, 50, 5),
                                      nn.MaxPool2d(2, 2), nn.Flatten())
        self.classifier = nn.Sequential(nn.Linear(flat_features(self.features, size), 500), nn.ReLU(),
                                        nn.Linear(500, classes))

    def forward(self, x):
        return [self.classifier(self.features(x))]


def alexnet_conv1():
    return [nn.Conv2d(1, 96, 11, 4), nn.ReLU(), lrn(), caffe_max_pool(3, 2)]


class AlexNet(nn.Module):
    def __init__(self, size, classes):
        super().__init__()
        self.features = nn.Sequential(
            *alexnet_conv1(),
            nn.Conv2d(96, 256, 5, 1, 2), nn.ReLU(), lrn(), caffe_max_pool(3, 2),
            nn.Conv2d(256, 384, 3, 1, 1), nn.ReLU(),
            nn.Conv2d(384, 384, 3, 1, 1), nn.ReLU(),
            nn.Conv2d(384, 256, 3, 1, 1), nn.ReLU(), caffe_max_pool(3, 2), nn.Flatten())
        self.classifier = nn.Sequential(
            nn.Linear(flat_features(self.features, size), 4096), nn.ReLU(), nn.Dropout(0.5),
            nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5), nn.Linear(4096, classes))

    def forward(self, x):
        return [self.classifier(self.features(x))]


class ProposedCNN(nn.Module):
    def __init__(self, size, classes):
        super().__init__()
        self.features = nn.Sequential(
            *alexnet_conv1(),
            nn.Conv2d(96, 256, 5, 2, 2), nn.ReLU(),
            nn.Conv2d(256, 384, 3, 2, 1), nn.ReLU(),
            nn.Conv2d(384, 256, 3, 2, 1), nn.ReLU(), nn.Flatten())
        self.classifier = nn.Sequential(nn.Linear(flat_features(self.features, size), 4096), nn.ReLU(),
                                        nn.Linear(4096, classes))

    def forward(self, x):
        return [self.classifier(self.features(x))]


class Inception(nn.Module):
    def __init__(self, inputs, c1, r3, c3, r5, c5, pool_projection):
        super().__init__()
        self.one = nn.Sequential(nn.Conv2d(inputs, c1, 1), nn.ReLU())
        self.three = nn.Sequential(nn.Conv2d(inputs, r3, 1), nn.ReLU(), nn.Conv2d(r3, c3, 3, 1, 1), nn.ReLU())
        self.five = nn.Sequential(nn.Conv2d(inputs, r5, 1), nn.ReLU(), nn.Conv2d(r5, c5, 5, 1, 2), nn.ReLU())
        self.pool = nn.Sequential(nn.MaxPool2d(3, 1, 1), nn.Conv2d(inputs, pool_projection, 1), nn.ReLU())

    def forward(self, x):
        return torch.cat([self.one(x), self.three(x), self.five(x), self.pool(x)], 1)


def googlenet_aux(inputs, map_size, classes):
    kernel = min(5, map_size)
    pooled = (map_size - kernel) // 3 + 1
    return nn.Sequential(nn.AvgPool2d(kernel, 3), nn.Conv2d(inputs, 128, 1), nn.ReLU(), nn.Flatten(),
                         nn.Linear(128 * pooled * pooled, 1024), nn.ReLU(), nn.Dropout(0.7),
                         nn.Linear(1024, classes))


class GoogLeNet(nn.Module):
    def __init__(self, size, classes):
        super().__init__()
        self.to_4a = nn.Sequential(
            nn.Conv2d(1, 64, 7, 2, 3), nn.ReLU(), caffe_max_pool(3, 2), lrn(),
            nn.Conv2d(64, 64, 1), nn.ReLU(), nn.Conv2d(64, 192, 3, 1, 1), nn.ReLU(), lrn(), caffe_max_pool(3, 2),
            Inception(192, 64, 96, 128, 16, 32, 32), Inception(256, 128, 128, 192, 32, 96, 64),
            caffe_max_pool(3, 2), Inception(480, 192, 96, 208, 16, 48, 64))
        self.to_4d = nn.Sequential(Inception(512, 160, 112, 224, 24, 64, 64),
                                   Inception(512, 128, 128, 256, 24, 64, 64),
                                   Inception(512, 112, 144, 288, 32, 64, 64))
        self.rest = nn.Sequential(
            Inception(528, 256, 160, 320, 32, 128, 128), caffe_max_pool(3, 2),
            Inception(832, 256, 160, 320, 32, 128, 128), Inception(832, 384, 192, 384, 48, 128, 128),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.4), nn.Linear(1024, classes))
        with torch.no_grad():
            map_size = self.to_4a(torch.zeros(1, 1, size, size)).shape[2]
        self.aux1 = googlenet_aux(512, map_size, classes)
        self.aux2 = googlenet_aux(528, map_size, classes)

    def forward(self, x):
        at_4a = self.to_4a(x)
        at_4d = self.to_4d(at_4a)
        return [self.rest(at_4d), self.aux1(at_4a), self.aux2(at_4d)]


MODELS = {"lenet": LeNet, "alexnet": AlexNet, "proposed": ProposedCNN, "googlenet": GoogLeNet}
HEAD_WEIGHTS = [1.0, 0.3, 0.3]


class MNetLevel(nn.Module):
    """papers/wong_segmentation_features/mnet.cpp's Level, skip reading A: two 3^dim convolutions
    with batch norm and ReLU, their outputs added."""
    def __init__(self, dims, inputs, outputs):
        super().__init__()
        conv, norm = (nn.Conv2d, nn.BatchNorm2d) if dims == 2 else (nn.Conv3d, nn.BatchNorm3d)
        self.conv1, self.bn1 = conv(inputs, outputs, 3, padding=1), norm(outputs, eps=1e-3, momentum=0.01)
        self.conv2, self.bn2 = conv(outputs, outputs, 3, padding=1), norm(outputs, eps=1e-3, momentum=0.01)

    def forward(self, x):
        self.first_output = F.relu(self.bn1(self.conv1(x)))
        return self.first_output + F.relu(self.bn2(self.conv2(self.first_output)))


class MNet(nn.Module):
    """Wong et al.'s M-Net as papers/wong_segmentation_features/mnet.cpp builds it: five levels of
    n_s 2^l channels, a left leg of max-pooled level-0 features, nearest upsampling, a right leg of
    upsampled decoder outputs and a 1^dim classifier."""
    def __init__(self, dims, base_channels, labels):
        super().__init__()
        ns, self.dims = base_channels, dims
        self.encoder = nn.ModuleList(
            [MNetLevel(dims, 1 if level == 0 else (ns << (level - 1)) + ns, ns << level) for level in range(5)])
        self.decoder = nn.ModuleList(
            [MNetLevel(dims, (ns << (level + 1)) + (ns << level), ns << level) for level in (3, 2, 1, 0)])
        self.dropout = nn.Dropout(0.5)
        conv = nn.Conv2d if dims == 2 else nn.Conv3d
        self.classifier = conv((31 if dims == 2 else 7) * ns, labels, 1)

    def pool(self, x, times):
        for _ in range(times):
            x = F.max_pool2d(x, 2) if self.dims == 2 else F.max_pool3d(x, 2)
        return x

    def up(self, x, factor):
        return x if factor == 1 else F.interpolate(x, scale_factor=factor, mode="nearest")

    def forward(self, x):
        encoded, level_input = [], x
        for level in range(5):
            if level > 0:
                left_leg = self.pool(self.encoder[0].first_output, level)
                level_input = torch.cat([self.pool(encoded[-1], 1), left_leg], dim=1)
                if level == 4:
                    level_input = self.dropout(level_input)
            encoded.append(self.encoder[level](level_input))
        right_leg = [self.up(encoded[4], 16)] if self.dims == 2 else []
        below = encoded[4]
        for index, level in enumerate((3, 2, 1, 0)):
            below = self.decoder[index](torch.cat([self.up(below, 2), encoded[level]], dim=1))
            if (self.dims == 2 and level >= 1) or (self.dims == 3 and level in (1, 2)):
                right_leg.append(self.up(below, 1 << level))
        right_leg.append(below)
        return self.classifier(torch.cat(right_leg, dim=1))


# ---------------------------------------------------------------- rows

def full(shape, value, device, grad=False):
    return torch.full(shape, value, device=device, requires_grad=grad)


def gemm_work(row, device):
    n = row["size"]
    a, b, c = full((n, n), 0.5, device), full((n, n), 0.25, device), torch.empty(n, n, device=device)
    a_view = a.t() if row["transpose_a"] else a
    b_view = b.t() if row["transpose_b"] else b
    return lambda: torch.mm(a_view, b_view, out=c)


def conv2d_work(row, device):
    batch, (channels, height, width), weight_shape = row["batch"], row["input"], row["weight"]
    stride, pad = [row["stride"]] * 2, [row["pad"]] * 2
    x = full((batch, channels, height, width), 0.5, device)
    w = full(tuple(weight_shape), 0.01, device)
    bias = full((weight_shape[0],), 0.1, device)
    if row["pass"] == "fwd":
        def forward():
            with torch.no_grad():
                F.conv2d(x, w, bias, stride, pad)
        return forward
    with torch.no_grad():
        grad = torch.ones_like(F.conv2d(x, w, None, stride, pad))
    # The gradient of one operand, as the C++ rows take it.
    mask = [True, False, False] if row["pass"] == "bwd-data" else [False, True, False]
    return lambda: torch.ops.aten.convolution_backward(grad, x, w, None, stride, pad, [1, 1], False, [0, 0], 1,
                                                       mask)


def copy_work(row, device):
    source, target = full((row["floats"],), 1.0, device), torch.empty(row["floats"], device=device)
    return lambda: target.copy_(source)


def lstm_work(row, device):
    bidirectional = row.get("bidirectional", False)
    lstm = nn.LSTM(row["input"], row["hidden"], batch_first=True, bidirectional=bidirectional).to(device)
    x = full((row["batch"], row["steps"], row["input"]), 0.5, device)
    if bidirectional:  # the final state of each direction, [B, 2H] as ours
        grad = full((row["batch"], 2 * row["hidden"]), 1.0, device)
        return lambda: torch.cat(list(lstm(x)[1][0]), dim=1).backward(grad)
    grad = full((row["batch"], row["steps"], row["hidden"]), 1.0, device)
    return lambda: lstm(x)[0].backward(grad)


def batch_norm_work(row, device):
    shape = tuple(row["shape"])
    x, grad = full(shape, 0.5, device, True), full(shape, 1.0, device)
    gamma, beta = full((shape[1],), 1.0, device, True), full((shape[1],), 0.0, device, True)
    running_mean, running_var = torch.zeros(shape[1], device=device), torch.ones(shape[1], device=device)
    return lambda: F.batch_norm(x, running_mean, running_var, gamma, beta, training=True).backward(grad)


def conv3d_work(row, device):
    pad = [row["pad"]] * 3
    x = full(tuple(row["input"]), 0.5, device)
    w = full(tuple(row["weight"]), 0.01, device)
    bias = full((row["weight"][0],), 0.1, device)
    if row["pass"] == "fwd":
        def forward():
            with torch.no_grad():
                F.conv3d(x, w, bias, padding=pad)
        return forward
    with torch.no_grad():
        grad = torch.ones_like(F.conv3d(x, w, None, padding=pad))
    mask = [True, False, False] if row["pass"] == "bwd-data" else [False, True, False]
    return lambda: torch.ops.aten.convolution_backward(grad, x, w, None, [1, 1, 1], pad, [1, 1, 1], False,
                                                       [0, 0, 0], 1, mask)


def train_step_work(row, device):
    torch.manual_seed(row["seed"])
    model = MODELS[row["model"]](row["input_size"], row["classes"]).to(device).train()
    # Caffe's reference nets, as core/nn/layers.h: biases learn at twice the rate, without weight decay.
    weights = [p for name, p in model.named_parameters() if not name.endswith("bias")]
    biases = [p for name, p in model.named_parameters() if name.endswith("bias")]
    sgd = torch.optim.SGD([{"params": weights}, {"params": biases, "lr": 0.02, "weight_decay": 0.0}],
                          lr=0.01, momentum=0.9, weight_decay=5e-4)
    batch, size = row["batch"], row["input_size"]
    images = full((batch, 1, size, size), 0.5, device)
    labels = (torch.arange(batch, device=device) % row["classes"]).long()

    def step():
        heads = model(images)
        loss = sum(weight * F.cross_entropy(logits, labels) for weight, logits in zip(HEAD_WEIGHTS, heads))
        sgd.zero_grad(set_to_none=True)
        loss.backward()
        sgd.step()
    return step


def segmentation_step_work(row, device):
    torch.manual_seed(row["seed"])
    model = MNet(row["dims"], row["base_channels"], row["labels"]).to(device).train()
    adam = torch.optim.Adam(model.parameters(), lr=1e-3)
    spatial = (row["size"],) * row["dims"]
    images = full((row["batch"], 1) + spatial, 0.5, device)
    labels = (torch.arange(row["batch"] * row["size"] ** row["dims"], device=device) % row["labels"]).long()
    labels = labels.reshape((row["batch"],) + spatial)

    def step():
        adam.zero_grad(set_to_none=True)
        F.cross_entropy(model(images), labels).backward()
        adam.step()
    return step


WORK = {"gemm": gemm_work, "conv2d": conv2d_work, "copy": copy_work, "lstm": lstm_work, "batch_norm": batch_norm_work,
        "conv3d": conv3d_work, "train_step": train_step_work, "segmentation_step": segmentation_step_work}


# ---------------------------------------------------------------- timing

def measure(run, row, synchronize):
    """As tests/bench/timing.cpp: warm-up, reps per sample for short work, samples within the row's budget."""
    def sample(reps):
        synchronize()
        start = time.perf_counter()
        for _ in range(reps):
            run()
        synchronize()
        return (time.perf_counter() - start) * 1e3 / reps

    row_start = time.perf_counter()
    once = sample(1)
    if once < row["sample_ms"]:
        once = sample(1)
    reps = max(1, min(int(row["sample_ms"] / max(once, 1e-3)), row["max_reps"]))
    times = []
    while len(times) < row["samples"] and (
            len(times) < row["min_samples"] or (time.perf_counter() - row_start) < row["seconds"]):
        times.append(sample(reps))
    times.sort()
    return {"median_ms": times[len(times) // 2], "min_ms": times[0], "max_ms": times[-1], "samples": len(times)}


def blas_libraries():
    """The BLAS libraries this process loaded (torch's matmul speed depends on which: reference BLAS is slow)."""
    found = set()
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1]
                name = os.path.basename(path).lower()
                if any(word in name for word in ("blas", "mkl_rt", "blis")):
                    found.add(os.path.realpath(path))
    except OSError:
        pass
    return sorted(found)


def probe():
    cuda = torch.cuda.is_available()
    return {"torch": torch.__version__, "python": sys.version.split()[0], "cpu_count": os.cpu_count(),
            "cuda": cuda, "cuda_device": torch.cuda.get_device_name(0) if cuda else "",
            "mkldnn": torch.backends.mkldnn.is_available(), "blas": blas_libraries()}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--probe", action="store_true")
    parser.add_argument("--rows")
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--tf32", choices=["on", "off"], default="off")
    args = parser.parse_args()
    if args.probe:
        print(json.dumps(probe()))
        return
    torch.set_num_threads(os.cpu_count())
    if args.device == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = args.tf32 == "on"
        torch.backends.cudnn.allow_tf32 = args.tf32 == "on"
        torch.backends.cudnn.benchmark = True
    synchronize = torch.cuda.synchronize if args.device == "cuda" else (lambda: None)
    with open(args.rows) as f:
        rows = json.load(f)["rows"]
    results, errors = {}, {}
    for row in rows:
        print(f"peer: {row['name']}", file=sys.stderr, flush=True)
        try:
            results[row["name"]] = measure(WORK[row["kind"]](row, args.device), row, synchronize)
        except Exception as error:  # a row the peer cannot run is reported, not fatal
            errors[row["name"]] = f"{type(error).__name__}: {error}"
        if args.device == "cuda":
            torch.cuda.empty_cache()
    settings = {"device": args.device, "threads": torch.get_num_threads(),
                "tf32": args.tf32 if args.device == "cuda" else "n/a",
                "cudnn_benchmark": args.device == "cuda"}
    print(json.dumps({"probe": probe(), "settings": settings, "rows": results, "errors": errors}))


if __name__ == "__main__":
    main()
