// Exact floating-point operation counts of the training code in ops.cpp, model.cpp and trainer.cpp.
//
// What counts. Each add, subtract, multiply, divide, square root, exp and log the code performs is 1 FLOP;
// a multiply-add is 2 (so a length-n dot product is 2n). Not counted: comparisons (max searches, clamps),
// the lane-combining adds of the vector reductions, copies and zero fills. Packing an operand is a copy,
// except where it applies a scale -- 1/sqrt(hs) in attention, alpha/r in LoRA -- whose multiplies count
// (always performed, even when alpha/r happens to be 1). A matrix product counts 2 FLOPs per multiply-add
// of real data: the zero padding of the 16-wide SIMD tiles and the masked upper triangle that causal tiles
// touch are not counted; a bias that seeds the accumulators adds nothing. Otherwise this is the
// convention of generate.h (which also counts a bias add).
//
// Per token of B x T, with C = width, L layers, V = 256, hs = C / H:
//   forward   embedding C; per layer: 2 layernorms 2(8C+5), qkv 6C^2, attention (below), projection 2C^2,
//             MLP 8C^2 + 8*4C (GELU) + 8C^2, 2 residual adds 2C; final layernorm 8C+5; head 2VC.
//             Attention per sequence and layer: C*T (scaling the keys) + 2C*T(T+1) (Q K^T and A V over
//             the causal triangle) + H*(2T(T+1) + T) (softmax: 4 per kept score + 1 per row).
//   loss      per token 4V + 5 (shift, exp, sum, normalise, log and the target pick), + 1 for the mean.
//   backward  per token V + 1 (softmax gradient), then every matrix product twice (input and weight
//             gradient), bias gradients, layernorms 17C + 2 per row, GELU 16 per element, attention per
//             sequence and layer 4C*T(T+1) + H*5T(T+1)/2, embedding 2C. (The model writes activation
//             gradients into fresh buffers; the ops' accumulating mode would add one FLOP per element.)
//   update    per trainable parameter: 2 (gradient norm) + 17 (AdamW), + 2 per step (sqrt, clip scale).
// Under LoRA (rank r) the frozen base gets no gradients (no head, bias, layernorm or embedding weight
// gradients), the forward adds per adapted (out, in) matrix 2*out*in*r + r*in (forming W + s B A), and
// backward adds 4*out*in*r + in*r + out*in (projecting dW onto A and B).
#pragma once
#include <cstddef>

#include "config.h"

namespace knobs {

// One forward pass over B sequences of T tokens, up to the logits (no loss).
double flops_forward(const ModelConfig& cfg, int B, int T, int lora_rank = 0);
// Softmax and mean cross-entropy over the (B, T, V) logits.
double flops_loss(int B, int T);
// The backward pass, starting from the loss (includes the softmax gradient).
double flops_backward(const ModelConfig& cfg, int B, int T, int lora_rank = 0);
// One optimizer step over num_trainable parameters: gradient norm, clipping and AdamW.
double flops_update(size_t num_trainable);

}  // namespace knobs
