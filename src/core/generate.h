// Inference: incremental decoding with a key/value cache over read-only weights.
//
// The Generator only ever sees `std::span<const float>` parameters: generating text is a forward pass that
// reads the weights and cannot write them (the app shows the weights' checksum before and after as proof).
//
// The sliding window. The model has learned one embedding per absolute position 0..T-1, so a cached key
// or value computed at position p is only valid while its token sits at position p. When the window is
// full and another token arrives, the oldest tokens must leave, every remaining token moves to a new
// position, and their cache entries have to be recomputed. Re-encoding after every token would cost T
// token-forwards per token. Instead the generator keeps the most recent T/2 tokens, re-encodes them once
// (as a batch, which reuses each weight across the batch), and then has room for T/2 new tokens before the
// next slide. Amortised, that is one extra token-forward per generated token, and the model always sees at
// least T/2 tokens of context. Keeping more (3T/4) would remember more but cost three extra forwards per
// token; keeping less would make the model forget abruptly. window_start() reports honestly which tokens
// the model can still see; everything before it is forgotten.
//
// The layers. Embedding, layernorm, GELU and the residual adds are the training code's own (ops.h), so
// the generator and Model::forward agree to float rounding; the matrix-vector products and the attention
// over the cache are written here for one token at a time, reading the weights in place.
//
// FLOPs. Counted per mathematical operation, as the code performs them (the same rules as flops.h): a
// multiply-add is 2 FLOPs (a length-n dot product is 2n), every add, subtract, multiply, divide, square
// root and exp is 1. Comparisons (max searches, clamps) and the lane-combining adds of the vector kernels
// are not counted. What one token at window position p (attending to k = p + 1 positions) costs:
//   embedding        token + position                         C
//   per layer        2 layernorms                             2 * (8C + 5)
//                    qkv (bias added after the products)      2*3C*C + 3C
//                    attention over k positions               4C*k + 3H*k + 2C + H
//                    attention projection                     2*C*C + C
//                    MLP up, GELU (8 per element), down       2*4C*C + 4C  +  8*4C  +  2*4C*C + C
//                    two residual adds                        2C
//   head             final layernorm                          8C + 5
//                    logits (tied embedding, no bias)         2*V*C
//                    softmax of the head                      4V
// Attention per head (hs = C/H): scale q (hs), scores (2 hs k), subtract max, exp and sum (3k), one
// divide, weighted values (2 hs k), normalise (hs). Tokens fed as part of a prompt skip the head except
// the last one; the sampling knobs (temperature, top-k, top-p, the draw) are bookkeeping over 256 numbers
// and are not counted as model FLOPs. At L=4, H=4, C=128 that is 1.67 MFLOP for a token at position 0,
// plus 2096 FLOPs per position (2.09 MFLOP at position 200).
#pragma once
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config.h"
#include "rng.h"
#include "sampling.h"

namespace knobs {

struct GeneratedToken {
    uint8_t token = 0;
    float prob = 0;        // probability the token was drawn with (after temperature, top-k, top-p)
    float model_prob = 0;  // the model's own probability for it (temperature 1, nothing cut)
    std::array<Candidate, 8> top{};  // the most likely tokens, best first (ties: lower token id)
    int num_top = 0;       // 0 means nothing was generated: feed at least one token first
    int position = 0;      // window position the new token was encoded at (after any slide)
    double flops = 0;      // all model FLOPs of this call: the token's forward pass, plus re-encoding if the window slid
};

class Generator {
public:
    // `params` is the flat buffer laid out by param_layout(cfg). It is only read, and must stay alive and
    // unchanged while the generator uses it; call reset() after the weights change (the cache is stale).
    // LoRA adapters are not applied here: to chat with an adapted model, pass merged weights (a copy of
    // the model after Model::merge_lora()).
    Generator(const ModelConfig& cfg, std::span<const float> params);

    // Empty when the generator can run; otherwise a sentence saying why not (an invalid config or a
    // parameter buffer of the wrong size). A generator with an error ignores feed() and generates nothing.
    const std::string& error() const { return error_; }
    bool ok() const { return error_.empty(); }

    // Forget the conversation (keeps the allocations).
    void reset();

    // Feeds tokens (a prompt, or the user's turn in a conversation). Afterwards last_logits() and
    // last_probs() describe the next token. Feeding in one call or token by token gives the same bits.
    void feed(std::span<const uint8_t> tokens);
    void feed(std::string_view text);  // the bytes of UTF-8 text

    // Samples the next token from last_logits(), appends it to the sequence and advances the model.
    GeneratedToken sample_next(const SamplingConfig& cfg, Rng& rng);

    std::span<const float> last_logits() const;  // (V); empty before the first token
    std::span<const float> last_probs() const;   // (V) softmax(last_logits()); empty before the first token

    // The whole sequence so far; tokens [window_start(), size) are inside the context window.
    const std::vector<uint8_t>& sequence() const { return sequence_; }
    size_t window_start() const { return sequence_.size() - static_cast<size_t>(cached_); }
    int window_length() const { return cached_; }  // tokens in the window, at most T
    // How many of the most recent tokens survive a slide (T/2; see the top of this file).
    int tokens_kept_on_slide() const { return tokens_kept_on_slide_; }
    int slides() const { return slides_; }  // how often the window has slid since reset()

    // Exact FLOPs of one generated token at window position `position` in [0, T) (see the table above);
    // 0 for a position outside the window.
    double flops_per_token(int position) const;
    // Every model FLOP done since reset(), prompts and re-encodes included.
    double total_flops() const { return total_flops_; }

    const ModelConfig& config() const { return cfg_; }

private:
    // Runs n tokens through the model at window positions first_pos.. first_pos+n-1, filling their cache
    // rows; computes the head for the last of them when want_logits.
    void encode(const uint8_t* tokens, int first_pos, int n, bool want_logits);
    // Appends tokens to the sequence and encodes them, sliding the window whenever it is full.
    void advance(std::span<const uint8_t> tokens);
    void slide();

    ModelConfig cfg_;
    ParamLayout layout_;
    std::span<const float> params_;
    std::string error_;
    int block_ = 0;  // tokens encoded per batch
    int tokens_kept_on_slide_ = 0;

    std::vector<uint8_t> sequence_;
    int cached_ = 0;  // tokens in the cache; they are the last cached_ tokens of sequence_
    int slides_ = 0;
    bool has_logits_ = false;
    double total_flops_ = 0;

    std::vector<float> k_cache_;  // (L, H, hs, T) keys, transposed so a query scores all positions in one sweep
    std::vector<float> v_cache_;  // (L, H, T, hs) values
    std::vector<float> x_;        // (block, C) residual stream
    std::vector<float> xn_;       // (block, C) layernorm output
    std::vector<float> qkv_;      // (block, 3C)
    std::vector<float> att_;      // (block, C) attention output before the projection
    std::vector<float> proj_;     // (block, C) projection outputs before the residual add
    std::vector<float> hidden_;   // (block, 4C) MLP hidden layer
    std::vector<float> ln_mean_;  // (block) layernorm statistics (ops::layernorm_forward keeps them)
    std::vector<float> ln_rstd_;  // (block)
    std::vector<float> scores_;   // (T) attention scores of one query and head
    std::vector<float> logits_;   // (V)
    std::vector<float> probs_;    // (V)
};

}  // namespace knobs
