#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Markdown tables of `tagscope-cli train eval` results, for closing notes and model cards.

    tools/corpus/eval_table.py NAME=RUN_DIR/eval_test.json [NAME=...]

Prints, per vocabulary, each named student's ROC-AUC / PR-AUC against the teacher ensemble's
top-5 tags beside every single teacher's (from the first file), the gap of each student to the
best single teacher, and the coarse level (post-hoc max-pooling and learned groups) when scored.
"""
import json
import sys


def load(argument):
    name, _, path = argument.partition("=")
    if not path:
        sys.exit(f"expected NAME=PATH, got {argument!r}")
    with open(path, encoding="utf-8") as f:
        return name, json.load(f)


def fmt(metrics):
    return f"{metrics['roc_auc']:.3f} / {metrics['pr_auc']:.3f}"


def main(arguments):
    if not arguments:
        sys.exit(__doc__)
    runs = [load(a) for a in arguments]
    first = runs[0][1]
    vocabularies = [k for k, v in first.items() if isinstance(v, dict) and "student" in v]
    print(f"Test tracks: {first.get('tracks')}; positives: {first.get('positives')}\n")
    print("| model | " + " | ".join(f"{v} ROC / PR" for v in vocabularies) + " |")
    print("|---|" + "---|" * len(vocabularies))
    teachers = sorted({t for v in vocabularies for t in first[v] if t != "student"})
    for teacher in teachers:
        cells = [fmt(first[v][teacher]) if teacher in first[v] else "" for v in vocabularies]
        print(f"| {teacher} | " + " | ".join(cells) + " |")
    for name, result in runs:
        cells = []
        for v in vocabularies:
            best = max(m["roc_auc"] for t, m in first[v].items() if t != "student")
            s = result[v]["student"]
            cells.append(f"{fmt(s)} (gap {best - s['roc_auc']:+.3f})")
        print(f"| {name} | " + " | ".join(cells) + " |")
    coarse = [(n, r["coarse"]) for n, r in runs if "coarse" in r]
    if coarse:
        print(f"\nCoarse level ({coarse[0][1].get('groups')} groups; {coarse[0][1].get('positives')}):\n")
        print("| model | post-hoc max-pooling ROC / PR | learned groups ROC / PR |")
        print("|---|---|---|")
        for name, c in coarse:
            posthoc = fmt(c["posthoc"]) if "posthoc" in c else ""
            learned = fmt(c["learned"]) if "learned" in c else ""
            print(f"| {name} | {posthoc} | {learned} |")


if __name__ == "__main__":
    main(sys.argv[1:])
