// Training: the schedule, AdamW against a hand-written double-precision AdamW, clipping, determinism,
// divergence handling, validation, and that a small model actually learns a repetitive text.
#include "core/trainer.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/flops.h"
#include "core/limits.h"
#include "fixtures.h"

using namespace knobs;
using namespace knobs::test;

namespace {

const ModelConfig kTiny{1, 2, 16, 16};
const ModelConfig kSmall{1, 2, 32, 16};

// A text a small model can learn: one sentence repeated (45 bytes per period).
std::vector<uint8_t> repetitive_text(int repeats = 120) {
    std::string s;
    for (int i = 0; i < repeats; ++i) s += "the quick brown fox jumps over the lazy dog. ";
    return std::vector<uint8_t>(s.begin(), s.end());
}

// A text without exploitable structure.
std::vector<uint8_t> noise_text(size_t n, uint64_t seed) {
    Rng rng(seed);
    return random_tokens(n, rng);
}

bool same_bits(std::span<const float> a, std::span<const float> b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

bool decays(int tensor_index) {
    const auto t = static_cast<Tensor>(tensor_index);
    return t == Tensor::wte || t == Tensor::wpe || t == Tensor::qkvw || t == Tensor::attprojw || t == Tensor::fcw ||
           t == Tensor::fcprojw;
}

// AdamW in double, one parameter at a time, written from the paper's update rule.
struct ReferenceAdamW {
    explicit ReferenceAdamW(const TrainConfig& c) : cfg(c) {}
    TrainConfig cfg;
    Vec m, v;
    int t = 0;
    void step(Vec& p, const Vec& g, double clip, const std::vector<bool>& decay, double lr) {
        if (m.empty()) m.assign(p.size(), 0.0), v.assign(p.size(), 0.0);
        ++t;
        for (size_t i = 0; i < p.size(); ++i) {
            const double gi = g[i] * clip;
            m[i] = cfg.beta1 * m[i] + (1 - cfg.beta1) * gi;
            v[i] = cfg.beta2 * v[i] + (1 - cfg.beta2) * gi * gi;
            const double mhat = m[i] / (1 - std::pow(double(cfg.beta1), t));
            const double vhat = v[i] / (1 - std::pow(double(cfg.beta2), t));
            p[i] -= lr * (mhat / (std::sqrt(vhat) + cfg.eps) + (decay[i] ? cfg.weight_decay * p[i] : 0.0));
        }
    }
};

std::vector<bool> decay_mask(const Model& m) {
    std::vector<bool> mask(m.num_params());
    const ParamLayout& lay = m.layout();
    for (int t = 0; t < kNumTensors; ++t)
        for (size_t i = 0; i < lay.size[t]; ++i) mask[lay.offset[t] + i] = decays(t);
    return mask;
}

}  // namespace

TEST_CASE("[core] learning-rate schedule", "[core]") {
    TrainConfig c;
    c.lr = 1e-3f;
    c.warmup_steps = 10;
    c.total_steps = 110;
    c.min_lr_ratio = 0.1f;
    using Catch::Matchers::WithinRel;
    CHECK_THAT(Trainer::scheduled_lr(c, 0), WithinRel(1e-4, 1e-6));   // warmup: (step+1)/warmup
    CHECK_THAT(Trainer::scheduled_lr(c, 4), WithinRel(5e-4, 1e-6));
    CHECK_THAT(Trainer::scheduled_lr(c, 9), WithinRel(1e-3, 1e-6));
    CHECK_THAT(Trainer::scheduled_lr(c, 10), WithinRel(1e-3, 1e-6));  // cosine starts at the peak
    CHECK_THAT(Trainer::scheduled_lr(c, 35), WithinRel(1e-4 + 0.5 * 9e-4 * (1 + std::cos(std::numbers::pi / 4)), 1e-6));
    CHECK_THAT(Trainer::scheduled_lr(c, 60), WithinRel(5.5e-4, 1e-6));  // halfway: the mean of peak and floor
    CHECK_THAT(Trainer::scheduled_lr(c, 110), WithinRel(1e-4, 1e-6));   // the floor, and it stays
    CHECK_THAT(Trainer::scheduled_lr(c, 5000), WithinRel(1e-4, 1e-6));
    c.warmup_steps = 0;
    CHECK_THAT(Trainer::scheduled_lr(c, 0), WithinRel(1e-3, 1e-6));
}

TEST_CASE("[core] adamw step matches a hand-written double AdamW", "[core]") {
    Model model(kTiny);
    model.init_weights(11);
    const std::vector<uint8_t> text = noise_text(2000, 3);
    TrainConfig cfg;
    cfg.lr = 0.01f;
    cfg.warmup_steps = 0;
    cfg.min_lr_ratio = 1.0f;  // constant learning rate
    cfg.weight_decay = 0.5f;  // large, so a missing or misplaced decay term shows
    cfg.grad_clip = 0.0f;
    cfg.batch_size = 2;
    cfg.micro_batch_size = 1;
    Trainer trainer(model, text, {}, cfg);
    ReferenceAdamW ref(cfg);
    const std::vector<bool> decay = decay_mask(model);
    Vec p = to_double(model.params());

    for (int step = 0; step < 3; ++step) {
        const StepStats st = trainer.step();
        REQUIRE(st.finite);
        CHECK(st.clip_scale == 1.0f);
        // model.grads() still holds this step's accumulated gradient.
        ref.step(p, to_double(model.grads()), 1.0, decay, cfg.lr);
        std::span<const float> got = model.params();
        for (size_t i = 0; i < p.size(); ++i) KNOBS_CHECK_CLOSE(got[i], p[i], 1e-5, 1e-8);
        p = to_double(got);  // continue from the float state, so rounding cannot drift
    }

    SECTION("the first step moves every parameter with a gradient by about lr, plus decay") {
        // At t = 1 the bias corrections give mhat = g and sqrt(vhat) = |g|, so each parameter moves by
        // lr * (g / (|g| + eps) + wd * p): lr * sign(g) up to eps, plus decay on the matrices only.
        Model fresh(kTiny);
        fresh.init_weights(11);
        Trainer t1(fresh, text, {}, cfg);
        const Vec before = to_double(fresh.params());
        t1.step();
        const ParamLayout& lay = fresh.layout();
        for (Tensor t : {Tensor::ln1b, Tensor::qkvw}) {
            const size_t off = lay.offset[static_cast<int>(t)];
            for (size_t i = 0; i < std::min<size_t>(20, lay.size[static_cast<int>(t)]); ++i) {
                const double g = fresh.grads()[off + i];
                const double wd = t == Tensor::qkvw ? cfg.weight_decay : 0.0;
                const double expected = before[off + i] - 0.01 * (g / (std::abs(g) + 1e-8) + wd * before[off + i]);
                INFO(tensor_name(t) << "[" << i << "]: g " << g << ", before " << before[off + i]);
                if (std::abs(g) > 1e-4) CHECK(std::abs(fresh.params()[off + i] - before[off + i]) > 0.0099 * (1 - wd * 0.1));
                KNOBS_CHECK_CLOSE(fresh.params()[off + i], expected, 1e-5, 1e-7);
            }
        }
    }
}

TEST_CASE("[core] gradient clipping", "[core]") {
    Model model(kTiny);
    model.init_weights(12);
    const std::vector<uint8_t> text = noise_text(2000, 4);
    TrainConfig cfg;
    cfg.lr = 0.01f;
    cfg.warmup_steps = 0;
    cfg.min_lr_ratio = 1.0f;
    cfg.eps = 1.0f;  // with a large eps the update is ~ proportional to the gradient, so clipping shows
    cfg.batch_size = 2;
    cfg.micro_batch_size = 2;
    const float clip = GENERATE(0.0f, 0.05f, 1e6f);
    cfg.grad_clip = clip;
    Trainer trainer(model, text, {}, cfg);
    Vec p = to_double(model.params());
    const StepStats st = trainer.step();
    const Vec g = to_double(model.grads());
    double norm = 0;
    for (double x : g) norm += x * x;
    norm = std::sqrt(norm);
    KNOBS_CHECK_CLOSE(st.grad_norm, norm, 1e-5, 0.0);
    const double expected_scale = (clip > 0 && norm > clip) ? clip / norm : 1.0;
    KNOBS_CHECK_CLOSE(st.clip_scale, expected_scale, 1e-6, 0.0);
    if (clip == 0.05f) CHECK(st.clip_scale < 0.5f);  // this model's gradient norm is well above 0.05
    ReferenceAdamW ref(cfg);
    ref.step(p, g, expected_scale, decay_mask(model), cfg.lr);
    for (size_t i = 0; i < p.size(); ++i) KNOBS_CHECK_CLOSE(model.params()[i], p[i], 1e-5, 1e-9);
}

TEST_CASE("[core] loss falls on a repetitive text", "[core]") {
    Model model(kSmall);
    model.init_weights(1);
    const std::vector<uint8_t> text = repetitive_text();
    TrainConfig cfg;
    cfg.lr = 1e-2f;
    cfg.warmup_steps = 10;
    cfg.total_steps = 150;
    cfg.batch_size = 8;
    cfg.micro_batch_size = 4;
    Trainer trainer(model, text, text, cfg);
    const float start = trainer.validation_loss(2);
    CHECK(start > 5.0f);  // about ln(256) = 5.55 before training
    for (int s = 0; s < 150; ++s) REQUIRE(trainer.step().finite);
    const float end = trainer.validation_loss(2);
    INFO("validation loss " << start << " -> " << end);
    CHECK(end < 0.5f);  // within 150 steps of 8 x 16 tokens
    CHECK(trainer.tokens_seen() == 150u * 8 * 16);
}

TEST_CASE("[core] training is deterministic however the work is split", "[core]") {
    const std::vector<uint8_t> text = repetitive_text(40);
    TrainConfig cfg;
    cfg.batch_size = 8;
    cfg.micro_batch_size = 2;
    cfg.warmup_steps = 2;
    cfg.seed = 5;
    const int steps = 5;
    auto run_steps = [&](uint64_t data_seed) {
        Model m(kTiny);
        m.init_weights(1);
        TrainConfig c = cfg;
        c.seed = data_seed;
        Trainer t(m, text, {}, c);
        for (int s = 0; s < steps; ++s) t.step();
        return std::vector<float>(m.params().begin(), m.params().end());
    };
    const std::vector<float> by_steps = run_steps(cfg.seed);

    SECTION("micro-batch by micro-batch, as a frame loop would") {
        Model m(kTiny);
        m.init_weights(1);
        Trainer t(m, text, {}, cfg);
        int completed = 0, calls = 0;
        while (completed < steps) {
            completed += t.run_micro_batch() ? 1 : 0;
            ++calls;
        }
        CHECK(calls == steps * 4);
        CHECK(same_bits(m.params(), by_steps));
    }
    SECTION("an identical run gives identical bits") { CHECK(same_bits(run_steps(cfg.seed), by_steps)); }
    SECTION("another data seed gives other bits") { CHECK_FALSE(same_bits(run_steps(cfg.seed + 1), by_steps)); }
}

TEST_CASE("[core] non-finite steps are flagged and never applied", "[core]") {
    Model model(kTiny);
    model.init_weights(2);
    const std::vector<uint8_t> text = repetitive_text(40);
    TrainConfig cfg;
    cfg.lr = 1e4f;
    cfg.warmup_steps = 0;
    cfg.min_lr_ratio = 1.0f;
    cfg.batch_size = 4;
    cfg.micro_batch_size = 4;
    Trainer trainer(model, text, {}, cfg);
    int flagged = 0;
    for (int s = 0; s < 12; ++s) {
        const std::vector<float> before(model.params().begin(), model.params().end());
        const StepStats st = trainer.step();
        if (!st.finite) {
            ++flagged;
            CHECK(same_bits(model.params(), before));  // nothing applied
            CHECK(st.knobs_moved == 0);
        }
    }
    CHECK(flagged > 0);
    for (float x : model.params()) REQUIRE(std::isfinite(x));
    CHECK(trainer.step_index() == 12);
}

TEST_CASE("[core] validation is deterministic and leaves training alone", "[core]") {
    const std::vector<uint8_t> text = repetitive_text(40), val = noise_text(500, 8);
    TrainConfig cfg;
    cfg.batch_size = 4;
    cfg.micro_batch_size = 2;
    Model a(kTiny), b(kTiny);
    a.init_weights(4);
    b.init_weights(4);
    Trainer ta(a, text, val, cfg), tb(b, text, val, cfg);
    const float v1 = ta.validation_loss(3);
    CHECK(v1 == ta.validation_loss(3));
    CHECK(std::isfinite(v1));
    for (int s = 0; s < 3; ++s) {
        ta.run_micro_batch();
        ta.validation_loss(2);  // in the middle of a step, between micro-batches
        ta.run_micro_batch();
        tb.step();
    }
    CHECK(same_bits(a.params(), b.params()));
    CHECK(same_bits(ta.adam_m(), tb.adam_m()));

    Trainer no_val(a, text, {}, cfg);
    CHECK(std::isnan(no_val.validation_loss()));
    CHECK(ta.validation_loss(0) == ta.validation_loss(1));  // at least one batch
}

TEST_CASE("[core] set_lr changes the rate mid-run without a reset", "[core]") {
    Model model(kTiny);
    model.init_weights(6);
    const std::vector<uint8_t> text = repetitive_text(40);
    TrainConfig cfg;
    cfg.batch_size = 2;
    cfg.micro_batch_size = 1;
    cfg.warmup_steps = 4;
    cfg.total_steps = 40;
    Trainer trainer(model, text, {}, cfg);
    for (int s = 0; s < 3; ++s) trainer.step();
    trainer.run_micro_batch();  // half-way through step 3
    const std::vector<float> m_before(trainer.adam_m().begin(), trainer.adam_m().end());
    trainer.set_lr(0.02f);
    CHECK(trainer.peak_lr() == 0.02f);
    TrainConfig expected = cfg;
    expected.lr = 0.02f;
    CHECK(trainer.current_lr() == Trainer::scheduled_lr(expected, 3));
    CHECK(same_bits(trainer.adam_m(), m_before));  // optimizer state kept
    CHECK(trainer.step_index() == 3);
    trainer.run_micro_batch();
    CHECK(trainer.last_step().step == 3);
    CHECK(trainer.last_step().lr == Trainer::scheduled_lr(expected, 3));
    CHECK_FALSE(trainer.set_lr(std::nanf("")));
    CHECK_FALSE(trainer.set_lr(-1.0f));
    CHECK(trainer.peak_lr() == 0.02f);  // refused values change nothing
}

TEST_CASE("[core] step stats describe the step", "[core]") {
    Model model(kTiny);
    model.init_weights(7);
    const std::vector<uint8_t> text = repetitive_text(40);
    TrainConfig cfg;
    cfg.batch_size = 4;
    cfg.micro_batch_size = 2;
    Trainer trainer(model, text, {}, cfg);
    const StepStats st = trainer.step();
    const int T = kTiny.block_size;
    CHECK(st.step == 0);
    CHECK(st.tokens == 4u * T);
    CHECK(st.knobs_total == model.num_params());
    CHECK(st.knobs_moved > 0);
    CHECK(st.knobs_moved <= st.knobs_total);
    CHECK(st.update_norm > 0.0f);
    CHECK(st.max_update <= st.update_norm);
    CHECK(st.lr == Trainer::scheduled_lr(cfg, 0));
    REQUIRE(trainer.chunk_size() == 2);  // a tiny model: a whole micro-batch fits the cache budget
    CHECK(st.flops_forward == 2 * flops_forward(kTiny, 2, T));
    CHECK(st.flops_loss == 2 * flops_loss(2, T));
    CHECK(st.flops_backward == 2 * flops_backward(kTiny, 2, T));
    CHECK(st.flops_update == flops_update(model.num_params()));
    CHECK(trainer.total_flops() == st.flops_forward + st.flops_loss + st.flops_backward + st.flops_update);
    // Knobs moved: exactly the parameters whose change exceeds the threshold.
    Model again(kTiny);
    again.init_weights(7);
    size_t moved = 0;
    for (size_t i = 0; i < model.num_params(); ++i)
        moved += std::abs(model.params()[i] - again.params()[i]) > cfg.moved_threshold ? 1 : 0;
    CHECK_THAT(double(moved), Catch::Matchers::WithinAbs(double(st.knobs_moved), st.knobs_total * 1e-4));
}

TEST_CASE("[core] a micro-batch computed in chunks has the micro-batch's gradient", "[core]") {
    // A long context makes one sequence's activations fill the cache budget, so each sequence is its
    // own chunk; the step must still follow the mean loss over the whole micro-batch.
    const ModelConfig cfg{1, 2, 16, 256};
    const std::vector<uint8_t> text = noise_text(3000, 9);
    TrainConfig tc;
    tc.batch_size = 3;
    tc.micro_batch_size = 3;
    Model trained(cfg), reference(cfg);
    trained.init_weights(3);
    reference.init_weights(3);
    Trainer trainer(trained, text, {}, tc);
    REQUIRE(trainer.chunk_size() < 3);
    const StepStats st = trainer.step();
    const float loss = reference.forward(trainer.last_inputs().data(), trainer.last_targets().data(), 3, cfg.block_size);
    reference.backward();
    KNOBS_CHECK_CLOSE(st.loss, loss, 1e-5, 0.0);
    for (size_t i = 0; i < reference.num_params(); ++i)
        KNOBS_CHECK_CLOSE(trained.grads()[i], reference.grads()[i], 1e-3, 1e-7);
    CHECK(st.flops_forward == flops_forward(cfg, 3, cfg.block_size));  // linear in the batch
    // The windows are the T + 1 bytes of the text at some offset.
    for (int b = 0; b < 3; ++b) {
        const uint8_t* in = trainer.last_inputs().data() + b * cfg.block_size;
        CHECK(std::memcmp(in + 1, trainer.last_targets().data() + b * cfg.block_size, cfg.block_size - 1) == 0);
    }
}

TEST_CASE("[core] trainer rejects bad input with a message", "[core]") {
    Model model(kTiny);
    model.init_weights(1);
    const std::vector<uint8_t> text = repetitive_text(10);
    TrainConfig cfg;
    const std::vector<uint8_t> too_short(kTiny.block_size, 'a');
    TrainConfig odd = cfg;
    odd.batch_size = 6;
    odd.micro_batch_size = 4;
    TrainConfig bad_lr = cfg;
    bad_lr.lr = -1.0f;
    CHECK(Trainer::check(model, text, {}, cfg).empty());
    CHECK(Trainer::check(model, text, text, cfg).empty());
    CHECK_THAT(Trainer::check(model, too_short, {}, cfg), Catch::Matchers::ContainsSubstring("training text has 16 bytes"));
    CHECK_THAT(Trainer::check(model, text, too_short, cfg), Catch::Matchers::ContainsSubstring("validation text"));
    CHECK_THAT(Trainer::check(model, text, {}, odd), Catch::Matchers::ContainsSubstring("multiple of the micro-batch"));
    CHECK(Trainer::check(model, text, {}, bad_lr) == validate(bad_lr));
    CHECK_FALSE(validate(bad_lr).empty());
#if KNOBS_TEST_EXCEPTIONS
    CHECK_THROWS_WITH(Trainer(model, too_short, {}, cfg), Trainer::check(model, too_short, {}, cfg));
    CHECK_THROWS_WITH(Trainer(model, text, {}, odd), validate(odd));
    CHECK_THROWS_AS(Trainer(model, text, {}, bad_lr), std::invalid_argument);
    Trainer trainer(model, text, {}, cfg);
    model.enable_lora(4, 8.0f, 1);
    CHECK_THROWS_AS(trainer.step(), std::logic_error);  // its AdamW state belongs to the full parameter set
#endif
}

TEST_CASE("[core] the interactive micro-batch divides every batch the settings allow", "[core]") {
    // The app and the CLI both split a batch this way; validate() refuses a split that does not divide.
    const int batch = GENERATE(range(static_cast<int>(kBatchLimits.lo), static_cast<int>(kBatchLimits.hi) + 1));
    INFO("batch " << batch);
    TrainConfig tc;
    tc.batch_size = batch;
    tc.micro_batch_size = interactive_micro_batch(batch);
    CHECK(validate(tc).empty());
    CHECK(tc.micro_batch_size == (batch % 2 == 0 ? 2 : 1));
}

TEST_CASE("[core] loss_exploded: only past the warmup, over 3x the best and over 2 nats", "[core]") {
    CHECK(loss_exploded(7.0f, 31, 30, 2.0f));
    CHECK_FALSE(loss_exploded(7.0f, 30, 30, 2.0f));   // still warming up: early losses jump about
    CHECK_FALSE(loss_exploded(5.9f, 31, 30, 2.0f));   // under 3x the best
    CHECK_FALSE(loss_exploded(1.9f, 31, 30, 0.5f));   // 3.8x, but a loss under 2 nats is a working model
    CHECK(loss_exploded(2.1f, 31, 30, 0.5f));
}
