#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Adds the training chain to an exported student's card: the stages of the student its run was
initialised from (read from that student's card) and this run as the last stage, with the chain's
total hours and steps. `tagscope-cli train export` records only the last run.
  card_chain.py CARD SOURCE_CARD STAGE "what the stage did"
"""
import json
import sys


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__.strip().splitlines()[-1].strip())
    card_path, source_path, stage, text = sys.argv[1:]
    card = json.load(open(card_path, encoding="utf-8"))
    source = json.load(open(source_path, encoding="utf-8"))
    training = card["evaluation"]["training"]
    source_eval = source.get("evaluation", {})
    chain = list(source_eval.get("training", {}).get("chain", []))
    if not chain:
        sys.exit(f"card_chain: {source_path} has no training chain")
    sha = training.get("initialised_from", {}).get("sha256")
    if sha and sha != source.get("sha256"):
        sys.exit(f"card_chain: the run was initialised from weights {sha[:12]}..., not {source_path}'s")
    chain.append({"stage": stage, "from": source["id"], "options": text,
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
