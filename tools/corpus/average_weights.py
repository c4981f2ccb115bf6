#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Uniform average of several students of the same shape (stochastic weight averaging, Izmailov
et al. 2018): out = mean of the inputs, tensor by tensor. Averaging the snapshots of one run's
late steps (`train run --keep-every N`) lands nearer the middle of the flat region the run was
circling than any single snapshot. BatchNorm running statistics are averaged as well (an
approximation; the students of one run's last steps have close statistics). Float32 only.

  average_weights.py OUT.safetensors IN1.safetensors IN2.safetensors [IN3 ...]
Score OUT with `tagscope-cli train eval --run-dir RUN --weights OUT`; export it with
`train export --weights OUT`. The metadata of the last input is kept (export reads its step and
losses), plus the list of inputs.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from interpolate_weights import read, write  # noqa: E402


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    out_path, inputs = sys.argv[1], sys.argv[2:]
    if out_path in inputs:
        sys.exit(f'{out_path}: the output is also an input')
    first, _ = read(inputs[0])
    total = {k: v.astype(np.float64) for k, v in first.items()}
    meta = {}
    for path in inputs[1:]:
        tensors, meta = read(path)
        if set(tensors) != set(total):
            sys.exit(f'{path} differs from {inputs[0]} in keys: {sorted(set(tensors) ^ set(total))[:5]}')
        for key, value in tensors.items():
            if value.shape != total[key].shape:
                sys.exit(f'{path}: {key} is {value.shape}, {inputs[0]} has {total[key].shape}')
            total[key] += value
    out = {}
    for key, value in total.items():
        # NOTE: a BatchNorm's step counter is not a weight: the last input's is kept.
        out[key] = tensors[key] if key.endswith('num_batches_tracked') else (value / len(inputs)).astype(np.float32)
    meta = {k: str(v) for k, v in meta.items()}
    meta['averaged'] = ' + '.join(os.path.basename(p) for p in inputs)
    write(out_path, out, meta)


if __name__ == '__main__':
    main()
