// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/tags/tag_vocabulary.h"

#include "core/tags/coarse_tag.h"

#include <algorithm>
#include <fstream>

namespace tagscope::tags {

std::optional<size_t> TagVocabulary::indexOf(const std::string& tag) const {
    const auto it = std::find(tags.begin(), tags.end(), tag);
    if (it == tags.end()) return std::nullopt;
    return size_t(it - tags.begin());
}

Result<TagVocabulary> loadTagVocabulary(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) return fail(Error::Kind::NotFound, path, "tag vocabulary file not found");
    std::ifstream in(path);
    if (!in) return fail(Error::Kind::Io, path, "cannot open tag vocabulary");
    TagVocabulary v;
    v.name = path.stem().string();
    std::string line;
    while (std::getline(in, line)) {
        const auto b = line.find_first_not_of(" \t\r\n");
        if (b == std::string::npos) continue;
        const auto e = line.find_last_not_of(" \t\r\n");
        v.tags.push_back(line.substr(b, e - b + 1));
    }
    if (v.tags.empty()) return fail(Error::Kind::InvalidInput, path, "tag vocabulary is empty");
    return v;
}

std::string vocabularyLabel(const std::string& vocabulary) {
    if (vocabulary == kLearnedGroupsVocabulary) return "group";
    const std::string stem = vocabulary.substr(0, vocabulary.find('_'));
    if (stem == "mtat") return "MTAT";
    if (stem == "msd") return "MSD";
    if (stem == "jamendo") return "Jamendo";
    return stem;
}

std::vector<std::string> displayTagNames(const std::vector<std::string>& names,
                                         const std::vector<std::string>& vocabularyOfTag) {
    bool several = false;
    if (vocabularyOfTag.size() == names.size())
        for (const auto& v : vocabularyOfTag) several = several || v != vocabularyOfTag.front();
    std::vector<std::string> out;
    out.reserve(names.size());
    for (size_t i = 0; i < names.size(); ++i) {
        // MTG-Jamendo names carry their category: "genre---ambient", "mood/theme---film".
        std::string name = names[i], category;
        if (const auto dashes = name.find("---"); dashes != std::string::npos && dashes + 3 < name.size()) {
            category = name.substr(0, dashes);
            name = name.substr(dashes + 3);
        }
        std::string qualifier = several ? vocabularyLabel(vocabularyOfTag[i]) : "";
        if (!category.empty()) qualifier += (qualifier.empty() ? "" : " ") + category;
        out.push_back(qualifier.empty() ? name : name + " (" + qualifier + ")");
    }
    return out;
}

} // namespace tagscope::tags
