#include "checksum.h"

#include <bit>
#include <cstring>

namespace knobs {

namespace {
constexpr uint64_t kP1 = 0x9E3779B185EBCA87ull, kP2 = 0xC2B2AE3D27D4EB4Full, kP3 = 0x165667B19E3779F9ull;
inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
inline uint64_t load64(const unsigned char* p) {
    // Little-endian read independent of the host's byte order. On a little-endian host (x86, wasm, ARM)
    // that is one plain load: an optimiser finds it in the byte loop too, but an unoptimised or
    // instrumented build (debug, the fuzzers) runs the loop as written, 8 steps per word.
    uint64_t v = 0;
    if constexpr (std::endian::native == std::endian::little) {
        std::memcpy(&v, p, sizeof v);
    } else {
        for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
    }
    return v;
}
inline uint64_t mix(uint64_t acc, uint64_t lane) { return rotl(acc + lane * kP2, 31) * kP1; }
}  // namespace

// Four independent lanes over 32-byte stripes (so the loop pipelines), then a final avalanche.
uint64_t checksum64(const void* data, size_t bytes, uint64_t seed) {
    const auto* p = static_cast<const unsigned char*>(data);
    uint64_t a = seed + kP1 + kP2, b = seed + kP2, c = seed, d = seed - kP1;
    size_t i = 0;
    for (; i + 32 <= bytes; i += 32) {
        a = mix(a, load64(p + i));
        b = mix(b, load64(p + i + 8));
        c = mix(c, load64(p + i + 16));
        d = mix(d, load64(p + i + 24));
    }
    uint64_t h = rotl(a, 1) + rotl(b, 7) + rotl(c, 12) + rotl(d, 18) + bytes;
    for (; i + 8 <= bytes; i += 8) h = rotl(h ^ mix(0, load64(p + i)), 27) * kP1 + kP3;
    for (; i < bytes; ++i) h = rotl(h ^ (p[i] * kP3), 11) * kP1;
    h ^= h >> 33;
    h *= kP2;
    h ^= h >> 29;
    h *= kP3;
    h ^= h >> 32;
    return h;
}

std::string checksum_hex(uint64_t c) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string s(16, '0');
    for (int i = 15; i >= 0; --i, c >>= 4) s[i] = hex[c & 15];
    return s;
}

}  // namespace knobs
