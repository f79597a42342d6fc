#include "sampling.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>
#include <limits>
#include <vector>

// The same bits everywhere also needs a*b+c to stay two roundings (no fused multiply-add). The project's
// targets (x86-64 SSE2 baseline, wasm SIMD128) have no FMA instruction; this keeps Clang honest too.
#ifdef __clang__
#pragma clang fp contract(off)
#endif

namespace knobs {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// 1/n! for n = 0..13, computed by the compiler with correctly rounded IEEE division.
constexpr std::array<double, 14> inverse_factorials() {
    std::array<double, 14> c{};
    double f = 1;
    for (int n = 0; n < 14; ++n) {
        if (n > 0) f *= n;
        c[n] = 1.0 / f;
    }
    return c;
}
constexpr auto kInvFact = inverse_factorials();

// NaN says nothing about a token; treat it as "impossible" so ordering and sums stay well defined.
double usable(float logit) { return std::isnan(logit) ? -kInf : static_cast<double>(logit); }

// Unnormalised softmax weights exp((key - max) / temperature), with the two degenerate cases a broken
// model can produce: some +inf logits share all the mass; no usable logit at all gives uniform weights.
void softmax_weights(std::span<double> weights, std::span<const double> keys, double temperature) {
    assert(weights.size() == keys.size() && !keys.empty());
    const double max = *std::max_element(keys.begin(), keys.end());
    for (size_t i = 0; i < keys.size(); ++i) {
        if (max == kInf)
            weights[i] = keys[i] == kInf ? 1.0 : 0.0;
        else if (max == -kInf)
            weights[i] = 1.0;
        else if (temperature == 1.0)  // the model's own distribution; x / 1 == x, so skip the division
            weights[i] = exp_portable(keys[i] - max);
        else
            weights[i] = exp_portable((keys[i] - max) / temperature);
    }
}

}  // namespace

std::string validate(const SamplingConfig& cfg) {
    if (!std::isfinite(cfg.temperature) || cfg.temperature < 0)
        return "temperature must be a number of 0 or more (0 always picks the most likely token)";
    if (cfg.top_k < 0 || cfg.top_k > kVocabSize)
        return "top-k must be between 0 (off) and " + std::to_string(kVocabSize) + " (got " +
               std::to_string(cfg.top_k) + ")";
    if (!(cfg.top_p >= 0 && cfg.top_p <= 1))
        return "top-p must be between 0 and 1 (1 keeps every token)";
    return {};
}

bool is_greedy(const SamplingConfig& cfg) {
    // !(t > 0) also catches a NaN temperature: the safest reading of a meaningless value.
    return cfg.greedy || !(cfg.temperature > 0) || cfg.top_k == 1;
}

double exp_portable(double x) {
    if (std::isnan(x)) return x;
    if (x > 709.782712893384) return kInf;  // ln(DBL_MAX)
    if (x < -745.1332191019412) return 0.0;  // below half the smallest subnormal
    // x = k ln2 + r with |r| <= ln2/2. ln2 is split in two (fdlibm's constants; the high part has
    // enough trailing zero bits that k * ln2_hi is exact), so r carries no error from the reduction.
    constexpr double inv_ln2 = 1.44269504088896338700e+00;
    constexpr double ln2_hi = 6.93147180369123816490e-01;
    constexpr double ln2_lo = 1.90821492927058770002e-10;
    const double k = std::floor(x * inv_ln2 + 0.5);
    const double r = (x - k * ln2_hi) - k * ln2_lo;
    // Taylor series to r^13: the first omitted term is below 0.35^14 / 14! ~ 4e-18.
    double p = kInvFact[13];
    for (int n = 12; n >= 0; --n) p = p * r + kInvFact[n];
    return std::ldexp(p, static_cast<int>(k));  // exact scaling by 2^k (IEEE rounding if subnormal)
}

double softmax_flops(size_t V, float temperature) {
    if (!(temperature > 0)) return 0;  // the one-hot limit is a search, not arithmetic
    const double per_token = temperature == 1.0f ? 4 : 5;  // subtract max, [divide], exp, sum, normalise
    return per_token * static_cast<double>(V);
}

void softmax(std::span<float> probs, std::span<const float> logits, float temperature) {
    assert(probs.size() == logits.size() && !logits.empty());
    const size_t V = logits.size();
    std::array<double, kVocabSize> key_storage{}, weight_storage{};
    std::vector<double> key_heap, weight_heap;
    std::span<double> keys, weights;
    if (V <= kVocabSize) {
        keys = std::span<double>(key_storage.data(), V);
        weights = std::span<double>(weight_storage.data(), V);
    } else {
        key_heap.resize(V), weight_heap.resize(V);
        keys = key_heap, weights = weight_heap;
    }
    for (size_t i = 0; i < V; ++i) keys[i] = usable(logits[i]);
    if (!(temperature > 0)) {
        // The temperature -> 0 limit: all mass on the most likely token (ties: lowest id, like greedy).
        const size_t best = static_cast<size_t>(std::max_element(keys.begin(), keys.end()) - keys.begin());
        for (size_t i = 0; i < V; ++i) probs[i] = i == best ? 1.0f : 0.0f;
        return;
    }
    softmax_weights(weights, keys, temperature);
    double total = 0;
    for (double w : weights) total += w;
    for (size_t i = 0; i < V; ++i) probs[i] = static_cast<float>(weights[i] / total);
}

TokenDistribution make_distribution(std::span<const float> logits, const SamplingConfig& cfg) {
    assert(logits.size() == static_cast<size_t>(kVocabSize));  // (V)
    constexpr int V = kVocabSize;
    TokenDistribution d;
    std::array<double, V> keys{}, weights{};
    for (int i = 0; i < V; ++i) keys[i] = usable(logits[i]);

    // Rank: logit descending, then token id ascending. Keys have no NaN, so this is a strict total
    // order and the sorted result is unique whatever algorithm std::sort uses.
    for (int i = 0; i < V; ++i) d.ranked[i] = static_cast<uint8_t>(i);
    std::sort(d.ranked.begin(), d.ranked.end(), [&](uint8_t a, uint8_t b) {
        return keys[a] != keys[b] ? keys[a] > keys[b] : a < b;
    });

    softmax_weights(weights, keys, 1.0);
    double total = 0;
    for (double w : weights) total += w;
    for (int i = 0; i < V; ++i) d.model_prob[i] = static_cast<float>(weights[i] / total);

    if (is_greedy(cfg)) {
        d.kept = 1;
        d.sample_prob[d.ranked[0]] = 1.0f;
        return d;
    }
    softmax_weights(weights, keys, cfg.temperature);
    d.kept = (cfg.top_k > 0 && cfg.top_k < V) ? cfg.top_k : V;
    if (cfg.top_p < 1.0f) {  // false for NaN: keep everything
        // Smallest prefix of the ranking whose mass (within the top-k survivors) reaches p.
        double kept_total = 0;
        for (int r = 0; r < d.kept; ++r) kept_total += weights[d.ranked[r]];
        const double target = static_cast<double>(cfg.top_p) * kept_total;
        double cumulative = 0;
        for (int r = 0; r < d.kept; ++r) {
            cumulative += weights[d.ranked[r]];
            if (cumulative >= target) {
                d.kept = r + 1;
                break;
            }
        }
    }
    double kept_total = 0;
    for (int r = 0; r < d.kept; ++r) kept_total += weights[d.ranked[r]];
    for (int r = 0; r < d.kept; ++r) {
        const uint8_t t = d.ranked[r];
        d.sample_prob[t] = static_cast<float>(weights[t] / kept_total);
    }
    return d;
}

int top_candidates(std::span<Candidate> out, const TokenDistribution& dist) {
    const int n = static_cast<int>(std::min<size_t>(out.size(), kVocabSize));
    for (int r = 0; r < n; ++r) {
        const uint8_t t = dist.ranked[r];
        out[r] = Candidate{t, dist.sample_prob[t], dist.model_prob[t]};
    }
    return n;
}

uint8_t draw(const TokenDistribution& dist, Rng& rng) {
    const double u = rng.uniform();  // always consumed: see the header
    assert(dist.kept >= 1 && dist.kept <= kVocabSize);
    if (dist.kept <= 1) return dist.ranked[0];
    // Walk the ranking (most likely first) so the rare u == 0 still lands on a likely token, and
    // zero-probability tokens can never be chosen (the cumulative sum must strictly pass the target).
    double total = 0;
    for (int r = 0; r < dist.kept; ++r) total += dist.sample_prob[dist.ranked[r]];
    const double target = u * total;
    double cumulative = 0;
    int last_possible = 0;
    for (int r = 0; r < dist.kept; ++r) {
        const float p = dist.sample_prob[dist.ranked[r]];
        if (p <= 0) continue;
        last_possible = r;
        cumulative += p;
        if (cumulative > target) return dist.ranked[r];
    }
    return dist.ranked[last_possible];  // only reachable through rounding at the very end
}

uint8_t sample_token(std::span<const float> logits, const SamplingConfig& cfg, Rng& rng) {
    return draw(make_distribution(logits, cfg), rng);
}

}  // namespace knobs
