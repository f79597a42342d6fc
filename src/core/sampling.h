// Turning the model's logits into the next token: temperature, top-k, top-p (nucleus) and greedy.
//
// Determinism: every random choice goes through knobs::Rng, every transcendental through exp_portable()
// (plain IEEE arithmetic, no libm), and every ordering breaks ties by token id. So the same logits and the
// same seed pick the same token on every platform, which is what makes a shared link reproduce a chat.
#pragma once
#include <array>
#include <cstdint>
#include <span>
#include <string>

#include "config.h"
#include "rng.h"

namespace knobs {

struct SamplingConfig {
    float temperature = 0.8f;  // <= 0 means greedy; 1 samples the model's own distribution
    int top_k = 0;             // keep only the k most likely tokens; <= 0 or >= 256 keeps all
    float top_p = 1.0f;        // keep the smallest set of most likely tokens whose mass reaches p; >= 1 keeps all
    bool greedy = false;       // always take the most likely token (ties: lowest token id)
    bool operator==(const SamplingConfig&) const = default;
};

// Empty when the knobs make sense, otherwise a sentence a learner can read. The sampler itself never
// fails: a NaN temperature samples greedily and a NaN top_p keeps everything, so a bad value cannot crash.
std::string validate(const SamplingConfig& cfg);

// True when the config always picks the most likely token (greedy flag, temperature <= 0, or top_k == 1).
bool is_greedy(const SamplingConfig& cfg);

struct Candidate {
    uint8_t token = 0;
    float prob = 0;        // probability under the distribution the token is drawn from (after the knobs)
    float model_prob = 0;  // the model's own probability: softmax of the logits at temperature 1
};

// Everything the sampler knows about the next token.
struct TokenDistribution {
    // Tokens from most to least likely: logit descending, ties by lower token id. Temperature never
    // changes this order, so the same list serves every knob setting.
    std::array<uint8_t, kVocabSize> ranked{};
    std::array<float, kVocabSize> model_prob{};   // (V) softmax(logits), indexed by token
    std::array<float, kVocabSize> sample_prob{};  // (V) what the die is rolled with, indexed by token; sums to 1
    int kept = 0;  // ranked[0, kept) survive top-k/top-p and greedy; every other token has sample_prob 0
};

// Exact-same-bits exponential: range reduction to [-ln2/2, ln2/2] and a degree-13 polynomial, all in
// IEEE double, with no libm call (libm's exp differs in the last bit between glibc and Emscripten's musl).
// Relative error below 1e-15. Returns +inf above ~709.8 and 0 below ~-745.
double exp_portable(double x);
// Softmax at a temperature. logits and probs are (V) each (any V >= 1); probs sums to 1. NaN logits get
// probability 0; when no logit is a usable number the result is uniform (a diverged model knows nothing).
void softmax(std::span<float> probs, std::span<const float> logits, float temperature = 1.0f);
// The arithmetic softmax() does for finite logits, counting each exp as one FLOP and comparisons (the
// max search) as none: 4 per logit at temperature 1 (subtract, exp, sum, normalise), 5 otherwise.
double softmax_flops(size_t V, float temperature = 1.0f);

// The full picture for one step. logits: (V) with V == kVocabSize.
TokenDistribution make_distribution(std::span<const float> logits, const SamplingConfig& cfg);

// The top out.size() tokens by rank with both probabilities; returns how many were written
// (min(out.size(), V)). Tokens cut by top-k/top-p are still listed, with prob 0, so a UI can show the cut.
int top_candidates(std::span<Candidate> out, const TokenDistribution& dist);

// Draws one token. Always consumes exactly one rng.uniform(), also when greedy, so every knob setting
// sees the same "dice rolls" and changing a knob at one step does not shift the randomness of later ones.
uint8_t draw(const TokenDistribution& dist, Rng& rng);

// make_distribution + draw.
uint8_t sample_token(std::span<const float> logits, const SamplingConfig& cfg, Rng& rng);

}  // namespace knobs
