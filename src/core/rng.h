// Deterministic random numbers: the same seed gives the same stream on every platform and compiler,
// which is what makes a shared link reproduce a run. (std::normal_distribution is implementation-defined.)
#pragma once
#include <cmath>
#include <cstdint>

namespace knobs {

class Rng {
public:
    explicit Rng(uint64_t seed = 0) { reseed(seed); }
    void reseed(uint64_t seed) {
        // splitmix64 expands the seed into xoshiro256** state.
        for (auto& s : state_) {
            seed += 0x9E3779B97F4A7C15ull;
            uint64_t z = seed;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
            s = z ^ (z >> 31);
        }
    }
    uint64_t next_u64() {
        const uint64_t result = rotl(state_[1] * 5, 7) * 9;
        const uint64_t t = state_[1] << 17;
        state_[2] ^= state_[0];
        state_[3] ^= state_[1];
        state_[1] ^= state_[2];
        state_[0] ^= state_[3];
        state_[2] ^= t;
        state_[3] = rotl(state_[3], 45);
        return result;
    }
    // Uniform in [0, n). n > 0. Lemire's multiply-shift; the tiny bias is irrelevant here and
    // keeping it branch-free keeps streams identical everywhere.
    uint32_t below(uint32_t n) { return static_cast<uint32_t>(((next_u64() >> 32) * static_cast<uint64_t>(n)) >> 32); }
    // Uniform in [0, 1) with 24 bits, exactly representable as float.
    float uniform() { return static_cast<float>(next_u64() >> 40) * (1.0f / 16777216.0f); }
    // Standard normal via Box-Muller in double (deterministic given IEEE double log/cos/sqrt).
    float normal() {
        double u1 = (static_cast<double>(next_u64() >> 11) + 1.0) * (1.0 / 9007199254740993.0);
        double u2 = static_cast<double>(next_u64() >> 11) * (1.0 / 9007199254740992.0);
        return static_cast<float>(std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2));
    }

private:
    static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    uint64_t state_[4];
};

}  // namespace knobs
