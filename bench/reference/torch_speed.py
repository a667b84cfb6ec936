"""Training-step speed of dmil's networks in PyTorch on this CPU: the reference side of
`npm run bench -- --reference FILE`.

Same networks and sizes as dmil's defaults, random data of the same shapes, Adam, batch 128:
  joint-mix    configs/mix.yaml: two modalities of 32 features, MLP backbones [128] -> 64,
               head [64] -> 4 classes;
  dmil-mix-<stage> DMIL's three stages on configs/mix.yaml (torch_dmil_speed.py: the network
               and loss terms of src/paradigms/dmil, only the stage's groups trained);
  conv2d-halves Fashion-MNIST halves: two [14, 28, 1] images, convolutions 16/32/64 (3x3, the
               first stride 1, then stride 2, 'same' padding), global average pooling, dense 64,
               head [64] -> 10 classes.
Each workload is warmed up, then timed for at least --seconds; forward, backward and update
only (no data loading), like dmil's bench. Writes JSON: samples/s per workload and thread count.

    python3 bench/reference/torch_speed.py [--threads 1,2] [--seconds 3] > bench/reference/pytorch-cpu.json
"""
import argparse
import datetime
import json
import os
import platform

import torch
from torch import nn

import torch_dmil_speed
from torch_common import mlp, steps_per_second


class ConvEncoder(nn.Module):
    def __init__(self, cin, channels, out):
        super().__init__()
        convs = []
        for i, ch in enumerate(channels):
            stride = 1 if i == 0 else 2
            # 'same' padding for a 3x3 kernel: 1 on each side (TensorFlow pads the stride-2 case
            # 0 before and 1 after; the cost is the same).
            convs += [nn.Conv2d(cin, ch, 3, stride=stride, padding=1), nn.ReLU()]
            cin = ch
        self.convs = nn.Sequential(*convs)
        self.dense = nn.Sequential(nn.Linear(cin, out), nn.ReLU())

    def forward(self, x):
        return self.dense(self.convs(x).mean((2, 3)))


class Joint(nn.Module):
    def __init__(self, encoders, out, head, classes):
        super().__init__()
        self.encoders = nn.ModuleList(encoders)
        self.head = mlp([out * len(encoders), *head, classes], False)

    def forward(self, xs):
        return self.head(torch.cat([e(x) for e, x in zip(self.encoders, xs)], 1))


def workloads():
    yield 'joint-mix', lambda: Joint([mlp([32, 128, 64], True) for _ in range(2)], 64, [64], 4), [(32,), (32,)], 4
    # PyTorch is NCHW: [1, 14, 28] per half.
    yield 'conv2d-halves', lambda: Joint([ConvEncoder(1, [16, 32, 64], 64) for _ in range(2)], 64, [64], 10), [(1, 14, 28), (1, 14, 28)], 10


def speed(make, shapes, classes, seconds, batch=128, pool=50):
    torch.manual_seed(0)
    model = make()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    xs = [[torch.randn(batch, *s) for s in shapes] for _ in range(pool)]
    ys = [torch.randint(0, classes, (batch,)) for _ in range(pool)]

    def step(i):
        loss = nn.functional.cross_entropy(model(xs[i % pool]), ys[i % pool])
        opt.zero_grad()
        loss.backward()
        opt.step()

    return steps_per_second(step, seconds) * batch


def main():
    a = argparse.ArgumentParser()
    a.add_argument('--threads', default='1,2')
    a.add_argument('--seconds', type=float, default=3)
    args = a.parse_args()
    out = {
        'what': 'PyTorch training steps (forward, backward, Adam update), batch 128, samples/s',
        'measured': datetime.date.today().isoformat(),
        'by': f'bench/reference/torch_speed.py, PyTorch {torch.__version__}, Python {platform.python_version()}',
        'machine': f'{platform.machine()}, {os.cpu_count()} cores',
        'samples_per_second': {},
    }
    for threads in [int(t) for t in args.threads.split(',')]:
        torch.set_num_threads(threads)
        for name, make, shapes, classes in workloads():
            out['samples_per_second'][f'{name}@{threads}'] = round(speed(make, shapes, classes, args.seconds))
        for stage in torch_dmil_speed.TRAINS:
            out['samples_per_second'][f'dmil-mix-{stage}@{threads}'] = round(torch_dmil_speed.speed(stage, args.seconds))
    print(json.dumps(out, indent=2))


if __name__ == '__main__':
    main()
