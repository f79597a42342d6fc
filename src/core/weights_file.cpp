#include "weights_file.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <new>
#include <utility>

#include "checksum.h"
#include "model.h"
#include "utf8.h"

namespace knobs {

namespace {

// Byte offsets of the fixed header (docs/weights-format.md, "Fixed header").
namespace at {
constexpr size_t magic = 0, version = 8, flags = 12, n_layer = 16, n_head = 20, n_embd = 24, block_size = 28,
                 vocab_size = 32, tokenizer_id_bytes = 36, corpus_id_bytes = 40, lora_rank = 44, lora_alpha = 48,
                 reserved0 = 52, param_count = 56, lora_param_count = 64, lora_base_checksum = 72, steps = 80,
                 tokens_seen = 88, seed = 96, base_checksum = 104, reserved1 = 112, header_checksum = 120;
}  // namespace at
static_assert(at::header_checksum + 8 == kWeightsHeaderBytes, "the header checksum is the header's last field");

constexpr uint32_t kFlagLora = 1;

// ---- little-endian encoding, independent of the host's byte order ----

void put_u32(uint8_t* p, uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
void put_u64(uint8_t* p, uint64_t v) {
    for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
uint32_t get_u32(const uint8_t* p) {
    uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}
uint64_t get_u64(const uint8_t* p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}
uint32_t float_bits(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
}
float bits_float(uint32_t u) {
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}
int32_t get_i32(const uint8_t* p) { return static_cast<int32_t>(get_u32(p)); }

void put_floats(uint8_t* p /* (4 * values.size()) bytes */, std::span<const float> values) {
    if constexpr (std::endian::native == std::endian::little) {
        if (!values.empty()) std::memcpy(p, values.data(), values.size() * 4);
    } else {
        for (size_t i = 0; i < values.size(); ++i) put_u32(p + 4 * i, float_bits(values[i]));
    }
}
void get_floats(const uint8_t* p /* (4 * values.size()) bytes */, std::span<float> values) {
    if constexpr (std::endian::native == std::endian::little) {
        if (!values.empty()) std::memcpy(values.data(), p, values.size() * 4);
    } else {
        for (size_t i = 0; i < values.size(); ++i) values[i] = bits_float(get_u32(p + 4 * i));
    }
}

size_t pad8(size_t n) { return (n + 7) & ~size_t{7}; }

// All-ones exponent = infinity or NaN. Looking at the bits avoids any dependence on float environment.
bool finite_bits(uint32_t u) { return ((u >> 23) & 0xFF) != 0xFF; }
const char* non_finite_name(uint32_t u) { return (u & 0x7FFFFF) ? "NaN" : ((u >> 31) ? "-infinity" : "infinity"); }

// Index of the first non-finite float among `count` little-endian floats at p, or count.
size_t first_non_finite(const uint8_t* p /* (4 * count) bytes */, uint64_t count) {
    for (uint64_t i = 0; i < count; ++i)
        if (!finite_bits(get_u32(p + 4 * i))) return static_cast<size_t>(i);
    return static_cast<size_t>(count);
}

// "tensor qkvw, element 1234" for flat parameter index i.
std::string describe_param(const ModelConfig& cfg, size_t i) {
    const ParamLayout layout = param_layout(cfg);
    for (int t = 0; t < kNumTensors; ++t)
        if (i >= layout.offset[t] && i < layout.offset[t] + layout.size[t])
            return std::string("tensor ") + tensor_name(static_cast<Tensor>(t)) + ", element " +
                   std::to_string(i - layout.offset[t]);
    return "beyond the last tensor";
}

std::string tensor_shape(const ModelConfig& cfg, Tensor t) {
    const std::string V = std::to_string(kVocabSize), C = std::to_string(cfg.n_embd), L = std::to_string(cfg.n_layer),
                      T = std::to_string(cfg.block_size), C3 = std::to_string(3 * cfg.n_embd),
                      C4 = std::to_string(4 * cfg.n_embd);
    switch (t) {
        case Tensor::wte: return "(V, C) = (" + V + ", " + C + ")";
        case Tensor::wpe: return "(T, C) = (" + T + ", " + C + ")";
        case Tensor::qkvw: return "(L, 3C, C) = (" + L + ", " + C3 + ", " + C + ")";
        case Tensor::qkvb: return "(L, 3C) = (" + L + ", " + C3 + ")";
        case Tensor::attprojw: return "(L, C, C) = (" + L + ", " + C + ", " + C + ")";
        case Tensor::fcw: return "(L, 4C, C) = (" + L + ", " + C4 + ", " + C + ")";
        case Tensor::fcb: return "(L, 4C) = (" + L + ", " + C4 + ")";
        case Tensor::fcprojw: return "(L, C, 4C) = (" + L + ", " + C + ", " + C4 + ")";
        case Tensor::lnfw:
        case Tensor::lnfb: return "(C) = (" + C + ")";
        default: return "(L, C) = (" + L + ", " + C + ")";  // ln1w, ln1b, attprojb, ln2w, ln2b, fcprojb
    }
}

std::string float_text(float f) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", static_cast<double>(f));
    return buf;
}

// Where the variable-size sections are, derived from a header that passed its checks.
struct Offsets {
    size_t params = 0, lora = 0, trailer = 0;
    uint64_t param_count = 0, lora_count = 0;
    bool has_lora = false;
};

// Why a name field cannot be stored ("the corpus name contains the control character 0x1B at byte 3"), or
// "". Names are shown in the app and printed by `knobs info`: they must be plain text.
std::string name_problem(const char* what, std::string_view name) {
    if (!is_valid_utf8(as_bytes(name))) return std::string(what) + " is not valid UTF-8 text";
    if (const size_t i = first_control_character(name); i != std::string_view::npos) {
        char code[8];
        std::snprintf(code, sizeof code, "0x%02X", static_cast<unsigned>(static_cast<uint8_t>(name[i])));
        return std::string(what) + " contains the control character " + code + " at byte " + std::to_string(i);
    }
    return {};
}

// Whether the model's forward pass gives finite scores on a probe: every byte value once, in windows of
// kMinContext (the shortest context any model has). Finite floats can still overflow inside the model
// (weights near 3.4e38 square to infinity): such a file could only ever give NaN losses and samples drawn
// from nothing, so the loader refuses it with the other damage. 256 tokens cost about one training
// micro-batch of the smallest model and a few milliseconds for the largest.
bool forward_is_finite(Model& model) {
    constexpr int B = kVocabSize / kMinContext, T = kMinContext;
    static_assert(B * T == kVocabSize, "the probe holds each byte value once");
    uint8_t probe[kVocabSize];
    for (int i = 0; i < kVocabSize; ++i) probe[i] = static_cast<uint8_t>(i);
    model.forward(probe, nullptr, B, T);
    for (float x : model.logits())
        if (!std::isfinite(x)) return false;
    return true;
}

bool fail(WeightsAnatomy& a, LoadError error, std::string message) {
    a.error = error;
    a.message = std::move(message);
    return false;
}

void add_field(WeightsAnatomy& a, const char* name, size_t offset, size_t size, std::string value) {
    a.fields.push_back({name, offset, size, std::move(value)});
}

// Every check of the format, in the order the doc lists them. Fills `a` as far as it gets.
bool examine(std::span<const uint8_t> b, size_t max_params, WeightsAnatomy& a, Offsets& o) {
    const size_t n = b.size();
    a.file_bytes = n;
    if (n < 8)
        return fail(a, LoadError::too_small,
                    n == 0 ? std::string("This is not a Knobs weights file: it is empty.")
                           : "This is not a Knobs weights file: it is only " + std::to_string(n) + (n == 1 ? " byte" : " bytes") + " long.");
    if (std::memcmp(b.data(), kWeightsMagic, 8) != 0) {
        const bool text = b[0] == '{' || b[0] == '<' || (b[0] >= 0x20 && b[0] < 0x7F && b[1] >= 0x20 && b[1] < 0x7F);
        std::string message = "This is not a Knobs weights file (it does not start with the Knobs signature).";
        if (b[0] == 'K' && b[1] == 'N' && b[2] == 'B' && b[3] == 'W')
            message += " It looks like one whose first byte was lost or altered, e.g. by a text-mode transfer.";
        else if (b[0] == 0x89 && b[1] == 'K' && b[5] == '\n')
            message += " Its line-end bytes were converted, e.g. by a text-mode transfer: transfer it as binary.";
        else if (text)
            message += " It looks like a text file.";
        return fail(a, LoadError::bad_magic, message);
    }
    if (n < 12) return fail(a, LoadError::too_small, "The weights file is cut off: only " + std::to_string(n) + " bytes.");
    a.version = get_u32(b.data() + at::version);
    if (a.version != kWeightsFormatVersion) {
        if (a.version > kWeightsFormatVersion && a.version < 1000)
            return fail(a, LoadError::unsupported_version,
                        "This weights file uses format version " + std::to_string(a.version) +
                            ", made by a newer Knobs; this version reads format " +
                            std::to_string(kWeightsFormatVersion) + ". Update Knobs to open it.");
        return fail(a, LoadError::unsupported_version,
                    "This weights file claims format version " + std::to_string(a.version) +
                        ", which does not exist; the file is probably damaged.");
    }
    if (n < kWeightsMinFileBytes)
        return fail(a, LoadError::too_small,
                    "The weights file is cut off: " + std::to_string(n) + " bytes, but even an empty one has " +
                        std::to_string(kWeightsMinFileBytes) + ".");

    // Every fixed-header field, for the anatomy panel (shown even when the checks below fail).
    const uint8_t* h = b.data();  // (n) bytes: the whole file, header first
    const uint32_t flags = get_u32(h + at::flags);
    const uint32_t tok_len = get_u32(h + at::tokenizer_id_bytes), corpus_len = get_u32(h + at::corpus_id_bytes);
    const uint32_t lora_rank = get_u32(h + at::lora_rank), lora_alpha_bits = get_u32(h + at::lora_alpha);
    const uint64_t claimed_params = get_u64(h + at::param_count), claimed_lora = get_u64(h + at::lora_param_count);
    const uint64_t lora_base = get_u64(h + at::lora_base_checksum);
    const ModelConfig cfg{get_i32(h + at::n_layer), get_i32(h + at::n_head), get_i32(h + at::n_embd),
                          get_i32(h + at::block_size)};
    add_field(a, "magic", at::magic, 8, "89 4B 4E 42 57 0D 0A 1A");
    add_field(a, "format_version", at::version, 4, std::to_string(a.version));
    add_field(a, "flags", at::flags, 4, std::to_string(flags) + ((flags & kFlagLora) ? " (LoRA section)" : ""));
    add_field(a, "n_layer", at::n_layer, 4, std::to_string(cfg.n_layer));
    add_field(a, "n_head", at::n_head, 4, std::to_string(cfg.n_head));
    add_field(a, "n_embd", at::n_embd, 4, std::to_string(cfg.n_embd));
    add_field(a, "block_size", at::block_size, 4, std::to_string(cfg.block_size));
    add_field(a, "vocab_size", at::vocab_size, 4, std::to_string(get_u32(h + at::vocab_size)));
    add_field(a, "tokenizer_id_bytes", at::tokenizer_id_bytes, 4, std::to_string(tok_len));
    add_field(a, "corpus_id_bytes", at::corpus_id_bytes, 4, std::to_string(corpus_len));
    add_field(a, "lora_rank", at::lora_rank, 4, std::to_string(lora_rank));
    add_field(a, "lora_alpha", at::lora_alpha, 4, float_text(bits_float(lora_alpha_bits)));
    add_field(a, "reserved", at::reserved0, 4, std::to_string(get_u32(h + at::reserved0)));
    add_field(a, "param_count", at::param_count, 8, std::to_string(claimed_params));
    add_field(a, "lora_param_count", at::lora_param_count, 8, std::to_string(claimed_lora));
    add_field(a, "lora_base_checksum", at::lora_base_checksum, 8, checksum_hex(lora_base));
    add_field(a, "steps", at::steps, 8, std::to_string(get_u64(h + at::steps)));
    add_field(a, "tokens_seen", at::tokens_seen, 8, std::to_string(get_u64(h + at::tokens_seen)));
    add_field(a, "seed", at::seed, 8, std::to_string(get_u64(h + at::seed)));
    add_field(a, "base_checksum", at::base_checksum, 8, checksum_hex(get_u64(h + at::base_checksum)));
    add_field(a, "reserved", at::reserved1, 8, std::to_string(get_u64(h + at::reserved1)));
    add_field(a, "header_checksum", at::header_checksum, 8, checksum_hex(get_u64(h + at::header_checksum)));

    // The header's own checksum comes first, so a damaged size or count is reported as damage rather
    // than as a confusing "truncated" or "too large".
    const uint64_t header_stored = get_u64(h + at::header_checksum);
    const uint64_t header_computed = checksum64(h, at::header_checksum);
    if (header_stored != header_computed)
        return fail(a, LoadError::bad_checksum,
                    "The weights file is damaged: its header checksum does not match (stored " +
                        checksum_hex(header_stored) + ", computed " + checksum_hex(header_computed) + ").");

    if (flags & ~kFlagLora)
        return fail(a, LoadError::bad_header, "The weights file header has unknown flags (" + std::to_string(flags) + ").");
    if (get_u32(h + at::reserved0) != 0 || get_u64(h + at::reserved1) != 0)
        return fail(a, LoadError::bad_header, "The weights file header has non-zero reserved fields.");

    a.header.config = cfg;
    const uint32_t vocab = get_u32(h + at::vocab_size);
    if (vocab != static_cast<uint32_t>(kVocabSize))
        return fail(a, LoadError::bad_config,
                    "The model in this file has a vocabulary of " + std::to_string(vocab) + " tokens; Knobs models have " +
                        std::to_string(kVocabSize) + " (one per byte).");
    if (std::string problem = validate(cfg); !problem.empty())
        return fail(a, LoadError::bad_config, "The model settings in this file are invalid: " + problem + ".");

    if (tok_len == 0 || tok_len > kMaxTokenizerIdBytes)
        return fail(a, LoadError::bad_header,
                    "The weights file header gives the tokenizer name a length of " + std::to_string(tok_len) +
                        " bytes (allowed: 1 to " + std::to_string(kMaxTokenizerIdBytes) + ").");
    if (corpus_len > kMaxCorpusIdBytes)
        return fail(a, LoadError::bad_header,
                    "The weights file header gives the corpus name a length of " + std::to_string(corpus_len) +
                        " bytes (at most " + std::to_string(kMaxCorpusIdBytes) + " allowed).");

    // Checked before any size arithmetic, so absurd counts can neither overflow nor allocate.
    if (claimed_params > max_params)
        return fail(a, LoadError::too_large,
                    "The weights file claims " + std::to_string(claimed_params) + " parameters; at most " +
                        std::to_string(max_params) + " can be loaded.");
    const size_t expected_params = param_count(cfg);
    if (claimed_params != expected_params)
        return fail(a, LoadError::bad_header,
                    "The weights file header says " + std::to_string(claimed_params) + " parameters, but its model settings need " +
                        std::to_string(expected_params) + ".");

    o.has_lora = (flags & kFlagLora) != 0;
    if (o.has_lora) {
        const float alpha = bits_float(lora_alpha_bits);
        if (lora_rank < static_cast<uint32_t>(kMinLoraRank) || lora_rank > static_cast<uint32_t>(kMaxLoraRank))
            return fail(a, LoadError::bad_header,
                        "The LoRA rank in this file is " + std::to_string(lora_rank) + "; it must be between " +
                            std::to_string(kMinLoraRank) + " and " + std::to_string(kMaxLoraRank) + ".");
        if (!std::isfinite(alpha) || !(alpha > 0))
            return fail(a, LoadError::bad_header, "The LoRA alpha in this file (" + float_text(alpha) + ") must be a positive number.");
        const size_t expected_lora = lora_param_count(cfg, static_cast<int>(lora_rank));
        if (claimed_lora != expected_lora)
            return fail(a, LoadError::bad_header,
                        "The weights file header says the LoRA adapter has " + std::to_string(claimed_lora) +
                            " values, but rank " + std::to_string(lora_rank) + " needs " + std::to_string(expected_lora) + ".");
        a.header.lora = LoraSection{static_cast<int>(lora_rank), alpha, lora_base, {}};
    } else if (lora_rank != 0 || lora_alpha_bits != 0 || claimed_lora != 0 || lora_base != 0) {
        return fail(a, LoadError::bad_header, "The weights file header has LoRA fields but no LoRA section.");
    }
    a.header.meta.steps = get_u64(h + at::steps);
    a.header.meta.tokens_seen = get_u64(h + at::tokens_seen);
    a.header.meta.seed = get_u64(h + at::seed);
    a.header.meta.base_checksum = get_u64(h + at::base_checksum);

    // Section layout: every term is bounded by now, so no overflow.
    o.param_count = claimed_params;
    o.lora_count = o.has_lora ? claimed_lora : 0;
    const size_t strings_end = kWeightsHeaderBytes + tok_len + corpus_len;
    o.lora = pad8(strings_end);
    o.params = o.lora + 4 * static_cast<size_t>(o.lora_count);
    o.trailer = o.params + 4 * static_cast<size_t>(o.param_count);
    const size_t total = o.trailer + 8;
    a.sections.push_back({"header", 0, kWeightsHeaderBytes, "fixed fields"});
    a.sections.push_back({"strings", kWeightsHeaderBytes, o.lora - kWeightsHeaderBytes, "tokenizer id, corpus id, zero padding"});
    add_field(a, "tokenizer_id", kWeightsHeaderBytes, tok_len, "");
    add_field(a, "corpus_id", kWeightsHeaderBytes + tok_len, corpus_len, "");
    if (o.has_lora)
        a.sections.push_back({"lora", o.lora, o.params - o.lora, std::to_string(o.lora_count) + " float32"});
    a.sections.push_back({"params", o.params, o.trailer - o.params, std::to_string(o.param_count) + " float32"});
    a.sections.push_back({"checksum", o.trailer, 8, "checksum64 of all bytes before it"});
    const ParamLayout layout = param_layout(cfg);
    for (int t = 0; t < kNumTensors; ++t)
        a.tensors.push_back({tensor_name(static_cast<Tensor>(t)), o.params + 4 * layout.offset[t], 4 * layout.size[t],
                             tensor_shape(cfg, static_cast<Tensor>(t))});

    if (n < total)
        return fail(a, LoadError::truncated,
                    "The weights file is incomplete: its header announces " + std::to_string(total) + " bytes but only " +
                        std::to_string(n) + " are there (an interrupted download?).");
    if (n > total)
        return fail(a, LoadError::trailing_bytes,
                    "The weights file has " + std::to_string(n - total) + " unexpected bytes after its end (it should be " +
                        std::to_string(total) + " bytes).");

    a.stored_checksum = get_u64(h + o.trailer);
    a.computed_checksum = checksum64(h, o.trailer);
    if (a.stored_checksum != a.computed_checksum)
        return fail(a, LoadError::bad_checksum,
                    "The weights file is damaged: its checksum does not match (stored " + checksum_hex(a.stored_checksum) +
                        ", computed " + checksum_hex(a.computed_checksum) + ").");

    const std::span<const uint8_t> tok_bytes = b.subspan(kWeightsHeaderBytes, tok_len);
    const std::span<const uint8_t> corpus_bytes = b.subspan(kWeightsHeaderBytes + tok_len, corpus_len);
    if (!is_valid_utf8(tok_bytes) || !is_valid_utf8(corpus_bytes))
        return fail(a, LoadError::bad_header, "The names in the weights file are not valid UTF-8 text.");
    // Before either name is kept anywhere (the anatomy's fields, a message): a name is data to show, and
    // control characters in it could drive the terminal of whoever prints it.
    const std::string_view tok_text(reinterpret_cast<const char*>(tok_bytes.data()), tok_bytes.size());
    const std::string_view corpus_text(reinterpret_cast<const char*>(corpus_bytes.data()), corpus_bytes.size());
    for (const auto& [what, text] : {std::pair{"tokenizer_id (the tokenizer name)", tok_text},
                                     std::pair{"corpus_id (the training text's name)", corpus_text}})
        if (std::string problem = name_problem(what, text); !problem.empty())
            return fail(a, LoadError::bad_header, "The weights file's " + problem + "; names must be plain text.");
    a.header.tokenizer_id.assign(tok_text);
    a.header.meta.corpus_id.assign(corpus_text);
    a.fields[a.fields.size() - 2].value = a.header.tokenizer_id;
    a.fields[a.fields.size() - 1].value = a.header.meta.corpus_id;
    for (size_t i = strings_end; i < o.lora; ++i)
        if (b[i] != 0) return fail(a, LoadError::bad_header, "The padding after the names in the weights file is not zero.");
    if (a.header.tokenizer_id != kTokenizerId)
        return fail(a, LoadError::bad_header,
                    "This model uses the tokenizer \"" + a.header.tokenizer_id + "\"; Knobs only has \"" +
                        std::string(kTokenizerId) + "\".");

    if (const size_t i = first_non_finite(h + o.lora, o.lora_count); i < o.lora_count)
        return fail(a, LoadError::non_finite,
                    std::string("LoRA adapter value ") + std::to_string(i) + " is " +
                        non_finite_name(get_u32(h + o.lora + 4 * i)) + ": the adapter is broken (its training diverged?).");
    if (const size_t i = first_non_finite(h + o.params, o.param_count); i < o.param_count)
        return fail(a, LoadError::non_finite,
                    "Parameter " + std::to_string(i) + " (" + describe_param(cfg, i) + ") is " +
                        non_finite_name(get_u32(h + o.params + 4 * i)) +
                        ": the weights are broken (the training run probably diverged).");

    if (o.has_lora) {
        const uint64_t params_checksum = checksum64(h + o.params, 4 * static_cast<size_t>(o.param_count));
        if (lora_base != params_checksum)
            return fail(a, LoadError::lora_mismatch,
                        "The LoRA adapter in this file was trained on other base weights (checksum " +
                            checksum_hex(lora_base) + ") than the ones it comes with (" + checksum_hex(params_checksum) + ").");
    }

    // Every size is checked: the probe may allocate a model of this shape.
    try {
        Model model(cfg);
        get_floats(h + o.params, model.params());
        if (o.has_lora) {
            model.enable_lora(static_cast<int>(lora_rank), bits_float(lora_alpha_bits), 0);
            get_floats(h + o.lora, model.lora_params());
        }
        if (!forward_is_finite(model))
            return fail(a, LoadError::overflows,
                        "The model in this file overflows: its weights are finite, but on a short probe text its "
                        "scores are too large to compute (the weights are far too large). It cannot be used.");
    } catch (const std::bad_alloc&) {
        return fail(a, LoadError::too_large, "There is not enough memory to load this model.");
    }
    return true;
}

}  // namespace

const char* load_error_name(LoadError error) {
    switch (error) {
        case LoadError::none: return "none";
        case LoadError::too_small: return "too_small";
        case LoadError::bad_magic: return "bad_magic";
        case LoadError::unsupported_version: return "unsupported_version";
        case LoadError::bad_header: return "bad_header";
        case LoadError::bad_config: return "bad_config";
        case LoadError::too_large: return "too_large";
        case LoadError::truncated: return "truncated";
        case LoadError::bad_checksum: return "bad_checksum";
        case LoadError::non_finite: return "non_finite";
        case LoadError::overflows: return "overflows";
        case LoadError::lora_mismatch: return "lora_mismatch";
        case LoadError::trailing_bytes: return "trailing_bytes";
    }
    return "?";
}

uint64_t weights_checksum(std::span<const float> params) {
    if constexpr (std::endian::native == std::endian::little) {
        return checksum64(params.data(), params.size() * 4);
    } else {
        std::vector<uint8_t> bytes(params.size() * 4);
        put_floats(bytes.data(), params);
        return checksum64(bytes.data(), bytes.size());
    }
}

std::string check_weights(const WeightsFile& f) {
    if (std::string problem = validate(f.config); !problem.empty()) return "invalid model settings: " + problem;
    const size_t expected = param_count(f.config);
    if (f.params.size() != expected)
        return "the model has " + std::to_string(f.params.size()) + " parameters but its settings need " +
               std::to_string(expected);
    if (f.tokenizer_id != kTokenizerId) return "unknown tokenizer \"" + f.tokenizer_id + "\"";
    if (std::string problem = check_corpus_id(f.meta.corpus_id); !problem.empty()) return problem;
    for (size_t i = 0; i < f.params.size(); ++i)
        if (!std::isfinite(f.params[i]))
            return "parameter " + std::to_string(i) + " (" + describe_param(f.config, i) + ") is " +
                   non_finite_name(float_bits(f.params[i]));
    if (f.lora) {
        const LoraSection& l = *f.lora;
        if (l.rank < kMinLoraRank || l.rank > kMaxLoraRank)
            return "LoRA rank " + std::to_string(l.rank) + " is outside " + std::to_string(kMinLoraRank) + ".." +
                   std::to_string(kMaxLoraRank);
        if (!std::isfinite(l.alpha) || !(l.alpha > 0)) return "LoRA alpha must be a positive number";
        const size_t expected_lora = lora_param_count(f.config, l.rank);
        if (l.params.size() != expected_lora)
            return "the LoRA adapter has " + std::to_string(l.params.size()) + " values but rank " +
                   std::to_string(l.rank) + " needs " + std::to_string(expected_lora);
        for (size_t i = 0; i < l.params.size(); ++i)
            if (!std::isfinite(l.params[i]))
                return "LoRA adapter value " + std::to_string(i) + " is " + non_finite_name(float_bits(l.params[i]));
        if (l.base_checksum != weights_checksum(f.params))
            return "the LoRA adapter's base checksum " + checksum_hex(l.base_checksum) +
                   " does not match the parameters it is saved with (" + checksum_hex(weights_checksum(f.params)) + ")";
    }
    Model model(f.config);
    std::copy(f.params.begin(), f.params.end(), model.params().begin());
    if (f.lora) {
        model.enable_lora(f.lora->rank, f.lora->alpha, 0);
        std::copy(f.lora->params.begin(), f.lora->params.end(), model.lora_params().begin());
    }
    if (!forward_is_finite(model)) return "the model overflows: a forward pass gives infinite or NaN scores";
    return {};
}

std::string check_corpus_id(std::string_view name) {
    if (name.size() > kMaxCorpusIdBytes)
        return "the corpus name is " + std::to_string(name.size()) + " bytes; at most " +
               std::to_string(kMaxCorpusIdBytes) + " fit";
    return name_problem("the corpus name", name);
}

std::vector<uint8_t> save_weights(const WeightsFile& f, std::string* error) {
    if (std::string problem = check_weights(f); !problem.empty()) {
        if (error) *error = "Cannot save the weights: " + problem + ".";
        return {};
    }
    if (error) error->clear();
    const size_t strings_end = kWeightsHeaderBytes + f.tokenizer_id.size() + f.meta.corpus_id.size();
    const size_t lora_at = pad8(strings_end);
    const size_t lora_count = f.lora ? f.lora->params.size() : 0;
    const size_t params_at = lora_at + 4 * lora_count;
    const size_t trailer_at = params_at + 4 * f.params.size();
    std::vector<uint8_t> out(trailer_at + 8, 0);  // zero-filled: reserved fields and padding are zero
    uint8_t* h = out.data();  // (trailer_at + 8) bytes: the whole file

    std::memcpy(h + at::magic, kWeightsMagic, 8);
    put_u32(h + at::version, kWeightsFormatVersion);
    put_u32(h + at::flags, f.lora ? kFlagLora : 0);
    put_u32(h + at::n_layer, static_cast<uint32_t>(f.config.n_layer));
    put_u32(h + at::n_head, static_cast<uint32_t>(f.config.n_head));
    put_u32(h + at::n_embd, static_cast<uint32_t>(f.config.n_embd));
    put_u32(h + at::block_size, static_cast<uint32_t>(f.config.block_size));
    put_u32(h + at::vocab_size, kVocabSize);
    put_u32(h + at::tokenizer_id_bytes, static_cast<uint32_t>(f.tokenizer_id.size()));
    put_u32(h + at::corpus_id_bytes, static_cast<uint32_t>(f.meta.corpus_id.size()));
    put_u64(h + at::param_count, f.params.size());
    if (f.lora) {
        put_u32(h + at::lora_rank, static_cast<uint32_t>(f.lora->rank));
        put_u32(h + at::lora_alpha, float_bits(f.lora->alpha));
        put_u64(h + at::lora_param_count, lora_count);
        put_u64(h + at::lora_base_checksum, f.lora->base_checksum);
    }
    put_u64(h + at::steps, f.meta.steps);
    put_u64(h + at::tokens_seen, f.meta.tokens_seen);
    put_u64(h + at::seed, f.meta.seed);
    put_u64(h + at::base_checksum, f.meta.base_checksum);
    put_u64(h + at::header_checksum, checksum64(h, at::header_checksum));

    std::memcpy(h + kWeightsHeaderBytes, f.tokenizer_id.data(), f.tokenizer_id.size());
    std::memcpy(h + kWeightsHeaderBytes + f.tokenizer_id.size(), f.meta.corpus_id.data(), f.meta.corpus_id.size());
    if (f.lora) put_floats(h + lora_at, f.lora->params);
    put_floats(h + params_at, f.params);
    put_u64(h + trailer_at, checksum64(h, trailer_at));
    return out;
}

WeightsAnatomy inspect_weights(std::span<const uint8_t> bytes, size_t max_params) {
    WeightsAnatomy a;
    Offsets o;
    examine(bytes, max_params, a, o);
    return a;
}

LoadResult load_weights(std::span<const uint8_t> bytes, size_t max_params) {
    LoadResult result;
    WeightsAnatomy a;
    Offsets o;
    if (!examine(bytes, max_params, a, o)) {
        result.error = a.error;
        result.message = std::move(a.message);
        return result;
    }
    // Only now, with every size checked against the real byte count, is anything allocated.
    try {
        WeightsFile file = std::move(a.header);
        file.params.resize(static_cast<size_t>(o.param_count));
        get_floats(bytes.data() + o.params, file.params);
        if (file.lora) {
            file.lora->params.resize(static_cast<size_t>(o.lora_count));
            get_floats(bytes.data() + o.lora, file.lora->params);
        }
        result.file = std::move(file);
    } catch (const std::bad_alloc&) {
        result.error = LoadError::too_large;
        result.message = "There is not enough memory to load this model.";
    }
    return result;
}

}  // namespace knobs
