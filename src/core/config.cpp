#include "config.h"

namespace knobs {

std::string validate(const ModelConfig& c) {
    auto range = [](const char* what, int v, int lo, int hi) -> std::string {
        if (v < lo || v > hi)
            return std::string(what) + " must be between " + std::to_string(lo) + " and " + std::to_string(hi) +
                   " (got " + std::to_string(v) + ")";
        return {};
    };
    if (auto e = range("layers", c.n_layer, kMinLayers, kMaxLayers); !e.empty()) return e;
    if (auto e = range("heads", c.n_head, kMinHeads, kMaxHeads); !e.empty()) return e;
    if (auto e = range("width", c.n_embd, kMinWidth, kMaxWidth); !e.empty()) return e;
    if (auto e = range("context", c.block_size, kMinContext, kMaxContext); !e.empty()) return e;
    if (c.n_embd % c.n_head != 0)
        return "width (" + std::to_string(c.n_embd) + ") must be divisible by heads (" + std::to_string(c.n_head) + ")";
    return {};
}

const char* tensor_name(Tensor t) {
    static constexpr const char* names[kNumTensors] = {
        "wte", "wpe", "ln1w", "ln1b", "qkvw", "qkvb", "attprojw", "attprojb",
        "ln2w", "ln2b", "fcw", "fcb", "fcprojw", "fcprojb", "lnfw", "lnfb"};
    int i = static_cast<int>(t);
    return (i >= 0 && i < kNumTensors) ? names[i] : "?";
}

ParamLayout param_layout(const ModelConfig& cfg) {
    const size_t V = kVocabSize, C = cfg.n_embd, L = cfg.n_layer, T = cfg.block_size;
    ParamLayout p;
    p.size = {V * C, T * C, L * C, L * C, L * 3 * C * C, L * 3 * C, L * C * C, L * C,
              L * C, L * C, L * 4 * C * C, L * 4 * C, L * C * 4 * C, L * C, C, C};
    size_t off = 0;
    for (int i = 0; i < kNumTensors; ++i) {
        p.offset[i] = off;
        off += p.size[i];
    }
    p.total = off;
    return p;
}

size_t lora_param_count(const ModelConfig& cfg, int rank) {
    const size_t C = cfg.n_embd, r = rank;
    // qkv: r*C + 3C*r; attproj: r*C + C*r; fc: r*C + 4C*r; fcproj: r*4C + C*r  => 16*r*C per layer
    return static_cast<size_t>(cfg.n_layer) * 16 * r * C;
}

}  // namespace knobs
