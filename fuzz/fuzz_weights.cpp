// libFuzzer target: the weights-file loader (load_weights, inspect_weights) on arbitrary bytes.
//
// Invariants checked on every input:
//   * no crash, no sanitizer report, no exception;
//   * load_weights and inspect_weights give the same verdict and the same message;
//   * a refusal has a message and leaves the result empty (never half-loaded);
//   * whatever loads is saveable and saves back to the identical bytes, and every region the anatomy
//     names lies inside the file.
//
// Both checksums stop blind mutation at the door: a random change almost never keeps them right. So each
// input is also tried "resealed" — both checksums recomputed over the mutated bytes, as a forger or a
// buggy writer would produce — which lets the fuzzer reach every check behind the checksums.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "core/checksum.h"
#include "core/weights_file.h"
#include "fuzz_check.h"

using namespace knobs;

namespace {

constexpr size_t kHeaderChecksumOffset = 120;  // docs/weights-format.md, "Fixed header"
static_assert(kHeaderChecksumOffset + 8 == kWeightsHeaderBytes, "the header checksum ends the fixed header");

void put_u64(uint8_t* p, uint64_t v) {
    for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

void reseal(std::vector<uint8_t>& b) {
    put_u64(b.data() + kHeaderChecksumOffset, checksum64(b.data(), kHeaderChecksumOffset));
    put_u64(b.data() + b.size() - 8, checksum64(b.data(), b.size() - 8));
}

bool inside(const WeightsRegion& r, size_t file_bytes) { return r.offset <= file_bytes && r.size <= file_bytes - r.offset; }

void check_file(std::span<const uint8_t> bytes) {
    const LoadResult loaded = load_weights(bytes);
    const WeightsAnatomy anatomy = inspect_weights(bytes);
    FUZZ_REQUIRE(loaded.error == anatomy.error, "load_weights and inspect_weights agree on the verdict");
    FUZZ_REQUIRE(loaded.message == anatomy.message, "load_weights and inspect_weights give the same message");
    FUZZ_REQUIRE(anatomy.file_bytes == bytes.size(), "the anatomy knows the file size");
    FUZZ_REQUIRE(loaded.ok() == loaded.message.empty(), "a message exactly when refused");
    FUZZ_REQUIRE(std::strcmp(load_error_name(loaded.error), "?") != 0, "every error has a name");

    if (!loaded.ok()) {
        FUZZ_REQUIRE(loaded.file == WeightsFile{}, "a refused file is not half-loaded");
        return;
    }
    for (const auto* list : {&anatomy.fields, &anatomy.sections, &anatomy.tensors})
        for (const WeightsRegion& r : *list) FUZZ_REQUIRE(inside(r, bytes.size()), "every anatomy region lies inside the file");
    FUZZ_REQUIRE(anatomy.stored_checksum == anatomy.computed_checksum, "a loaded file's checksum matches");

    const WeightsFile& file = loaded.file;
    FUZZ_REQUIRE(file.params.size() == param_count(file.config), "the parameter count fits the settings");
    FUZZ_REQUIRE(check_weights(file).empty(), "what loads passes the save-side checks");
    std::string error;
    const std::vector<uint8_t> saved = save_weights(file, &error);
    FUZZ_REQUIRE(error.empty(), "what loads can be saved");
    FUZZ_REQUIRE(saved.size() == bytes.size() && std::equal(saved.begin(), saved.end(), bytes.begin()),
                 "what loads saves back to the identical bytes");

    // A caller's smaller limit refuses the same file as too large, before reading any float.
    if (!file.params.empty()) {
        const LoadResult limited = load_weights(bytes, file.params.size() - 1);
        FUZZ_REQUIRE(limited.error == LoadError::too_large, "a smaller parameter limit refuses the file");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::span<const uint8_t> raw(data, size);
    check_file(raw);
    if (size >= kWeightsMinFileBytes) {
        std::vector<uint8_t> resealed(raw.begin(), raw.end());
        reseal(resealed);
        check_file(resealed);
    }
    return 0;
}
