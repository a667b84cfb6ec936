"""What the PyTorch reference scripts share: dmil's MLP, and timing training steps as dmil's
bench does (warm up for 30 steps or 1.5 s, then count steps for at least `seconds`)."""
import time

from torch import nn


def mlp(sizes, last_relu=False):
    """Linear layers of the given sizes with ReLU between them (and after the last, if asked)."""
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2 or last_relu:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def steps_per_second(step, seconds):
    """step(i) runs training step i; returns steps per second after the warm-up."""
    t, i = time.perf_counter(), 0
    while i < 30 and time.perf_counter() - t < 1.5:
        step(i)
        i += 1
    t, n = time.perf_counter(), 0
    while time.perf_counter() - t < seconds:
        step(n)
        n += 1
    return n / (time.perf_counter() - t)
