#include "flops.h"

namespace knobs {

namespace {

// Each term mirrors one call in Model::forward/backward; the function names say which.
struct Dims {
    double B, T, BT, C, L, H, V, r;
};
Dims dims(const ModelConfig& cfg, int B, int T, int lora_rank) {
    return {double(B), double(T), double(B) * T, double(cfg.n_embd), double(cfg.n_layer), double(cfg.n_head),
            double(kVocabSize), double(lora_rank)};
}

double matmul(double rows, double in, double out) { return 2.0 * rows * in * out; }
double layernorm_forward(const Dims& d) { return d.BT * (8 * d.C + 5); }
double layernorm_backward(const Dims& d, bool weight_grads) { return d.BT * (14 * d.C + 2 + (weight_grads ? 3 * d.C : 0)); }
double causal_pairs(const Dims& d) { return d.T * (d.T + 1); }  // 2 x the kept (query, key) pairs per sequence
double attention_forward(const Dims& d) {
    return d.B * (d.C * d.T + 2 * d.C * causal_pairs(d) + d.H * (2 * causal_pairs(d) + d.T));
}
double attention_backward(const Dims& d) { return d.B * (4 * d.C * causal_pairs(d) + d.H * 5 * causal_pairs(d) / 2); }
// The four adapted matrices of one layer as (out, in): qkv (3C, C), attproj (C, C), fc (4C, C), fcproj (C, 4C).
template <class F>
double over_adapted(const Dims& d, F f) {
    return f(3 * d.C, d.C) + f(d.C, d.C) + f(4 * d.C, d.C) + f(d.C, 4 * d.C);
}

}  // namespace

double flops_forward(const ModelConfig& cfg, int B, int T, int lora_rank) {
    const Dims d = dims(cfg, B, T, lora_rank);
    double layer = 2 * layernorm_forward(d)             // ln1, ln2
                   + matmul(d.BT, d.C, 3 * d.C)         // qkv
                   + attention_forward(d)               //
                   + matmul(d.BT, d.C, d.C)             // attention projection
                   + matmul(d.BT, d.C, 4 * d.C)         // fc
                   + 8 * d.BT * 4 * d.C                 // GELU
                   + matmul(d.BT, 4 * d.C, d.C)         // fc projection
                   + 2 * d.BT * d.C;                    // two residual adds
    if (lora_rank > 0)
        layer += over_adapted(d, [&](double out, double in) { return 2 * out * in * d.r + d.r * in; });
    return d.BT * d.C                        // encoder
           + d.L * layer                     //
           + layernorm_forward(d)            // final layernorm
           + matmul(d.BT, d.C, d.V);         // tied head
}

double flops_loss(int B, int T) {
    const double BT = double(B) * T;
    return BT * (4.0 * kVocabSize + 5) + 1;
}

double flops_backward(const ModelConfig& cfg, int B, int T, int lora_rank) {
    const Dims d = dims(cfg, B, T, lora_rank);
    const bool base = lora_rank == 0;  // under LoRA the base weights get no gradients
    // A projection's backward: input gradient and weight gradient (dW_eff under LoRA), plus its bias.
    auto proj = [&](double in, double out) { return 2 * matmul(d.BT, in, out) + (base ? d.BT * out : 0.0); };
    double layer = proj(4 * d.C, d.C)                   // fc projection
                   + 16 * d.BT * 4 * d.C                // GELU (its input gradient is written, not added)
                   + proj(d.C, 4 * d.C)                 // fc
                   + layernorm_backward(d, base)        // ln2
                   + proj(d.C, d.C)                     // attention projection
                   + attention_backward(d)              //
                   + proj(d.C, 3 * d.C)                 // qkv
                   + layernorm_backward(d, base);       // ln1
    if (!base)
        layer += over_adapted(d, [&](double out, double in) { return 4 * out * in * d.r + in * d.r + out * in; });
    return d.BT * (d.V + 1)                                          // softmax gradient (written, not added)
           + matmul(d.BT, d.V, d.C) + (base ? matmul(d.V, d.BT, d.C) : 0.0)  // head: dlnf, dwte
           + layernorm_backward(d, base)                             // final layernorm
           + d.L * layer                                             //
           + (base ? 2 * d.BT * d.C : 0.0);                          // embeddings
}

double flops_update(size_t num_trainable) { return 19.0 * double(num_trainable) + 2; }

}  // namespace knobs
