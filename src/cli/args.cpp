#include "cli/args.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>
#include <system_error>
#include <vector>

#include "core/trainer.h"
#include "core/utf8.h"

namespace knobs::cli {

namespace {

// What each command accepts: its positional arguments, its options that take a value, its switches.
struct CommandSpec {
    const char* name;
    Command command;
    std::vector<const char*> positional;  // names for the usage, in order; all required
    std::vector<const char*> valued;
    std::vector<const char*> switches;
};

const std::vector<CommandSpec>& commands() {
    static const std::vector<CommandSpec> specs = {
        {"train", Command::train, {},
         {"--preset", "--layers", "--heads", "--width", "--context", "--corpus", "--steps", "--seed", "--lr", "--warmup",
          "--batch", "--quality-every", "--out"},
         {"--quiet"}},
        {"sample", Command::sample, {"MODEL"}, {"--prompt", "--tokens", "--temperature", "--top-k", "--top-p", "--seed"},
         {"--greedy", "--raw"}},
        {"eval", Command::eval, {"MODEL", "TEXTFILE"}, {}, {}},
        {"info", Command::info, {"MODEL"}, {}, {"--raw"}},
        {"grammar", Command::grammar, {"MODEL"}, {"--language", "--seeds"}, {}},
        {"bench", Command::bench, {}, {"--steps"}, {}},
    };
    return specs;
}

bool listed(const std::vector<const char*>& names, std::string_view s) {
    for (const char* n : names)
        if (s == n) return true;
    return false;
}

std::string options_of(const CommandSpec& c) {
    std::string all;
    for (const auto* list : {&c.valued, &c.switches})
        for (const char* n : *list) all += std::string(all.empty() ? "" : " ") + n;
    return all.empty() ? "none" : all;
}

std::string number_text(double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", x);
    return buf;
}

std::string refusal(std::string_view flag, const std::string& wanted, std::string_view text) {
    return std::string(flag) + " must be " + wanted + ", not " + shown(text);
}

std::string real_wanted(RealLimits limits) {
    return limits.lo_open ? "a number above " + number_text(limits.lo) + " and at most " + number_text(limits.hi)
                          : "a number from " + number_text(limits.lo) + " to " + number_text(limits.hi);
}

// The options of one command line, by name, as given.
using Given = std::map<std::string, std::string, std::less<>>;

// Reads an integer option into *out (of any integer type) when given; false with *error set when invalid.
template <typename Int>
bool take_integer(const Given& given, const char* flag, IntLimits limits, Int* out, std::string* error) {
    auto it = given.find(flag);
    if (it == given.end()) return true;
    long long v = 0;
    *error = parse_integer(flag, it->second, limits, &v);
    if (!error->empty()) return false;
    *out = static_cast<Int>(v);
    return true;
}

bool take_real(const Given& given, const char* flag, RealLimits limits, float* out, std::string* error) {
    auto it = given.find(flag);
    if (it == given.end()) return true;
    double v = 0;
    *error = parse_real(flag, it->second, limits, &v);
    if (!error->empty()) return false;
    // The engine keeps a float: "1e-300" is a positive double but a learning rate of 0 as a float.
    if (!limits.contains(static_cast<float>(v))) {
        *error = refusal(flag, real_wanted(limits), it->second);
        return false;
    }
    *out = static_cast<float>(v);
    return true;
}

// Applies the options of `given` to `inv`; returns the first refusal, or "".
std::string apply_options(const Given& given, Invocation& inv) {
    std::string e;
    auto word = [&](const char* flag) -> const std::string* {
        auto it = given.find(flag);
        return it == given.end() ? nullptr : &it->second;
    };
    if (const std::string* p = word("--preset"); p && !preset_config(*p, &inv.model))
        return refusal("--preset", "S, M or L", *p);
    if (!take_integer(given, "--layers", kLayersLimits, &inv.model.n_layer, &e) ||
        !take_integer(given, "--heads", kHeadsLimits, &inv.model.n_head, &e) ||
        !take_integer(given, "--width", kWidthLimits, &inv.model.n_embd, &e) ||
        !take_integer(given, "--context", kContextLimits, &inv.model.block_size, &e) ||
        !take_integer(given, "--steps", inv.command == Command::bench ? kBenchStepsLimits : kStepsLimits,
                      inv.command == Command::bench ? &inv.bench_steps : &inv.steps, &e) ||
        !take_integer(given, "--seed", kSeedLimits, &inv.seed, &e) ||
        !take_real(given, "--lr", kLrLimits, &inv.lr, &e) ||
        !take_integer(given, "--warmup", kWarmupLimits, &inv.warmup, &e) ||
        !take_integer(given, "--batch", kBatchLimits, &inv.batch, &e) ||
        !take_integer(given, "--quality-every", kQualityEveryLimits, &inv.quality_every, &e) ||
        !take_integer(given, "--tokens", kGenerateTokensLimits, &inv.tokens, &e) ||
        !take_real(given, "--temperature", kTemperatureLimits, &inv.sampling.temperature, &e) ||
        !take_integer(given, "--top-k", kTopKLimits, &inv.sampling.top_k, &e) ||
        !take_real(given, "--top-p", kTopPLimits, &inv.sampling.top_p, &e) ||
        !take_integer(given, "--seeds", kGrammarSeedsLimits, &inv.grammar_seeds, &e))
        return e;
    if (const std::string* l = word("--language")) {
        if (*l == "english") inv.language = Language::english;
        else if (*l == "portuguese") inv.language = Language::portuguese;
        else return refusal("--language", "english or portuguese", *l);
    }
    if (const std::string* c = word("--corpus")) {
        if (c->empty()) return "--corpus must be english, portuguese or a text file, not an empty name";
        inv.corpus = *c;
    }
    if (const std::string* o = word("--out")) {
        if (o->empty()) return "--out must name a file, not be empty";
        inv.out = *o;
    }
    if (const std::string* p = word("--prompt")) inv.prompt = *p;
    inv.quiet = given.count("--quiet") != 0;
    inv.raw = given.count("--raw") != 0;
    inv.sampling.greedy = given.count("--greedy") != 0;

    if (inv.command == Command::train) {
        if (inv.out.empty()) return "train needs --out MODEL (the file to write)";
        if (std::string problem = validate(inv.model); !problem.empty()) return "the model shape is invalid: " + problem;
        TrainConfig tc;
        tc.batch_size = inv.batch;
        tc.micro_batch_size = interactive_micro_batch(inv.batch);
        if (std::string problem = validate(tc); !problem.empty()) return problem;
    }
    if (inv.command == Command::sample)
        if (std::string problem = validate(inv.sampling); !problem.empty()) return problem;
    return {};
}

}  // namespace

std::string shown(std::string_view text) {
    std::string out = "\"";  // appended, not "\"" + s + "\"": GCC 12 -O3 warns falsely (-Wrestrict) on that
    out += escape_control_characters(as_bytes(text));
    out += '"';
    return out;
}

bool preset_config(std::string_view name, ModelConfig* out) {
    if (name == "S") *out = {2, 4, 64, 64};
    else if (name == "M") *out = {4, 4, 128, 128};
    else if (name == "L") *out = {6, 8, 192, 128};
    else return false;
    return true;
}

std::string parse_integer(std::string_view flag, std::string_view text, IntLimits limits, long long* out) {
    const std::string wanted = "a whole number from " + std::to_string(limits.lo) + " to " + std::to_string(limits.hi);
    long long v = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, v);
    if (text.empty() || ptr != end || (ec != std::errc() && ec != std::errc::result_out_of_range))
        return refusal(flag, wanted, text);
    if (ec == std::errc::result_out_of_range || !limits.contains(v)) return refusal(flag, wanted, text);
    *out = v;
    return {};
}

std::string parse_real(std::string_view flag, std::string_view text, RealLimits limits, double* out) {
    double v = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, v);
    // from_chars reads "nan" and "inf" too: contains() refuses them (NaN compares false, inf is above hi).
    if (text.empty() || ptr != end || ec != std::errc() || !std::isfinite(v) || !limits.contains(v))
        return refusal(flag, real_wanted(limits), text);
    *out = v;
    return {};
}

ParseResult parse_command_line(std::span<const std::string> args) {
    ParseResult r;
    if (args.empty()) {
        r.error = "no command given";
        return r;
    }
    const std::string& name = args[0];
    if (name == "help" || name == "--help" || name == "-h") {
        if (args.size() > 1) r.error = "unexpected argument " + shown(args[1]) + " after " + name;
        return r;
    }
    const CommandSpec* spec = nullptr;
    for (const CommandSpec& c : commands())
        if (name == c.name) spec = &c;
    if (!spec) {
        r.error = "unknown command " + shown(name) + " (commands: train sample eval info grammar bench)";
        return r;
    }
    Invocation& inv = r.invocation;
    inv.command = spec->command;
    Given given;
    std::vector<std::string> positional;
    for (size_t i = 1; i < args.size(); ++i) {
        const std::string& a = args[i];
        const bool valued = listed(spec->valued, a), is_switch = listed(spec->switches, a);
        if (valued || is_switch) {
            if (given.count(a)) {
                r.error = a + " is given twice";
                return r;
            }
            if (valued && i + 1 == args.size()) {
                r.error = a + " needs a value";
                return r;
            }
            given[a] = valued ? args[++i] : "";
        } else if (a.size() > 1 && a[0] == '-') {
            r.error = std::string(spec->name) + " has no option " + shown(a) + " (its options: " + options_of(*spec) + ")";
            return r;
        } else if (positional.size() == spec->positional.size()) {
            r.error = "unexpected argument " + shown(a) + " (" + std::string(spec->name) + " takes " +
                      std::to_string(spec->positional.size()) + ")";
            return r;
        } else {
            positional.push_back(a);
        }
    }
    if (positional.size() < spec->positional.size()) {
        r.error = std::string(spec->name) + " needs";
        for (const char* p : spec->positional) r.error += std::string(" ") + p;
        return r;
    }
    if (!positional.empty()) inv.model_path = positional[0];
    if (positional.size() > 1) inv.text_path = positional[1];
    r.error = apply_options(given, inv);
    return r;
}

std::string usage_text() {
    return "usage:\n"
           "  knobs train  [--preset S|M|L] [--layers N] [--heads N] [--width N] [--context N]\n"
           "               [--corpus english|portuguese|FILE] [--steps N] [--seed N] [--lr X] [--warmup N] [--batch N]\n"
           "               [--quality-every N] [--quiet] --out MODEL\n"
           "  knobs sample MODEL [--prompt TEXT] [--tokens N] [--temperature X] [--top-k N] [--top-p X] [--greedy]\n"
           "               [--seed N] [--raw]\n"
           "  knobs eval   MODEL TEXTFILE\n"
           "  knobs info   MODEL [--raw]\n"
           "  knobs grammar MODEL [--language english|portuguese] [--seeds N]\n"
           "  knobs bench  [--steps N]\n"
           "Every number is checked against its range; text from a file or a model is printed with control\n"
           "characters escaped as \\xNN unless --raw is given.\n";
}

}  // namespace knobs::cli
