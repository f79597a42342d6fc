// The weights file: a trained model (and optionally a LoRA adapter) as one self-checking, versioned,
// little-endian binary file. The byte-level specification is docs/weights-format.md; this header is the
// C++ view of it.
//
// The loader is written for files from strangers (a learner may load any download): it checks every
// size the header claims against the real byte count and against limits BEFORE allocating, refuses
// each kind of damage with its own LoadError and a sentence a learner can understand, never crashes, and
// never half-loads — on any error the returned WeightsFile is empty and the caller's model is untouched.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config.h"

namespace knobs {

inline constexpr uint32_t kWeightsFormatVersion = 1;
// "\x89KNBW\r\n\x1A": a non-ASCII first byte and a CR LF pair, so a file damaged by a text-mode transfer
// (high bit stripped, line ends converted) is recognised as such (the same trick as PNG's signature).
inline constexpr uint8_t kWeightsMagic[8] = {0x89, 'K', 'N', 'B', 'W', '\r', '\n', 0x1A};
inline constexpr std::string_view kTokenizerId = "utf8-bytes-v1";  // the only tokenizer: UTF-8 bytes
inline constexpr size_t kWeightsHeaderBytes = 128;                 // fixed header, see the doc
inline constexpr size_t kWeightsMinFileBytes = kWeightsHeaderBytes + 8;  // header + trailing checksum
inline constexpr size_t kMaxTokenizerIdBytes = 64;
inline constexpr size_t kMaxCorpusIdBytes = 256;
// Default limit on the parameter count the loader accepts. The largest configuration config.h allows
// (6 layers, width 256, context 256) has about 4.9 million parameters; 8 Mi leaves room without letting a
// hostile header make the browser allocate gigabytes. (A test checks the largest config fits.)
inline constexpr size_t kDefaultMaxParams = size_t{8} << 20;
// The longest file the loader can accept: the header, the longest names, the largest parameter and adapter
// sections it allows, and the checksum. A reader can refuse anything longer before reading it.
inline constexpr size_t kMaxWeightsFileBytes =
    kWeightsHeaderBytes + ((kMaxTokenizerIdBytes + kMaxCorpusIdBytes + 7) & ~size_t{7}) + 4 * 2 * kDefaultMaxParams + 8;
static_assert(kWeightsHeaderBytes % 8 == 0, "float sections stay 8-byte aligned when the header is");
static_assert(kMaxLoraRank * 16 * kMaxWidth * kMaxLayers <= kDefaultMaxParams, "the largest adapter fits the limit");

struct TrainingMeta {
    uint64_t steps = 0, tokens_seen = 0;
    std::string corpus_id;
    uint64_t seed = 0;
    uint64_t base_checksum = 0;  // weights_checksum of the model this one was fine-tuned from; 0 = not a fine-tune
    bool operator==(const TrainingMeta&) const = default;
};

struct LoraSection {
    int rank = 0;
    float alpha = 0;
    uint64_t base_checksum = 0;  // weights_checksum of the params the adapter was trained on
    std::vector<float> params;   // (lora_param_count(config, rank)) in config.h's documented order
    bool operator==(const LoraSection&) const = default;
};

struct WeightsFile {
    ModelConfig config;
    std::string tokenizer_id = std::string(kTokenizerId);
    TrainingMeta meta;
    std::vector<float> params;  // (param_count(config)) in param_layout order
    std::optional<LoraSection> lora;
    bool operator==(const WeightsFile&) const = default;
};

enum class LoadError {
    none,
    too_small,            // shorter than a header and a checksum
    bad_magic,            // not a Knobs weights file
    unsupported_version,  // format version this build does not read
    bad_header,           // inconsistent header: flags, lengths, counts, strings, padding, tokenizer
    bad_config,           // model settings outside config.h's limits
    too_large,            // more parameters than the caller's limit
    truncated,            // fewer bytes than the header announces
    bad_checksum,         // header or content checksum mismatch: the bytes were altered
    non_finite,           // NaN or infinity among the floats
    overflows,            // finite floats, but a forward pass of the model gives NaN or infinite scores
    lora_mismatch,        // the LoRA adapter was trained on other base weights
    trailing_bytes,       // more bytes than the header announces
};
// "bad_magic" etc., for logs and tests.
const char* load_error_name(LoadError error);

struct LoadResult {
    LoadError error = LoadError::none;
    std::string message;  // empty on success; one clear sentence otherwise
    WeightsFile file;     // complete on success, default-constructed on error
    bool ok() const { return error == LoadError::none; }
};

// The checksum the app shows for a parameter vector and that LoRA sections and fine-tunes record:
// checksum64 (seed 0) of the floats as little-endian IEEE-754 bytes (the bytes of the file's params section).
uint64_t weights_checksum(std::span<const float> params);

// Empty when `name` (of the file's corpus_id field) can be stored: at most kMaxCorpusIdBytes of UTF-8
// without control characters; otherwise why not ("the corpus name contains ...").
std::string check_corpus_id(std::string_view name);

// Empty when `file` can be saved (and would load again); otherwise why not.
std::string check_weights(const WeightsFile& file);
// The file's bytes, or an empty vector (with *error set, if given) when check_weights fails.
std::vector<uint8_t> save_weights(const WeightsFile& file, std::string* error = nullptr);
LoadResult load_weights(std::span<const uint8_t> bytes, size_t max_params = kDefaultMaxParams);

// One labelled byte range of a file, for the "file anatomy" panel and `knobs info`.
struct WeightsRegion {
    std::string name;
    size_t offset = 0, size = 0;
    std::string value;  // the field's value as text, or a tensor's shape
};

struct WeightsAnatomy {
    LoadError error = LoadError::none;  // the same verdict load_weights would give
    std::string message;
    size_t file_bytes = 0;
    uint32_t version = 0;
    // Header-level content as far as it could be read: everything except the float arrays (params and
    // lora->params stay empty; lora holds rank, alpha and base checksum).
    WeightsFile header;
    std::vector<WeightsRegion> fields;    // every field of the fixed header and the two strings
    std::vector<WeightsRegion> sections;  // header, strings, lora (if any), params, checksum
    std::vector<WeightsRegion> tensors;   // the 16 tensors inside params, with their shapes
    uint64_t stored_checksum = 0, computed_checksum = 0;  // the trailing checksum (when the size is right)
    bool ok() const { return error == LoadError::none; }
};
// Reads and checks everything load_weights checks, but copies no floats.
WeightsAnatomy inspect_weights(std::span<const uint8_t> bytes, size_t max_params = kDefaultMaxParams);

}  // namespace knobs
