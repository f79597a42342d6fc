// The command line of `knobs`, parsed in one strict pass with no side effects, so every option's bounds can
// be tested (tests/cli) and fuzzed (fuzz/fuzz_cli_args.cpp) without running a command.
//
// Strict means: an integer option takes a whole number in decimal ("1e9", "3.5", "0x10" are refused), a
// real option takes a finite number (NaN and infinities are refused), every number must lie in its range
// from core/limits.h, a word option takes one of its words, and an unknown option, a repeated option or an
// argument too many is refused. A refusal is one line that names the option, quotes the value (escaped:
// see shown()) and gives the allowed range. Files named on the command line are checked by the command
// that reads them (src/cli/files.h), not here.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/config.h"
#include "core/grammar.h"
#include "core/limits.h"
#include "core/sampling.h"

namespace knobs::cli {

// CLI-only numbers (the app has no such setting), next to the shared ones of core/limits.h.
inline constexpr IntLimits kBenchStepsLimits{1, 10000};
inline constexpr IntLimits kQualityEveryLimits{0, kStepsLimits.hi};  // 0: never
inline constexpr IntLimits kGrammarSeedsLimits{1, 100};

enum class Command { help, train, sample, eval, info, grammar, bench };

// Everything a command line can say; each command reads its own fields. Defaults are the CLI's.
struct Invocation {
    Command command = Command::help;
    // train
    ModelConfig model{2, 4, 64, 64};  // preset S, then --layers/--heads/--width/--context
    std::string corpus = "english";   // english, portuguese or a text file
    int steps = 1000;
    float lr = 3e-3f;
    int warmup = 30;
    int batch = 16;
    int quality_every = 0;
    bool quiet = false;
    std::string out;
    // train and sample
    uint64_t seed = 1;
    // sample, eval, info, grammar
    std::string model_path;
    std::string text_path;  // eval
    std::string prompt = "\n";
    int tokens = 200;
    SamplingConfig sampling;
    bool raw = false;  // sample, info: print bytes from the file or the model unescaped
    Language language = Language::english;
    int grammar_seeds = 4;
    // bench
    int bench_steps = 20;
    bool operator==(const Invocation&) const = default;
};

struct ParseResult {
    Invocation invocation;
    std::string error;  // empty when the command line is valid; otherwise one line, without "knobs: "
    bool ok() const { return error.empty(); }
};

// `args`: the arguments after the program name.
ParseResult parse_command_line(std::span<const std::string> args);
std::string usage_text();

// The model of a size preset ("S", "M", "L"), or false for any other name.
bool preset_config(std::string_view name, ModelConfig* out);

// One number of option `flag` (say "--batch"). Empty and *out set when `text` is a number of the kind and
// range asked for; otherwise the refusal, e.g. `--batch must be a whole number from 1 to 64, not "1e9"`.
std::string parse_integer(std::string_view flag, std::string_view text, IntLimits limits, long long* out);
std::string parse_real(std::string_view flag, std::string_view text, RealLimits limits, double* out);

// `text` quoted for a message or a listing: control characters and bytes that are not UTF-8 become \xNN,
// so a file name or a value from anywhere cannot drive the terminal.
std::string shown(std::string_view text);

}  // namespace knobs::cli
