// The layers of the transformer, each a forward and a backward function in llm.c's calling style:
//   x_forward(out, cache..., inp, weights..., B, T, C)
//   x_backward(dinp, dweights..., dout, inp, weights, cache..., B, T, C)
// Backward functions ADD into every gradient they are given (so micro-batches and branches of the
// residual stream accumulate); callers zero gradients when they want a fresh sum. Where the input
// gradient is usually a fresh buffer, an `accumulate_dinp = false` argument writes it instead, which
// saves zeroing it and reading the zeros back. Weight gradients always accumulate. A null weight-gradient
// pointer means "not needed" (the frozen base under LoRA) and skips that work.
//
// All buffers are float32, row-major, and never allocated here: functions that need room for packed
// operands take a `scratch` pointer of at least the matching *_scratch_size() floats.
// Every FLOP these functions perform is counted in flops.cpp; keep the two in step.
#pragma once
#include <cstddef>
#include <cstdint>

namespace knobs::ops {

// ---- token + position embedding ------------------------------------------------------------------
void encoder_forward(float* out,          // (B, T, C)
                     const uint8_t* inp,  // (B, T) token ids
                     const float* wte,    // (V, C)
                     const float* wpe,    // (>=T, C)
                     int B, int T, int C);
void encoder_backward(float* dwte,         // (V, C) or null
                      float* dwpe,         // (>=T, C) or null
                      const float* dout,   // (B, T, C)
                      const uint8_t* inp,  // (B, T)
                      int B, int T, int C);

// ---- layer normalisation over the last axis (eps = 1e-5) -------------------------------------------
void layernorm_forward(float* out,           // (B, T, C)
                       float* mean,          // (B, T)
                       float* rstd,          // (B, T) 1 / standard deviation
                       const float* inp,     // (B, T, C)
                       const float* weight,  // (C)
                       const float* bias,    // (C)
                       int B, int T, int C);
void layernorm_backward(float* dinp,          // (B, T, C)
                        float* dweight,       // (C) or null
                        float* dbias,         // (C) or null
                        const float* dout,    // (B, T, C)
                        const float* inp,     // (B, T, C)
                        const float* weight,  // (C)
                        const float* mean,    // (B, T)
                        const float* rstd,    // (B, T)
                        int B, int T, int C);

// ---- fully connected: out = inp W^T + b, with W stored (OC, C) ------------------------------------
size_t matmul_scratch_size(int B, int T, int C, int OC);
void matmul_forward(float* out,           // (B, T, OC)
                    const float* inp,     // (B, T, C)
                    const float* weight,  // (OC, C)
                    const float* bias,    // (OC) or null
                    int B, int T, int C, int OC,
                    float* scratch);      // (matmul_scratch_size)
void matmul_backward(float* dinp,          // (B, T, C) or null
                     float* dweight,       // (OC, C) or null
                     float* dbias,         // (OC) or null
                     const float* dout,    // (B, T, OC)
                     const float* inp,     // (B, T, C)
                     const float* weight,  // (OC, C)
                     int B, int T, int C, int OC,
                     float* scratch,       // (matmul_scratch_size)
                     bool accumulate_dinp = true);

// ---- causal multi-head self-attention --------------------------------------------------------------
// inp holds q | k | v for each position; head h uses columns [h*hs, (h+1)*hs) of each, hs = C / NH.
// att keeps softmax(q k^T / sqrt(hs)) with the future masked: row t is zero past column t.
size_t attention_scratch_size(int T, int C, int NH);
void attention_forward(float* out,        // (B, T, C)
                       float* att,        // (B, NH, T, T)
                       const float* inp,  // (B, T, 3C)
                       int B, int T, int C, int NH,
                       float* scratch);   // (attention_scratch_size)
void attention_backward(float* dinp,        // (B, T, 3C)
                        const float* dout,  // (B, T, C)
                        const float* inp,   // (B, T, 3C)
                        const float* att,   // (B, NH, T, T)
                        int B, int T, int C, int NH,
                        float* scratch,     // (attention_scratch_size)
                        bool accumulate_dinp = true);

// ---- GELU, tanh approximation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) ---------------------
// Computed as x / (1 + exp(-2u)), the same function without the cancellation of 1 + tanh(u) near -1.
void gelu_forward(float* out,        // (N)
                  const float* inp,  // (N)
                  int N);
void gelu_backward(float* dinp,        // (N)
                   const float* inp,   // (N)
                   const float* dout,  // (N)
                   int N, bool accumulate_dinp = true);

// ---- residual connection ---------------------------------------------------------------------------
void residual_forward(float* out,         // (N)
                      const float* inp1,  // (N)
                      const float* inp2,  // (N)
                      int N);
void residual_backward(float* dinp1,       // (N)
                       float* dinp2,       // (N)
                       const float* dout,  // (N)
                       int N);

// ---- softmax over the vocabulary and cross-entropy against the next byte ---------------------------
// Returns the mean loss over the B*T positions (nats).
float softmax_crossentropy_forward(float* probs,            // (B, T, V)
                                   float* losses,           // (B, T)
                                   const float* logits,     // (B, T, V)
                                   const uint8_t* targets,  // (B, T)
                                   int B, int T, int V);
// dloss is d(objective)/d(each position's loss): 1/(B*T) for the mean loss.
void softmax_crossentropy_backward(float* dlogits,          // (B, T, V)
                                   const float* probs,      // (B, T, V)
                                   const uint8_t* targets,  // (B, T)
                                   float dloss,
                                   int B, int T, int V, bool accumulate_dinp = true);

// ---- LoRA: W_eff = W + scale * B A, with A (r, IC) and B (OC, r) -----------------------------------
size_t lora_scratch_size(int OC, int IC, int r);
// weff may equal w (merging in place).
void lora_merge(float* weff,          // (OC, IC)
                const float* w,       // (OC, IC)
                const float* lora_a,  // (r, IC)
                const float* lora_b,  // (OC, r)
                float scale, int OC, int IC, int r,
                float* scratch);      // (lora_scratch_size)
// Given dW_eff, adds dA = scale * B^T dW and dB = scale * dW A^T.
void lora_backward(float* dlora_a,       // (r, IC)
                   float* dlora_b,       // (OC, r)
                   const float* dweight,  // (OC, IC) gradient of the effective weight
                   const float* lora_a,  // (r, IC)
                   const float* lora_b,  // (OC, r)
                   float scale, int OC, int IC, int r,
                   float* scratch);      // (lora_scratch_size)

inline constexpr float kLayerNormEps = 1e-5f;

}  // namespace knobs::ops
