// Model configuration and the flat parameter layout shared by the engine, the weights file and the UI.
// Plain C++20: no UI, GL or platform headers (the core is reused by the app, the CLI, tests and benches).
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace knobs {

// Tokens are the bytes of UTF-8 text, so every model has the same vocabulary.
inline constexpr int kVocabSize = 256;

// Limits the UI and the loader enforce; the loader refuses anything outside them before allocating.
inline constexpr int kMinLayers = 1, kMaxLayers = 6;
inline constexpr int kMinHeads = 1, kMaxHeads = 8;
inline constexpr int kMinWidth = 16, kMaxWidth = 256;
inline constexpr int kMinContext = 16, kMaxContext = 256;
inline constexpr int kMinLoraRank = 1, kMaxLoraRank = 16;

struct ModelConfig {
    int n_layer = 2;    // L
    int n_head = 4;     // H
    int n_embd = 64;    // C (width), divisible by n_head
    int block_size = 64;  // T (context window in tokens)
    bool operator==(const ModelConfig&) const = default;
};

// Empty string when valid, otherwise a sentence a learner can read.
std::string validate(const ModelConfig& cfg);

// Named tensors of the flat buffer, in storage order (llm.c style). Gradients and the AdamW moments
// use exactly the same layout, so the optimizer update is a single loop over the buffer.
enum class Tensor : int {
    wte,       // (V, C)   token embedding, tied to the output head
    wpe,       // (T, C)   position embedding
    ln1w,      // (L, C)
    ln1b,      // (L, C)
    qkvw,      // (L, 3*C, C)
    qkvb,      // (L, 3*C)
    attprojw,  // (L, C, C)
    attprojb,  // (L, C)
    ln2w,      // (L, C)
    ln2b,      // (L, C)
    fcw,       // (L, 4*C, C)
    fcb,       // (L, 4*C)
    fcprojw,   // (L, C, 4*C)
    fcprojb,   // (L, C)
    lnfw,      // (C)
    lnfb,      // (C)
    count
};
inline constexpr int kNumTensors = static_cast<int>(Tensor::count);
static_assert(kNumTensors == 16, "the weights-file format documents exactly 16 tensors");

const char* tensor_name(Tensor t);

struct ParamLayout {
    std::array<size_t, kNumTensors> size{};    // element counts
    std::array<size_t, kNumTensors> offset{};  // element offsets into the flat buffer
    size_t total = 0;
};
ParamLayout param_layout(const ModelConfig& cfg);
inline size_t param_count(const ModelConfig& cfg) { return param_layout(cfg).total; }

// LoRA adapters sit on the four projection matrices of every block. Each adapter of a (out, in)
// matrix W adds (alpha/r) * B A, with A (r, in) and B (out, r). Storage order per layer:
// qkv A (r, C), qkv B (3C, r), attproj A (r, C), attproj B (C, r), fc A (r, C), fc B (4C, r),
// fcproj A (r, 4C), fcproj B (C, r); layers one after another.
size_t lora_param_count(const ModelConfig& cfg, int rank);

}  // namespace knobs
