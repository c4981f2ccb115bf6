#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Weight-space interpolation of two students of the same shape (WiSE-FT, Wortsman et al. 2022):
out = (1 - alpha) * start + alpha * trained, tensor by tensor. A fine-tune that gains on one
vocabulary and drifts on another often keeps most of both halfway. Float32 safetensors only.

  interpolate_weights.py START.safetensors TRAINED.safetensors ALPHA OUT.safetensors
e.g. a run's initial_student.safetensors and best_student.safetensors; score OUT with
`tagscope-cli train eval --run-dir RUN --weights OUT`.
"""
import json
import struct
import sys

import numpy as np


def read(path):
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(n))
        blob = f.read()
    meta = header.pop('__metadata__', {})
    tensors = {}
    for key, info in header.items():
        if info['dtype'] != 'F32':
            sys.exit(f'{path}: {key} is {info["dtype"]}, only F32 is handled')
        a, b = info['data_offsets']
        tensors[key] = np.frombuffer(blob[a:b], dtype='<f4').reshape(info['shape'])
    return tensors, meta


def write(path, tensors, meta):
    header, offset, chunks = {'__metadata__': meta}, 0, []
    for key in sorted(tensors):
        data = np.ascontiguousarray(tensors[key], dtype='<f4').tobytes()
        header[key] = {'dtype': 'F32', 'shape': list(tensors[key].shape), 'data_offsets': [offset, offset + len(data)]}
        offset += len(data)
        chunks.append(data)
    text = json.dumps(header).encode()
    text += b' ' * (-len(text) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)) + text + b''.join(chunks))


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    start, _ = read(sys.argv[1])
    trained, meta = read(sys.argv[2])
    alpha = float(sys.argv[3])
    if set(start) != set(trained):
        sys.exit(f'the two students differ in keys: {sorted(set(start) ^ set(trained))[:5]}')
    out = {}
    for key, a in start.items():
        b = trained[key]
        if a.shape != b.shape:
            sys.exit(f'{key}: {a.shape} vs {b.shape}')
        # NOTE: a BatchNorm's step counter is not a weight: the trained one is kept.
        out[key] = b if key.endswith('num_batches_tracked') else (1 - alpha) * a + alpha * b
    meta = {k: str(v) for k, v in meta.items()}
    meta.update({'interpolated': f'{1 - alpha:g} x {sys.argv[1]} + {alpha:g} x {sys.argv[2]}'})
    write(sys.argv[4], out, meta)


if __name__ == '__main__':
    main()
