"""PyTorch side of the benchmark: the guide's BasicNN, SimpleCNN and CIFAR10CNN, trained with the
guide's loop (Adam 1e-3, CrossEntropyLoss, batch 64) on synthetic uint8 batches normalised per
batch as (x/255 - 0.5)/0.5. Prints one JSON line, like bench/tfjs_steps.ts.
  python3 bench/torch_steps.py --model SimpleCNN --steps 20 [--threads N]
"""
import argparse, json, resource, statistics, time
import torch
import torch.nn as nn


class BasicNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.layers = nn.Sequential(nn.Linear(28 * 28, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))

    def forward(self, x):
        return self.layers(self.flatten(x))


class SimpleCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv_layers = nn.Sequential(
            nn.Conv2d(1, 16, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(kernel_size=2),
            nn.Conv2d(16, 32, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(kernel_size=2))
        self.fc_layers = nn.Sequential(nn.Flatten(), nn.Linear(32 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))

    def forward(self, x):
        return self.fc_layers(self.conv_layers(x))


class CIFAR10CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv_layers = nn.Sequential(
            nn.Conv2d(3, 32, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(64, 128, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.fc_layers = nn.Sequential(nn.Flatten(), nn.Linear(128 * 4 * 4, 256), nn.ReLU(), nn.Linear(256, 10))

    def forward(self, x):
        return self.fc_layers(self.conv_layers(x))


MODELS = {"BasicNN": (BasicNN, (1, 28, 28)), "SimpleCNN": (SimpleCNN, (1, 28, 28)), "CIFAR10CNN": (CIFAR10CNN, (3, 32, 32))}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True, choices=MODELS)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--threads", type=int, default=0, help="torch.set_num_threads; 0 keeps PyTorch's default")
    a = p.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    cls, shape = MODELS[a.model]
    model = cls()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
    criterion = nn.CrossEntropyLoss()
    images = torch.randint(0, 256, (a.batch * 8, *shape), dtype=torch.uint8)
    labels = torch.randint(0, 10, (a.batch * 8,))
    times = []
    model.train()
    for i in range(a.warmup + a.steps):
        lo = (i % 8) * a.batch
        start = time.perf_counter()
        x = (images[lo:lo + a.batch].float() / 255 - 0.5) / 0.5
        y = labels[lo:lo + a.batch]
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        loss.item()
        if i >= a.warmup:
            times.append((time.perf_counter() - start) * 1000)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"ms": statistics.median(times), "rssMB": rss, "threads": torch.get_num_threads(), "torch": torch.__version__}))


if __name__ == "__main__":
    main()
