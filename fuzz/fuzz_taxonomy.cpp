// SPDX-License-Identifier: GPL-3.0-or-later
// Taxonomies (JSON groups of tags) and the grouped max-pooling that reads them.
#include <string>
#include <vector>

#include "core/tags/taxonomy_parser.h"
#include "fuzz/fuzz_target.h"

TAGSCOPE_FUZZ_TARGET(taxonomy) {
    using namespace tagscope;
    auto taxonomy = tags::parseTaxonomy(bytes, "fuzz-taxonomy.json");
    if (!taxonomy) return;
    TAGSCOPE_FUZZ_CHECK(!taxonomy->groups.empty());
    const std::vector<std::string> names{"guitar", "piano", "rock", "mtat:guitar"};
    const std::vector<std::string> vocabularies{"mtat", "mtat", "msd", "msd"};
    const std::vector<float> scores{0.1f, 0.9f, 0.5f, 0.3f};
    for (const auto& coarse : tags::groupedMaxPool(*taxonomy, names, scores, vocabularies))
        TAGSCOPE_FUZZ_CHECK(coarse.evidenceIndex < names.size());
}
