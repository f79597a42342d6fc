// LoRA: adapters start as a no-op, follow config.h's storage order, have correct gradients, train without
// touching the base, and merge into the same function they computed.
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/checksum.h"
#include "core/model.h"
#include "core/trainer.h"
#include "fixtures.h"

using namespace knobs;
using namespace knobs::test;

namespace {

std::vector<uint8_t> lora_text() {
    std::string s;
    for (int i = 0; i < 80; ++i) s += "lora adapts a frozen model with a low-rank update. ";
    return std::vector<uint8_t>(s.begin(), s.end());
}

std::vector<float> logits_of(Model& m, const std::vector<uint8_t>& tokens, int B, int T) {
    m.forward(tokens.data(), nullptr, B, T);
    return std::vector<float>(m.logits().begin(), m.logits().end());
}

bool same_bits(const std::vector<float>& a, std::span<const float> b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace

TEST_CASE("[core] lora rejects bad rank and alpha", "[core]") {
    Model m(ModelConfig{1, 2, 16, 16});
    CHECK_THAT(Model::lora_error(0, 1.0f), Catch::Matchers::ContainsSubstring("rank must be between 1 and 16"));
    CHECK_FALSE(Model::lora_error(kMaxLoraRank + 1, 1.0f).empty());
    CHECK_THAT(Model::lora_error(4, 0.0f), Catch::Matchers::ContainsSubstring("alpha"));
    CHECK_FALSE(Model::lora_error(4, std::nanf("")).empty());
    CHECK(Model::lora_error(1, 0.5f).empty());
#if KNOBS_TEST_EXCEPTIONS
    CHECK_THROWS_WITH(m.enable_lora(0, 1.0f, 1), Model::lora_error(0, 1.0f));
    CHECK_THROWS_AS(m.enable_lora(4, std::nanf(""), 1), std::invalid_argument);
#endif
    CHECK_FALSE(m.lora_enabled());
    CHECK_NOTHROW(m.enable_lora(kMaxLoraRank, 32.0f, 1));
    CHECK(m.lora_rank() == kMaxLoraRank);
}

TEST_CASE("[core] lora starts equal to the base and counts its parameters", "[core]") {
    const ModelConfig cfg{2, 4, 32, 16};
    const int rank = GENERATE(1, 4, 16);
    Model m(cfg);
    m.init_weights(3);
    Rng rng(4);
    const std::vector<uint8_t> tokens = random_tokens(2 * 16, rng);
    const std::vector<float> base = logits_of(m, tokens, 2, 16);
    m.enable_lora(rank, 2.0f * rank, 9);
    CHECK(m.lora_params().size() == lora_param_count(cfg, rank));
    CHECK(m.trainable_params() == lora_param_count(cfg, rank));
    CHECK_THAT(double(m.trainable_params()) / m.num_params(),
               Catch::Matchers::WithinRel(double(lora_param_count(cfg, rank)) / param_count(cfg), 1e-12));
    CHECK(same_bits(logits_of(m, tokens, 2, 16), m.logits()));
    CHECK(same_bits(base, m.logits()));  // B = 0: W + s B A is W exactly
    m.disable_lora();
    CHECK(m.trainable_params() == m.num_params());
    CHECK(same_bits(base, logits_of(m, tokens, 2, 16)));
}

TEST_CASE("[core] lora storage order follows config.h", "[core]") {
    // Per layer: qkv A (r,C), qkv B (3C,r), attproj A (r,C), attproj B (C,r), fc A (r,C), fc B (4C,r),
    // fcproj A (r,4C), fcproj B (C,r). Setting one adapter pair must change exactly its matrix.
    const ModelConfig cfg{2, 2, 16, 16};
    const int r = 3, C = cfg.n_embd, layer = 1;
    const float alpha = 6.0f;
    struct Case {
        Tensor tensor;
        int out, in;
    };
    const Case cases[4] = {{Tensor::qkvw, 3 * C, C}, {Tensor::attprojw, C, C}, {Tensor::fcw, 4 * C, C}, {Tensor::fcprojw, C, 4 * C}};
    const int which = GENERATE(0, 1, 2, 3);
    const Case& target = cases[which];
    size_t off = static_cast<size_t>(layer) * 16 * r * C;
    for (int w = 0; w < which; ++w) off += static_cast<size_t>(r) * (cases[w].out + cases[w].in);

    Model m(cfg);
    m.init_weights(5);
    const std::vector<float> before(m.params().begin(), m.params().end());
    m.enable_lora(r, alpha, 1);
    std::span<float> lp = m.lora_params();
    std::fill(lp.begin(), lp.end(), 0.0f);
    Rng rng(6);
    for (size_t i = 0; i < static_cast<size_t>(r) * target.in; ++i) lp[off + i] = rng.normal();  // A
    const size_t b_off = off + static_cast<size_t>(r) * target.in;
    for (size_t i = 0; i < static_cast<size_t>(target.out) * r; ++i) lp[b_off + i] = rng.normal();  // B
    const Vec A(lp.begin() + off, lp.begin() + b_off);
    const Vec Bm(lp.begin() + b_off, lp.begin() + b_off + target.out * r);
    m.merge_lora();
    CHECK_FALSE(m.lora_enabled());

    const ParamLayout& lay = m.layout();
    const size_t per_layer = lay.size[static_cast<int>(target.tensor)] / cfg.n_layer;
    const size_t w_off = lay.offset[static_cast<int>(target.tensor)] + layer * per_layer;
    const Vec W(before.begin() + w_off, before.begin() + w_off + per_layer);
    const Vec merged = ref_lora_merge(W, A, Bm, alpha / r, target.out, target.in, r);
    for (size_t i = 0; i < m.num_params(); ++i) {
        if (i >= w_off && i < w_off + per_layer) {
            KNOBS_CHECK_CLOSE(m.params()[i], merged[i - w_off], 1e-5, 1e-5);
        } else {
            REQUIRE(m.params()[i] == before[i]);
        }
    }
}

TEST_CASE("[core] lora gradient matches finite differences", "[core]") {
    const ModelConfig cfg{GENERATE(1, 2), 2, 16, 16};
    const int B = 2, T = 8, r = 2;
    const float alpha = 4.0f;
    Model m(cfg);
    m.init_weights(21);
    m.enable_lora(r, alpha, 22);
    Rng rng(23);
    for (float& x : m.lora_params()) x = 0.3f * rng.normal();  // B != 0, so A gets gradients too
    const std::vector<uint8_t> inputs = random_tokens(B * T, rng, 50), targets = random_tokens(B * T, rng, 50);
    const float loss = m.forward(inputs.data(), targets.data(), B, T);
    const Vec base = to_double(m.params());
    RefLora lora{to_double(m.lora_params()), r, alpha};
    auto objective = [&](const Vec& lp) {
        RefLora l{lp, r, alpha};
        return ref_model_loss(cfg, base, inputs.data(), targets.data(), B, T, &l);
    };
    KNOBS_CHECK_CLOSE(loss, objective(lora.params), 2e-6, 0.0);
    m.zero_grad();
    m.backward();
    for (float g : m.grads()) REQUIRE(g == 0.0f);  // the base gets no gradient
    for (int k = 0; k < 60; ++k) {
        const size_t i = rng.below(static_cast<uint32_t>(lora.params.size()));
        INFO("adapter element " << i);
        KNOBS_CHECK_CLOSE(m.lora_grads()[i], central_difference(lora.params, i, objective), 2e-3, 2e-6);
    }
}

TEST_CASE("[core] lora training leaves the base untouched and merges faithfully", "[core]") {
    const ModelConfig cfg{2, 2, 32, 16};
    Model m(cfg);
    m.init_weights(31);
    {
        // A briefly pre-trained base: on a random one the frozen, tiny tied head bounds the logits, and
        // no adapter could lower the loss much.
        std::string pre;
        for (int i = 0; i < 100; ++i) pre += "the quick brown fox jumps over the lazy dog. ";
        const std::vector<uint8_t> pre_text(pre.begin(), pre.end());
        TrainConfig pc;
        pc.lr = 1e-2f;
        pc.warmup_steps = 5;
        pc.total_steps = 30;
        pc.batch_size = 4;
        pc.micro_batch_size = 2;
        Trainer pre_trainer(m, pre_text, {}, pc);
        for (int s = 0; s < 30; ++s) pre_trainer.step();
    }
    const uint64_t base_sum = m.checksum();
    const std::vector<float> base_params(m.params().begin(), m.params().end());
    m.enable_lora(8, 16.0f, 32);
    const std::vector<uint8_t> text = lora_text();
    TrainConfig tc;
    tc.lr = 1e-2f;
    tc.warmup_steps = 5;
    tc.total_steps = 40;
    tc.batch_size = 4;
    tc.micro_batch_size = 2;
    Trainer trainer(m, text, text, tc);
    const float before = trainer.validation_loss(2);
    for (int s = 0; s < 40; ++s) {
        const StepStats st = trainer.step();
        REQUIRE(st.finite);
        CHECK(st.knobs_total == lora_param_count(cfg, 8));
    }
    const float after = trainer.validation_loss(2);
    INFO("validation loss " << before << " -> " << after);
    CHECK(after < before - 0.6f);  // the adapters alone learn the new text
    CHECK(m.checksum() == base_sum);
    CHECK(std::memcmp(m.params().data(), base_params.data(), base_params.size() * sizeof(float)) == 0);

    Rng rng(33);
    const std::vector<uint8_t> tokens = random_tokens(3 * 16, rng);
    const std::vector<float> adapted = logits_of(m, tokens, 3, 16);
    m.merge_lora();
    CHECK_FALSE(m.lora_enabled());
    CHECK(m.checksum() != base_sum);
    const std::vector<float> merged = logits_of(m, tokens, 3, 16);
    for (size_t i = 0; i < adapted.size(); ++i) CHECK_THAT(merged[i], Catch::Matchers::WithinAbs(adapted[i], 1e-4));
}
