// SPDX-License-Identifier: GPL-3.0-or-later
// tagscope-cli: tag, explain, and manage models from the command line. Composition only; the
// work is done by the same core and model functions as the GUI's.
#include <map>
#include <string>

#include <CLI/CLI.hpp>

#include "app/cli/cli_common.h"
#include "app/cli/explain_command.h"
#include "app/cli/features_command.h"
#include "app/cli/models_command.h"
#include "app/cli/tag_command.h"
#include "app/cli/train_command.h"

namespace {

constexpr const char* kExitCodesHelp =
    "Exit codes: 0 ok, 1 some files failed (the others were processed), 2 usage error, "
    "3 the model could not be found or loaded, 130 cancelled (Ctrl+C).";

} // namespace

int main(int argc, char** argv) {
    using namespace tagscope::cli;
    CLI::App app{"tagscope-cli: interpretable music auto-tagging", "tagscope-cli"};
    app.footer(kExitCodesHelp);
    app.set_version_flag("--version", std::string("tagscope-cli ") + TAGSCOPE_VERSION, "Print the version and exit");
    app.require_subcommand(1);
    app.fallthrough();

    GlobalOptions global;
    app.add_option("--model", global.model, "Model id (see 'models list') or path of a model card (.json)");
    app.add_option("--device", global.device, "auto, cpu, cuda or cuda:N")->capture_default_str();
    app.add_option("--hop", global.hopSeconds, "Chunk hop in seconds (default: the chunk length)")->check(CLI::NonNegativeNumber);
    const std::map<std::string, tagscope::audio::ResampleQuality> resamplers{
        {"torchaudio", tagscope::audio::ResampleQuality::Torchaudio}, {"best", tagscope::audio::ResampleQuality::Best},
        {"medium", tagscope::audio::ResampleQuality::Medium}, {"fastest", tagscope::audio::ResampleQuality::Fastest}};
    app.add_option("--resampler", global.resampler,
                   "Resampler: torchaudio (windowed sinc, default), best, medium, fastest (libsamplerate)")
        ->transform(CLI::CheckedTransformer(resamplers, CLI::ignore_case));
    app.add_option("--threads", global.threads, "Compute threads (default: one per core)")->check(CLI::NonNegativeNumber);
    app.add_flag("--timings", global.timings, "Print the seconds spent decoding, in the mel front end and in the model");

    TagCommand tag;
    ExplainCommand explain;
    ModelsCommand models;
    tag.add(app);
    explain.add(app);
    models.add(app);
    registerTrainCommands(app);
    FeaturesCommand features;
    features.add(app);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        printError(e.what());
        std::fprintf(stderr, "Run 'tagscope-cli --help' for usage.\n");
        return kExitUsage;
    }
    if (tag.parsed()) return tag.run(global);
    if (explain.parsed()) return explain.run(global);
    if (models.parsed()) return models.run(global);
    if (features.parsed()) return features.run(global);
    return kExitUsage;
}
