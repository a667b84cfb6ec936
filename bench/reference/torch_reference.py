"""The same networks as dmil's baselines, in PyTorch, on data exported by export.js.

Trains `joint` (an MLP backbone per modality, representations concatenated, an MLP head) and
`ensemble` members with dmil's default sizes and training settings: Adam (lr 1e-3, eps 1e-7),
batch 128, early stopping on the validation cross-entropy with the best epoch restored. Weights
start as PyTorch initialises nn.Linear, or re-initialised as dmil's `he` scheme (--init he).

    python3 torch_reference.py DATA_DIR [--paradigm joint|ensemble] [--init torch|he|glorot]
        [--hidden 128] [--out 64] [--head 64] [--epochs 40] [--patience 6] [--seeds 1,2,3]
"""
import argparse
import numpy as np
import torch
from torch import nn

from torch_common import mlp


def reinit(model, scheme):
    if scheme == 'torch':
        return
    for m in model.modules():
        if isinstance(m, nn.Linear):
            # dmil `he`: He-normal before a ReLU, Glorot-normal elsewhere; `glorot`: Glorot everywhere.
            followed_by_relu = getattr(m, 'followed_by_relu', False)
            if scheme == 'he' and followed_by_relu:
                nn.init.kaiming_normal_(m.weight, nonlinearity='relu')
            else:
                nn.init.xavier_normal_(m.weight)
            nn.init.zeros_(m.bias)


def mark_relu(seq):
    mods = list(seq)
    for i, m in enumerate(mods):
        if isinstance(m, nn.Linear):
            m.followed_by_relu = i + 1 < len(mods) and isinstance(mods[i + 1], nn.ReLU)


class Joint(nn.Module):
    def __init__(self, dims, hidden, out, head, classes):
        super().__init__()
        self.encoders = nn.ModuleList([mlp([d, *hidden, out], True) for d in dims])
        self.head = mlp([out * len(dims), *head, classes], False)
        for e in self.encoders:
            mark_relu(e)
        mark_relu(self.head)

    def forward(self, xs):
        return self.head(torch.cat([e(x) for e, x in zip(self.encoders, xs)], 1))


class Unimodal(nn.Module):
    def __init__(self, d, hidden, out, classes):
        super().__init__()
        self.net = nn.Sequential(mlp([d, *hidden, out], True), nn.Linear(out, classes))
        mark_relu(self.net[0])

    def forward(self, xs):
        return self.net(xs[0])


def train(model, xs, y, split, epochs, patience, seed):
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    tr, va = np.where(split == 0)[0], np.where(split == 1)[0]
    best, best_state, bad = float('inf'), None, 0
    for _ in range(epochs):
        model.train()
        order = tr[torch.randperm(len(tr), generator=g).numpy()]
        for s in range(0, len(order), 128):
            idx = order[s:s + 128]
            loss = nn.functional.cross_entropy(model([x[idx] for x in xs]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            ce = nn.functional.cross_entropy(model([x[va] for x in xs]), y[va]).item()
        if ce < best:
            best, bad = ce, 0
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
        else:
            bad += 1
            if bad >= patience:
                break
    model.load_state_dict(best_state)
    return model


def main():
    a = argparse.ArgumentParser()
    a.add_argument('data')
    a.add_argument('--paradigm', default='joint', choices=['joint', 'ensemble'])
    a.add_argument('--init', default='torch', choices=['torch', 'he', 'glorot'])
    a.add_argument('--hidden', default='128')
    a.add_argument('--out', type=int, default=64)
    a.add_argument('--head', default='64')
    a.add_argument('--epochs', type=int, default=40)
    a.add_argument('--patience', type=int, default=6)
    a.add_argument('--seeds', default='1,2,3')
    args = a.parse_args()
    torch.set_num_threads(1)
    hidden = [int(h) for h in args.hidden.split(',') if h]
    head = [int(h) for h in args.head.split(',') if h]
    xs, i = [], 0
    while True:
        try:
            xs.append(torch.from_numpy(np.load(f'{args.data}/x{i}.npy')).float())
        except FileNotFoundError:
            break
        i += 1
    y = torch.from_numpy(np.load(f'{args.data}/y.npy')).long()
    split = np.load(f'{args.data}/split.npy')
    te = np.where(split == 2)[0]
    classes = int(y.max()) + 1
    for seed in [int(s) for s in args.seeds.split(',')]:
        torch.manual_seed(seed)
        if args.paradigm == 'joint':
            model = train(reinit_and(Joint([x.shape[1] for x in xs], hidden, args.out, head, classes), args.init), xs, y, split, args.epochs, args.patience, seed)
            with torch.no_grad():
                p = model([x[te] for x in xs]).softmax(1)
        else:
            probs = []
            for x in xs:
                m = train(reinit_and(Unimodal(x.shape[1], hidden, args.out, classes), args.init), [x], y, split, args.epochs, args.patience, seed)
                with torch.no_grad():
                    probs.append(m([x[te]]).softmax(1))
            p = sum(probs) / len(probs)
        acc = (p.argmax(1) == y[te]).float().mean().item()
        print(f'{args.paradigm} init={args.init} seed={seed}: test accuracy {acc:.4f}')


def reinit_and(model, scheme):
    reinit(model, scheme)
    return model


if __name__ == '__main__':
    main()
