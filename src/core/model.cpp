#include "model.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#include "checksum.h"
#include "ops.h"
#include "rng.h"

namespace knobs {

namespace {
inline size_t idx(Tensor t) { return static_cast<size_t>(t); }
inline void zero(float* p, size_t n) { std::memset(p, 0, n * sizeof(float)); }
}  // namespace

Model::Model(const ModelConfig& cfg) : cfg_(cfg) {
    if (std::string err = validate(cfg); !err.empty()) throw std::invalid_argument(err);
    layout_ = param_layout(cfg);
    params_.assign(layout_.total, 0.0f);
    grads_.assign(layout_.total, 0.0f);
}

std::span<float> Model::tensor(Tensor t) {
    return std::span<float>(params_).subspan(layout_.offset[idx(t)], layout_.size[idx(t)]);
}
std::span<const float> Model::tensor(Tensor t) const {
    return std::span<const float>(params_).subspan(layout_.offset[idx(t)], layout_.size[idx(t)]);
}
std::span<const float> Model::tensor_grad(Tensor t) const {
    return std::span<const float>(grads_).subspan(layout_.offset[idx(t)], layout_.size[idx(t)]);
}

uint64_t Model::checksum() const { return checksum64(params_.data(), params_.size() * sizeof(float)); }

void Model::init_weights(uint64_t seed) {
    disable_lora();
    Rng rng(seed);
    const float std_base = 0.02f;
    const float std_residual = 0.02f / std::sqrt(2.0f * cfg_.n_layer);
    for (int i = 0; i < kNumTensors; ++i) {
        const auto t = static_cast<Tensor>(i);
        std::span<float> w = tensor(t);
        switch (t) {
            case Tensor::ln1w:
            case Tensor::ln2w:
            case Tensor::lnfw: std::fill(w.begin(), w.end(), 1.0f); break;
            case Tensor::ln1b:
            case Tensor::ln2b:
            case Tensor::lnfb:
            case Tensor::qkvb:
            case Tensor::attprojb:
            case Tensor::fcb:
            case Tensor::fcprojb: std::fill(w.begin(), w.end(), 0.0f); break;
            case Tensor::attprojw:
            case Tensor::fcprojw:
                for (float& x : w) x = std_residual * rng.normal();
                break;
            default:  // wte, wpe, qkvw, fcw
                for (float& x : w) x = std_base * rng.normal();
                break;
        }
    }
}

// ---- activations ---------------------------------------------------------------------------------------
size_t Model::carve(int B, int T, float* base, Acts* out) const {
    const size_t L = cfg_.n_layer, C = cfg_.n_embd, NH = cfg_.n_head, V = kVocabSize;
    const size_t BT = static_cast<size_t>(B) * T;
    size_t used = 0;
    // Hands out consecutive slices of acts_; with out == nullptr it only measures.
    auto take = [&](float*& ptr, size_t n) {
        if (out) ptr = base + used;
        used += n;
    };
    Acts dummy{};
    Acts& a = out ? *out : dummy;
    take(a.encoded, BT * C);            // (B, T, C)
    take(a.ln1, L * BT * C);            // (L, B, T, C)
    take(a.ln1_mean, L * BT);           // (L, B, T)
    take(a.ln1_rstd, L * BT);           // (L, B, T)
    take(a.qkv, L * BT * 3 * C);        // (L, B, T, 3C)
    take(a.atty, L * BT * C);           // (L, B, T, C)
    take(a.att, L * B * NH * T * T);    // (L, B, NH, T, T)
    take(a.attproj, L * BT * C);        // (L, B, T, C)
    take(a.residual2, L * BT * C);      // (L, B, T, C)
    take(a.ln2, L * BT * C);            // (L, B, T, C)
    take(a.ln2_mean, L * BT);           // (L, B, T)
    take(a.ln2_rstd, L * BT);           // (L, B, T)
    take(a.fch, L * BT * 4 * C);        // (L, B, T, 4C)
    take(a.fch_gelu, L * BT * 4 * C);   // (L, B, T, 4C)
    take(a.fcproj, L * BT * C);         // (L, B, T, C)
    take(a.residual3, L * BT * C);      // (L, B, T, C)
    take(a.lnf, BT * C);                // (B, T, C)
    take(a.lnf_mean, BT);               // (B, T)
    take(a.lnf_rstd, BT);               // (B, T)
    take(a.logits, BT * V);             // (B, T, V)
    take(a.probs, BT * V);              // (B, T, V)
    take(a.losses, BT);                 // (B, T)
    return used;
}

void Model::reserve(int B, int T) {
    if (B < 1 || T < 1 || T > cfg_.block_size)
        throw std::invalid_argument("batch must be at least 1 and context between 1 and " +
                                    std::to_string(cfg_.block_size) + " (got " + std::to_string(B) + " x " +
                                    std::to_string(T) + ")");
    if (B <= max_B_ && T <= max_T_) return;
    B = std::max(B, max_B_);
    T = std::max(T, max_T_);
    const size_t C = cfg_.n_embd, V = kVocabSize;
    const size_t BT = static_cast<size_t>(B) * T;
    acts_.assign(carve(B, T, nullptr, nullptr), 0.0f);
    // dres, dln, datty (C each), dqkv (3C), dfch, dfch_gelu (4C each), dlogits (V)
    dacts_.assign(BT * (3 * C + 3 * C + 8 * C + V), 0.0f);
    const int iC = cfg_.n_embd;
    size_t ops = std::max({ops::matmul_scratch_size(B, T, iC, 3 * iC), ops::matmul_scratch_size(B, T, iC, iC),
                           ops::matmul_scratch_size(B, T, iC, 4 * iC), ops::matmul_scratch_size(B, T, 4 * iC, iC),
                           ops::matmul_scratch_size(B, T, iC, kVocabSize), ops::attention_scratch_size(T, iC, cfg_.n_head)});
    // LoRA at any allowed rank, so enabling adapters later never allocates: the merge/projection packs and
    // the dW_eff of the largest matrix (4C x C), kept after the ops area.
    ops = std::max({ops, ops::lora_scratch_size(4 * iC, iC, kMaxLoraRank), ops::lora_scratch_size(iC, 4 * iC, kMaxLoraRank)});
    scratch_.assign(ops + 4 * C * C, 0.0f);
    inputs_.assign(BT, 0);
    targets_.assign(BT, 0);
    max_B_ = B;
    max_T_ = T;
    B_ = T_ = 0;
    have_targets_ = false;
}

std::span<const float> Model::logits() const {
    if (B_ == 0) return {};
    return {a_.logits, static_cast<size_t>(B_) * T_ * kVocabSize};
}

std::span<const float> Model::losses() const {
    if (B_ == 0 || !have_targets_) return {};
    return {a_.losses, static_cast<size_t>(B_) * T_};
}

// ---- LoRA bookkeeping ----------------------------------------------------------------------------------
Model::LoraSlot Model::lora_slot(int layer, int which) const {
    const size_t r = lora_rank_, C = cfg_.n_embd;
    // Per layer, in config.h's order: qkv A (r,C) B (3C,r), attproj A (r,C) B (C,r), fc A (r,C) B (4C,r),
    // fcproj A (r,4C) B (C,r).
    static constexpr int out_mult[kNumAdapted] = {3, 1, 4, 1};
    static constexpr int in_mult[kNumAdapted] = {1, 1, 1, 4};
    size_t off = static_cast<size_t>(layer) * 16 * r * C;
    for (int w = 0; w < which; ++w) off += r * C * (out_mult[w] + in_mult[w]);
    LoraSlot s;
    s.out = out_mult[which] * cfg_.n_embd;
    s.in = in_mult[which] * cfg_.n_embd;
    s.a = off;
    s.b = off + r * s.in;
    return s;
}

namespace {
constexpr Tensor kAdaptedTensor[4] = {Tensor::qkvw, Tensor::attprojw, Tensor::fcw, Tensor::fcprojw};
// Offsets of each adapted matrix inside one layer's slice of weff_ (12 C^2 floats).
inline size_t weff_offset(int which, size_t C) {
    static constexpr size_t mult[4] = {0, 3, 4, 8};
    return mult[which] * C * C;
}
}  // namespace

float* Model::weff(int layer, int which) {
    const size_t C = cfg_.n_embd;
    return weff_.data() + layer * 12 * C * C + weff_offset(which, C);
}

const float* Model::weight(int layer, int which) const {
    const size_t C = cfg_.n_embd;
    if (lora_enabled()) return weff_.data() + layer * 12 * C * C + weff_offset(which, C);
    const Tensor t = kAdaptedTensor[which];
    return params_.data() + layout_.offset[idx(t)] + layer * (layout_.size[idx(t)] / cfg_.n_layer);
}

std::string Model::lora_error(int rank, float alpha) {
    if (rank < kMinLoraRank || rank > kMaxLoraRank)
        return "LoRA rank must be between " + std::to_string(kMinLoraRank) + " and " + std::to_string(kMaxLoraRank) +
               " (got " + std::to_string(rank) + ")";
    if (!(alpha > 0.0f) || !std::isfinite(alpha)) return "LoRA alpha must be a positive number";
    return {};
}

void Model::enable_lora(int rank, float alpha, uint64_t seed) {
    if (std::string err = lora_error(rank, alpha); !err.empty()) throw std::invalid_argument(err);
    lora_rank_ = rank;
    lora_alpha_ = alpha;
    lora_params_.assign(lora_param_count(cfg_, rank), 0.0f);
    lora_grads_.assign(lora_params_.size(), 0.0f);
    weff_.assign(static_cast<size_t>(cfg_.n_layer) * 12 * cfg_.n_embd * cfg_.n_embd, 0.0f);
    Rng rng(seed);
    for (int l = 0; l < cfg_.n_layer; ++l)
        for (int w = 0; w < kNumAdapted; ++w) {
            const LoraSlot s = lora_slot(l, w);
            const float bound = 1.0f / std::sqrt(static_cast<float>(s.in));
            float* a = lora_params_.data() + s.a;
            for (size_t i = 0; i < static_cast<size_t>(rank) * s.in; ++i) a[i] = bound * (2.0f * rng.uniform() - 1.0f);
        }
    have_targets_ = false;  // the activations belong to the old weights
}

void Model::disable_lora() {
    lora_rank_ = 0;
    lora_alpha_ = 0.0f;
    lora_params_.clear();
    lora_grads_.clear();
    weff_.clear();
    have_targets_ = false;
}

void Model::merge_lora() {
    if (!lora_enabled()) return;
    const int C = cfg_.n_embd;
    const size_t need = std::max(ops::lora_scratch_size(4 * C, C, lora_rank_), ops::lora_scratch_size(C, 4 * C, lora_rank_));
    if (scratch_.size() < need) scratch_.assign(need, 0.0f);
    for (int l = 0; l < cfg_.n_layer; ++l)
        for (int w = 0; w < kNumAdapted; ++w) {
            const LoraSlot s = lora_slot(l, w);
            const Tensor t = kAdaptedTensor[w];
            float* W = params_.data() + layout_.offset[idx(t)] + l * (layout_.size[idx(t)] / cfg_.n_layer);
            ops::lora_merge(W, W, lora_params_.data() + s.a, lora_params_.data() + s.b, lora_scale(), s.out, s.in,
                            lora_rank_, scratch_.data());
        }
    disable_lora();
}

// ---- forward -------------------------------------------------------------------------------------------
float Model::forward(const uint8_t* inputs, const uint8_t* targets, int B, int T) {
    if (!inputs) throw std::invalid_argument("forward needs input tokens");
    reserve(B, T);  // validates the shape; allocates only when (B, T) exceeds every earlier reservation
    const int L = cfg_.n_layer, C = cfg_.n_embd, NH = cfg_.n_head, V = kVocabSize;
    const size_t BT = static_cast<size_t>(B) * T, BTC = BT * C;
    B_ = B;
    T_ = T;
    carve(B, T, acts_.data(), &a_);
    std::memcpy(inputs_.data(), inputs, BT);
    have_targets_ = targets != nullptr;
    if (targets) std::memcpy(targets_.data(), targets, BT);
    float* scratch = scratch_.data();
    const Acts& a = a_;
    auto P = [this](Tensor t, int l) {
        return params_.data() + layout_.offset[idx(t)] + l * (layout_.size[idx(t)] / cfg_.n_layer);
    };

    if (lora_enabled())
        for (int l = 0; l < L; ++l)
            for (int w = 0; w < kNumAdapted; ++w) {
                const LoraSlot s = lora_slot(l, w);
                ops::lora_merge(weff(l, w), P(kAdaptedTensor[w], l), lora_params_.data() + s.a,
                                lora_params_.data() + s.b, lora_scale(), s.out, s.in, lora_rank_, scratch);
            }

    ops::encoder_forward(a.encoded, inputs_.data(), P(Tensor::wte, 0), P(Tensor::wpe, 0), B, T, C);
    for (int l = 0; l < L; ++l) {
        const float* residual = l == 0 ? a.encoded : a.residual3 + (l - 1) * BTC;
        float* ln1 = a.ln1 + l * BTC;
        float* qkv = a.qkv + l * 3 * BTC;
        float* atty = a.atty + l * BTC;
        float* att = a.att + static_cast<size_t>(l) * B * NH * T * T;
        float* attproj = a.attproj + l * BTC;
        float* residual2 = a.residual2 + l * BTC;
        float* ln2 = a.ln2 + l * BTC;
        float* fch = a.fch + l * 4 * BTC;
        float* fch_gelu = a.fch_gelu + l * 4 * BTC;
        float* fcproj = a.fcproj + l * BTC;
        float* residual3 = a.residual3 + l * BTC;

        ops::layernorm_forward(ln1, a.ln1_mean + l * BT, a.ln1_rstd + l * BT, residual, P(Tensor::ln1w, l),
                               P(Tensor::ln1b, l), B, T, C);
        ops::matmul_forward(qkv, ln1, weight(l, kQkv), P(Tensor::qkvb, l), B, T, C, 3 * C, scratch);
        ops::attention_forward(atty, att, qkv, B, T, C, NH, scratch);
        ops::matmul_forward(attproj, atty, weight(l, kAttProj), P(Tensor::attprojb, l), B, T, C, C, scratch);
        ops::residual_forward(residual2, residual, attproj, static_cast<int>(BTC));
        ops::layernorm_forward(ln2, a.ln2_mean + l * BT, a.ln2_rstd + l * BT, residual2, P(Tensor::ln2w, l),
                               P(Tensor::ln2b, l), B, T, C);
        ops::matmul_forward(fch, ln2, weight(l, kFc), P(Tensor::fcb, l), B, T, C, 4 * C, scratch);
        ops::gelu_forward(fch_gelu, fch, static_cast<int>(4 * BTC));
        ops::matmul_forward(fcproj, fch_gelu, weight(l, kFcProj), P(Tensor::fcprojb, l), B, T, 4 * C, C, scratch);
        ops::residual_forward(residual3, residual2, fcproj, static_cast<int>(BTC));
    }
    ops::layernorm_forward(a.lnf, a.lnf_mean, a.lnf_rstd, a.residual3 + (L - 1) * BTC, P(Tensor::lnfw, 0),
                           P(Tensor::lnfb, 0), B, T, C);
    ops::matmul_forward(a.logits, a.lnf, P(Tensor::wte, 0), nullptr, B, T, C, V, scratch);
    if (!targets) return 0.0f;
    return ops::softmax_crossentropy_forward(a.probs, a.losses, a.logits, targets_.data(), B, T, V);
}

void Model::set_grads(std::span<const float> grads) {
    assert(grads.size() == grads_.size());
    std::copy(grads.begin(), grads.end(), grads_.begin());
}

void Model::zero_grad() {
    std::fill(grads_.begin(), grads_.end(), 0.0f);
    std::fill(lora_grads_.begin(), lora_grads_.end(), 0.0f);
}

// ---- backward ------------------------------------------------------------------------------------------
void Model::backward(float grad_scale) {
    if (!have_targets_) throw std::logic_error("backward() needs a forward() with targets first");
    const int B = B_, T = T_, L = cfg_.n_layer, C = cfg_.n_embd, NH = cfg_.n_head, V = kVocabSize;
    const size_t BT = static_cast<size_t>(B) * T, BTC = BT * C;
    const bool lora = lora_enabled();
    const Acts& a = a_;
    // Activation gradients, reused for every layer.
    float* dres = dacts_.data();      // (B, T, C) running gradient of the residual stream
    float* dln = dres + BTC;          // (B, T, C) gradient of a layernorm's output
    float* datty = dln + BTC;         // (B, T, C)
    float* dqkv = datty + BTC;        // (B, T, 3C)
    float* dfch = dqkv + 3 * BTC;     // (B, T, 4C)
    float* dfch_gelu = dfch + 4 * BTC;  // (B, T, 4C)
    float* dlogits = dfch_gelu + 4 * BTC;  // (B, T, V)
    float* scratch = scratch_.data();
    float* dw_eff = scratch_.data() + scratch_.size() - 4 * static_cast<size_t>(C) * C;  // (4C, C) under LoRA

    auto P = [this](Tensor t, int l) {
        return params_.data() + layout_.offset[idx(t)] + l * (layout_.size[idx(t)] / cfg_.n_layer);
    };
    // Base gradients are not needed under LoRA: null pointers make the ops skip that work.
    auto G = [&](Tensor t, int l) -> float* {
        if (lora) return nullptr;
        return grads_.data() + layout_.offset[idx(t)] + l * (layout_.size[idx(t)] / cfg_.n_layer);
    };
    // A projection matmul: base dW into the gradients, or dW_eff projected onto the adapters.
    // Activation gradients go into fresh buffers, so they are written rather than added (no zeroing).
    auto matmul_back = [&](float* dinp, int l, int which, Tensor wt, Tensor bt, const float* dout, const float* inp,
                           int IC, int OC) {
        if (!lora) {
            ops::matmul_backward(dinp, G(wt, l), G(bt, l), dout, inp, weight(l, which), B, T, IC, OC, scratch, false);
            return;
        }
        zero(dw_eff, static_cast<size_t>(OC) * IC);
        ops::matmul_backward(dinp, dw_eff, nullptr, dout, inp, weight(l, which), B, T, IC, OC, scratch, false);
        const LoraSlot s = lora_slot(l, which);
        ops::lora_backward(lora_grads_.data() + s.a, lora_grads_.data() + s.b, dw_eff, lora_params_.data() + s.a,
                           lora_params_.data() + s.b, lora_scale(), OC, IC, lora_rank_, scratch);
    };

    ops::softmax_crossentropy_backward(dlogits, a.probs, targets_.data(), grad_scale / static_cast<float>(BT), B, T, V,
                                       false);
    ops::matmul_backward(dln, G(Tensor::wte, 0), nullptr, dlogits, a.lnf, P(Tensor::wte, 0), B, T, C, V, scratch, false);
    zero(dres, BTC);
    ops::layernorm_backward(dres, G(Tensor::lnfw, 0), G(Tensor::lnfb, 0), dln, a.residual3 + (L - 1) * BTC,
                            P(Tensor::lnfw, 0), a.lnf_mean, a.lnf_rstd, B, T, C);

    // The residual additions pass dres through unchanged to both branches, so no residual_backward call is
    // needed: each branch's layernorm backward adds its contribution into dres in place.
    for (int l = L - 1; l >= 0; --l) {
        const float* residual = l == 0 ? a.encoded : a.residual3 + (l - 1) * BTC;
        // MLP branch
        matmul_back(dfch_gelu, l, kFcProj, Tensor::fcprojw, Tensor::fcprojb, dres, a.fch_gelu + l * 4 * BTC, 4 * C, C);
        ops::gelu_backward(dfch, a.fch + l * 4 * BTC, dfch_gelu, static_cast<int>(4 * BTC), false);
        matmul_back(dln, l, kFc, Tensor::fcw, Tensor::fcb, dfch, a.ln2 + l * BTC, C, 4 * C);
        ops::layernorm_backward(dres, G(Tensor::ln2w, l), G(Tensor::ln2b, l), dln, a.residual2 + l * BTC,
                                P(Tensor::ln2w, l), a.ln2_mean + l * BT, a.ln2_rstd + l * BT, B, T, C);
        // attention branch
        matmul_back(datty, l, kAttProj, Tensor::attprojw, Tensor::attprojb, dres, a.atty + l * BTC, C, C);
        ops::attention_backward(dqkv, datty, a.qkv + l * 3 * BTC, a.att + static_cast<size_t>(l) * B * NH * T * T, B,
                                T, C, NH, scratch, false);
        matmul_back(dln, l, kQkv, Tensor::qkvw, Tensor::qkvb, dqkv, a.ln1 + l * BTC, C, 3 * C);
        ops::layernorm_backward(dres, G(Tensor::ln1w, l), G(Tensor::ln1b, l), dln, residual, P(Tensor::ln1w, l),
                                a.ln1_mean + l * BT, a.ln1_rstd + l * BT, B, T, C);
    }
    if (!lora) ops::encoder_backward(G(Tensor::wte, 0), G(Tensor::wpe, 0), dres, inputs_.data(), B, T, C);
}

}  // namespace knobs
