#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Adds the training chain to an exported student's card: the stages of the student its run was
initialised from (read from that student's card) and this run as the last stage, with the chain's
total hours and steps. `tagscope-cli train export` records only the last run.
  card_chain.py CARD SOURCE_CARD STAGE "what the stage did" [STARTED_FROM]
STARTED_FROM: the weights file the run was initialised from when it is not SOURCE_CARD's own file
(e.g. the run's best_student.safetensors that SOURCE_CARD was exported from); its tensors must be
exactly SOURCE_CARD's weights.
"""
import hashlib
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from interpolate_weights import read  # noqa: E402


def same_tensors(a_path, b_path):
    a, _ = read(a_path)
    b, _ = read(b_path)
    return set(a) == set(b) and all(a[k].shape == b[k].shape and np.array_equal(a[k], b[k]) for k in a)


def main():
    if len(sys.argv) not in (5, 6):
        sys.exit(__doc__.strip())
    card_path, source_path, stage, text = sys.argv[1:5]
    started_from = sys.argv[5] if len(sys.argv) == 6 else None
    card = json.load(open(card_path, encoding="utf-8"))
    source = json.load(open(source_path, encoding="utf-8"))
    training = card["evaluation"]["training"]
    source_eval = source.get("evaluation", {})
    chain = list(source_eval.get("training", {}).get("chain", []))
    if not chain:
        sys.exit(f"card_chain: {source_path} has no training chain")
    sha = training.get("initialised_from", {}).get("sha256")
    if sha and sha != source.get("sha256"):
        # The run started from a file with other bytes (metadata): accept it when it is named and
        # holds exactly the source card's tensors.
        source_weights = os.path.join(os.path.dirname(source_path), source["weights"])
        if not started_from:
            sys.exit(f"card_chain: the run was initialised from weights {sha[:12]}..., not {source_path}'s "
                     "(name the file it started from as STARTED_FROM)")
        with open(started_from, "rb") as f:
            if hashlib.sha256(f.read()).hexdigest() != sha:
                sys.exit(f"card_chain: {started_from} is not the file the run was initialised from ({sha[:12]}...)")
        if not same_tensors(started_from, source_weights):
            sys.exit(f"card_chain: {started_from} and {source_weights} hold different weights")
    # Cards of one line of runs share an id: name the source's last stage too.
    origin = f'{source["id"]} (stage {chain[-1]["stage"]}, step {chain[-1]["selected_step"]})'
    chain.append({"stage": stage, "from": origin, "options": text,
                  "seconds": round(training["hours"] * 3600.0, 1), "selected_step": training["steps"]})
    training["chain"] = chain
    training["chain_total"] = {"hours": round(sum(s["seconds"] for s in chain) / 3600.0, 2),
                               "steps": sum(s["selected_step"] for s in chain)}
    if "test_split" in source_eval and "test_split" not in card["evaluation"]:
        card["evaluation"]["test_split"] = source_eval["test_split"]
    with open(card_path, "w", encoding="utf-8") as f:
        json.dump(card, f, indent=2)
        f.write("\n")
    print(f"card_chain: {len(chain)} stages, {training['chain_total']['hours']} h, "
          f"{training['chain_total']['steps']} steps -> {card_path}", file=sys.stderr)


if __name__ == "__main__":
    main()
