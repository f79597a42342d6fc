#include "trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "flops.h"
#include "kernels.h"
#include "rng.h"

namespace knobs {

using namespace knobs::kernels;

namespace {

uint64_t splitmix64(uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

// Seed of one micro-batch's windows; distinct (seed, step, micro) give unrelated streams.
uint64_t batch_seed(uint64_t seed, int step, int micro) {
    return splitmix64(seed ^ splitmix64(static_cast<uint64_t>(step) ^ splitmix64(static_cast<uint64_t>(micro) + 1)));
}

// Activations per forward/backward chunk: about half a typical L2, so backward finds them in cache.
constexpr size_t kChunkActivationBudget = size_t(1) << 20;

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

bool decays(Tensor t) {
    switch (t) {
        case Tensor::wte:
        case Tensor::wpe:
        case Tensor::qkvw:
        case Tensor::attprojw:
        case Tensor::fcw:
        case Tensor::fcprojw: return true;
        default: return false;
    }
}

}  // namespace

std::string validate(const TrainConfig& c) {
    auto finite_at_least = [](float v, float lo) { return std::isfinite(v) && v >= lo; };
    if (!finite_at_least(c.lr, 0)) return "the learning rate must be a number of at least 0";
    if (c.warmup_steps < 0) return "warmup steps cannot be negative";
    if (c.total_steps < 1) return "total steps must be at least 1";
    if (!(c.min_lr_ratio >= 0 && c.min_lr_ratio <= 1)) return "the minimum learning-rate ratio must be between 0 and 1";
    if (!finite_at_least(c.weight_decay, 0)) return "weight decay must be a number of at least 0";
    if (!(c.beta1 >= 0 && c.beta1 < 1) || !(c.beta2 >= 0 && c.beta2 < 1)) return "beta1 and beta2 must be in [0, 1)";
    if (!(std::isfinite(c.eps) && c.eps > 0)) return "epsilon must be a positive number";
    if (!finite_at_least(c.grad_clip, 0)) return "gradient clipping must be a number of at least 0 (0 = off)";
    if (c.batch_size < 1 || c.micro_batch_size < 1) return "batch and micro-batch sizes must be at least 1";
    if (c.batch_size % c.micro_batch_size != 0)
        return "the batch size (" + std::to_string(c.batch_size) + ") must be a multiple of the micro-batch size (" +
               std::to_string(c.micro_batch_size) + ")";
    if (!finite_at_least(c.moved_threshold, 0)) return "the moved threshold must be a number of at least 0";
    return {};
}

int interactive_micro_batch(int batch_size) { return batch_size % 2 == 0 ? 2 : 1; }

bool loss_exploded(float loss, int step, int warmup_steps, float best_loss) {
    return step > warmup_steps && loss > 3.0f * best_loss && loss > 2.0f;
}

std::string Trainer::check(const Model& model, std::span<const uint8_t> train, std::span<const uint8_t> val,
                           const TrainConfig& cfg) {
    if (std::string err = validate(cfg); !err.empty()) return err;
    const size_t window = static_cast<size_t>(model.config().block_size) + 1;
    if (train.size() < window)
        return "the training text has " + std::to_string(train.size()) + " bytes; it needs at least " +
               std::to_string(window) + " (one context window plus the byte after it)";
    if (!val.empty() && val.size() < window)
        return "the validation text has " + std::to_string(val.size()) + " bytes; it needs at least " +
               std::to_string(window) + " (or none at all)";
    return {};
}

Trainer::Trainer(Model& model, std::span<const uint8_t> train, std::span<const uint8_t> val, const TrainConfig& cfg)
    : model_(model), train_(train), val_(val), cfg_(cfg), T_(model.config().block_size) {
    if (std::string err = check(model, train, val, cfg); !err.empty()) throw std::invalid_argument(err);
    chunk_ = 1;
    while (chunk_ < cfg.micro_batch_size && model.activation_bytes(chunk_ + 1, T_) <= kChunkActivationBudget) ++chunk_;
    model_.reserve(chunk_, T_);
    lora_mode_ = model_.lora_enabled();
    n_trainable_ = model_.trainable_params();
    if (lora_mode_) {
        segments_.push_back({0, n_trainable_, true});
    } else {
        const ParamLayout& lay = model_.layout();
        for (int i = 0; i < kNumTensors; ++i) {
            const bool d = decays(static_cast<Tensor>(i));
            if (!segments_.empty() && segments_.back().decay == d)
                segments_.back().count += lay.size[i];
            else
                segments_.push_back({lay.offset[i], lay.size[i], d});
        }
    }
    for (auto* buf : {&m_, &v_, &m_next_, &v_next_, &p_next_}) buf->assign(n_trainable_, 0.0f);
    inputs_.assign(static_cast<size_t>(cfg.micro_batch_size) * T_, 0);
    targets_.assign(inputs_.size(), 0);
    if (!val.empty()) {
        val_inputs_.assign(inputs_.size(), 0);
        val_targets_.assign(inputs_.size(), 0);
    }
}

void Trainer::check_model_unchanged() const {
    if (model_.lora_enabled() != lora_mode_ || model_.trainable_params() != n_trainable_)
        throw std::logic_error("the model's trainable parameters changed (LoRA was switched on or off); "
                               "create a new Trainer for it");
}

float Trainer::scheduled_lr(const TrainConfig& c, int step) {
    if (c.warmup_steps > 0 && step < c.warmup_steps)
        return static_cast<float>(static_cast<double>(c.lr) * (step + 1) / c.warmup_steps);
    const double peak = c.lr, min_lr = peak * c.min_lr_ratio;
    const int decay_steps = c.total_steps - c.warmup_steps;
    if (decay_steps <= 0 || step >= c.total_steps) return static_cast<float>(min_lr);
    const double progress = static_cast<double>(step - c.warmup_steps) / decay_steps;
    return static_cast<float>(min_lr + 0.5 * (peak - min_lr) * (1.0 + std::cos(3.14159265358979323846 * progress)));
}

bool Trainer::set_lr(float lr) {
    if (!std::isfinite(lr) || lr < 0) return false;
    cfg_.lr = lr;
    return true;
}

void Trainer::sample(std::span<const uint8_t> text, uint64_t rng_seed) {
    Rng rng(rng_seed);
    const size_t starts = text.size() - static_cast<size_t>(T_);  // windows of T+1 bytes
    const uint32_t n = static_cast<uint32_t>(std::min<size_t>(starts, std::numeric_limits<uint32_t>::max()));
    for (int b = 0; b < cfg_.micro_batch_size; ++b) {
        const size_t s = rng.below(n);
        std::memcpy(inputs_.data() + static_cast<size_t>(b) * T_, text.data() + s, T_);
        std::memcpy(targets_.data() + static_cast<size_t>(b) * T_, text.data() + s + 1, T_);
    }
}

bool Trainer::run_micro_batch() {
    check_model_unchanged();
    const int mb = cfg_.micro_batch_size;
    const int rank = model_.lora_rank();
    if (micro_ == 0) {
        model_.zero_grad();
        loss_sum_ = 0;
        pending_ = StepStats{};
        pending_.step = step_;
        pending_.knobs_total = n_trainable_;
    }
    sample(train_, batch_seed(cfg_.seed, step_, micro_));

    // Each chunk's gradient is scaled by its share of the step's batch, so the sum over chunks and
    // micro-batches is the gradient of the step's mean loss.
    const ModelConfig& mc = model_.config();
    double loss = 0;
    for (int b0 = 0; b0 < mb; b0 += chunk_) {
        const int n = std::min(chunk_, mb - b0);
        const size_t off = static_cast<size_t>(b0) * T_;
        auto t0 = Clock::now();
        loss += static_cast<double>(model_.forward(inputs_.data() + off, targets_.data() + off, n, T_)) * n;
        pending_.ms_forward += ms_since(t0);
        t0 = Clock::now();
        model_.backward(static_cast<float>(n) / static_cast<float>(cfg_.batch_size));
        pending_.ms_backward += ms_since(t0);
        pending_.flops_forward += flops_forward(mc, n, T_, rank);
        pending_.flops_loss += flops_loss(n, T_);
        pending_.flops_backward += flops_backward(mc, n, T_, rank);
    }
    loss_sum_ += loss / mb;
    pending_.tokens += static_cast<uint64_t>(mb) * T_;
    tokens_seen_ += static_cast<uint64_t>(mb) * T_;

    if (++micro_ < micro_batches_per_step()) return false;
    apply_update();
    micro_ = 0;
    ++step_;
    return true;
}

StepStats Trainer::step() {
    while (!run_micro_batch()) {
    }
    return last_;
}

TrainProgress Trainer::progress() const {
    if (micro_ != 0)
        throw std::logic_error("a trainer's progress is only defined between optimizer steps (micro-batch " +
                               std::to_string(micro_) + " of step " + std::to_string(step_) + " is done)");
    return TrainProgress{step_, adam_t_, tokens_seen_, total_flops_, m_, v_};
}

std::string Trainer::resume(const TrainProgress& p) {
    if (p.m.size() != n_trainable_ || p.v.size() != n_trainable_)
        return "the optimizer state has " + std::to_string(p.m.size()) + " first and " + std::to_string(p.v.size()) +
               " second moments; this model trains " + std::to_string(n_trainable_) + " parameters";
    if (p.step < 0 || p.adam_t < 0) return "the step counters cannot be negative";
    if (p.adam_t > p.step)
        return "AdamW's counter (" + std::to_string(p.adam_t) + ") cannot exceed the steps taken (" +
               std::to_string(p.step) + ")";
    if (!(std::isfinite(p.total_flops) && p.total_flops >= 0)) return "the FLOP count must be a number of at least 0";
    for (size_t i = 0; i < n_trainable_; ++i)
        if (!std::isfinite(p.m[i]) || !std::isfinite(p.v[i]) || p.v[i] < 0)
            return "optimizer moment " + std::to_string(i) + " is not a finite number (or its second moment is negative)";
    step_ = p.step;
    adam_t_ = p.adam_t;
    tokens_seen_ = p.tokens_seen;
    total_flops_ = p.total_flops;
    std::copy(p.m.begin(), p.m.end(), m_.begin());
    std::copy(p.v.begin(), p.v.end(), v_.begin());
    // Drop a half-done step: with micro_ at 0 the next micro-batch starts a fresh one (it zeroes the
    // model's gradients); its partial sums and stats are cleared here too, so nothing of it is left.
    micro_ = 0;
    loss_sum_ = 0;
    pending_ = StepStats{};
    last_ = StepStats{};
    return {};
}

// AdamW over the trainable buffer in two passes. Pass 1 writes the proposed moments and parameters into
// the *_next buffers and measures the step; pass 2 commits them only if everything is finite.
void Trainer::apply_update() {
    const auto t0 = Clock::now();
    StepStats& st = pending_;
    st.loss = static_cast<float>(loss_sum_ / micro_batches_per_step());
    st.lr = current_lr();
    st.flops_update = flops_update(n_trainable_);

    std::span<const float> grads = model_.trainable_grads();
    std::span<float> params = model_.trainable();
    const double norm = std::sqrt(sum_squares(grads.data(), grads.size()));
    st.grad_norm = static_cast<float>(norm);
    st.finite = std::isfinite(st.loss) && std::isfinite(norm);
    if (st.finite) {
        const float clip = (cfg_.grad_clip > 0 && norm > cfg_.grad_clip) ? static_cast<float>(cfg_.grad_clip / norm) : 1.0f;
        st.clip_scale = clip;
        const int t = adam_t_ + 1;
        const float inv_bc1 = static_cast<float>(1.0 / (1.0 - std::pow(static_cast<double>(cfg_.beta1), t)));
        const float inv_bc2 = static_cast<float>(1.0 / (1.0 - std::pow(static_cast<double>(cfg_.beta2), t)));
        const v4f vclip = splat(clip), b1 = splat(cfg_.beta1), b2 = splat(cfg_.beta2), omb1 = splat(1.0f - cfg_.beta1),
                  omb2 = splat(1.0f - cfg_.beta2), ibc1 = splat(inv_bc1), ibc2 = splat(inv_bc2), eps = splat(cfg_.eps),
                  lr = splat(st.lr), thr = splat(cfg_.moved_threshold);
        double sq_total = 0;
        v4f nonfinite = splat(0.0f), vmaxabs = splat(0.0f);
        v4i moved = v4i{0, 0, 0, 0};
        for (const Segment& seg : segments_) {
            const v4f wd = splat(seg.decay ? cfg_.weight_decay : 0.0f);
            // Four lanes at a time; the last partial group runs on zero-padded copies, whose lanes
            // produce a zero change and so leave the statistics alone.
            for (size_t i0 = 0; i0 < seg.count; i0 += 1024) {
                const size_t i_end = std::min(seg.count, i0 + 1024);
                v4f sq = splat(0.0f);
                for (size_t i = i0; i < i_end; i += 4) {
                    const size_t o = seg.offset + i;
                    const size_t lanes = std::min<size_t>(4, i_end - i);
                    float tg[4] = {}, tm[4] = {}, tv[4] = {}, tp[4] = {};
                    const float *g_ptr = grads.data() + o, *m_ptr = m_.data() + o, *v_ptr = v_.data() + o,
                                *p_ptr = params.data() + o;
                    if (lanes < 4) {
                        std::memcpy(tg, g_ptr, lanes * sizeof(float));
                        std::memcpy(tm, m_ptr, lanes * sizeof(float));
                        std::memcpy(tv, v_ptr, lanes * sizeof(float));
                        std::memcpy(tp, p_ptr, lanes * sizeof(float));
                        g_ptr = tg, m_ptr = tm, v_ptr = tv, p_ptr = tp;
                    }
                    const v4f g = load(g_ptr) * vclip;
                    const v4f p = load(p_ptr);
                    const v4f m1 = b1 * load(m_ptr) + omb1 * g;
                    const v4f v1 = b2 * load(v_ptr) + omb2 * (g * g);
                    const v4f u = (m1 * ibc1) / (vsqrt(v1 * ibc2) + eps) + wd * p;
                    const v4f delta = lr * u;
                    const v4f p1 = p - delta;
                    // x - x is 0 for finite x and NaN for inf or NaN: one sum flags any bad lane.
                    nonfinite += (m1 - m1) + (v1 - v1) + (p1 - p1);
                    sq += delta * delta;
                    const v4f ad = vabs(delta);
                    vmaxabs = vmax(vmaxabs, ad);
                    moved -= (ad > thr);  // comparison lanes are -1 when true
                    if (lanes == 4) {
                        store(m_next_.data() + o, m1);
                        store(v_next_.data() + o, v1);
                        store(p_next_.data() + o, p1);
                    } else {
                        float om[4], ov[4], op[4];
                        store(om, m1), store(ov, v1), store(op, p1);
                        std::memcpy(m_next_.data() + o, om, lanes * sizeof(float));
                        std::memcpy(v_next_.data() + o, ov, lanes * sizeof(float));
                        std::memcpy(p_next_.data() + o, op, lanes * sizeof(float));
                    }
                }
                sq_total += hsum(sq);
            }
        }
        st.update_norm = static_cast<float>(std::sqrt(sq_total));
        st.max_update = hmax(vmaxabs);
        st.knobs_moved = static_cast<size_t>(moved[0]) + moved[1] + moved[2] + moved[3];
        st.finite = std::isfinite(hsum(nonfinite)) && std::isfinite(st.update_norm);
        if (st.finite) {
            m_.swap(m_next_);
            v_.swap(v_next_);
            std::memcpy(params.data(), p_next_.data(), n_trainable_ * sizeof(float));
            ++adam_t_;
        }
    }
    if (!st.finite) {  // report no movement: nothing was applied
        st.update_norm = 0;
        st.max_update = 0;
        st.knobs_moved = 0;
    }
    st.ms_update = ms_since(t0);
    total_flops_ += st.flops_forward + st.flops_loss + st.flops_backward + st.flops_update;
    last_ = st;
}

float Trainer::validation_loss(int max_batches) {
    max_batches = std::max(max_batches, 1);
    if (val_.empty()) return std::numeric_limits<float>::quiet_NaN();
    check_model_unchanged();
    const int mb = cfg_.micro_batch_size;
    const size_t last_start = val_.size() - static_cast<size_t>(T_) - 1;
    const size_t windows = static_cast<size_t>(max_batches) * mb;
    double sum = 0;
    for (int batch = 0; batch < max_batches; ++batch) {
        for (int b = 0; b < mb; ++b) {
            const size_t w = static_cast<size_t>(batch) * mb + b;
            // Evenly spread over the text, first and last window included.
            const size_t s = windows > 1 ? (last_start * w) / (windows - 1) : 0;
            std::memcpy(val_inputs_.data() + static_cast<size_t>(b) * T_, val_.data() + s, T_);
            std::memcpy(val_targets_.data() + static_cast<size_t>(b) * T_, val_.data() + s + 1, T_);
        }
        double batch_loss = 0;
        for (int b0 = 0; b0 < mb; b0 += chunk_) {
            const int n = std::min(chunk_, mb - b0);
            const size_t off = static_cast<size_t>(b0) * T_;
            batch_loss += static_cast<double>(model_.forward(val_inputs_.data() + off, val_targets_.data() + off, n, T_)) * n;
        }
        sum += batch_loss / mb;
    }
    return static_cast<float>(sum / max_batches);
}

}  // namespace knobs
