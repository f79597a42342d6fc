// The CLI's parser: every option's bounds from core/limits.h, strict integers and reals, and the refusals
// of unknown options, repeated options, extra arguments and unknown words (--preset XXL once trained S).
#include "cli/args.h"

#include <string>
#include <vector>

#include "catch_amalgamated.hpp"
#include "core/utf8.h"

using namespace knobs;
using namespace knobs::cli;
using Catch::Matchers::ContainsSubstring;

namespace {

ParseResult parse(std::vector<std::string> args) { return parse_command_line(args); }

// The arguments a command needs besides the option under test.
std::vector<std::string> base_of(const std::string& command) {
    if (command == "train") return {"train", "--out", "model.knobs"};
    if (command == "bench") return {"bench"};
    return {command, "model.knobs"};
}

ParseResult with(const std::string& command, const std::string& flag, const std::string& value) {
    std::vector<std::string> args = base_of(command);
    args.push_back(flag);
    args.push_back(value);
    return parse_command_line(args);
}

struct IntOption {
    const char* command;
    const char* flag;
    IntLimits limits;
};
struct RealOption {
    const char* command;
    const char* flag;
    RealLimits limits;
};

}  // namespace

TEST_CASE("[cli] every integer option takes its whole range and nothing else", "[cli]") {
    const IntOption o = GENERATE(IntOption{"train", "--layers", kLayersLimits}, IntOption{"train", "--heads", kHeadsLimits},
                                 IntOption{"train", "--width", kWidthLimits}, IntOption{"train", "--context", kContextLimits},
                                 IntOption{"train", "--steps", kStepsLimits}, IntOption{"train", "--seed", kSeedLimits},
                                 IntOption{"train", "--warmup", kWarmupLimits}, IntOption{"train", "--batch", kBatchLimits},
                                 IntOption{"train", "--quality-every", kQualityEveryLimits},
                                 IntOption{"sample", "--tokens", kGenerateTokensLimits},
                                 IntOption{"sample", "--top-k", kTopKLimits}, IntOption{"sample", "--seed", kSeedLimits},
                                 IntOption{"grammar", "--seeds", kGrammarSeedsLimits},
                                 IntOption{"bench", "--steps", kBenchStepsLimits});
    INFO(o.command << " " << o.flag);
    const std::string range = "a whole number from " + std::to_string(o.limits.lo) + " to " + std::to_string(o.limits.hi);
    for (long long v : {o.limits.lo, o.limits.hi}) {
        const ParseResult r = with(o.command, o.flag, std::to_string(v));
        INFO(v << ": " << r.error);
        CHECK(r.ok());
    }
    const std::string bad = GENERATE_COPY(std::to_string(o.limits.lo - 1), std::to_string(o.limits.hi + 1), std::string("1e9"),
                                          std::string("2.5"), std::string("nan"), std::string("inf"), std::string("-inf"),
                                          std::string("1e30"), std::string("99999999999999999999999"), std::string(""),
                                          std::string("+3"), std::string(" 3"), std::string("3 "), std::string("0x10"),
                                          std::string("ten"));
    const ParseResult r = with(o.command, o.flag, bad);
    INFO("value \"" << bad << "\": " << r.error);
    CHECK_FALSE(r.ok());
    CHECK(r.error == std::string(o.flag) + " must be " + range + ", not \"" + bad + "\"");
}

TEST_CASE("[cli] every real option takes its range and refuses NaN, infinities and words", "[cli]") {
    const RealOption o = GENERATE(RealOption{"train", "--lr", kLrLimits}, RealOption{"sample", "--temperature", kTemperatureLimits},
                                  RealOption{"sample", "--top-p", kTopPLimits});
    INFO(o.command << " " << o.flag);
    CHECK(with(o.command, o.flag, std::to_string(o.limits.hi)).ok());
    CHECK(with(o.command, o.flag, "1e-1").ok() == o.limits.contains(0.1));
    CHECK(with(o.command, o.flag, std::to_string(o.limits.lo)).ok() == !o.limits.lo_open);
    const std::string bad = GENERATE(std::string("nan"), std::string("NaN"), std::string("inf"), std::string("-infinity"),
                                     std::string("1e400"), std::string("11"), std::string("-1"), std::string(""),
                                     std::string("0.5x"), std::string("fast"));
    const ParseResult r = with(o.command, o.flag, bad);
    INFO("value \"" << bad << "\": " << r.error);
    CHECK_FALSE(r.ok());
    CHECK_THAT(r.error, ContainsSubstring(std::string(o.flag) + " must be a number ") && ContainsSubstring("not \"" + bad + "\""));
}

TEST_CASE("[cli] --batch refuses 1e9", "[cli]") {
    CHECK(with("train", "--batch", "1e9").error == "--batch must be a whole number from 1 to 64, not \"1e9\"");
}

TEST_CASE("[cli] --tokens refuses 1e30, -1 and nan", "[cli]") {
    const std::string v = GENERATE("1e30", "-1", "nan");
    CHECK(with("sample", "--tokens", v).error == "--tokens must be a whole number from 1 to 1000, not \"" + v + "\"");
}

TEST_CASE("[cli] --seed -1 is refused, not wrapped", "[cli]") {
    CHECK(with("train", "--seed", "-1").error == "--seed must be a whole number from 0 to 2147483647, not \"-1\"");
    CHECK(with("train", "--seed", "2147483647").invocation.seed == 2147483647u);
}

TEST_CASE("[cli] bench --steps -5 is refused", "[cli]") {
    CHECK(with("bench", "--steps", "-5").error == "--steps must be a whole number from 1 to 10000, not \"-5\"");
}

TEST_CASE("[cli] --preset takes S, M or L only", "[cli]") {
    CHECK(with("train", "--preset", "XXL").error == "--preset must be S, M or L, not \"XXL\"");
    CHECK(with("train", "--preset", "s").error == "--preset must be S, M or L, not \"s\"");
    const ParseResult m = with("train", "--preset", "M");
    REQUIRE(m.ok());
    CHECK(m.invocation.model == ModelConfig{4, 4, 128, 128});
}

TEST_CASE("[cli] words, shapes and sampling settings are checked as a whole", "[cli]") {
    CHECK(with("grammar", "--language", "klingon").error == "--language must be english or portuguese, not \"klingon\"");
    CHECK(with("grammar", "--language", "portuguese").invocation.language == Language::portuguese);
    CHECK_THAT(parse({"train", "--out", "m", "--width", "20", "--heads", "8"}).error,
               ContainsSubstring("the model shape is invalid") && ContainsSubstring("divisible"));
    CHECK_THAT(parse({"train", "--corpus", "", "--out", "m"}).error, ContainsSubstring("--corpus must be"));
    CHECK(parse({"train"}).error == "train needs --out MODEL (the file to write)");
    CHECK(parse({"train", "--out", ""}).error == "--out must name a file, not be empty");
}

TEST_CASE("[cli] unknown options, repeated options and extra arguments are refused", "[cli]") {
    CHECK(parse({"train", "--out", "m", "--bogus", "1"}).error.rfind("train has no option \"--bogus\" (its options: --preset", 0) == 0);
    CHECK_THAT(parse({"info", "m", "--greedy"}).error, ContainsSubstring("info has no option \"--greedy\" (its options: --raw)"));
    CHECK(parse({"eval", "m", "t", "--raw"}).error == "eval has no option \"--raw\" (its options: none)");
    CHECK(parse({"train", "--out", "a", "--out", "b"}).error == "--out is given twice");
    CHECK(parse({"info", "a", "b"}).error == "unexpected argument \"b\" (info takes 1)");
    CHECK(parse({"bench", "20"}).error == "unexpected argument \"20\" (bench takes 0)");
    CHECK(parse({"eval", "m"}).error == "eval needs MODEL TEXTFILE");
    CHECK(parse({"sample", "m", "--tokens"}).error == "--tokens needs a value");
    CHECK(parse({"fly"}).error == "unknown command \"fly\" (commands: train sample eval info grammar bench)");
    CHECK(parse({}).error == "no command given");
    CHECK(parse({"--help"}).ok());
    CHECK(parse({"--help"}).invocation.command == Command::help);
}

TEST_CASE("[cli] a refusal quotes the value with its control characters escaped", "[cli]") {
    const ParseResult r = parse({"train", "--out", "m", "--preset", "\x1B]0;pwned\x07"});
    CHECK(r.error == "--preset must be S, M or L, not \"\\x1B]0;pwned\\x07\"");
    const ParseResult u = parse({"info", "m", "-\x1B[2J"});
    CHECK(first_control_character(u.error) == std::string_view::npos);
    CHECK(is_valid_utf8(as_bytes(parse({"fly\xFF"}).error)));
}

TEST_CASE("[cli] a full command line sets every field", "[cli]") {
    const ParseResult t = parse({"train", "--preset", "L", "--layers", "3", "--corpus", "portuguese", "--steps", "500", "--seed",
                                 "7", "--lr", "0.01", "--warmup", "0", "--batch", "5", "--quality-every", "50", "--quiet",
                                 "--out", "x.knobs"});
    REQUIRE(t.ok());
    const Invocation& i = t.invocation;
    CHECK(i.command == Command::train);
    CHECK(i.model == ModelConfig{3, 8, 192, 128});
    CHECK(i.corpus == "portuguese");
    CHECK(i.steps == 500);
    CHECK(i.seed == 7);
    CHECK_THAT(i.lr, Catch::Matchers::WithinRel(0.01f));
    CHECK(i.warmup == 0);
    CHECK(i.batch == 5);
    CHECK(i.quality_every == 50);
    CHECK(i.quiet);
    CHECK(i.out == "x.knobs");

    const ParseResult s = parse({"sample", "m.knobs", "--prompt", "--tokens", "--tokens", "5", "--temperature", "0",
                                 "--top-k", "3", "--top-p", "0.5", "--greedy", "--raw"});
    REQUIRE(s.ok());
    CHECK(s.invocation.prompt == "--tokens");  // an option's value is the next argument, whatever it looks like
    CHECK(s.invocation.tokens == 5);
    CHECK(s.invocation.sampling == SamplingConfig{0.0f, 3, 0.5f, true});
    CHECK(s.invocation.raw);
    CHECK(s.invocation.model_path == "m.knobs");

    const ParseResult e = parse({"eval", "m.knobs", "val.txt"});
    REQUIRE(e.ok());
    CHECK(e.invocation.text_path == "val.txt");
    CHECK(parse({"bench", "--steps", "7"}).invocation.bench_steps == 7);
}

TEST_CASE("[cli] --lr 1e-300 is refused: as a float it would be 0", "[cli]") {
    CHECK(with("train", "--lr", "1e-300").error == "--lr must be a number above 0 and at most 10, not \"1e-300\"");
    CHECK(with("train", "--lr", "1e-30").ok());
}
