#include "core/sampling.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "catch_amalgamated.hpp"

using namespace knobs;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

std::vector<float> random_logits(uint64_t seed, float scale) {
    Rng rng(seed);
    std::vector<float> logits(kVocabSize);
    for (float& l : logits) l = scale * rng.normal();
    return logits;
}

// Logits whose best token leads the runner-up by at least `gap`, so the temperature -> 0 limit is
// unambiguous.
std::vector<float> logits_with_clear_winner(uint64_t seed, float gap) {
    std::vector<float> logits = random_logits(seed, 2.0f);
    const auto best = std::max_element(logits.begin(), logits.end());
    *best += gap;
    return logits;
}

size_t argmax_lowest_id(const std::vector<float>& v) {
    return static_cast<size_t>(std::max_element(v.begin(), v.end()) - v.begin());
}

double sum_of(std::span<const float> v) { return std::accumulate(v.begin(), v.end(), 0.0); }

}  // namespace

TEST_CASE("[core] exp_portable matches the math library", "[core][sampling]") {
    SECTION("double: relative error below 1e-15 across the whole range") {
        Rng rng(GENERATE(1u, 2u));
        for (int i = 0; i < 2000; ++i) {
            const double x = -700.0 + 1400.0 * rng.uniform();
            CHECK_THAT(exp_portable(x), WithinRel(std::exp(x), 1e-15));
        }
        for (double x : {0.0, 1.0, -1.0, 1e-12, -1e-12, 0.5 * std::log(2.0), 709.0, -708.0})
            CHECK_THAT(exp_portable(x), WithinRel(std::exp(x), 1e-15));
        CHECK(exp_portable(0.0) == 1.0);
    }
    SECTION("double: edges") {
        CHECK(std::isnan(exp_portable(std::numeric_limits<double>::quiet_NaN())));
        CHECK(exp_portable(-std::numeric_limits<double>::infinity()) == 0.0);
        CHECK(exp_portable(std::numeric_limits<double>::infinity()) == std::numeric_limits<double>::infinity());
        CHECK(exp_portable(710.0) == std::numeric_limits<double>::infinity());
        CHECK(exp_portable(-746.0) == 0.0);
        CHECK_THAT(exp_portable(-740.0), WithinRel(std::exp(-740.0), 1e-9));  // subnormal: fewer bits
    }
}

TEST_CASE("[core] softmax gives probabilities that sum to one", "[core][sampling]") {
    const uint64_t seed = GENERATE(1u, 2u, 3u);
    const float temperature = GENERATE(0.25f, 1.0f, 3.0f);
    const std::vector<float> logits = random_logits(seed, 3.0f);
    std::vector<float> probs(logits.size());
    softmax(probs, logits, temperature);

    CHECK_THAT(sum_of(probs), WithinAbs(1.0, 1e-6));
    double max_logit = *std::max_element(logits.begin(), logits.end()), total = 0;
    for (float l : logits) total += std::exp((l - max_logit) / temperature);
    for (size_t i = 0; i < logits.size(); ++i) {
        const double expected = std::exp((logits[i] - max_logit) / temperature) / total;
        CHECK_THAT(probs[i], WithinAbs(expected, 1e-7) || WithinRel(expected, 1e-6));
    }
    SECTION("a higher logit never gets a lower probability") {
        for (size_t i = 0; i < logits.size(); ++i)
            for (size_t j = 0; j < logits.size(); ++j)
                if (logits[i] > logits[j]) REQUIRE(probs[i] >= probs[j]);
    }
    SECTION("softmax_flops counts the work per logit") {
        CHECK(softmax_flops(256, 1.0f) == 4 * 256);
        CHECK(softmax_flops(256, temperature) == (temperature == 1.0f ? 4 : 5) * 256);
    }
}

TEST_CASE("[core] make_distribution ranks tokens and keeps the sampled mass at one", "[core][sampling]") {
    const uint64_t seed = GENERATE(11u, 12u);
    std::vector<float> logits = random_logits(seed, 2.0f);
    logits[40] = logits[7] = 9.0f;    // a tie at the top: token 7 must rank first
    logits[200] = logits[3] = -9.0f;  // a tie at the bottom: token 3 before 200
    SamplingConfig cfg{.temperature = GENERATE(0.5f, 1.0f, 2.0f), .top_k = GENERATE(0, 5, 40), .top_p = GENERATE(1.0f, 0.9f)};
    const TokenDistribution d = make_distribution(logits, cfg);

    CHECK(d.ranked[0] == 7);
    CHECK(d.ranked[1] == 40);
    CHECK(d.ranked[kVocabSize - 2] == 3);
    CHECK(d.ranked[kVocabSize - 1] == 200);
    for (int r = 1; r < kVocabSize; ++r) {
        const float a = logits[d.ranked[r - 1]], b = logits[d.ranked[r]];
        REQUIRE((a > b || (a == b && d.ranked[r - 1] < d.ranked[r])));
    }
    std::vector<int> seen(kVocabSize, 0);
    for (uint8_t t : d.ranked) ++seen[t];
    CHECK(std::all_of(seen.begin(), seen.end(), [](int n) { return n == 1; }));

    CHECK_THAT(sum_of(d.model_prob), WithinAbs(1.0, 1e-6));
    CHECK_THAT(sum_of(d.sample_prob), WithinAbs(1.0, 1e-6));
    CHECK(d.kept >= 1);
    if (cfg.top_k > 0) CHECK(d.kept <= cfg.top_k);
    for (int r = d.kept; r < kVocabSize; ++r) REQUIRE(d.sample_prob[d.ranked[r]] == 0.0f);
    for (int r = 0; r < d.kept; ++r) REQUIRE(d.sample_prob[d.ranked[r]] > 0.0f);

    SECTION("top_candidates lists the best tokens with both probabilities") {
        std::array<Candidate, 8> top{};
        REQUIRE(top_candidates(top, d) == 8);
        for (int r = 0; r < 8; ++r) {
            CHECK(top[r].token == d.ranked[r]);
            CHECK(top[r].prob == d.sample_prob[d.ranked[r]]);
            CHECK(top[r].model_prob == d.model_prob[d.ranked[r]]);
            if (r > 0) CHECK(top[r].model_prob <= top[r - 1].model_prob);
        }
    }
}

TEST_CASE("[core] greedy picks the most likely token, ties to the lowest id", "[core][sampling]") {
    const uint64_t seed = GENERATE(21u, 22u, 23u);
    std::vector<float> logits = random_logits(seed, 2.0f);
    const size_t best = argmax_lowest_id(logits);
    Rng rng(seed);
    const SamplingConfig greedy{.greedy = true};
    CHECK(sample_token(logits, greedy, rng) == best);

    logits[255] = logits[best];  // a later token ties: the lower id still wins
    CHECK(sample_token(logits, greedy, rng) == best);
    logits[0] = logits[best];  // an earlier token ties: now it wins
    CHECK(sample_token(logits, greedy, rng) == 0);

    const TokenDistribution d = make_distribution(logits, greedy);
    CHECK(d.kept == 1);
    CHECK(d.sample_prob[0] == 1.0f);
}

TEST_CASE("[core] temperature towards zero and top-k 1 equal greedy", "[core][sampling]") {
    const uint64_t seed = GENERATE(31u, 32u, 33u, 34u);
    const std::vector<float> logits = logits_with_clear_winner(seed, 0.05f);
    const size_t best = argmax_lowest_id(logits);
    const SamplingConfig config = GENERATE(SamplingConfig{.temperature = 0.0f}, SamplingConfig{.temperature = -1.0f},
                                           SamplingConfig{.temperature = 1e-4f},
                                           SamplingConfig{.temperature = 1.0f, .top_k = 1},
                                           SamplingConfig{.temperature = 5.0f, .top_k = 1},
                                           SamplingConfig{.temperature = 1.0f, .top_p = 0.0f});
    Rng rng(seed);
    for (int i = 0; i < 200; ++i) REQUIRE(sample_token(logits, config, rng) == best);

    SECTION("softmax at temperature 0 is the greedy one-hot") {
        std::vector<float> probs(logits.size());
        softmax(probs, logits, 0.0f);
        CHECK(probs[best] == 1.0f);
        CHECK(sum_of(probs) == 1.0);
    }
}

TEST_CASE("[core] top-k keeps exactly the k most likely tokens", "[core][sampling]") {
    const uint64_t seed = GENERATE(41u, 42u);
    const int k = GENERATE(2, 3, 17, 255);
    const std::vector<float> logits = random_logits(seed, 2.0f);
    const TokenDistribution d = make_distribution(logits, SamplingConfig{.temperature = 1.0f, .top_k = k});
    REQUIRE(d.kept == k);
    std::vector<float> sorted = logits;
    std::sort(sorted.begin(), sorted.end(), std::greater<>());
    const float kth = sorted[k - 1];
    for (int t = 0; t < kVocabSize; ++t) {
        if (logits[t] > kth) CHECK(d.sample_prob[t] > 0.0f);
        if (logits[t] < kth) CHECK(d.sample_prob[t] == 0.0f);
    }
    // Renormalised over the survivors: the ratio of two kept tokens is unchanged.
    const uint8_t a = d.ranked[0], b = d.ranked[1];
    CHECK_THAT(d.sample_prob[a] / d.sample_prob[b], WithinRel(d.model_prob[a] / d.model_prob[b], 1e-5f));

    Rng rng(seed);
    for (int i = 0; i < 300; ++i) REQUIRE(logits[sample_token(logits, SamplingConfig{.temperature = 1.0f, .top_k = k}, rng)] >= kth);
}

TEST_CASE("[core] top-p keeps the smallest set reaching p", "[core][sampling]") {
    SECTION("a hand-made distribution") {
        // Probabilities 0.5, 0.3, 0.15, 0.05 for tokens 10, 20, 30, 40; every other token impossible.
        std::vector<float> logits(kVocabSize, -kInf);
        logits[10] = std::log(0.5f), logits[20] = std::log(0.3f), logits[30] = std::log(0.15f), logits[40] = std::log(0.05f);
        auto kept = [&](float p) { return make_distribution(logits, SamplingConfig{.temperature = 1.0f, .top_p = p}).kept; };
        CHECK(kept(0.3f) == 1);
        CHECK(kept(0.75f) == 2);
        CHECK(kept(0.85f) == 3);
        CHECK(kept(0.97f) == 4);
        const TokenDistribution d = make_distribution(logits, SamplingConfig{.temperature = 1.0f, .top_p = 0.75f});
        CHECK_THAT(d.sample_prob[10], WithinRel(0.5f / 0.8f, 1e-5f));
        CHECK_THAT(d.sample_prob[20], WithinRel(0.3f / 0.8f, 1e-5f));
        CHECK(d.sample_prob[30] == 0.0f);
    }
    SECTION("random distributions: the kept prefix reaches p and one token less does not") {
        const uint64_t seed = GENERATE(51u, 52u, 53u);
        const float p = GENERATE(0.1f, 0.5f, 0.9f, 0.99f);
        const float temperature = GENERATE(0.7f, 1.0f, 1.5f);
        const std::vector<float> logits = random_logits(seed, 2.0f);
        const TokenDistribution d = make_distribution(logits, SamplingConfig{.temperature = temperature, .top_p = p});
        std::vector<float> tempered(logits.size());
        softmax(tempered, logits, temperature);
        double mass = 0;
        for (int r = 0; r < d.kept - 1; ++r) mass += tempered[d.ranked[r]];
        CHECK(mass < p);
        mass += tempered[d.ranked[d.kept - 1]];
        CHECK(mass >= p - 1e-6);
    }
    SECTION("top-k applies first, top-p within the survivors") {
        const std::vector<float> logits = random_logits(61, 0.1f);  // nearly flat: p = 0.5 would keep ~128
        const TokenDistribution d = make_distribution(logits, SamplingConfig{.temperature = 1.0f, .top_k = 10, .top_p = 0.5f});
        CHECK(d.kept >= 4);
        CHECK(d.kept <= 6);
    }
}

TEST_CASE("[core] sampling frequencies follow the distribution", "[core][sampling]") {
    std::vector<float> logits(kVocabSize, -kInf);
    const std::array<float, 4> probs = {0.5f, 0.25f, 0.15f, 0.1f};
    const std::array<uint8_t, 4> tokens = {'a', 'b', 'c', 'd'};
    for (int i = 0; i < 4; ++i) logits[tokens[i]] = std::log(probs[i]);
    Rng rng(GENERATE(71u, 72u));
    std::array<int, kVocabSize> counts{};
    constexpr int draws = 20000;
    const TokenDistribution dist = make_distribution(logits, SamplingConfig{.temperature = 1.0f});
    for (int i = 0; i < draws; ++i) ++counts[draw(dist, rng)];
    for (int i = 0; i < 4; ++i) CHECK_THAT(counts[tokens[i]] / double(draws), WithinAbs(probs[i], 0.015));
    CHECK(counts['a'] + counts['b'] + counts['c'] + counts['d'] == draws);  // impossible tokens never drawn
}

TEST_CASE("[core] the same seed gives the same tokens", "[core][sampling]") {
    const std::vector<float> logits = random_logits(81, 1.0f);
    const SamplingConfig cfg{.temperature = 0.9f, .top_k = 50, .top_p = 0.95f};
    auto run = [&](uint64_t seed) {
        Rng rng(seed);
        std::vector<uint8_t> out;
        for (int i = 0; i < 64; ++i) out.push_back(sample_token(logits, cfg, rng));
        return out;
    };
    CHECK(run(5) == run(5));
    CHECK(run(5) != run(6));
}

TEST_CASE("[core] draw uses exactly one random number per token", "[core][sampling]") {
    const std::vector<float> logits = random_logits(91, 1.0f);
    const SamplingConfig cfg = GENERATE(SamplingConfig{}, SamplingConfig{.greedy = true}, SamplingConfig{.temperature = 0.0f},
                                        SamplingConfig{.top_k = 1}, SamplingConfig{.top_p = 0.5f});
    Rng sampler(99), reference(99);
    for (int i = 0; i < 10; ++i) {
        sample_token(logits, cfg, sampler);
        reference.uniform();
    }
    CHECK(sampler.next_u64() == reference.next_u64());
}

TEST_CASE("[core] sampling survives broken logits", "[core][sampling]") {
    Rng rng(101);
    const SamplingConfig cfg = GENERATE(SamplingConfig{}, SamplingConfig{.greedy = true}, SamplingConfig{.top_k = 3, .top_p = 0.5f});
    SECTION("all NaN: a uniform guess, no crash") {
        const std::vector<float> logits(kVocabSize, kNaN);
        const TokenDistribution d = make_distribution(logits, cfg);
        CHECK_THAT(sum_of(d.model_prob), WithinAbs(1.0, 1e-6));
        CHECK_THAT(d.model_prob[123], WithinRel(1.0f / kVocabSize, 1e-6f));
        CHECK_THAT(sum_of(d.sample_prob), WithinAbs(1.0, 1e-6));
        sample_token(logits, cfg, rng);
    }
    SECTION("some NaN: never chosen") {
        std::vector<float> logits = random_logits(102, 1.0f);
        for (int t = 0; t < kVocabSize; t += 2) logits[t] = kNaN;
        for (int i = 0; i < 200; ++i) REQUIRE(sample_token(logits, cfg, rng) % 2 == 1);
    }
    SECTION("+inf logits share all the mass") {
        std::vector<float> logits = random_logits(103, 1.0f);
        logits[17] = logits[99] = kInf;
        for (int i = 0; i < 100; ++i) {
            const uint8_t t = sample_token(logits, cfg, rng);
            REQUIRE((t == 17 || t == 99));
        }
        CHECK_THAT(make_distribution(logits, SamplingConfig{.temperature = 1.0f}).model_prob[99], WithinRel(0.5f, 1e-6f));
    }
    SECTION("a NaN temperature or top-p cannot crash") {
        const std::vector<float> logits = random_logits(104, 1.0f);
        CHECK(sample_token(logits, SamplingConfig{.temperature = kNaN}, rng) == argmax_lowest_id(logits));
        CHECK(make_distribution(logits, SamplingConfig{.top_p = kNaN}).kept == kVocabSize);
    }
}

TEST_CASE("[core] validate explains bad sampling knobs", "[core][sampling]") {
    CHECK(validate(SamplingConfig{}).empty());
    CHECK(validate(SamplingConfig{.temperature = 0.0f, .top_k = 256, .top_p = 0.0f}).empty());
    CHECK_THAT(validate(SamplingConfig{.temperature = -0.5f}), Catch::Matchers::ContainsSubstring("temperature"));
    CHECK_THAT(validate(SamplingConfig{.temperature = kNaN}), Catch::Matchers::ContainsSubstring("temperature"));
    CHECK_THAT(validate(SamplingConfig{.top_k = -1}), Catch::Matchers::ContainsSubstring("top-k"));
    CHECK_THAT(validate(SamplingConfig{.top_k = 300}), Catch::Matchers::ContainsSubstring("300"));
    CHECK_THAT(validate(SamplingConfig{.top_p = 1.5f}), Catch::Matchers::ContainsSubstring("top-p"));
    CHECK(is_greedy(SamplingConfig{.temperature = 0.0f}));
    CHECK(is_greedy(SamplingConfig{.top_k = 1}));
    CHECK_FALSE(is_greedy(SamplingConfig{}));
}
