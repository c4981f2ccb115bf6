// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/training/corpus.h"

#include <deque>
#include <fstream>
#include <map>
#include <sstream>

#include "core/audio/audio_decoder.h"
#include "core/io/file_util.h"

namespace tagscope::model::training {
namespace {

std::vector<std::string> splitTabs(const std::string& line) {
    std::vector<std::string> fields;
    std::string field;
    std::istringstream in(line);
    while (std::getline(in, field, '\t')) fields.push_back(field);
    return fields;
}

Result<std::vector<std::vector<std::string>>> readRows(const std::filesystem::path& tsv, size_t columns) {
    std::ifstream in(tsv);
    if (!in) return fail(Error::Kind::NotFound, tsv, "cannot open the file list");
    std::vector<std::vector<std::string>> rows;
    std::string line;
    for (size_t number = 1; std::getline(in, line); ++number) {
        if (line.empty() || line[0] == '#') continue;
        auto fields = splitTabs(line);
        if (fields.size() != columns)
            return fail(Error::Kind::InvalidInput, tsv,
                        "line " + std::to_string(number) + " has " + std::to_string(fields.size()) + " columns, expected " +
                            std::to_string(columns) + " separated by tabs");
        rows.push_back(std::move(fields));
    }
    return rows;
}

} // namespace

Result<std::vector<CorpusEntry>> readCorpusList(const std::filesystem::path& tsv) {
    auto rows = readRows(tsv, 4);
    if (!rows) return fail(rows.error());
    std::vector<CorpusEntry> entries;
    for (const auto& r : *rows) {
        CorpusEntry e{r[0], r[1], 0.0, r[3]};
        try {
            e.durationSeconds = std::stod(r[2]);
        } catch (const std::exception&) {
            return fail(Error::Kind::InvalidInput, tsv, "duration '" + r[2] + "' of " + r[0] + " is not a number");
        }
        entries.push_back(std::move(e));
    }
    return entries;
}

Result<void> writeCorpusList(const std::filesystem::path& tsv, const std::vector<CorpusEntry>& entries) {
    std::ostringstream out;
    out << "# path\tpackage\tduration_seconds\tsplit\n";
    for (const auto& e : entries)
        out << e.path.string() << '\t' << e.package << '\t' << e.durationSeconds << '\t' << e.split << '\n';
    return io::writeFileAtomically(tsv, out.str());
}

Result<std::vector<CorpusEntry>> probeCandidates(const std::filesystem::path& candidatesTsv, double minSeconds,
                                                 size_t* skipped) {
    auto rows = readRows(candidatesTsv, 3);
    if (!rows) return fail(rows.error());
    std::vector<CorpusEntry> entries;
    size_t bad = 0;
    for (const auto& r : *rows) {
        auto info = audio::probeAudio(r[0]);
        if (!info || info->durationSeconds() <= 0.0) {
            ++bad;
            continue;
        }
        if (info->durationSeconds() >= minSeconds) entries.push_back({r[0], r[1], info->durationSeconds(), r[2]});
    }
    if (skipped) *skipped = bad;
    return entries;
}

std::vector<CorpusEntry> selectSplit(const std::vector<CorpusEntry>& entries, const std::string& split) {
    std::map<std::string, std::deque<CorpusEntry>> byPackage;
    for (const auto& e : entries)
        if (e.split == split) byPackage[e.package].push_back(e);
    std::vector<CorpusEntry> ordered;
    for (bool any = true; any;) {
        any = false;
        for (auto& [package, queue] : byPackage) {
            if (queue.empty()) continue;
            ordered.push_back(std::move(queue.front()));
            queue.pop_front();
            any = true;
        }
    }
    return ordered;
}

} // namespace tagscope::model::training
