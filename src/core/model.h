// The decoder-only transformer: token + position embeddings, L pre-LayerNorm blocks (causal multi-head
// self-attention, then a 4x GELU MLP, each added to the residual stream), a final LayerNorm, and an
// output head tied to the token embedding. Vocabulary: the 256 byte values.
//
// Errors. The wasm build has no C++ exceptions (a throw aborts), so everything a learner can type has a
// non-throwing check -- validate(cfg), lora_error() -- and the throwing paths below are for programming
// errors or for callers that checked first.
//
// Memory. The parameters are one flat buffer in the layout of param_layout() (config.h); the gradients use
// the same layout, so optimizers run one loop over the buffer. Activations are allocated by reserve() for
// up to B x T tokens and reused; forward() and backward() never allocate unless a bigger batch than ever
// before arrives. The optimizer state (AdamW moments) lives in the Trainer: a model used only for
// inference does not carry it.
//
// LoRA. enable_lora() attaches low-rank adapters to the four projection matrices of every block (storage
// order in config.h). Each forward computes W_eff = W + (alpha/r) B A once per matrix and runs the normal
// kernels with it; backward forms dW_eff and projects it onto the adapters (dA = s B^T dW, dB = s dW A^T).
// The base parameters are never written and get no gradients while adapters are on.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "config.h"

namespace knobs {

class Model {
public:
    // Throws std::invalid_argument with validate()'s message when the configuration is not allowed.
    explicit Model(const ModelConfig& cfg);

    const ModelConfig& config() const { return cfg_; }
    const ParamLayout& layout() const { return layout_; }
    size_t num_params() const { return layout_.total; }

    // GPT-2 style: weights N(0, 0.02), the two residual projections (attprojw, fcprojw) N(0, 0.02/sqrt(2L))
    // so the residual stream's variance does not grow with depth; biases 0; LayerNorm weight 1, bias 0.
    // Normals are drawn in storage order from Rng(seed). Also removes any LoRA adapters.
    void init_weights(uint64_t seed);

    std::span<float> params() { return params_; }
    std::span<const float> params() const { return params_; }
    std::span<float> tensor(Tensor t);
    std::span<const float> tensor(Tensor t) const;
    std::span<const float> grads() const { return grads_; }
    // Takes gradients computed elsewhere (a training worker's last step, for display); same layout as params().
    void set_grads(std::span<const float> grads);
    std::span<const float> tensor_grad(Tensor t) const;
    uint64_t checksum() const;  // checksum64 over the bytes of params()

    // Allocates activations for up to B sequences of T tokens (T <= block_size). Idempotent.
    void reserve(int B, int T);
    // Bytes of forward activations for B sequences of T tokens (what backward reads back).
    size_t activation_bytes(int B, int T) const { return carve(B, T, nullptr, nullptr) * sizeof(float); }

    // inputs/targets: (B, T) bytes; T <= block_size. Returns the mean cross-entropy (nats) when targets
    // is non-null, else 0 (only the logits are computed). Throws std::invalid_argument on bad shapes.
    float forward(const uint8_t* inputs, const uint8_t* targets, int B, int T);
    std::span<const float> logits() const;  // (B, T, V) of the last forward
    std::span<const float> losses() const;  // (B, T) per-position losses of the last forward with targets

    void zero_grad();  // base gradients and adapter gradients
    // Gradient of grad_scale * (mean loss of the last forward), ADDED into the gradients (so micro-batches
    // accumulate: pass 1/k for k micro-batches). Throws std::logic_error if the last forward had no targets.
    void backward(float grad_scale = 1.0f);

    // ---- LoRA ----
    // Empty when (rank, alpha) is allowed, otherwise a sentence saying why not.
    static std::string lora_error(int rank, float alpha);
    // Throws std::invalid_argument with lora_error()'s message when not allowed (check it first in the
    // wasm build, where a throw aborts).
    // A ~ U(-1/sqrt(in), 1/sqrt(in)) from Rng(seed), B = 0: the adapted model starts equal to the base.
    void enable_lora(int rank, float alpha, uint64_t seed);
    void disable_lora();  // drops the adapters; the base was never changed
    bool lora_enabled() const { return lora_rank_ > 0; }
    int lora_rank() const { return lora_rank_; }
    float lora_alpha() const { return lora_alpha_; }
    float lora_scale() const { return lora_rank_ > 0 ? lora_alpha_ / lora_rank_ : 0.0f; }
    std::span<float> lora_params() { return lora_params_; }
    std::span<const float> lora_params() const { return lora_params_; }
    std::span<const float> lora_grads() const { return lora_grads_; }
    void merge_lora();  // W += (alpha/r) B A into params(), then disables LoRA (no-op when disabled)

    // What an optimizer should update: all parameters, or only the adapters under LoRA.
    size_t trainable_params() const { return lora_enabled() ? lora_params_.size() : params_.size(); }
    std::span<float> trainable() { return lora_enabled() ? std::span<float>(lora_params_) : params(); }
    std::span<const float> trainable_grads() const {
        return lora_enabled() ? std::span<const float>(lora_grads_) : grads();
    }

private:
    // Offsets of one adapted matrix's A (r, in) and B (out, r) inside lora_params_.
    struct LoraSlot {
        size_t a = 0, b = 0;
        int out = 0, in = 0;
    };
    enum Adapted { kQkv = 0, kAttProj = 1, kFc = 2, kFcProj = 3, kNumAdapted = 4 };
    LoraSlot lora_slot(int layer, int which) const;
    // The weight matrix a forward uses: the base tensor, or W_eff under LoRA.
    const float* weight(int layer, int which) const;
    float* weff(int layer, int which);  // (out, in) slice of weff_

    // Activation pointers for a (B, T) pass, carved from acts_ (llm.c layout, all layers stacked).
    struct Acts {
        float *encoded, *ln1, *ln1_mean, *ln1_rstd, *qkv, *atty, *att, *attproj, *residual2, *ln2, *ln2_mean,
            *ln2_rstd, *fch, *fch_gelu, *fcproj, *residual3, *lnf, *lnf_mean, *lnf_rstd, *logits, *probs, *losses;
    };
    // Points *out into `base` for a (B, T) pass; returns the floats used (with out == nullptr: only measures).
    size_t carve(int B, int T, float* base, Acts* out) const;

    ModelConfig cfg_;
    ParamLayout layout_;
    std::vector<float> params_, grads_;

    int lora_rank_ = 0;
    float lora_alpha_ = 0.0f;
    std::vector<float> lora_params_, lora_grads_;
    std::vector<float> weff_;  // (L, 12*C*C): W_eff of qkv, attproj, fc, fcproj per layer, under LoRA

    int max_B_ = 0, max_T_ = 0;  // reserved shape
    int B_ = 0, T_ = 0;          // shape of the last forward
    bool have_targets_ = false;
    std::vector<float> acts_;     // forward activations
    std::vector<float> dacts_;    // backward scratch: activation gradients, reused layer after layer
    std::vector<float> scratch_;  // packed operands for the kernels, LoRA's dW_eff
    std::vector<uint8_t> inputs_, targets_;
    Acts a_{};
};

}  // namespace knobs
