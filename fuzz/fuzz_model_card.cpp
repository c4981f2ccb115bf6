// SPDX-License-Identifier: GPL-3.0-or-later
// Model cards (JSON): fields, types, ranges, nesting.
#include "core/cards/model_card_parser.h"
#include "fuzz/fuzz_target.h"

TAGSCOPE_FUZZ_TARGET(model_card) {
    // NOTE: the card "lives" in a folder that does not exist, so vocabulary files it names are
    // looked up and reported missing, never read from the machine running the fuzzer.
    auto card = tagscope::cards::parseModelCard(bytes, "/nonexistent-tagscope-fuzz/card.json");
    if (!card) return;
    TAGSCOPE_FUZZ_CHECK(card->tagCount() > 0);
    TAGSCOPE_FUZZ_CHECK(card->chunkSamples > 0 && card->mel.nFft > 0 && card->mel.nMels > 0);
    TAGSCOPE_FUZZ_CHECK(card->trackChunkSamples == 0 || card->trackChunkSamples >= card->chunkSamples);
    (void)card->toJson().dump();
}
