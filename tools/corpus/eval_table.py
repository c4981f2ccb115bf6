#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Markdown tables of `tagscope-cli train eval` results, for closing notes and model cards.

    tools/corpus/eval_table.py [--tags CARD.json] NAME=RUN_DIR/eval_test.json [NAME=...]

Prints, per vocabulary, each named student's ROC-AUC / PR-AUC against the teacher ensemble's
top-5 tags beside every single teacher's (from the first file), the gap of each student to the
best single teacher (with its bootstrap interval over tracks, in evaluations since session 12),
how many scored tags only 1-3 tracks decide (since session 13), and the coarse level (post-hoc
max-pooling and learned groups) when scored.
When the files hold "by_teacher" (evaluations since session 10), it also prints each vocabulary
judged by every single teacher's top-5 tags, with the other teachers beside the students: there
no model is judged by a reference it is part of.
With --tags (a model card naming the vocabularies' tags), it also lists, per vocabulary, the tags
on which the last named student trails the best single teacher most (per-tag ROC-AUC).
"""
import json
import sys


def load(argument):
    name, _, path = argument.partition("=")
    if not path:
        sys.exit(f"expected NAME=PATH, got {argument!r}")
    with open(path, encoding="utf-8") as f:
        return name, json.load(f)


NOT_MODELS = {"student", "gap_to_best_teacher"}


def fmt(metrics):
    return f"{metrics['roc_auc']:.3f} / {metrics['pr_auc']:.3f}"


def weakest_tags(card_path, name, result, first, count=6):
    with open(card_path, encoding="utf-8") as f:
        names = {v["name"]: v["tags"] for v in json.load(f)["vocabularies"]}
    print(f"\nTags where {name} trails the best teacher most (per-tag ROC-AUC, student vs teacher):\n")
    for v, tags in names.items():
        if v not in result or "tag_roc_auc" not in result[v]["student"]:
            continue
        best = max((t for t in first[v] if t not in NOT_MODELS), key=lambda t: first[v][t]["roc_auc"])
        pairs = [(tags[k], s, b) for k, (s, b) in
                 enumerate(zip(result[v]["student"]["tag_roc_auc"], first[v][best]["tag_roc_auc"]))
                 if s is not None and b is not None]
        pairs.sort(key=lambda p: p[1] - p[2])
        cells = ", ".join(f"{tag} {s:.2f} vs {b:.2f}" for tag, s, b in pairs[:count])
        print(f"- {v} ({best}): {cells}")


def main(arguments):
    card = None
    if len(arguments) >= 2 and arguments[0] == "--tags":
        card, arguments = arguments[1], arguments[2:]
    if not arguments:
        sys.exit(__doc__)
    runs = [load(a) for a in arguments]
    first = runs[0][1]
    vocabularies = [k for k, v in first.items() if isinstance(v, dict) and "student" in v]
    print(f"Tracks ({first.get('split', 'test')} split): {first.get('tracks')}; positives: {first.get('positives')}\n")
    print("| model | " + " | ".join(f"{v} ROC / PR" for v in vocabularies) + " |")
    print("|---|" + "---|" * len(vocabularies))
    teachers = sorted({t for v in vocabularies for t in first[v] if t not in NOT_MODELS})
    for teacher in teachers:
        cells = [fmt(first[v][teacher]) if teacher in first[v] else "" for v in vocabularies]
        print(f"| {teacher} | " + " | ".join(cells) + " |")
    for name, result in runs:
        cells = []
        for v in vocabularies:
            best = max(m["roc_auc"] for t, m in first[v].items() if t not in NOT_MODELS)
            s = result[v]["student"]
            interval = ""
            boot = result[v].get("gap_to_best_teacher", {}).get("bootstrap")
            if boot and boot.get("samples"):  # evaluations since session 12
                interval = f", 90 % {boot['p05']:+.3f}..{boot['p95']:+.3f}"
            cells.append(f"{fmt(s)} (gap {best - s['roc_auc']:+.3f}{interval})")
        print(f"| {name} | " + " | ".join(cells) + " |")
    positives = [(v, first[v]["student"]["tag_positives"]) for v in vocabularies
                 if "tag_positives" in first[v]["student"]]  # evaluations since session 13
    if positives:
        print("\nTags scored per vocabulary, and how many of them only 1-3 tracks have in their top-5"
              " (each such ROC-AUC is where a model ranks those few tracks):\n")
        for v, counts in positives:
            tracks = first.get("tracks", 0)
            scored = [c for c in counts if 0 < c < tracks]
            few = [c for c in scored if c <= 3]
            print(f"- {v}: {len(scored)} tags scored, {len(few)} of them decided by 1-3 tracks")
    coarse = [(n, r["coarse"]) for n, r in runs if "coarse" in r]
    if coarse:
        print(f"\nCoarse level ({coarse[0][1].get('groups')} groups; {coarse[0][1].get('positives')}):\n")
        print("| model | post-hoc max-pooling ROC / PR | learned groups ROC / PR |")
        print("|---|---|---|")
        for name, c in coarse:
            posthoc = fmt(c["posthoc"]) if "posthoc" in c else ""
            learned = fmt(c["learned"]) if "learned" in c else ""
            print(f"| {name} | {posthoc} | {learned} |")
    judged = [(n, r["by_teacher"]) for n, r in runs if r.get("by_teacher")]
    if judged:
        by_first = judged[0][1]
        for v in vocabularies:
            references = sorted(by_first.get(v, {}))
            if not references:
                continue
            print(f"\n{v} judged by each single teacher's top-5 tags (ROC / PR):\n")
            print("| model | " + " | ".join(f"by {r}" for r in references) + " |")
            print("|---|" + "---|" * len(references))
            others = sorted({m for r in references for m in by_first[v][r] if m != "student"})
            for model in others:
                cells = [fmt(by_first[v][r][model]) if model in by_first[v][r] else "" for r in references]
                print(f"| {model} | " + " | ".join(cells) + " |")
            for name, b in judged:
                cells = [fmt(b[v][r]["student"]) if r in b.get(v, {}) else "" for r in references]
                print(f"| {name} | " + " | ".join(cells) + " |")
    if card:
        weakest_tags(card, *runs[-1], first)


if __name__ == "__main__":
    main(sys.argv[1:])
