#include "core/generate.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>
#include <vector>

#include "catch_amalgamated.hpp"
#include "core/checksum.h"
#include "core/model.h"

#if defined(__unix__) && !defined(__EMSCRIPTEN__)
#include <sys/mman.h>
#include <unistd.h>
#define KNOBS_HAVE_MPROTECT 1
#endif

using namespace knobs;
using Catch::Matchers::ContainsSubstring;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {

// Random weights with more spread than a fresh training init (0.02), so the logits differ clearly from
// one context to the next and a wrong position or a stale cache entry cannot hide in the tolerance.
std::vector<float> random_params(const ModelConfig& cfg, uint64_t seed) {
    const ParamLayout layout = param_layout(cfg);
    std::vector<float> params(layout.total);
    Rng rng(seed);
    for (int t = 0; t < kNumTensors; ++t) {
        const Tensor tensor = static_cast<Tensor>(t);
        const bool gain = tensor == Tensor::ln1w || tensor == Tensor::ln2w || tensor == Tensor::lnfw;
        const float scale = tensor == Tensor::wte || tensor == Tensor::wpe ? 0.5f : 0.1f;
        float* p = params.data() + layout.offset[t];
        for (size_t i = 0; i < layout.size[t]; ++i) p[i] = (gain ? 1.0f : 0.0f) + scale * rng.normal();
    }
    return params;
}

std::vector<uint8_t> random_tokens(size_t n, uint64_t seed) {
    Rng rng(seed);
    std::vector<uint8_t> tokens(n);
    for (auto& t : tokens) t = static_cast<uint8_t>(rng.below(kVocabSize));
    return tokens;
}

// The last position's logits of the training model's full (non-incremental) forward pass over `tokens`.
std::vector<float> full_forward_last_logits(Model& model, std::span<const uint8_t> tokens) {
    const int n = static_cast<int>(tokens.size());
    model.forward(tokens.data(), nullptr, 1, n);
    const std::span<const float> logits = model.logits();  // (1, n, V)
    REQUIRE(logits.size() == static_cast<size_t>(n) * kVocabSize);
    return std::vector<float>(logits.end() - kVocabSize, logits.end());
}

// A Model holding the given weights, to serve as the reference.
Model reference_model(const ModelConfig& cfg, const std::vector<float>& params) {
    Model model(cfg);
    REQUIRE(model.params().size() == params.size());
    std::copy(params.begin(), params.end(), model.params().begin());
    return model;
}

void check_logits_match(std::span<const float> got, const std::vector<float>& expected) {
    REQUIRE(got.size() == expected.size());
    for (size_t i = 0; i < got.size(); ++i) REQUIRE_THAT(got[i], WithinAbs(expected[i], 1e-4));
}

}  // namespace

TEST_CASE("[core] generator matches the full forward pass token by token", "[core][generate]") {
    // Shapes cover one head, head sizes that are not a multiple of 4 (the scalar tails), widths that are
    // not a multiple of 8 (the matvec tail) and several layers.
    const ModelConfig cfg = GENERATE(ModelConfig{1, 1, 16, 16}, ModelConfig{2, 4, 32, 16}, ModelConfig{2, 2, 20, 24},
                                     ModelConfig{1, 8, 64, 32}, ModelConfig{3, 3, 36, 16});
    const uint64_t seed = GENERATE(1u, 2u);
    CAPTURE(cfg.n_layer, cfg.n_head, cfg.n_embd, cfg.block_size, seed);
    const std::vector<float> params = random_params(cfg, seed);
    Model model = reference_model(cfg, params);
    Generator g(cfg, params);
    REQUIRE(g.ok());

    // Two and a half windows: the window slides three times, and every step is checked against a full forward
    // pass over exactly the tokens the generator says are visible.
    const std::vector<uint8_t> tokens = random_tokens(cfg.block_size * 5 / 2, seed + 100);
    for (size_t i = 0; i < tokens.size(); ++i) {
        g.feed(std::span<const uint8_t>(&tokens[i], 1));
        const std::span<const uint8_t> visible(g.sequence().data() + g.window_start(), g.sequence().size() - g.window_start());
        REQUIRE(visible.size() == static_cast<size_t>(g.window_length()));
        check_logits_match(g.last_logits(), full_forward_last_logits(model, visible));
    }
    CHECK(g.slides() == 3);  // at tokens T+1, 1.5T+1 and 2T+1
}

TEST_CASE("[core] window_start follows the sliding schedule", "[core][generate]") {
    const int T = GENERATE(16, 17, 40);
    const ModelConfig cfg{1, 2, 16, T};
    const std::vector<float> params = random_params(cfg, 3);
    Generator g(cfg, params);
    REQUIRE(g.tokens_kept_on_slide() == T / 2);
    CHECK(g.window_start() == 0);
    CHECK(g.window_length() == 0);
    CHECK(g.last_logits().empty());

    // The model keeps what fits; when a token arrives at a full window, only the newest T/2 tokens stay
    // (plus the newcomer).
    size_t expected_start = 0;
    int expected_slides = 0;
    const std::vector<uint8_t> tokens = random_tokens(4 * T + 3, 4);
    for (size_t i = 0; i < tokens.size(); ++i) {
        const size_t before = g.sequence().size();
        if (before - expected_start == static_cast<size_t>(T)) {
            expected_start = before - T / 2;
            ++expected_slides;
        }
        g.feed(std::span<const uint8_t>(&tokens[i], 1));
        REQUIRE(g.sequence().size() == i + 1);
        REQUIRE(g.window_start() == expected_start);
        REQUIRE(g.window_length() == static_cast<int>(i + 1 - expected_start));
        REQUIRE(g.window_length() <= T);
        REQUIRE(g.slides() == expected_slides);
    }
    CHECK(std::equal(tokens.begin(), tokens.end(), g.sequence().begin()));
    CHECK(expected_slides >= 6);

    SECTION("reset forgets everything") {
        g.reset();
        CHECK(g.sequence().empty());
        CHECK(g.window_start() == 0);
        CHECK(g.slides() == 0);
        CHECK(g.total_flops() == 0);
        CHECK(g.last_logits().empty());
        Rng rng(1);
        CHECK(g.sample_next(SamplingConfig{}, rng).num_top == 0);
    }
}

TEST_CASE("[core] feeding at once or token by token gives the same bits", "[core][generate]") {
    const ModelConfig cfg = GENERATE(ModelConfig{2, 2, 32, 16}, ModelConfig{1, 4, 48, 64});
    const size_t length = GENERATE(5u, 16u, 17u, 100u);  // inside, exactly, just past and far past the window
    CAPTURE(cfg.block_size, length);
    const std::vector<float> params = random_params(cfg, 5);
    const std::vector<uint8_t> prompt = random_tokens(length, 6);

    Generator at_once(cfg, params), one_by_one(cfg, params), in_chunks(cfg, params);
    at_once.feed(prompt);
    for (uint8_t t : prompt) one_by_one.feed(std::span<const uint8_t>(&t, 1));
    Rng chunker(7);
    for (size_t i = 0; i < prompt.size();) {
        const size_t n = std::min<size_t>(1 + chunker.below(40), prompt.size() - i);
        in_chunks.feed(std::span<const uint8_t>(prompt.data() + i, n));
        i += n;
    }
    for (const Generator* g : {&one_by_one, &in_chunks}) {
        REQUIRE(g->window_start() == at_once.window_start());
        REQUIRE(g->slides() == at_once.slides());
        REQUIRE(g->sequence() == at_once.sequence());
        REQUIRE(std::memcmp(g->last_logits().data(), at_once.last_logits().data(), kVocabSize * sizeof(float)) == 0);
    }
    // A long paste skips the tokens it would forget anyway: less work, the same state.
    if (length > 2u * cfg.block_size) CHECK(at_once.total_flops() < one_by_one.total_flops());

    // And what follows is the same text.
    Rng r1(8), r2(8);
    for (int i = 0; i < 40; ++i) {
        const GeneratedToken a = at_once.sample_next(SamplingConfig{}, r1);
        const GeneratedToken b = one_by_one.sample_next(SamplingConfig{}, r2);
        REQUIRE(a.token == b.token);
        REQUIRE(a.prob == b.prob);
    }
}

TEST_CASE("[core] generation never writes the weights", "[core][generate]") {
    const ModelConfig cfg{2, 2, 32, 16};
    const std::vector<float> params = random_params(cfg, 9);
    const uint64_t before = checksum64(params.data(), params.size() * sizeof(float));

    // The API takes the weights as read-only floats only.
    static_assert(std::is_constructible_v<Generator, const ModelConfig&, std::span<const float>>);
    static_assert(!std::is_constructible_v<Generator, const ModelConfig&, std::span<double>>);

    Generator g(cfg, params);
    g.feed(std::string_view("Hello, Knobs! "));
    Rng rng(10);
    for (int i = 0; i < 3 * cfg.block_size; ++i) g.sample_next(SamplingConfig{.temperature = 1.0f}, rng);
    CHECK(g.slides() > 0);
    CHECK(checksum64(params.data(), params.size() * sizeof(float)) == before);

#ifdef KNOBS_HAVE_MPROTECT
    SECTION("the weights can live in read-only memory") {
        // Any write would be a segmentation fault here, not just a changed checksum.
        const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
        const size_t bytes = (params.size() * sizeof(float) + page - 1) / page * page;
        void* mem = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        REQUIRE(mem != MAP_FAILED);
        std::memcpy(mem, params.data(), params.size() * sizeof(float));
        REQUIRE(mprotect(mem, bytes, PROT_READ) == 0);
        Generator readonly(cfg, std::span<const float>(static_cast<const float*>(mem), params.size()));
        readonly.feed(std::string_view("Hello, Knobs! "));
        Rng same(10);
        for (int i = 0; i < 3 * cfg.block_size; ++i) readonly.sample_next(SamplingConfig{.temperature = 1.0f}, same);
        CHECK(readonly.sequence() == g.sequence());
        munmap(mem, bytes);
    }
#endif
}

TEST_CASE("[core] the same seed gives the same text", "[core][generate]") {
    const ModelConfig cfg = GENERATE(ModelConfig{2, 4, 32, 32}, ModelConfig{1, 1, 16, 16});
    const std::vector<float> params = random_params(cfg, 11);
    auto generate = [&](uint64_t seed, const SamplingConfig& sampling) {
        Generator g(cfg, params);
        g.feed(std::string_view("Once upon a time"));
        Rng rng(seed);
        for (int i = 0; i < 48; ++i) g.sample_next(sampling, rng);
        return g.sequence();
    };
    const SamplingConfig sampling = GENERATE(SamplingConfig{.temperature = 1.0f}, SamplingConfig{.temperature = 0.8f, .top_k = 40},
                                             SamplingConfig{.temperature = 1.2f, .top_p = 0.9f});
    CHECK(generate(12, sampling) == generate(12, sampling));
    CHECK(generate(12, sampling) != generate(13, sampling));

    SECTION("greedy ignores the seed, and temperature 0 and top-k 1 are greedy") {
        const auto greedy = generate(12, SamplingConfig{.greedy = true});
        CHECK(generate(99, SamplingConfig{.greedy = true}) == greedy);
        CHECK(generate(12, SamplingConfig{.temperature = 0.0f}) == greedy);
        CHECK(generate(12, SamplingConfig{.temperature = 1.0f, .top_k = 1}) == greedy);
    }
}

TEST_CASE("[core] generated tokens report their probabilities", "[core][generate]") {
    const ModelConfig cfg{2, 2, 32, 16};
    const std::vector<float> params = random_params(cfg, 14);
    Generator g(cfg, params);
    g.feed(std::string_view("abc"));
    Rng rng(15);
    const SamplingConfig sampling{.temperature = 0.9f, .top_k = 5};
    for (int i = 0; i < 30; ++i) {
        const std::vector<float> logits(g.last_logits().begin(), g.last_logits().end());
        const std::vector<float> probs(g.last_probs().begin(), g.last_probs().end());
        double total = 0;
        for (float p : probs) total += p;
        REQUIRE_THAT(total, WithinAbs(1.0, 1e-5));

        const TokenDistribution expected = make_distribution(logits, sampling);
        const GeneratedToken t = g.sample_next(sampling, rng);
        REQUIRE(t.num_top == 8);
        REQUIRE(t.prob == expected.sample_prob[t.token]);
        REQUIRE(t.model_prob == expected.model_prob[t.token]);
        REQUIRE_THAT(t.model_prob, WithinAbs(probs[t.token], 1e-6));
        REQUIRE(t.prob > 0.0f);
        for (int r = 0; r < 8; ++r) {
            REQUIRE(t.top[r].token == expected.ranked[r]);
            REQUIRE((r < 5 ? t.top[r].prob > 0.0f : t.top[r].prob == 0.0f));  // top-k cut shows as 0
        }
        REQUIRE(g.sequence().back() == t.token);
        REQUIRE(t.position == g.window_length() - 1);
    }
}

TEST_CASE("[core] FLOPs per generated token are exact", "[core][generate]") {
    const ModelConfig cfg = GENERATE(ModelConfig{2, 4, 32, 16}, ModelConfig{3, 3, 36, 24}, ModelConfig{4, 4, 128, 256});
    const std::vector<float> params = random_params(cfg, 16);
    Generator g(cfg, params);
    const double L = cfg.n_layer, H = cfg.n_head, C = cfg.n_embd, V = kVocabSize;

    SECTION("the closed form documented in generate.h") {
        for (int p : {0, 1, 7, cfg.block_size - 1}) {
            const double k = p + 1;
            const double per_layer = 2 * (8 * C + 5) + (6 * C * C + 3 * C) + (4 * C * k + 3 * H * k + 2 * C + H) +
                                     (2 * C * C + C) + (8 * C * C + 4 * C) + 32 * C + (8 * C * C + C) + 2 * C;
            CHECK(g.flops_per_token(p) == C + L * per_layer + (8 * C + 5) + 2 * V * C + 4 * V);
        }
        CHECK(g.flops_per_token(-1) == 0);
        CHECK(g.flops_per_token(cfg.block_size) == 0);
        // The usual estimate, 2 FLOPs per weight used, is the bulk of it.
        const double matmul_weights = L * 12 * C * C + V * C;
        CHECK(g.flops_per_token(0) > 2 * matmul_weights);
        CHECK(g.flops_per_token(0) < 2.2 * matmul_weights);
    }
    SECTION("what the kernels count while generating") {
        g.feed(std::string_view("x"));
        CHECK(g.total_flops() == g.flops_per_token(0));  // a one-token prompt is one full step
        Rng rng(17);
        double sum = g.total_flops();
        const int steps = std::min(cfg.block_size + 3, 40);
        for (int i = 0; i < steps; ++i) {
            const int slides_before = g.slides();
            const GeneratedToken t = g.sample_next(SamplingConfig{}, rng);
            if (g.slides() == slides_before)
                REQUIRE(t.flops == g.flops_per_token(t.position));
            else  // the step also re-encoded the kept tokens
                REQUIRE(t.flops > g.flops_per_token(t.position));
            sum += t.flops;
        }
        CHECK_THAT(g.total_flops(), WithinRel(sum, 1e-12));
    }
    SECTION("a prompt only pays for the head once") {
        const std::vector<uint8_t> prompt = random_tokens(std::min(cfg.block_size, 20), 18);
        g.feed(prompt);
        const double head = (8 * C + 5) + 2 * V * C + 4 * V;
        double expected = 0;
        for (size_t p = 0; p < prompt.size(); ++p) expected += g.flops_per_token(static_cast<int>(p)) - head;
        CHECK_THAT(g.total_flops(), WithinRel(expected + head, 1e-12));
    }
}

TEST_CASE("[core] the generator explains bad input instead of crashing", "[core][generate]") {
    const ModelConfig good{1, 2, 16, 16};
    const std::vector<float> params = random_params(good, 19);
    Rng rng(20);

    SECTION("an invalid config") {
        Generator g(ModelConfig{1, 3, 16, 16}, params);
        CHECK_THAT(g.error(), ContainsSubstring("divisible"));
        g.feed(std::string_view("hi"));
        CHECK(g.sequence().empty());
        CHECK(g.sample_next(SamplingConfig{}, rng).num_top == 0);
        CHECK(g.flops_per_token(0) == 0);
    }
    SECTION("weights of the wrong size") {
        Generator g(good, std::span<const float>(params.data(), params.size() - 1));
        CHECK_THAT(g.error(), ContainsSubstring(std::to_string(params.size())));
        g.feed(std::string_view("hi"));
        CHECK(g.last_logits().empty());
    }
    SECTION("sampling before anything was fed") {
        Generator g(good, params);
        CHECK(g.ok());
        const GeneratedToken t = g.sample_next(SamplingConfig{}, rng);
        CHECK(t.num_top == 0);
        CHECK(g.sequence().empty());
    }
    SECTION("an empty feed changes nothing") {
        Generator g(good, params);
        g.feed(std::string_view("hi"));
        const std::vector<float> logits(g.last_logits().begin(), g.last_logits().end());
        g.feed(std::span<const uint8_t>());
        CHECK(g.sequence().size() == 2);
        CHECK(std::equal(logits.begin(), logits.end(), g.last_logits().begin()));
    }
}

TEST_CASE("[core] generated text is identical on every platform", "[core][generate]") {
    // Weights from knobs::Rng alone, sampling through knobs::Rng: native and wasm builds must print the
    // same bytes. The expected checksum was recorded from this code; a change means the arithmetic
    // changed, which breaks every shared link that relies on a seed reproducing a chat.
    const ModelConfig cfg{2, 4, 32, 32};
    const std::vector<float> params = random_params(cfg, 21);
    Generator g(cfg, params);
    g.feed(std::string_view("The knobs "));
    Rng rng(22);
    for (int i = 0; i < 80; ++i) g.sample_next(SamplingConfig{.temperature = 1.0f, .top_p = 0.95f}, rng);
    const uint64_t text = checksum64(g.sequence().data(), g.sequence().size());
    const uint64_t logits = checksum64(g.last_logits().data(), g.last_logits().size_bytes());
    CHECK(checksum_hex(text) == "09b21317bf8dd90b");
    CHECK(checksum_hex(logits) == "920c262cb6908020");
}

TEST_CASE("[core] KV-cache decoding stays flat with position", "[core][generate]") {
    // The work a token costs, counted by the kernels, not timed: position 200 within 1.3x of position 10
    // (context 256, about 0.8M parameters). Its speed is make bench's kv_cache_ratio (docs/bench.md).
    const ModelConfig cfg{4, 4, 128, 256};
    const std::vector<float> params = random_params(cfg, 23);
    Generator g(cfg, params);
    auto flops_at = [&](int position) {
        g.reset();
        g.feed(random_tokens(position, 24));
        Rng rng(25);
        const GeneratedToken t = g.sample_next(SamplingConfig{}, rng);
        REQUIRE(t.position == position);
        return t.flops;
    };
    const double at10 = flops_at(10), at200 = flops_at(200);
    CHECK(at10 == g.flops_per_token(10));
    CHECK(at200 / at10 <= 1.3);
    CHECK(at200 > at10);  // attention does read the longer cache
}
