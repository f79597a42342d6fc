// The whole model: configuration checks, initialisation, gradients against finite differences of a
// double-precision reference model, causality, and the FLOP counts.
#include "core/model.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "core/flops.h"
#include "fixtures.h"

using namespace knobs;
using namespace knobs::test;

namespace {

ModelConfig tiny_config(int layers) { return ModelConfig{layers, 2, 16, 16}; }

// Random parameters of a size that makes every path of the network matter (GPT-2's 0.02 would leave
// the deeper terms in the noise); LayerNorm gains around 1.
void randomize(Model& m, uint64_t seed) {
    Rng rng(seed);
    for (float& x : m.params()) x = 0.15f * rng.normal();
    for (Tensor t : {Tensor::ln1w, Tensor::ln2w, Tensor::lnfw})
        for (float& x : m.tensor(t)) x += 1.0f;
}

double sample_std(std::span<const float> v) {
    double s = 0, s2 = 0;
    for (float x : v) s += x, s2 += double(x) * x;
    const double mean = s / v.size();
    return std::sqrt(s2 / v.size() - mean * mean);
}

}  // namespace

TEST_CASE("[core] model rejects invalid configurations", "[core]") {
    const ModelConfig bad = GENERATE(ModelConfig{0, 2, 16, 16}, ModelConfig{2, 3, 64, 64}, ModelConfig{2, 4, 512, 64},
                                     ModelConfig{2, 4, 64, 8});
    REQUIRE_FALSE(validate(bad).empty());
#if KNOBS_TEST_EXCEPTIONS
    CHECK_THROWS_WITH(Model(bad), validate(bad));
    CHECK_THROWS_AS(Model(bad), std::invalid_argument);
#endif
}

TEST_CASE("[core] model init follows GPT-2", "[core]") {
    const ModelConfig cfg{2, 4, 64, 64};
    Model m(cfg);
    CHECK(m.num_params() == param_count(cfg));
    m.init_weights(7);
    for (Tensor t : {Tensor::ln1w, Tensor::ln2w, Tensor::lnfw})
        for (float x : m.tensor(t)) REQUIRE(x == 1.0f);
    for (Tensor t : {Tensor::ln1b, Tensor::ln2b, Tensor::lnfb, Tensor::qkvb, Tensor::attprojb, Tensor::fcb, Tensor::fcprojb})
        for (float x : m.tensor(t)) REQUIRE(x == 0.0f);
    for (Tensor t : {Tensor::wte, Tensor::wpe, Tensor::qkvw, Tensor::fcw})
        CHECK_THAT(sample_std(m.tensor(t)), Catch::Matchers::WithinRel(0.02, 0.05));
    for (Tensor t : {Tensor::attprojw, Tensor::fcprojw})
        CHECK_THAT(sample_std(m.tensor(t)), Catch::Matchers::WithinRel(0.02 / std::sqrt(4.0), 0.05));

    Model same(cfg), other(cfg);
    same.init_weights(7);
    other.init_weights(8);
    CHECK(same.checksum() == m.checksum());
    CHECK(other.checksum() != m.checksum());
}

TEST_CASE("[core] model gradient matches finite differences", "[core]") {
    const int layers = GENERATE(1, 2);
    const ModelConfig cfg = tiny_config(layers);
    const int B = 2, T = 8;
    Model m(cfg);
    randomize(m, 100 + layers);
    Rng rng(5);
    const std::vector<uint8_t> inputs = random_tokens(B * T, rng, 40), targets = random_tokens(B * T, rng, 40);

    const float loss = m.forward(inputs.data(), targets.data(), B, T);
    Vec p = to_double(m.params());
    auto objective = [&](const Vec& x) { return ref_model_loss(cfg, x, inputs.data(), targets.data(), B, T); };
    KNOBS_CHECK_CLOSE(loss, objective(p), 2e-6, 0.0);

    m.zero_grad();
    m.backward();
    const ParamLayout lay = m.layout();
    for (int ti = 0; ti < kNumTensors; ++ti) {
        const auto t = static_cast<Tensor>(ti);
        std::span<const float> g = m.tensor_grad(t);
        INFO("tensor " << tensor_name(t));
        for (int k = 0; k < 8; ++k) {
            const size_t i = rng.below(static_cast<uint32_t>(g.size()));
            INFO("element " << i);
            const double expected = central_difference(p, lay.offset[ti] + i, objective);
            KNOBS_CHECK_CLOSE(g[i], expected, 2e-3, 2e-6);
        }
    }

    SECTION("backward adds, scaled by grad_scale") {
        std::vector<float> once(m.grads().begin(), m.grads().end());
        m.zero_grad();
        m.backward(0.25f);
        m.backward(0.75f);
        for (size_t i = 0; i < once.size(); ++i) KNOBS_CHECK_CLOSE(m.grads()[i], once[i], 1e-3, 1e-7);
    }
}

TEST_CASE("[core] model is causal and batch-independent", "[core]") {
    const ModelConfig cfg{2, 4, 32, 16};
    Model m(cfg);
    m.init_weights(3);
    Rng rng(9);
    const int B = 3, T = 16, V = kVocabSize;
    std::vector<uint8_t> tokens = random_tokens(B * T, rng);
    m.forward(tokens.data(), nullptr, B, T);
    const std::vector<float> batched(m.logits().begin(), m.logits().end());
    REQUIRE(batched.size() == static_cast<size_t>(B) * T * V);

    SECTION("a sequence alone gives the same bits as inside a batch") {
        m.forward(tokens.data() + T, nullptr, 1, T);
        CHECK(std::memcmp(m.logits().data(), batched.data() + T * V, sizeof(float) * T * V) == 0);
    }
    SECTION("changing a token changes only the positions at and after it") {
        const int pos = 5;
        tokens[T + pos] ^= 0x55;
        m.forward(tokens.data(), nullptr, B, T);
        const float* row_before = batched.data() + T * V;
        const float* row_after = m.logits().data() + T * V;
        CHECK(std::memcmp(row_after, row_before, sizeof(float) * pos * V) == 0);
        for (int t = pos; t < T; ++t)
            CHECK(std::memcmp(row_after + t * V, row_before + t * V, sizeof(float) * V) != 0);
        // The other sequences are untouched.
        CHECK(std::memcmp(m.logits().data(), batched.data(), sizeof(float) * T * V) == 0);
    }
    SECTION("a shorter context gives the prefix's logits") {
        m.forward(tokens.data(), nullptr, 1, 6);
        REQUIRE(m.logits().size() == static_cast<size_t>(6) * V);
        CHECK(std::memcmp(m.logits().data(), batched.data(), sizeof(float) * 6 * V) == 0);
    }
}

TEST_CASE("[core] model reports bad calls clearly", "[core]") {
    Model m(tiny_config(1));
    m.init_weights(1);
    const std::vector<uint8_t> tokens(64, 'a');
    CHECK(m.logits().empty());
#if KNOBS_TEST_EXCEPTIONS
    CHECK_THROWS_AS(m.forward(tokens.data(), nullptr, 1, 17), std::invalid_argument);  // past block_size
    CHECK_THROWS_AS(m.forward(tokens.data(), nullptr, 0, 4), std::invalid_argument);
    CHECK_THROWS_AS(m.forward(nullptr, nullptr, 1, 4), std::invalid_argument);
    CHECK(m.logits().empty());
    m.forward(tokens.data(), nullptr, 1, 4);
    CHECK_THROWS_AS(m.backward(), std::logic_error);  // no targets, no loss to differentiate
#endif
    CHECK(m.forward(tokens.data(), tokens.data() + 1, 1, 4) > 0.0f);
    CHECK(m.losses().size() == 4);
    m.backward();
    std::span<const float> g = m.tensor_grad(Tensor::wpe);
    CHECK(std::any_of(g.begin(), g.begin() + 4 * 16, [](float x) { return x != 0.0f; }));  // positions 0..3
    CHECK(std::all_of(g.begin() + 4 * 16, g.end(), [](float x) { return x == 0.0f; }));    // unused positions
}

TEST_CASE("[core] flops counts", "[core]") {
    // L=1, H=1, C=16, T=2, B=1, V=256, counted by hand per token (BT = 2 tokens):
    //   embedding 16; layernorms 2 x (8*16+5) = 266; qkv 2*16*48 = 1536; projection 2*16*16 = 512;
    //   fc 2*16*64 = 2048; GELU 8*64 = 512; fc projection 2048; residual adds 32  -> 6970 per token,
    //   final layernorm 133, head 2*16*256 = 8192                                 -> 8325 per token.
    //   attention for the sequence: keys scaled 16*2 = 32, Q K^T and A V over 3 (query, key) pairs
    //   2 * 2*16*3 = 192, softmax 4*3 + 2 rows = 14                                -> 238.
    //   total = 2 * (6970 + 8325) + 238 = 30828
    const ModelConfig cfg{1, 1, 16, 16};
    CHECK(flops_forward(cfg, 1, 2) == 30828.0);
    // loss: per token 4*256 + 5, plus the mean's division
    CHECK(flops_loss(1, 2) == 2 * (4 * 256 + 5) + 1);
    CHECK(flops_update(1000) == 19 * 1000 + 2);

    const ModelConfig def{};
    SECTION("forward and backward scale with the batch, backward costs about twice the forward") {
        CHECK(flops_forward(def, 4, 64) == 4 * flops_forward(def, 1, 64));
        CHECK(flops_backward(def, 4, 64) == 4 * flops_backward(def, 1, 64));
        const double ratio = flops_backward(def, 16, 64) / flops_forward(def, 16, 64);
        CHECK((ratio > 1.9 && ratio < 2.2));
        // The matrix products dominate: 2 FLOPs per weight use per token in the forward.
        const double matmul = 2.0 * 16 * 64 * (12.0 * 64 * 64 * def.n_layer + 256 * 64);
        CHECK_THAT(flops_forward(def, 16, 64) / matmul, Catch::Matchers::WithinAbs(1.1, 0.1));
    }
    SECTION("LoRA adds the merge to the forward and skips base gradients in the backward") {
        CHECK(flops_forward(def, 4, 64, 8) > flops_forward(def, 4, 64));
        CHECK(flops_backward(def, 4, 64, 8) < flops_backward(def, 4, 64));
    }
}
