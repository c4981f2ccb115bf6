#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# The file list the shipped surrogate was trained on: from the corpus file list (written by
# tools/corpus/build_file_list.sh), per package at most 5 train / validation files and 14 test
# files of 20-300 s, spread evenly over the package's files (sorted by path).
#
#   tools/corpus/surrogate_subset.py files.tsv subset.tsv
import collections
import sys

CAP = {"train": 5, "validation": 5, "test": 14}

def main(source, target):
    rows = [line.rstrip("\n").split("\t") for line in open(source, encoding="utf-8")
            if not line.startswith("#") and not line.startswith("path")]
    rows = [r for r in rows if len(r) >= 4 and r[3] in CAP]
    by_package = collections.defaultdict(list)
    for r in rows:
        by_package[(r[3], r[1])].append(r)
    chosen = []
    for (split, _), files in sorted(by_package.items()):
        files = sorted((r for r in files if 20 <= float(r[2]) <= 300), key=lambda r: r[0])
        n = min(CAP[split], len(files))
        if n:
            step = len(files) / n
            chosen += [files[int(i * step)] for i in range(n)]
    with open(target, "w", encoding="utf-8") as out:
        out.write("# tagscope surrogate subset: per package <= 5 train/validation files, <= 14 test files, "
                  "20-300 s, spread over the package\n")
        for r in chosen:
            out.write("\t".join(r) + "\n")
    print(f"{target}: {len(chosen)} files")

if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: surrogate_subset.py files.tsv subset.tsv")
    main(sys.argv[1], sys.argv[2])
