#include "core/weights_file.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>
#include <set>
#include <string>
#include <vector>

#include "catch_amalgamated.hpp"
#include "core/checksum.h"
#include "core/rng.h"
#include "core/utf8.h"

// ---- allocation probe ------------------------------------------------------------------------------
// "Refused without allocating" is checked for real: while a probe is active, the largest single
// allocation request is recorded. Replacing the global operator new/delete is the standard hook for that;
// outside a probe it only forwards to malloc/free.
namespace {
std::atomic<bool> g_probe_active{false};
std::atomic<size_t> g_largest_allocation{0};
}  // namespace

#if defined(__GNUC__) && !defined(__clang__)
// GCC cannot see that these replace the global operators, and warns that free() meets operator new.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void* operator new(size_t size) {
    if (g_probe_active.load(std::memory_order_relaxed)) {
        size_t seen = g_largest_allocation.load(std::memory_order_relaxed);
        while (size > seen && !g_largest_allocation.compare_exchange_weak(seen, size)) {
        }
    }
    if (void* p = std::malloc(size ? size : 1)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

using namespace knobs;

namespace {

struct AllocationProbe {
    AllocationProbe() {
        g_largest_allocation = 0;
        g_probe_active = true;
    }
    ~AllocationProbe() { g_probe_active = false; }
    size_t largest() const { return g_largest_allocation.load(); }
};

// Field offsets as documented in docs/weights-format.md; the tests below edit files through these, so
// they also check the document.
constexpr size_t kOffVersion = 8, kOffFlags = 12, kOffNHead = 20, kOffVocab = 32, kOffTokLen = 36,
                 kOffCorpusLen = 40, kOffLoraRank = 44, kOffReserved0 = 52, kOffParamCount = 56,
                 kOffLoraBase = 72, kOffHeaderChecksum = 120;

void put32(std::vector<uint8_t>& b, size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}
void put64(std::vector<uint8_t>& b, size_t at, uint64_t v) {
    for (int i = 0; i < 8; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}
uint64_t get64(const std::vector<uint8_t>& b, size_t at) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | b[at + i];
    return v;
}
uint32_t get32(const std::vector<uint8_t>& b, size_t at) {
    uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | b[at + i];
    return v;
}

// Recomputes both checksums after an edit, as a forger (or a buggy writer) would: then the loader must
// find the problem by its meaning, not by the checksum.
void reseal(std::vector<uint8_t>& b) {
    put64(b, kOffHeaderChecksum, checksum64(b.data(), kOffHeaderChecksum));
    put64(b, b.size() - 8, checksum64(b.data(), b.size() - 8));
}

WeightsFile make_file(const ModelConfig& cfg, uint64_t seed, bool with_lora) {
    Rng rng(seed);
    WeightsFile f;
    f.config = cfg;
    f.params.resize(param_count(cfg));
    for (float& p : f.params) p = 0.02f * rng.normal();
    f.meta = {1000 + seed, 64000 + seed, "english-v1:seed=" + std::to_string(seed), seed, with_lora ? 0x1234u : 0u};
    if (with_lora) {
        LoraSection l;
        l.rank = 1 + static_cast<int>(seed % kMaxLoraRank);
        l.alpha = 2.0f * static_cast<float>(l.rank);
        l.params.resize(lora_param_count(cfg, l.rank));
        for (float& p : l.params) p = rng.normal();
        l.base_checksum = weights_checksum(f.params);
        f.lora = std::move(l);
    }
    return f;
}

const ModelConfig kSmall{1, 1, 16, 16};

LoadError error_of(const std::vector<uint8_t>& b, size_t max_params = kDefaultMaxParams) {
    const LoadResult r = load_weights(b, max_params);
    INFO(r.message);
    CHECK(r.file == WeightsFile{});  // never half-loaded
    CHECK((r.ok() || !r.message.empty()));
    return r.error;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * 4) == 0);
}

}  // namespace

TEST_CASE("[core] weights file round-trips bit-exact", "[core][weights]") {
    const ModelConfig cfg = GENERATE(ModelConfig{1, 1, 16, 16}, ModelConfig{2, 4, 64, 64}, ModelConfig{3, 2, 32, 24});
    const bool with_lora = GENERATE(false, true);
    const uint64_t seed = GENERATE(1, 2);
    WeightsFile f = make_file(cfg, seed, with_lora);
    // Values whose bits a careless writer would change: negative zero, subnormals, extremes.
    f.params[0] = -0.0f;
    f.params[1] = std::numeric_limits<float>::denorm_min();
    f.params[2] = std::numeric_limits<float>::max();
    f.params[3] = -std::numeric_limits<float>::min();
    if (f.lora) f.lora->base_checksum = weights_checksum(f.params);

    std::string error;
    const std::vector<uint8_t> bytes = save_weights(f, &error);
    REQUIRE(error.empty());
    const size_t strings = f.tokenizer_id.size() + f.meta.corpus_id.size();
    const size_t lora_floats = f.lora ? f.lora->params.size() : 0;
    CHECK(bytes.size() == kWeightsHeaderBytes + ((strings + 7) / 8) * 8 + 4 * (lora_floats + f.params.size()) + 8);

    const LoadResult r = load_weights(bytes);
    INFO(r.message);
    REQUIRE(r.ok());
    CHECK(r.file == f);
    CHECK(same_bits(r.file.params, f.params));
    if (with_lora) CHECK(same_bits(r.file.lora->params, f.lora->params));
    CHECK(save_weights(r.file) == bytes);  // deterministic: same content, same bytes
}

TEST_CASE("[core] weights file header follows the documented layout", "[core][weights]") {
    const WeightsFile f = make_file(ModelConfig{2, 4, 64, 32}, 3, true);
    const std::vector<uint8_t> b = save_weights(f);
    REQUIRE_FALSE(b.empty());
    CHECK(std::memcmp(b.data(), "\x89KNBW\r\n\x1A", 8) == 0);
    CHECK(get32(b, kOffVersion) == 1);
    CHECK(get32(b, kOffFlags) == 1);
    CHECK(get32(b, 16) == 2);
    CHECK(get32(b, kOffNHead) == 4);
    CHECK(get32(b, 24) == 64);
    CHECK(get32(b, 28) == 32);
    CHECK(get32(b, kOffVocab) == 256);
    CHECK(get32(b, kOffTokLen) == kTokenizerId.size());
    CHECK(get32(b, kOffCorpusLen) == f.meta.corpus_id.size());
    CHECK(get32(b, kOffLoraRank) == static_cast<uint32_t>(f.lora->rank));
    CHECK(get64(b, kOffParamCount) == param_count(f.config));
    CHECK(get64(b, 64) == f.lora->params.size());
    CHECK(get64(b, kOffLoraBase) == f.lora->base_checksum);
    CHECK(get64(b, 80) == f.meta.steps);
    CHECK(get64(b, 88) == f.meta.tokens_seen);
    CHECK(get64(b, 96) == f.meta.seed);
    CHECK(get64(b, 104) == f.meta.base_checksum);
    CHECK(get64(b, kOffHeaderChecksum) == checksum64(b.data(), 120));
    CHECK(std::string(b.begin() + 128, b.begin() + 128 + 13) == "utf8-bytes-v1");
    CHECK(get64(b, b.size() - 8) == checksum64(b.data(), b.size() - 8));
    // The params section is the floats, little-endian, and its checksum is the LoRA base checksum.
    const size_t params_at = b.size() - 8 - 4 * f.params.size();
    CHECK(checksum64(b.data() + params_at, 4 * f.params.size()) == weights_checksum(f.params));
    uint32_t first_bits;
    std::memcpy(&first_bits, &f.params[0], 4);
    CHECK(get32(b, params_at) == first_bits);
}

TEST_CASE("[core] weights file anatomy describes every byte", "[core][weights]") {
    const bool with_lora = GENERATE(false, true);
    const WeightsFile f = make_file(ModelConfig{2, 2, 32, 16}, 5, with_lora);
    const std::vector<uint8_t> b = save_weights(f);
    const WeightsAnatomy a = inspect_weights(b);
    INFO(a.message);
    REQUIRE(a.ok());
    CHECK(a.version == 1);
    CHECK(a.file_bytes == b.size());
    CHECK(a.header.config == f.config);
    CHECK(a.header.meta == f.meta);
    CHECK(a.header.params.empty());  // no floats copied
    CHECK(a.header.lora.has_value() == with_lora);
    CHECK(a.stored_checksum == a.computed_checksum);
    // Sections tile the file exactly, in the documented order.
    size_t expected_offset = 0;
    std::vector<std::string> names;
    for (const WeightsRegion& s : a.sections) {
        CHECK(s.offset == expected_offset);
        expected_offset += s.size;
        names.push_back(s.name);
    }
    CHECK(expected_offset == b.size());
    CHECK(names == (with_lora ? std::vector<std::string>{"header", "strings", "lora", "params", "checksum"}
                              : std::vector<std::string>{"header", "strings", "params", "checksum"}));
    // Tensors tile the params section.
    REQUIRE(a.tensors.size() == static_cast<size_t>(kNumTensors));
    const WeightsRegion& params = a.sections[with_lora ? 3 : 2];
    size_t tensor_offset = params.offset;
    for (const WeightsRegion& t : a.tensors) {
        CHECK(t.offset == tensor_offset);
        tensor_offset += t.size;
    }
    CHECK(tensor_offset == params.offset + params.size);
    CHECK(a.tensors[4].name == "qkvw");
    CHECK(a.tensors[4].value == "(L, 3C, C) = (2, 96, 32)");
    // Header fields are listed with their documented offsets.
    bool found_steps = false;
    for (const WeightsRegion& field : a.fields)
        if (field.name == "steps") {
            found_steps = true;
            CHECK(field.offset == 80);
            CHECK(field.value == std::to_string(f.meta.steps));
        }
    CHECK(found_steps);
}

TEST_CASE("[core] weights file refuses truncation at any offset", "[core][weights]") {
    const bool with_lora = GENERATE(false, true);
    const std::vector<uint8_t> full = save_weights(make_file(kSmall, 7, with_lora));
    std::vector<size_t> lengths;
    for (size_t n = 0; n < 300; ++n) lengths.push_back(n);
    for (size_t n = 300; n < full.size(); n += 97) lengths.push_back(n);
    for (size_t n = full.size() - 16; n < full.size(); ++n) lengths.push_back(n);
    for (size_t n : lengths) {
        const std::vector<uint8_t> cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
        INFO("length " << n << " of " << full.size());
        CHECK(error_of(cut) == (n < kWeightsMinFileBytes ? LoadError::too_small : LoadError::truncated));
    }
}

TEST_CASE("[core] weights file detects a flipped byte anywhere", "[core][weights]") {
    const bool with_lora = GENERATE(false, true);
    const uint64_t seed = GENERATE(11, 12, 13);
    const std::vector<uint8_t> good = save_weights(make_file(kSmall, seed, with_lora));
    Rng rng(seed);
    std::vector<size_t> offsets;
    for (size_t i = 0; i < 200; ++i) offsets.push_back(i);  // every header byte and the strings
    for (int i = 0; i < 100; ++i) offsets.push_back(rng.below(static_cast<uint32_t>(good.size())));
    for (size_t i = good.size() - 8; i < good.size(); ++i) offsets.push_back(i);  // the checksum itself
    for (size_t at : offsets) {
        std::vector<uint8_t> bad = good;
        bad[at] ^= static_cast<uint8_t>(1u << rng.below(8));
        INFO("offset " << at);
        const LoadError expected = at < 8 ? LoadError::bad_magic : at < 12 ? LoadError::unsupported_version : LoadError::bad_checksum;
        CHECK(error_of(bad) == expected);
    }
}

TEST_CASE("[core] weights file: each kind of damage has its own error", "[core][weights]") {
    const std::vector<uint8_t> good = save_weights(make_file(kSmall, 21, false));
    const std::vector<uint8_t> good_lora = save_weights(make_file(kSmall, 22, true));
    REQUIRE(load_weights(good).ok());
    REQUIRE(load_weights(good_lora).ok());
    std::set<std::string> messages;
    auto expect = [&](const std::vector<uint8_t>& b, LoadError e) {
        const LoadResult r = load_weights(b);
        INFO(r.message);
        CHECK(r.error == e);
        CHECK(r.file == WeightsFile{});
        messages.insert(r.message);
    };

    SECTION("bad magic") {
        std::vector<uint8_t> b = good;
        b[1] = 'X';
        expect(b, LoadError::bad_magic);
        const std::string json = "{\"weights\": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3]}";
        const LoadResult r = load_weights(std::vector<uint8_t>(json.begin(), json.end()));
        CHECK(r.error == LoadError::bad_magic);
        CHECK(r.message.find("text file") != std::string::npos);
    }
    SECTION("future and impossible versions") {
        std::vector<uint8_t> b = good;
        put32(b, kOffVersion, 2);
        const LoadResult r = load_weights(b);
        CHECK(r.error == LoadError::unsupported_version);
        CHECK(r.message.find("newer") != std::string::npos);
        put32(b, kOffVersion, 0);
        expect(b, LoadError::unsupported_version);
    }
    SECTION("absurd parameter count is refused without allocating") {
        std::vector<uint8_t> b = good;
        put64(b, kOffParamCount, 1000000000000ull);  // 10^12 floats = 4 TB
        reseal(b);
        AllocationProbe probe;
        const LoadResult r = load_weights(b);
        CHECK(r.error == LoadError::too_large);
        CHECK(r.message.find("1000000000000") != std::string::npos);
        CHECK(probe.largest() < 64 * 1024);
        // Even with no limit at all, the count must match the model settings before any allocation.
        // (On wasm32 size_t cannot even express 10^12, so there the count stays over the limit.)
        const LoadResult unlimited = load_weights(b, std::numeric_limits<size_t>::max());
        const bool fits_size_t = 1000000000000ull <= std::numeric_limits<size_t>::max();
        CHECK(unlimited.error == (fits_size_t ? LoadError::bad_header : LoadError::too_large));
        CHECK(probe.largest() < 64 * 1024);
    }
    SECTION("a caller's smaller limit") {
        const LoadResult r = load_weights(good, 1000);
        CHECK(r.error == LoadError::too_large);
        CHECK(load_weights(good, param_count(kSmall)).ok());
    }
    SECTION("absurd string lengths") {
        std::vector<uint8_t> b = good;
        put32(b, kOffCorpusLen, 0xFFFFFFF0u);
        reseal(b);
        AllocationProbe probe;
        expect(b, LoadError::bad_header);
        CHECK(probe.largest() < 64 * 1024);
        b = good;
        put32(b, kOffTokLen, 0);
        reseal(b);
        expect(b, LoadError::bad_header);
    }
    SECTION("NaN and infinities in the body") {
        const float bad_value = GENERATE(std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                                         -std::numeric_limits<float>::infinity());
        const size_t index = GENERATE(size_t{0}, size_t{4100}, param_count(kSmall) - 1);
        std::vector<uint8_t> b = good;
        uint32_t bits;
        std::memcpy(&bits, &bad_value, 4);
        put32(b, b.size() - 8 - 4 * param_count(kSmall) + 4 * index, bits);
        reseal(b);
        const LoadResult r = load_weights(b);
        CHECK(r.error == LoadError::non_finite);
        CHECK(r.message.find("Parameter " + std::to_string(index)) != std::string::npos);
        CHECK(r.message.find(index == 0 ? "wte" : index == 4100 ? "wpe" : "lnfb") != std::string::npos);
    }
    SECTION("NaN in a LoRA adapter") {
        std::vector<uint8_t> b = good_lora;
        const WeightsAnatomy a = inspect_weights(b);
        REQUIRE(a.sections[2].name == "lora");
        put32(b, a.sections[2].offset + 12, 0x7FC00000u);
        reseal(b);
        expect(b, LoadError::non_finite);
    }
    SECTION("LoRA adapter travelling with other base weights") {
        std::vector<uint8_t> b = good_lora;
        b[b.size() - 8 - 4 * 10] ^= 0x01;  // one base parameter changed after the adapter was trained
        reseal(b);
        expect(b, LoadError::lora_mismatch);
        b = good_lora;
        put64(b, kOffLoraBase, get64(b, kOffLoraBase) + 1);
        reseal(b);
        expect(b, LoadError::lora_mismatch);
    }
    SECTION("trailing garbage") {
        std::vector<uint8_t> b = good;
        b.push_back(0);
        expect(b, LoadError::trailing_bytes);
        b.insert(b.end(), 1000, 0xAB);
        expect(b, LoadError::trailing_bytes);
    }
    SECTION("invalid model settings") {
        std::vector<uint8_t> b = save_weights(make_file(ModelConfig{1, 4, 64, 16}, 1, false));
        put32(b, kOffNHead, 3);  // 64 is not divisible by 3
        reseal(b);
        expect(b, LoadError::bad_config);
        b = good;
        put32(b, kOffVocab, 300);
        reseal(b);
        expect(b, LoadError::bad_config);
    }
    SECTION("inconsistent header fields") {
        std::vector<uint8_t> b = good;
        put32(b, kOffFlags, 4);  // unknown flag
        reseal(b);
        expect(b, LoadError::bad_header);
        b = good;
        put32(b, kOffReserved0, 1);
        reseal(b);
        expect(b, LoadError::bad_header);
        b = good;
        put64(b, kOffParamCount, param_count(kSmall) - 1);
        reseal(b);
        expect(b, LoadError::bad_header);
        b = good;
        put32(b, kOffLoraRank, 4);  // LoRA fields without the LoRA flag
        reseal(b);
        expect(b, LoadError::bad_header);
        b = good_lora;
        put32(b, kOffLoraRank, kMaxLoraRank + 1);
        reseal(b);
        expect(b, LoadError::bad_header);
        b = good;
        b[128] = 'U';  // "Utf8-bytes-v1": a tokenizer this build does not have
        reseal(b);
        expect(b, LoadError::bad_header);
        b = good;
        b[128 + 13] = 0xC3;  // corpus id no longer UTF-8
        reseal(b);
        expect(b, LoadError::bad_header);
    }
    SECTION("every refusal explains itself differently") {
        std::vector<uint8_t> variants[6] = {good, good, good, good, good, good};
        variants[0].resize(4);                             // too_small
        variants[1][0] = 0;                                // bad_magic
        put32(variants[2], kOffVersion, 9);                // unsupported_version
        variants[3].pop_back();                            // truncated
        variants[4][200] ^= 1;                             // bad_checksum
        variants[5].push_back(1);                          // trailing_bytes
        std::set<LoadError> errors;
        for (const auto& v : variants) {
            const LoadResult r = load_weights(v);
            errors.insert(r.error);
            messages.insert(r.message);
        }
        CHECK(errors.size() == 6);
        CHECK(messages.size() == 6);
        CHECK(errors.count(LoadError::none) == 0);
    }
}

TEST_CASE("[core] weights file save refuses what could not be loaded", "[core][weights]") {
    WeightsFile f = make_file(kSmall, 31, true);
    std::string error;
    SECTION("NaN parameter") {
        f.params[7] = std::nanf("");
        CHECK(save_weights(f, &error).empty());
        CHECK(error.find("NaN") != std::string::npos);
    }
    SECTION("wrong parameter count") {
        f.params.pop_back();
        CHECK(save_weights(f, &error).empty());
        CHECK(error.find("parameters") != std::string::npos);
    }
    SECTION("LoRA base checksum not matching its params") {
        f.params[0] += 1.0f;
        CHECK(save_weights(f, &error).empty());
        CHECK(error.find("base checksum") != std::string::npos);
    }
    SECTION("corpus id too long") {
        f.meta.corpus_id.assign(kMaxCorpusIdBytes + 1, 'x');
        CHECK(save_weights(f, &error).empty());
        CHECK(error.find("corpus name") != std::string::npos);
    }
    SECTION("invalid config") {
        f.config.n_head = 5;
        CHECK(save_weights(f, &error).empty());
        CHECK(error.find("divisible") != std::string::npos);
    }
    CHECK(check_weights(f) == error.substr(std::string("Cannot save the weights: ").size(),
                                           error.size() - std::string("Cannot save the weights: ").size() - 1));
}

TEST_CASE("[core] weights loader limit fits the largest allowed model", "[core][weights]") {
    const ModelConfig largest{kMaxLayers, kMaxHeads, kMaxWidth, kMaxContext};
    REQUIRE(validate(largest).empty());
    CHECK(param_count(largest) <= kDefaultMaxParams);
    CHECK(param_count(largest) + lora_param_count(largest, kMaxLoraRank) <= kDefaultMaxParams);
}

TEST_CASE("[core] weights checksum is over little-endian float bytes", "[core][weights]") {
    const std::vector<float> values = {1.0f, -2.5f, 0.0f, 3.25e-5f};
    std::vector<uint8_t> bytes;
    for (float v : values) {
        uint32_t u;
        std::memcpy(&u, &v, 4);
        for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<uint8_t>(u >> (8 * i)));
    }
    CHECK(weights_checksum(values) == checksum64(bytes.data(), bytes.size()));
    CHECK(weights_checksum(std::vector<float>{}) == checksum64(nullptr, 0));
}

TEST_CASE("[core] weights format document: test vectors and example", "[core][weights]") {
    // docs/weights-format.md quotes these; if they change, the document must change too.
    CHECK(checksum_hex(checksum64("", 0)) == "9090306c6e91ed59");
    CHECK(checksum_hex(checksum64("abc", 3)) == "500112eedae253a9");
    std::vector<uint8_t> counting(100);
    for (size_t i = 0; i < counting.size(); ++i) counting[i] = static_cast<uint8_t>(i);
    CHECK(checksum_hex(checksum64(counting.data(), counting.size())) == "54ca5ab39553be2f");

    WeightsFile f;
    f.config = kSmall;
    f.params.assign(param_count(f.config), 0.0f);
    f.meta.corpus_id = "english-v1:seed=1";
    f.meta.steps = 500;
    f.meta.tokens_seen = 512000;
    f.meta.seed = 1;
    const std::vector<uint8_t> b = save_weights(f);
    CHECK(b.size() == 30824);
    const uint8_t documented[160] = {
        0x89, 0x4b, 0x4e, 0x42, 0x57, 0x0d, 0x0a, 0x1a, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00,
        0x00, 0x01, 0x00, 0x00, 0x0d, 0x00, 0x00, 0x00, 0x11, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf0, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0xf4, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xd0, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x87, 0xdc, 0x55, 0xa1, 0xd4, 0x3b, 0xb9, 0x6a,
        0x75, 0x74, 0x66, 0x38, 0x2d, 0x62, 0x79, 0x74, 0x65, 0x73, 0x2d, 0x76, 0x31, 0x65, 0x6e, 0x67,
        0x6c, 0x69, 0x73, 0x68, 0x2d, 0x76, 0x31, 0x3a, 0x73, 0x65, 0x65, 0x64, 0x3d, 0x31, 0x00, 0x00};
    REQUIRE(b.size() >= sizeof documented);
    CHECK(std::memcmp(b.data(), documented, sizeof documented) == 0);
}

// Text from a file is data: a name holding a terminal escape (or any control character) is refused at
// load, before it reaches the anatomy panel or `knobs info`, and the message names the field.
TEST_CASE("[core] weights file refuses control characters in its names, naming the field", "[core][weights]") {
    const std::string name = GENERATE(std::string("evil\x1B[2Jname"), std::string("line\nbreak"), std::string("nul\0x", 5),
                                      std::string("del\x7F"), std::string("c1 csi \xC2\x9B"));
    WeightsFile f = make_file(kSmall, 41, false);
    // Written over a plain name of the same length, since the writer refuses such a name too.
    f.meta.corpus_id.assign(name.size(), 'x');
    std::vector<uint8_t> b = save_weights(f);
    REQUIRE_FALSE(b.empty());
    std::memcpy(b.data() + kWeightsHeaderBytes + f.tokenizer_id.size(), name.data(), name.size());
    reseal(b);
    const LoadResult r = load_weights(b);
    INFO(r.message);
    CHECK(r.error == LoadError::bad_header);
    CHECK_THAT(r.message, Catch::Matchers::ContainsSubstring("corpus_id") &&
                              Catch::Matchers::ContainsSubstring("control character"));
    CHECK(first_control_character(r.message) == std::string_view::npos);
    const WeightsAnatomy a = inspect_weights(b);
    CHECK(a.error == LoadError::bad_header);
    for (const WeightsRegion& field : a.fields) CHECK(first_control_character(field.value) == std::string_view::npos);

    f.meta.corpus_id = name;
    std::string error;
    CHECK(save_weights(f, &error).empty());
    CHECK_THAT(error, Catch::Matchers::ContainsSubstring("control character"));
}

// Finite floats near the float limit overflow inside the model: `knobs eval` printed -nan for such a file.
TEST_CASE("[core] weights file refuses a model whose forward pass overflows", "[core][weights]") {
    const bool with_lora = GENERATE(false, true);
    WeightsFile f = make_file(kSmall, 51, with_lora);
    REQUIRE(check_weights(f).empty());
    std::vector<float>& huge = with_lora ? f.lora->params : f.params;
    std::fill(huge.begin(), huge.end(), 3e38f);
    if (f.lora) f.lora->base_checksum = weights_checksum(f.params);
    std::string error;
    CHECK(save_weights(f, &error).empty());
    CHECK_THAT(error, Catch::Matchers::ContainsSubstring("overflows"));

    // The same file written byte by byte, as another program could.
    f.lora.reset();
    std::fill(f.params.begin(), f.params.end(), 1.0f);
    std::vector<uint8_t> b = save_weights(f);
    REQUIRE_FALSE(b.empty());
    const size_t params_at = b.size() - 8 - 4 * f.params.size();
    for (size_t i = 0; i < f.params.size(); ++i) put32(b, params_at + 4 * i, 0x7F61B1E6u);  // 3.0e38f
    reseal(b);
    const LoadResult r = load_weights(b);
    INFO(r.message);
    CHECK(r.error == LoadError::overflows);
    CHECK(std::string(load_error_name(r.error)) == "overflows");
    CHECK_THAT(r.message, Catch::Matchers::ContainsSubstring("overflows"));
    CHECK(inspect_weights(b).error == LoadError::overflows);
}

TEST_CASE("[core] the longest weights file the loader accepts is under kMaxWeightsFileBytes", "[core][weights]") {
    const ModelConfig largest{kMaxLayers, kMaxHeads, kMaxWidth, kMaxContext};
    const size_t bytes = kWeightsHeaderBytes + 8 * ((kMaxTokenizerIdBytes + kMaxCorpusIdBytes + 7) / 8) +
                         4 * (param_count(largest) + lora_param_count(largest, kMaxLoraRank)) + 8;
    CHECK(bytes <= kMaxWeightsFileBytes);
}
