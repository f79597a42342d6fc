// knobs: the command-line face of the engine (native). Same core as the browser app.
//   knobs train  [--preset S|M|L] [--layers N --heads N --width N --context N] [--corpus english|portuguese|FILE]
//                [--steps N] [--seed N] [--lr X] [--warmup N] [--batch N] [--quality-every N] [--quiet] --out MODEL
//   knobs sample MODEL [--prompt TEXT] [--tokens N] [--temperature X] [--top-k N] [--top-p X] [--greedy] [--seed N] [--raw]
//   knobs eval   MODEL TEXTFILE        mean loss in nats per byte
//   knobs info   MODEL [--raw]         the file's header and sections
//   knobs grammar MODEL [--language english|portuguese] [--seeds N]
//                                      share of sampled sentences that are grammatical
//   knobs bench  [--steps N]           training speed of the default configuration
// The command line is parsed by src/cli/args.h (strict: every number in its range), files are checked by
// src/cli/files.h before they are read, and whatever comes from a file or a model is printed with its
// control characters escaped (unless --raw): text from a file is data, never terminal control.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cli/args.h"
#include "cli/files.h"
#include "core/checksum.h"
#include "core/corpus.h"
#include "core/generate.h"
#include "core/grammar.h"
#include "core/model.h"
#include "core/trainer.h"
#include "core/utf8.h"
#include "core/weights_file.h"

using namespace knobs;

namespace {

using namespace knobs::cli;

int refuse(const std::string& message, int code = 1) {
    std::fprintf(stderr, "knobs: %s\n", message.c_str());
    return code;
}

// For printing anything that came from a file or a model: control characters escaped (\xNN) unless --raw.
std::string printable(std::string_view text, bool raw, std::string_view keep = {}) {
    return raw ? std::string(text) : escape_control_characters(as_bytes(text), keep);
}

std::optional<WeightsFile> load_model_file(const std::string& path) {
    FileBytes file = read_weights_file(path);
    if (!file.ok()) {
        refuse(file.error);
        return std::nullopt;
    }
    LoadResult r = load_weights(file.bytes);
    if (!r.ok()) {
        refuse(shown(path) + ": " + printable(r.message, false));
        return std::nullopt;
    }
    return std::move(r.file);
}

// A model ready for inference: LoRA adapters (if any) merged into the weights.
std::unique_ptr<Model> to_model(const WeightsFile& wf) {
    auto m = std::make_unique<Model>(wf.config);
    std::copy(wf.params.begin(), wf.params.end(), m->params().begin());
    if (wf.lora) {
        m->enable_lora(wf.lora->rank, wf.lora->alpha, 0);
        std::copy(wf.lora->params.begin(), wf.lora->params.end(), m->lora_params().begin());
        m->merge_lora();
    }
    return m;
}

// A loss for a report line: "n/a" when there is none (no validation text) rather than "nan".
std::string loss_text(double loss) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4f", loss);
    return std::isfinite(loss) ? buf : "n/a";
}

// Mean cross-entropy over every byte of `text` that has a full window of context before it, in windows
// of T + 1 bytes with stride T (each byte predicted once).
double mean_loss(Model& m, std::span<const uint8_t> text) {
    const int T = m.config().block_size;
    const int B = 16;
    m.reserve(B, T);
    std::vector<uint8_t> in(static_cast<size_t>(B) * T), tg(static_cast<size_t>(B) * T);
    double sum = 0;
    size_t count = 0;
    size_t pos = 0;
    while (pos + T + 1 <= text.size()) {
        int b = 0;
        for (; b < B && pos + T + 1 <= text.size(); ++b, pos += T) {
            std::copy_n(text.begin() + pos, T, in.begin() + b * T);
            std::copy_n(text.begin() + pos + 1, T, tg.begin() + b * T);
        }
        const float loss = m.forward(in.data(), tg.data(), b, T);
        sum += static_cast<double>(loss) * b * T;
        count += static_cast<size_t>(b) * T;
    }
    return count ? sum / count : NAN;
}

// The quality measure docs/models.md states: the grammatical share of 4000 bytes sampled at temperature
// kGrammarSampleTemperature from a sentence start, with sampling seed `seed`.
GrammarScore sampled_grammar(const ModelConfig& cfg, std::span<const float> params, Language lang, uint64_t seed) {
    Generator g(cfg, params);
    g.feed(std::string_view("\n"));
    Rng rng(seed);
    SamplingConfig sc;
    sc.temperature = kGrammarSampleTemperature;
    std::vector<uint8_t> out;
    for (int i = 0; i < 4000; ++i) out.push_back(g.sample_next(sc, rng).token);
    return score_grammar(display_text(out), lang);
}

// The name a text corpus is stored under in the weights file: the file's own name, which must be a
// name the file format accepts (checked before training, not after it).
std::string corpus_name_of(const std::string& path) {
    const size_t slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

int cmd_train(const Invocation& a) {
    // Everything that can fail before the first step, before it: the output file, the corpus file.
    if (std::string e = check_writable(a.out); !e.empty()) return refuse(e);
    const ModelConfig cfg = a.model;
    const uint64_t seed = a.seed;
    Corpus corpus;
    std::optional<Language> lang;
    if (a.corpus == "english" || a.corpus == "portuguese") {
        lang = a.corpus == "english" ? Language::english : Language::portuguese;
        corpus = make_generated_corpus(*lang, seed, 1u << 20);
    } else {
        const std::string id = corpus_name_of(a.corpus);
        if (std::string e = check_corpus_id(id); !e.empty()) return refuse(shown(a.corpus) + ": " + e);
        FileBytes text = read_text_file(a.corpus);
        if (!text.ok()) return refuse(text.error);
        auto r = make_text_corpus(id, std::string_view(reinterpret_cast<const char*>(text.bytes.data()), text.bytes.size()),
                                  kDefaultValFraction, cfg.block_size);
        if (!r.ok()) return refuse(shown(a.corpus) + ": " + r.error);
        corpus = std::move(r.corpus);
    }
    TrainConfig tc;
    tc.total_steps = a.steps;
    tc.lr = a.lr;
    tc.batch_size = a.batch;
    tc.micro_batch_size = interactive_micro_batch(tc.batch_size);  // the same split as the app
    tc.warmup_steps = a.warmup;
    tc.seed = seed;
    Model model(cfg);
    model.init_weights(seed);
    Trainer trainer(model, corpus.train, corpus.val, tc);
    // For a built-in language: the grammatical share of 4000 bytes sampled from the model as it is now, the
    // measure docs/models.md plots against training time (--quality-every N prints it every N steps).
    auto model_grammar = [&]() { return sampled_grammar(cfg, std::as_const(model).params(), *lang, seed); };
    std::printf("training %zu parameters (L=%d H=%d C=%d T=%d) on %s for %d steps\n", model.num_params(), cfg.n_layer,
                cfg.n_head, cfg.n_embd, cfg.block_size, printable(corpus.id, false).c_str(), tc.total_steps);
    const auto t0 = std::chrono::steady_clock::now();
    float val = NAN;
    float best_loss = INFINITY;
    for (int s = 0; s < tc.total_steps; ++s) {
        StepStats st = trainer.step();
        // Divergence stops the run before anything is written: the app's rule (core/trainer.h).
        if (!st.finite)
            return refuse("step " + std::to_string(s + 1) + ": the loss or the gradients became infinite or NaN "
                          "(the learning rate is too high for this model); stopped, nothing written");
        if (loss_exploded(st.loss, s + 1, tc.warmup_steps, best_loss)) {
            char msg[200];
            std::snprintf(msg, sizeof msg, "step %d: the loss exploded to %.4f (best so far %.4f): the learning rate "
                          "is too high; stopped, nothing written", s + 1, st.loss, best_loss);
            return refuse(msg);
        }
        best_loss = std::min(best_loss, st.loss);
        const bool report = (s + 1) % 100 == 0 || s + 1 == tc.total_steps;
        if (report) val = trainer.validation_loss(8);
        if (report && !a.quiet) {
            const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            std::printf("step %5d  loss %.4f  val %s  %.0f tokens/s\n", s + 1, st.loss, loss_text(val).c_str(),
                        trainer.tokens_seen() / std::max(secs, 1e-9));
        }
        if (lang && a.quality_every > 0 && (s + 1) % a.quality_every == 0) {
            const GrammarScore gs = model_grammar();
            std::printf("step %5d  tokens %llu  val %s  grammatical share %.3f (%zu of %zu)\n", s + 1,
                        static_cast<unsigned long long>(trainer.tokens_seen()), loss_text(trainer.validation_loss(8)).c_str(),
                        gs.share(), static_cast<size_t>(gs.grammatical), static_cast<size_t>(gs.sentences));
        }
    }
    WeightsFile wf;
    wf.config = cfg;
    wf.meta.steps = static_cast<uint64_t>(trainer.step_index());
    wf.meta.tokens_seen = trainer.tokens_seen();
    wf.meta.corpus_id = corpus.id;
    wf.meta.seed = seed;
    auto p = std::as_const(model).params();
    wf.params.assign(p.begin(), p.end());
    std::string err;
    auto bytes = save_weights(wf, &err);
    if (bytes.empty()) return refuse("cannot write " + shown(a.out) + ": " + err);
    if (std::string e = write_file(a.out, bytes); !e.empty()) return refuse(e);
    std::printf("validation loss %s nats/byte (whole validation text: %s)\n", loss_text(val).c_str(),
                loss_text(mean_loss(model, corpus.val)).c_str());
    if (lang) {
        const GrammarScore gs = model_grammar();
        std::printf("grammatical share %.3f (%zu of %zu sampled sentences, temperature %.1f)\n", gs.share(),
                    static_cast<size_t>(gs.grammatical), static_cast<size_t>(gs.sentences),
                    kGrammarSampleTemperature);
    }
    std::printf("wrote %s (%zu bytes, checksum %s)\n", printable(a.out, false).c_str(), bytes.size(),
                checksum_hex(model.checksum()).c_str());
    return 0;
}

int cmd_sample(const Invocation& a) {
    auto wf = load_model_file(a.model_path);
    if (!wf) return 1;
    auto model = to_model(*wf);
    Generator g(model->config(), std::as_const(*model).params());
    g.feed(std::string_view(a.prompt));
    Rng rng(a.seed);
    Utf8StreamDecoder dec;
    std::string out = a.prompt == "\n" ? "" : a.prompt;
    for (int i = 0; i < a.tokens; ++i) out += dec.feed(g.sample_next(a.sampling, rng).token);
    out += dec.flush();
    // A model can emit any byte, ESC included: running text keeps its line breaks and tabs, nothing else.
    std::printf("%s\n", printable(out, a.raw, "\n\t").c_str());
    return 0;
}

int cmd_eval(const Invocation& a) {
    auto wf = load_model_file(a.model_path);
    if (!wf) return 1;
    FileBytes text = read_text_file(a.text_path);
    if (!text.ok()) return refuse(text.error);
    auto model = to_model(*wf);
    if (text.bytes.size() < static_cast<size_t>(model->config().block_size) + 1)
        return refuse(shown(a.text_path) + " is shorter than one context window (" +
                      std::to_string(model->config().block_size + 1) + " bytes)");
    const double loss = mean_loss(*model, text.bytes);
    // The loader's probe catches a model that overflows everywhere; one that overflows on some text only
    // is caught here, so no NaN is ever printed as a result.
    if (!std::isfinite(loss))
        return refuse("the model's loss on " + shown(a.text_path) + " is not a finite number: the model overflows on this text");
    std::printf("%.4f\n", loss);
    return 0;
}

int cmd_info(const Invocation& a) {
    FileBytes file = read_weights_file(a.model_path);
    if (!file.ok()) return refuse(file.error);
    WeightsAnatomy an = inspect_weights(file.bytes);
    if (!an.ok())  // a refusal is a message, never raw: --raw is for the listing
        return refuse(shown(a.model_path) + ": " + printable(an.message, false) + " (" + load_error_name(an.error) + ")");
    const std::string path = printable(a.model_path, a.raw);
    std::printf("%s: %zu bytes, format version %u\n", path.c_str(), an.file_bytes, an.version);
    for (const auto& f : an.fields)
        std::printf("  %-22s @%-6zu %s\n", f.name.c_str(), f.offset, printable(f.value, a.raw).c_str());
    std::printf("sections:\n");
    for (const auto& s : an.sections) std::printf("  %-22s @%-8zu %zu bytes\n", s.name.c_str(), s.offset, s.size);
    std::printf("checksum %s\n", checksum_hex(an.stored_checksum).c_str());
    return 0;
}

// Samples 4000 bytes with each of --seeds sampling seeds (default 4) and scores them: how the browser run
// of docs/models.md's 60-second figures is measured from its downloaded weights file.
int cmd_grammar(const Invocation& a) {
    auto wf = load_model_file(a.model_path);
    if (!wf) return 1;
    auto model = to_model(*wf);
    size_t grammatical = 0, sentences = 0;
    for (int seed = 1; seed <= a.grammar_seeds; ++seed) {
        const GrammarScore gs = sampled_grammar(model->config(), std::as_const(*model).params(), a.language, seed);
        std::printf("seed %d: %zu of %zu sentences grammatical (%.3f)\n", seed, static_cast<size_t>(gs.grammatical),
                    static_cast<size_t>(gs.sentences), gs.share());
        grammatical += gs.grammatical;
        sentences += gs.sentences;
    }
    std::printf("grammatical share %.3f (%zu of %zu sampled sentences, temperature %.1f)\n",
                sentences ? static_cast<double>(grammatical) / sentences : 0.0, grammatical, sentences,
                kGrammarSampleTemperature);
    return 0;
}

int cmd_bench(const Invocation& a) {
    ModelConfig cfg;
    preset_config("S", &cfg);
    Corpus corpus = make_english_corpus(1, 1u << 18);
    Model model(cfg);
    model.init_weights(1);
    TrainConfig tc;
    tc.micro_batch_size = 16;
    Trainer trainer(model, corpus.train, corpus.val, tc);
    trainer.step();  // warm up caches and allocations
    const int steps = a.bench_steps;
    const double flops0 = trainer.total_flops();
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < steps; ++i) trainer.step();
    const double secs = std::max(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 1e-9);
    const double tokens = static_cast<double>(steps) * tc.batch_size * cfg.block_size;
    std::printf("{\"train_tokens_per_s\": %.0f, \"train_gflops\": %.3f, \"params\": %zu}\n", tokens / secs,
                (trainer.total_flops() - flops0) / secs / 1e9, model.num_params());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + std::min(argc, 1), argv + argc);
    const ParseResult parsed = parse_command_line(args);
    if (!parsed.ok()) {
        std::fprintf(stderr, "knobs: %s\n%s", parsed.error.c_str(), usage_text().c_str());
        return 2;
    }
    const Invocation& a = parsed.invocation;
    try {
        switch (a.command) {
            case Command::help: std::fputs(usage_text().c_str(), stdout); return 0;
            case Command::train: return cmd_train(a);
            case Command::sample: return cmd_sample(a);
            case Command::eval: return cmd_eval(a);
            case Command::info: return cmd_info(a);
            case Command::grammar: return cmd_grammar(a);
            case Command::bench: return cmd_bench(a);
        }
    } catch (const std::exception& e) {
        return refuse(e.what());
    }
    return 2;
}
