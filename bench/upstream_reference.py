# SPDX-License-Identifier: GPL-3.0-or-later
# The Python reference of the benchmarks: the upstream models of minzwon/sota-music-tagging-models
# (training/model.py and modules.py: FCN, Musicnn, CRNN, with their torchaudio front end
# MelSpectrogram(16 kHz, n_fft 512, 0-8 kHz, 96 mels) -> AmplitudeToDB -> spec_bn) run on one
# track the way a user's script would: torchaudio load, mean of the channels, torchaudio
# resample to 16 kHz, non-overlapping chunks of the model's input length (the last one
# zero-padded), batches of 8, the mean of the chunk outputs. Strict loading of the checkpoint
# (spec.* included) proves the architecture is the upstream one.
#
# Usage: upstream_reference.py ARCH CHECKPOINT AUDIO THREADS [DATASET]
#   ARCH fcn | musicnn | crnn; DATASET mtat (default), msd or jamendo (MusiCNN's widths).
# Prints "decode_s mel_s model_s" on stdout (the stage times) and the top 3 tag indices with
# their scores on stderr. Time the whole process from outside for end-to-end figures.
import sys, time
import torch, torchaudio
import torch.nn as nn

arch, ckpt, path, threads = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
dataset = sys.argv[5] if len(sys.argv) > 5 else "mtat"
torch.set_num_threads(threads)


class Conv_2d(nn.Module):
    def __init__(self, i, o, pooling=2):
        super().__init__()
        self.conv, self.bn, self.relu, self.mp = nn.Conv2d(i, o, 3, padding=1), nn.BatchNorm2d(o), nn.ReLU(), nn.MaxPool2d(pooling)

    def forward(self, x): return self.mp(self.relu(self.bn(self.conv(x))))


class Conv_1d(nn.Module):
    def __init__(self, i, o, shape=3, stride=1, pooling=2):
        super().__init__()
        self.conv = nn.Conv1d(i, o, shape, stride=stride, padding=shape // 2)
        self.bn, self.relu, self.mp = nn.BatchNorm1d(o), nn.ReLU(), nn.MaxPool1d(pooling)

    def forward(self, x): return self.mp(self.relu(self.bn(self.conv(x))))


class Conv_V(nn.Module):
    def __init__(self, i, o, shape):
        super().__init__()
        self.conv, self.bn, self.relu = nn.Conv2d(i, o, shape, padding=(0, shape[1] // 2)), nn.BatchNorm2d(o), nn.ReLU()

    def forward(self, x):
        x = self.relu(self.bn(self.conv(x)))
        return nn.MaxPool2d((x.size(2), 1), stride=(x.size(2), 1))(x).squeeze(2)


class Conv_H(nn.Module):
    def __init__(self, i, o, length):
        super().__init__()
        self.conv, self.bn, self.relu = nn.Conv1d(i, o, length, padding=length // 2), nn.BatchNorm1d(o), nn.ReLU()

    def forward(self, x):
        x = nn.AvgPool2d((x.size(2), 1), stride=(x.size(2), 1))(x).squeeze(2)
        return self.relu(self.bn(self.conv(x)))


class Frontend(nn.Module):
    def __init__(self):
        super().__init__()
        self.spec = torchaudio.transforms.MelSpectrogram(sample_rate=16000, n_fft=512, f_min=0.0, f_max=8000.0, n_mels=96)
        self.to_db = torchaudio.transforms.AmplitudeToDB()
        self.spec_bn = nn.BatchNorm2d(1)

    def mel(self, x): return self.to_db(self.spec(x)).unsqueeze(1)


class FCN(Frontend):
    input_length = 464000

    def __init__(self, n_class=50):
        super().__init__()
        self.layer1, self.layer2, self.layer3 = Conv_2d(1, 64, (2, 4)), Conv_2d(64, 128, (2, 4)), Conv_2d(128, 128, (2, 4))
        self.layer4, self.layer5 = Conv_2d(128, 128, (3, 5)), Conv_2d(128, 64, (4, 4))
        self.dense, self.dropout = nn.Linear(64, n_class), nn.Dropout(0.5)

    def forward(self, spec):
        x = self.spec_bn(spec)
        for l in (self.layer1, self.layer2, self.layer3, self.layer4, self.layer5): x = l(x)
        return torch.sigmoid(self.dense(self.dropout(x.view(x.size(0), -1))))


class Musicnn(Frontend):
    input_length = 48000

    def __init__(self, n_class=50, dataset="mtat"):
        super().__init__()
        self.layers = nn.ModuleList([Conv_V(1, 204, (int(0.7 * 96), 7)), Conv_V(1, 204, (int(0.4 * 96), 7)),
                                     Conv_H(1, 51, 129), Conv_H(1, 51, 65), Conv_H(1, 51, 33)])
        c = 512 if dataset == "msd" else 64
        self.layer1, self.layer2, self.layer3 = Conv_1d(561, c, 7, 1, 1), Conv_1d(c, c, 7, 1, 1), Conv_1d(c, c, 7, 1, 1)
        d = 500 if dataset == "msd" else 200
        self.dense1, self.bn, self.relu = nn.Linear((561 + c * 3) * 2, d), nn.BatchNorm1d(d), nn.ReLU()
        self.dropout, self.dense2 = nn.Dropout(0.5), nn.Linear(d, n_class)

    def forward(self, spec):
        x = self.spec_bn(spec)
        out = torch.cat([layer(x) for layer in self.layers], dim=1)
        res1 = self.layer1(out)
        res2 = self.layer2(res1) + res1
        res3 = self.layer3(res2) + res2
        out = torch.cat([out, res1, res2, res3], dim=1)
        mp = nn.MaxPool1d(out.size(-1))(out)
        avgp = nn.AvgPool1d(out.size(-1))(out)
        out = torch.cat([mp, avgp], dim=1).squeeze(2)
        out = self.dropout(self.relu(self.bn(self.dense1(out))))
        return torch.sigmoid(self.dense2(out))


class CRNN(Frontend):
    input_length = 464000

    def __init__(self, n_class=50):
        super().__init__()
        self.layer1, self.layer2 = Conv_2d(1, 64, (2, 2)), Conv_2d(64, 128, (3, 3))
        self.layer3, self.layer4 = Conv_2d(128, 128, (4, 4)), Conv_2d(128, 128, (4, 4))
        self.layer5 = nn.GRU(128, 32, 2, batch_first=True)
        self.dropout, self.dense = nn.Dropout(0.5), nn.Linear(32, n_class)

    def forward(self, spec):
        x = self.spec_bn(spec)
        for l in (self.layer1, self.layer2, self.layer3, self.layer4): x = l(x)
        x, _ = self.layer5(x.squeeze(2).permute(0, 2, 1))
        return torch.sigmoid(self.dense(self.dropout(x[:, -1, :])))


state = torch.load(ckpt, map_location="cpu")
n_class = state["dense.weight" if arch != "musicnn" else "dense2.weight"].shape[0]
net = {"fcn": lambda: FCN(n_class), "musicnn": lambda: Musicnn(n_class, dataset), "crnn": lambda: CRNN(n_class)}[arch]()
net.load_state_dict(state)
net.eval()

t0 = time.perf_counter()
wav, sr = torchaudio.load(path)
wav = torchaudio.functional.resample(wav.mean(0), sr, 16000)
t1 = time.perf_counter()
L = net.input_length
n = max(1, (wav.shape[0] + L - 1) // L)
x = torch.nn.functional.pad(wav, (0, n * L - wav.shape[0])).reshape(n, L)
with torch.inference_mode():
    spec = torch.cat([net.mel(x[i:i + 8]) for i in range(0, n, 8)])
    t2 = time.perf_counter()
    out = torch.cat([net(spec[i:i + 8]) for i in range(0, n, 8)]).mean(0)
t3 = time.perf_counter()
print(f"{t1 - t0:.3f} {t2 - t1:.3f} {t3 - t2:.3f}")
top = torch.topk(out, 3)
print("top3", [(int(i), round(float(v), 4)) for v, i in zip(top.values, top.indices)], file=sys.stderr)
