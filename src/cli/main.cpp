// knobs: the command-line face of the engine (native). Same core as the browser app.
//   knobs train  [--preset S|M|L] [--layers N --heads N --width N --context N] [--corpus english|portuguese|FILE]
//                [--steps N] [--seed N] [--lr X] [--warmup N] [--batch N] [--quality-every N] [--quiet] --out MODEL
//   knobs sample MODEL [--prompt TEXT] [--tokens N] [--temperature X] [--top-k N] [--top-p X] [--greedy] [--seed N]
//   knobs eval   MODEL TEXTFILE        mean loss in nats per byte
//   knobs info   MODEL                 the file's header and sections
//   knobs grammar MODEL [--language english|portuguese] [--seeds N]
//                                      share of sampled sentences that are grammatical
//   knobs bench  [--steps N]           training speed of the default configuration
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

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

int usage() {
    std::fputs(
        "usage:\n"
        "  knobs train  [--preset S|M|L] [--layers N] [--heads N] [--width N] [--context N]\n"
        "               [--corpus english|portuguese|FILE] [--steps N] [--seed N] [--lr X] [--warmup N] [--batch N]\n"
        "               [--quality-every N] [--quiet] --out MODEL\n"
        "  knobs sample MODEL [--prompt TEXT] [--tokens N] [--temperature X] [--top-k N] [--top-p X] [--greedy] [--seed N]\n"
        "  knobs eval   MODEL TEXTFILE\n"
        "  knobs info   MODEL\n"
        "  knobs grammar MODEL [--language english|portuguese] [--seeds N]\n"
        "  knobs bench  [--steps N]\n",
        stderr);
    return 2;
}

// --key value pairs and positional arguments.
struct Args {
    std::vector<std::string> pos;
    std::map<std::string, std::string> opt;
    bool has(const std::string& k) const { return opt.count(k) != 0; }
    std::string str(const std::string& k, const std::string& def = "") const {
        auto it = opt.find(k);
        return it == opt.end() ? def : it->second;
    }
    double num(const std::string& k, double def) const {
        auto it = opt.find(k);
        if (it == opt.end()) return def;
        char* end = nullptr;
        const double v = std::strtod(it->second.c_str(), &end);
        if (!end || *end) {
            std::fprintf(stderr, "knobs: --%s expects a number, got \"%s\"\n", k.c_str(), it->second.c_str());
            std::exit(2);
        }
        return v;
    }
};

Args parse(int argc, char** argv, int first) {
    Args a;
    for (int i = first; i < argc; ++i) {
        std::string s = argv[i];
        if (s.rfind("--", 0) == 0) {
            const std::string key = s.substr(2);
            if (key == "greedy" || key == "quiet") a.opt[key] = "1";
            else if (i + 1 < argc) a.opt[key] = argv[++i];
            else {
                std::fprintf(stderr, "knobs: --%s needs a value\n", key.c_str());
                std::exit(2);
            }
        } else {
            a.pos.push_back(s);
        }
    }
    return a;
}

std::optional<std::vector<uint8_t>> read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) return std::nullopt;
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
}

bool write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
    std::ofstream f(path, std::ios::binary);
    f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return static_cast<bool>(f);
}

std::optional<WeightsFile> load_model_file(const std::string& path) {
    auto bytes = read_file(path);
    if (!bytes) {
        std::fprintf(stderr, "knobs: cannot read %s\n", path.c_str());
        return std::nullopt;
    }
    LoadResult r = load_weights(*bytes);
    if (!r.ok()) {
        std::fprintf(stderr, "knobs: %s: %s\n", path.c_str(), r.message.c_str());
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

ModelConfig preset(const std::string& name) {
    if (name == "M") return {4, 4, 128, 128};
    if (name == "L") return {6, 8, 192, 128};
    return {2, 4, 64, 64};
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

int cmd_train(const Args& a) {
    if (!a.has("out")) return usage();
    ModelConfig cfg = preset(a.str("preset", "S"));
    cfg.n_layer = static_cast<int>(a.num("layers", cfg.n_layer));
    cfg.n_head = static_cast<int>(a.num("heads", cfg.n_head));
    cfg.n_embd = static_cast<int>(a.num("width", cfg.n_embd));
    cfg.block_size = static_cast<int>(a.num("context", cfg.block_size));
    if (auto e = validate(cfg); !e.empty()) {
        std::fprintf(stderr, "knobs: %s\n", e.c_str());
        return 2;
    }
    const uint64_t seed = static_cast<uint64_t>(a.num("seed", 1));
    const std::string corpus_name = a.str("corpus", "english");
    Corpus corpus;
    std::optional<Language> lang;
    if (corpus_name == "english" || corpus_name == "portuguese") {
        lang = corpus_name == "english" ? Language::english : Language::portuguese;
        corpus = make_generated_corpus(*lang, seed, 1u << 20);
    } else {
        auto bytes = read_file(corpus_name);
        if (!bytes) {
            std::fprintf(stderr, "knobs: cannot read %s\n", corpus_name.c_str());
            return 1;
        }
        auto r = make_text_corpus(corpus_name, std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()),
                                  kDefaultValFraction, cfg.block_size);
        if (!r.ok()) {
            std::fprintf(stderr, "knobs: %s: %s\n", corpus_name.c_str(), r.error.c_str());
            return 1;
        }
        corpus = std::move(r.corpus);
    }
    TrainConfig tc;
    tc.total_steps = static_cast<int>(a.num("steps", 1000));
    tc.lr = static_cast<float>(a.num("lr", 3e-3));
    tc.batch_size = static_cast<int>(a.num("batch", 16));
    tc.micro_batch_size = interactive_micro_batch(tc.batch_size);  // the same split as the app
    tc.warmup_steps = static_cast<int>(a.num("warmup", 30));
    tc.seed = seed;
    if (auto e = validate(tc); !e.empty()) {
        std::fprintf(stderr, "knobs: %s\n", e.c_str());
        return 2;
    }
    Model model(cfg);
    model.init_weights(seed);
    Trainer trainer(model, corpus.train, corpus.val, tc);
    const bool quiet = a.has("quiet");
    // For a built-in language: the grammatical share of 4000 bytes sampled from the model as it is now, the
    // measure docs/models.md plots against training time (--quality-every N prints it every N steps).
    const int quality_every = static_cast<int>(a.num("quality-every", 0));
    auto model_grammar = [&]() { return sampled_grammar(cfg, std::as_const(model).params(), *lang, seed); };
    std::printf("training %zu parameters (L=%d H=%d C=%d T=%d) on %s for %d steps\n", model.num_params(), cfg.n_layer,
                cfg.n_head, cfg.n_embd, cfg.block_size, corpus.id.c_str(), tc.total_steps);
    const auto t0 = std::chrono::steady_clock::now();
    float val = NAN;
    for (int s = 0; s < tc.total_steps; ++s) {
        StepStats st = trainer.step();
        if (!st.finite) {
            std::fprintf(stderr, "knobs: step %d: the loss or gradients became non-finite; stopping\n", st.step);
            return 1;
        }
        const bool report = (s + 1) % 100 == 0 || s + 1 == tc.total_steps;
        if (report) val = trainer.validation_loss(8);
        if (report && !quiet) {
            const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            std::printf("step %5d  loss %.4f  val %.4f  %.0f tokens/s\n", s + 1, st.loss, val,
                        trainer.tokens_seen() / std::max(secs, 1e-9));
        }
        if (lang && quality_every > 0 && (s + 1) % quality_every == 0) {
            const GrammarScore gs = model_grammar();
            std::printf("step %5d  tokens %llu  val %.4f  grammatical share %.3f (%zu of %zu)\n", s + 1,
                        static_cast<unsigned long long>(trainer.tokens_seen()), trainer.validation_loss(8), gs.share(),
                        static_cast<size_t>(gs.grammatical), static_cast<size_t>(gs.sentences));
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
    if (bytes.empty() || !write_file(a.str("out"), bytes)) {
        std::fprintf(stderr, "knobs: cannot write %s %s\n", a.str("out").c_str(), err.c_str());
        return 1;
    }
    std::printf("validation loss %.4f nats/byte (whole validation text: %.4f)\n", val, mean_loss(model, corpus.val));
    if (lang) {
        const GrammarScore gs = model_grammar();
        std::printf("grammatical share %.3f (%zu of %zu sampled sentences, temperature %.1f)\n", gs.share(),
                    static_cast<size_t>(gs.grammatical), static_cast<size_t>(gs.sentences),
                    kGrammarSampleTemperature);
    }
    std::printf("wrote %s (%zu bytes, checksum %s)\n", a.str("out").c_str(), bytes.size(),
                checksum_hex(model.checksum()).c_str());
    return 0;
}

int cmd_sample(const Args& a) {
    if (a.pos.empty()) return usage();
    auto wf = load_model_file(a.pos[0]);
    if (!wf) return 1;
    auto model = to_model(*wf);
    SamplingConfig sc;
    sc.temperature = static_cast<float>(a.num("temperature", sc.temperature));
    sc.top_k = static_cast<int>(a.num("top-k", sc.top_k));
    sc.top_p = static_cast<float>(a.num("top-p", sc.top_p));
    sc.greedy = a.has("greedy");
    if (auto e = validate(sc); !e.empty()) {
        std::fprintf(stderr, "knobs: %s\n", e.c_str());
        return 2;
    }
    Generator g(model->config(), std::as_const(*model).params());
    const std::string prompt = a.str("prompt", "\n");
    g.feed(std::string_view(prompt));
    Rng rng(static_cast<uint64_t>(a.num("seed", 1)));
    Utf8StreamDecoder dec;
    std::string out = prompt == "\n" ? "" : prompt;
    const int n = static_cast<int>(a.num("tokens", 200));
    for (int i = 0; i < n; ++i) out += dec.feed(g.sample_next(sc, rng).token);
    out += dec.flush();
    std::printf("%s\n", out.c_str());
    return 0;
}

int cmd_eval(const Args& a) {
    if (a.pos.size() < 2) return usage();
    auto wf = load_model_file(a.pos[0]);
    if (!wf) return 1;
    auto text = read_file(a.pos[1]);
    if (!text) {
        std::fprintf(stderr, "knobs: cannot read %s\n", a.pos[1].c_str());
        return 1;
    }
    auto model = to_model(*wf);
    if (text->size() < static_cast<size_t>(model->config().block_size) + 1) {
        std::fprintf(stderr, "knobs: %s is shorter than one context window (%d bytes)\n", a.pos[1].c_str(),
                     model->config().block_size + 1);
        return 1;
    }
    std::printf("%.4f\n", mean_loss(*model, *text));
    return 0;
}

int cmd_info(const Args& a) {
    if (a.pos.empty()) return usage();
    auto bytes = read_file(a.pos[0]);
    if (!bytes) {
        std::fprintf(stderr, "knobs: cannot read %s\n", a.pos[0].c_str());
        return 1;
    }
    WeightsAnatomy an = inspect_weights(*bytes);
    if (!an.ok()) {
        std::fprintf(stderr, "knobs: %s: %s (%s)\n", a.pos[0].c_str(), an.message.c_str(), load_error_name(an.error));
        return 1;
    }
    std::printf("%s: %zu bytes, format version %u\n", a.pos[0].c_str(), an.file_bytes, an.version);
    for (const auto& f : an.fields) std::printf("  %-22s @%-6zu %s\n", f.name.c_str(), f.offset, f.value.c_str());
    std::printf("sections:\n");
    for (const auto& s : an.sections) std::printf("  %-22s @%-8zu %zu bytes\n", s.name.c_str(), s.offset, s.size);
    std::printf("checksum %s\n", checksum_hex(an.stored_checksum).c_str());
    return 0;
}

// Samples 4000 bytes with each of --seeds sampling seeds (default 4) and scores them: how the browser run
// of docs/models.md's 60-second figures is measured from its downloaded weights file.
int cmd_grammar(const Args& a) {
    if (a.pos.empty()) return usage();
    auto wf = load_model_file(a.pos[0]);
    if (!wf) return 1;
    const std::string language = a.str("language", "english");
    if (language != "english" && language != "portuguese") {
        std::fprintf(stderr, "knobs: --language is english or portuguese, not \"%s\"\n", language.c_str());
        return 2;
    }
    const Language lang = language == "english" ? Language::english : Language::portuguese;
    const int seeds = static_cast<int>(a.num("seeds", 4));
    if (seeds < 1 || seeds > 100) {
        std::fprintf(stderr, "knobs: --seeds is between 1 and 100\n");
        return 2;
    }
    auto model = to_model(*wf);
    size_t grammatical = 0, sentences = 0;
    for (int seed = 1; seed <= seeds; ++seed) {
        const GrammarScore gs = sampled_grammar(model->config(), std::as_const(*model).params(), lang, seed);
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

int cmd_bench(const Args& a) {
    const ModelConfig cfg = preset("S");
    Corpus corpus = make_english_corpus(1, 1u << 18);
    Model model(cfg);
    model.init_weights(1);
    TrainConfig tc;
    tc.micro_batch_size = 16;
    Trainer trainer(model, corpus.train, corpus.val, tc);
    trainer.step();  // warm up caches and allocations
    const int steps = static_cast<int>(a.num("steps", 20));
    const double flops0 = trainer.total_flops();
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < steps; ++i) trainer.step();
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double tokens = static_cast<double>(steps) * tc.batch_size * cfg.block_size;
    std::printf("{\"train_tokens_per_s\": %.0f, \"train_gflops\": %.3f, \"params\": %zu}\n", tokens / secs,
                (trainer.total_flops() - flops0) / secs / 1e9, model.num_params());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) return usage();
    const std::string cmd = argv[1];
    const Args a = parse(argc, argv, 2);
    try {
        if (cmd == "train") return cmd_train(a);
        if (cmd == "sample") return cmd_sample(a);
        if (cmd == "eval") return cmd_eval(a);
        if (cmd == "info") return cmd_info(a);
        if (cmd == "grammar") return cmd_grammar(a);
        if (cmd == "bench") return cmd_bench(a);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "knobs: %s\n", e.what());
        return 1;
    }
    return usage();
}
