// libFuzzer target: the `knobs` command line (src/cli/args.h), every argument vector at all. The input is
// split at NUL bytes into arguments, the way a shell hands them over.
//
// Invariants:
//   * parsing never crashes, throws or hits undefined behaviour (no float-to-int cast out of range);
//   * a refusal is one line of valid UTF-8 without control characters, whatever bytes the arguments held;
//   * an accepted command line has every number inside its range from core/limits.h (and src/cli/args.h),
//     a valid model shape and sampling settings, and the batch splits the way the engine needs;
//   * what is accepted, written back as a canonical command line, parses to the same invocation.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "cli/args.h"
#include "core/trainer.h"
#include "core/utf8.h"
#include "fuzz_check.h"

using namespace knobs;
using namespace knobs::cli;

namespace {

std::string real_text(float x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(x));  // 9 digits: every float exactly
    return buf;
}

// The command line that means `inv`, every option spelled out.
std::vector<std::string> canonical(const Invocation& inv) {
    auto n = [](long long v) { return std::to_string(v); };
    switch (inv.command) {
        case Command::help: return {"--help"};
        case Command::train: {
            std::vector<std::string> a = {"train", "--layers", n(inv.model.n_layer), "--heads", n(inv.model.n_head),
                                          "--width", n(inv.model.n_embd), "--context", n(inv.model.block_size),
                                          "--corpus", inv.corpus, "--steps", n(inv.steps), "--seed", n(static_cast<long long>(inv.seed)),
                                          "--lr", real_text(inv.lr), "--warmup", n(inv.warmup), "--batch", n(inv.batch),
                                          "--quality-every", n(inv.quality_every), "--out", inv.out};
            if (inv.quiet) a.push_back("--quiet");
            return a;
        }
        case Command::sample: {
            std::vector<std::string> a = {"sample", inv.model_path, "--prompt", inv.prompt, "--tokens", n(inv.tokens),
                                          "--temperature", real_text(inv.sampling.temperature), "--top-k", n(inv.sampling.top_k),
                                          "--top-p", real_text(inv.sampling.top_p), "--seed", n(static_cast<long long>(inv.seed))};
            if (inv.sampling.greedy) a.push_back("--greedy");
            if (inv.raw) a.push_back("--raw");
            return a;
        }
        case Command::eval: return {"eval", inv.model_path, inv.text_path};
        case Command::info: return inv.raw ? std::vector<std::string>{"info", inv.model_path, "--raw"}
                                           : std::vector<std::string>{"info", inv.model_path};
        case Command::grammar:
            return {"grammar", inv.model_path, "--language", inv.language == Language::english ? "english" : "portuguese",
                    "--seeds", n(inv.grammar_seeds)};
        case Command::bench: return {"bench", "--steps", n(inv.bench_steps)};
    }
    return {};
}

// A canonical line sets every option of its command; the fields other commands own keep their defaults
// on one side and whatever the fuzzed line set on the other, so compare what the command reads.
bool same_for_command(const Invocation& a, const Invocation& b) {
    if (a.command != b.command) return false;
    switch (a.command) {
        case Command::help: return true;
        case Command::train:
            return a.model == b.model && a.corpus == b.corpus && a.steps == b.steps && a.seed == b.seed && a.lr == b.lr &&
                   a.warmup == b.warmup && a.batch == b.batch && a.quality_every == b.quality_every && a.quiet == b.quiet &&
                   a.out == b.out;
        case Command::sample:
            return a.model_path == b.model_path && a.prompt == b.prompt && a.tokens == b.tokens && a.sampling == b.sampling &&
                   a.seed == b.seed && a.raw == b.raw;
        case Command::eval: return a.model_path == b.model_path && a.text_path == b.text_path;
        case Command::info: return a.model_path == b.model_path && a.raw == b.raw;
        case Command::grammar: return a.model_path == b.model_path && a.language == b.language && a.grammar_seeds == b.grammar_seeds;
        case Command::bench: return a.bench_steps == b.bench_steps;
    }
    return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::vector<std::string> args(1);
    for (size_t i = 0; i < size; ++i) {
        if (data[i] == 0) args.emplace_back();
        else args.back() += static_cast<char>(data[i]);
    }
    if (size == 0) args.clear();

    const ParseResult r = parse_command_line(args);
    if (!r.ok()) {
        FUZZ_REQUIRE(is_valid_utf8(as_bytes(r.error)), "a refusal is valid UTF-8");
        FUZZ_REQUIRE(first_control_character(r.error) == std::string_view::npos, "a refusal holds no control character");
        return 0;
    }
    const Invocation& inv = r.invocation;
    switch (inv.command) {
        case Command::train: {
            FUZZ_REQUIRE(validate(inv.model).empty(), "an accepted model shape is valid");
            FUZZ_REQUIRE(kStepsLimits.contains(inv.steps) && kWarmupLimits.contains(inv.warmup) &&
                             kBatchLimits.contains(inv.batch) && kQualityEveryLimits.contains(inv.quality_every),
                         "accepted step counts and batch are in range");
            FUZZ_REQUIRE(std::isfinite(inv.lr) && kLrLimits.contains(inv.lr), "an accepted learning rate is in range as a float");
            TrainConfig tc;
            tc.lr = inv.lr;
            tc.warmup_steps = inv.warmup;
            tc.total_steps = inv.steps;
            tc.batch_size = inv.batch;
            tc.micro_batch_size = interactive_micro_batch(inv.batch);
            FUZZ_REQUIRE(validate(tc).empty(), "an accepted training run is valid for the trainer");
            FUZZ_REQUIRE(!inv.out.empty() && !inv.corpus.empty(), "train has a corpus and an output");
            break;
        }
        case Command::sample:
            FUZZ_REQUIRE(validate(inv.sampling).empty(), "accepted sampling settings are valid");
            FUZZ_REQUIRE(kGenerateTokensLimits.contains(inv.tokens) && kTopKLimits.contains(inv.sampling.top_k) &&
                             kTemperatureLimits.contains(inv.sampling.temperature) && kTopPLimits.contains(inv.sampling.top_p),
                         "accepted sampling numbers are in range as floats");
            break;
        case Command::grammar: FUZZ_REQUIRE(kGrammarSeedsLimits.contains(inv.grammar_seeds), "grammar seeds in range"); break;
        case Command::bench: FUZZ_REQUIRE(kBenchStepsLimits.contains(inv.bench_steps), "bench steps in range"); break;
        default: break;
    }
    FUZZ_REQUIRE(kSeedLimits.contains(static_cast<long long>(inv.seed)), "an accepted seed is in range");

    const std::vector<std::string> again_args = canonical(inv);
    const ParseResult again = parse_command_line(again_args);
    FUZZ_REQUIRE(again.ok(), "the canonical command line of an accepted one is accepted");
    FUZZ_REQUIRE(same_for_command(again.invocation, inv), "the canonical command line means the same");
    return 0;
}
