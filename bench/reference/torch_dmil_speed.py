"""DMIL's training step in PyTorch, for speed only: the reference for the DMIL rows of
`npm run bench -- --reference`. The same network as src/paradigms/dmil/network.ts with
configs/mix.yaml's sizes and dmil's defaults (two modalities of 32 features, MLP backbones
[128] -> 64, latent k = 32, 4 classes; adversary prior, r_head agreement, s_loss residual, gate
on features and confidences, mi off), the same loss terms per stage (losses.ts, index.ts), and
only the stage's parameter groups trained (the others frozen, so autograd skips them, as tfjs
does). Adam, batch 128, random data; forward, backward and update only. Every loss term is
computed each step, and summed on the device, as dmil does for its metrics.

    python3 bench/reference/torch_dmil_speed.py [--threads 1,2] [--seconds 3]
prints JSON lines {"dmil-mix-<stage>@<threads>": samples/s}; torch_speed.py merges them.
"""
import argparse
import json

import torch
from torch import nn
import torch.nn.functional as F

from torch_common import mlp, steps_per_second

D, H, Z, K, C, B = 32, 128, 64, 32, 4, 128


class Gaussian(nn.Module):
    def __init__(self, i, k):
        super().__init__()
        self.mean, self.logvar = nn.Linear(i, k), nn.Linear(i, k)

    def forward(self, x):
        return self.mean(x), self.logvar(x).clamp(-8, 8)


def fuse(a, b):
    return torch.cat([a, b, a * b, (a - b).abs()], 1)


def kl(mean, logvar):
    return (0.5 * (logvar.exp() + mean ** 2 - 1 - logvar)).sum(1).mean()


def sample(mean, logvar):
    return mean + (0.5 * logvar).exp() * torch.randn_like(mean)


class Dmil(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.ModuleList([mlp([D, H, Z], True) for _ in range(2)])
        self.id = nn.ModuleDict({
            'M': nn.ModuleList([Gaussian(Z, K) for _ in range(2)]),
            'N': nn.ModuleList([Gaussian(Z, K) for _ in range(2)]),
            'dec': nn.ModuleList([mlp([2 * K, Z, Z]) for _ in range(2)]),
            'head': nn.ModuleList([nn.Linear(K, C) for _ in range(2)]),
        })
        self.probe = nn.ModuleList([mlp([K, 64, C]) for _ in range(2)])
        self.warm = nn.ModuleDict({'joint': mlp([2 * Z, Z, C]), 'syn': mlp([4 * K, 128, 64, C])})
        self.cd = nn.ModuleDict({
            'P': nn.ModuleList([mlp([K, K, K]) for _ in range(2)]), 'R': nn.Linear(K, C),
            'U': nn.ModuleList([Gaussian(K, K) for _ in range(2)]), 'Uhead': nn.ModuleList([nn.Linear(K, C) for _ in range(2)]),
        })
        self.syn = nn.ModuleDict({'F': mlp([4 * K, 128, 64, K]), 'head': nn.Linear(K, C)})
        self.gate = mlp([2 * Z + 6 * C + 1, 64, 4])

    def intra(self, xs):
        z = [e(x) for e, x in zip(self.enc, xs)]
        Md = [h(zm) for h, zm in zip(self.id['M'], z)]
        Nd = [h(zm) for h, zm in zip(self.id['N'], z)]
        M = [sample(*d) for d in Md]
        N = [sample(*d) for d in Nd]
        zhat = [dec(torch.cat([m, n], 1)) for dec, m, n in zip(self.id['dec'], M, N)]
        lm = [h(m) for h, m in zip(self.id['head'], M)]
        return z, Md, Nd, M, N, zhat, lm


def frozen_probe(probe, x):
    l1, l2 = probe[0], probe[2]
    return F.linear(F.relu(F.linear(x, l1.weight.detach(), l1.bias.detach())), l2.weight.detach(), l2.bias.detach())


def intra_terms(net, out, y, prior):
    z, Md, Nd, M, N, zhat, lm = out
    t = {}
    for m in range(2):
        t[f'ce_M{m}'] = F.cross_entropy(lm[m], y)
        t[f'rec_{m}'] = F.mse_loss(zhat[m], z[m].detach())
        t[f'kl_{m}'] = kl(*Md[m]) + kl(*Nd[m])
    t['probe'] = sum(F.cross_entropy(net.probe[m](N[m].detach()), y) for m in range(2))
    t['adv'] = 0.3 * sum(-(F.log_softmax(frozen_probe(net.probe[m], N[m]), 1) * prior).sum(1).mean() for m in range(2))
    return t


def l1(t):
    return sum(t[f'ce_M{m}'] + t[f'rec_{m}'] + 1e-3 * t[f'kl_{m}'] for m in range(2))


def cross_terms(net, z, M, N, lm, y):
    P = [p(m) for p, m in zip(net.cd['P'], M)]
    r = [F.normalize(p, dim=1) for p in P]
    logit = {'R': net.cd['R'](P[0]) + net.cd['R'](P[1])}
    Ud = [h(m) for h, m in zip(net.cd['U'], M)]
    U = [sample(*d) for d in Ud]
    logit['U1'], logit['U2'] = net.cd['Uhead'][0](U[0]), net.cd['Uhead'][1](U[1])
    logit['S'] = net.syn['head'](net.syn['F'](fuse(N[0], N[1])))
    t = {f'ce_{c}': F.cross_entropy(logit[c], y) for c in ['R', 'U1', 'U2']}
    t['ce_S'] = F.cross_entropy(logit['S'] + lm[0].detach() + lm[1].detach(), y)
    t['align'] = ((r[0] - r[1]) ** 2).sum(1).mean()
    t['kl_U'] = kl(*Ud[0]) + kl(*Ud[1])
    probs = [logit[c].softmax(1) for c in ['R', 'U1', 'U2', 'S']]
    pm = [l.softmax(1) for l in lm]
    feats = [z[0].detach(), z[1].detach()] + [p.detach() for p in probs + pm] + [(pm[0] * pm[1]).sum(1, keepdim=True).detach()]
    gate = net.gate(torch.cat(feats, 1)).softmax(1)
    mix = sum(gate[:, i:i + 1] * probs[i].detach() for i in range(4))
    t['mix'] = -torch.log(mix.gather(1, y[:, None]).squeeze(1) + 1e-7).mean()
    gbar = gate.mean(0)
    t['lb'] = 0.3 * (gbar * torch.log(gbar + 1e-8)).sum()
    l2 = t['ce_R'] + t['ce_U1'] + t['ce_U2'] + t['ce_S'] + t['align'] + 1e-3 * t['kl_U']
    return t, l2


TRAINS = {'decompose-intra': ['enc', 'id', 'probe', 'warm'], 'decompose-cross': ['cd', 'syn', 'gate'], 'finetune': ['enc', 'id', 'probe', 'cd', 'syn', 'gate']}


def step_fn(net, stage, prior):
    def step(xs, y):
        out = net.intra(xs)
        z, _, _, M, N, _, lm = out
        # decompose-cross computes no level-1 term (its encoders and heads are frozen).
        t = intra_terms(net, out, y, prior) if stage != 'decompose-cross' else {}
        if stage == 'decompose-intra':
            t['warm'] = F.cross_entropy(net.warm['joint'](torch.cat(z, 1)), y) + F.cross_entropy(net.warm['syn'](fuse(N[0], N[1])), y)
            total = l1(t) + 3 * t['warm'] + t['probe'] + t['adv']
        else:
            ct, l2 = cross_terms(net, z, M, N, lm, y)
            if stage == 'decompose-cross':
                t = ct
                total = ct['mix'] + ct['lb'] + l2
            else:
                total = ct['mix'] + ct['lb'] + 0.5 * l1(t) + 0.5 * l2 + t['probe'] + t['adv']
                t.update(ct)
        return total, t
    return step


def speed(stage, seconds):
    torch.manual_seed(0)
    net = Dmil()
    groups = TRAINS[stage]
    params = []
    for name, module in net.named_children():
        trainable = name in groups
        for p in module.parameters():
            p.requires_grad_(trainable)
            if trainable:
                params.append(p)
    opt = torch.optim.Adam(params, lr=1e-3 if stage != 'finetune' else 5e-4, eps=1e-7)
    prior = torch.full((C,), 1.0 / C)
    pool = [([torch.randn(B, D), torch.randn(B, D)], torch.randint(0, C, (B,))) for _ in range(50)]
    step = step_fn(net, stage, prior)
    sums = None

    def one(i):
        nonlocal sums
        xs, y = pool[i % 50]
        total, t = step(xs, y)
        opt.zero_grad()
        total.backward()
        opt.step()
        vals = torch.stack([total.detach()] + [v.detach() for v in t.values()])
        sums = vals if sums is None else sums + vals

    rate = steps_per_second(one, seconds)
    sums.sum().item()
    return rate * B


def main():
    a = argparse.ArgumentParser()
    a.add_argument('--threads', default='1,2')
    a.add_argument('--seconds', type=float, default=3)
    args = a.parse_args()
    out = {}
    for threads in [int(t) for t in args.threads.split(',')]:
        torch.set_num_threads(threads)
        for stage in TRAINS:
            out[f'dmil-mix-{stage}@{threads}'] = round(speed(stage, args.seconds))
    print(json.dumps(out))


if __name__ == '__main__':
    main()
