// libFuzzer target: everything that turns a learner's bytes into text — sanitize_user_text,
// make_text_corpus, and the UTF-8 display path (Utf8StreamDecoder, display_text, display_text_partial).
//
// Input layout: byte 0 picks the context window, byte 1 the validation share, byte 2 how the stream
// decoder's input is chunked; the rest is the text. (Short inputs use defaults, so every input is used.)
//
// Invariants:
//   * sanitizing: an accepted text is valid UTF-8 with no NUL, no CR and no control character other than
//     tab, LF and form feed, and is never longer than the input; a refusal has a message and an offset
//     inside the input; valid clean input passes unchanged; cleaning is idempotent;
//   * display: whatever the chunking, streaming equals whole-buffer decoding; the output is valid UTF-8;
//     valid input is shown unchanged; the partial view is a prefix of the full one;
//   * corpus: an accepted split is exactly the cleaned text, both parts hold at least one window, and the
//     cut is on a character boundary; a refusal has a message.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <span>
#include <string>
#include <string_view>

#include "core/corpus.h"
#include "core/utf8.h"
#include "fuzz_check.h"

using namespace knobs;

namespace {

bool starts_with_bom(std::string_view s) { return s.size() >= 3 && s.compare(0, 3, "\xEF\xBB\xBF") == 0; }

bool only_allowed_bytes(std::string_view s) {
    for (unsigned char c : s)
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\f') || c == 0x7F) return false;
    return true;
}

void check_sanitizer(std::span<const uint8_t> bytes) {
    const SanitizedText clean = sanitize_user_text(bytes);
    if (!clean.ok()) {
        FUZZ_REQUIRE(clean.text.empty(), "a refused text keeps nothing");
        FUZZ_REQUIRE(clean.error_offset <= bytes.size(), "the error offset lies inside the input");
        return;
    }
    const std::string_view t = clean.text;
    FUZZ_REQUIRE(!t.empty(), "an accepted text is not empty");
    FUZZ_REQUIRE(t.size() <= bytes.size(), "cleaning never grows the text");
    FUZZ_REQUIRE(is_valid_utf8(as_bytes(t)), "an accepted text is valid UTF-8");
    FUZZ_REQUIRE(only_allowed_bytes(t), "an accepted text has no CR, NUL or other control character");
    // What the sanitizer accepts and leaves alone is the input minus a leading byte-order mark.
    const std::string_view input(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    const std::string_view body = starts_with_bom(input) ? input.substr(3) : input;
    if (body.find('\r') == std::string_view::npos) FUZZ_REQUIRE(t == body, "clean input passes unchanged");
    // Idempotent, except that a second byte-order mark right after the first is only removed by a second pass.
    if (!starts_with_bom(t)) {
        const SanitizedText again = sanitize_user_text(t);
        FUZZ_REQUIRE(again.ok() && again.text == clean.text, "cleaning clean text changes nothing");
    }
    // A smaller limit refuses the same text with the size message, not a crash.
    if (bytes.size() > 1) {
        const SanitizedText limited = sanitize_user_text(bytes, bytes.size() - 1);
        FUZZ_REQUIRE(!limited.ok() && limited.error_offset == bytes.size() - 1, "over the limit is refused at the limit");
    }
}

void check_display(std::span<const uint8_t> bytes, uint8_t chunking) {
    const std::string whole = display_text(bytes);
    FUZZ_REQUIRE(is_valid_utf8(as_bytes(whole)), "display text is valid UTF-8");
    if (is_valid_utf8(bytes))
        FUZZ_REQUIRE(whole.size() == bytes.size() && (bytes.empty() || std::memcmp(whole.data(), bytes.data(), bytes.size()) == 0),
                     "valid text is shown unchanged");

    // Byte by byte, as the model emits tokens.
    Utf8StreamDecoder one;
    std::string streamed;
    for (uint8_t b : bytes) {
        streamed += one.feed(b);
        FUZZ_REQUIRE(one.pending() <= 3, "at most three bytes are held back");
    }
    const std::string partial = streamed;
    streamed += one.flush();
    FUZZ_REQUIRE(one.pending() == 0, "flush empties the decoder");
    FUZZ_REQUIRE(streamed == whole, "byte-by-byte streaming equals whole-buffer decoding");
    FUZZ_REQUIRE(partial == display_text_partial(bytes), "the partial view is the stream before flushing");
    FUZZ_REQUIRE(whole.compare(0, partial.size(), partial) == 0, "the partial view is a prefix of the full one");

    // In chunks of varying size (1 to 8 bytes, pattern from the input), as a network or a UI might deliver.
    Utf8StreamDecoder chunked;
    std::string out;
    size_t i = 0, k = 0;
    while (i < bytes.size()) {
        const size_t n = std::min<size_t>(bytes.size() - i, 1 + ((chunking >> (k++ % 6)) & 7));
        out += chunked.feed(bytes.subspan(i, n));
        i += n;
    }
    out += chunked.flush();
    FUZZ_REQUIRE(out == whole, "chunked streaming equals whole-buffer decoding");
}

void check_corpus(std::span<const uint8_t> bytes, uint8_t context_byte, uint8_t fraction_byte) {
    // Mostly small windows, so short fuzz inputs can pass; now and then an invalid one.
    const int context = context_byte == 0xFF ? -1 : context_byte % 48;
    double val_fraction = fraction_byte / 255.0 * 0.6;  // includes shares above the allowed 50%
    if (fraction_byte == 0xFE) val_fraction = std::numeric_limits<double>::quiet_NaN();
    const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    const CorpusResult r = make_text_corpus("fuzz", text, val_fraction, context);
    if (!r.ok()) {
        FUZZ_REQUIRE(r.corpus.train.empty() && r.corpus.val.empty(), "a refused corpus holds no text");
        return;
    }
    const SanitizedText clean = sanitize_user_text(bytes);
    FUZZ_REQUIRE(clean.ok(), "an accepted corpus came from accepted text");
    std::string joined(r.corpus.train.begin(), r.corpus.train.end());
    joined.append(r.corpus.val.begin(), r.corpus.val.end());
    FUZZ_REQUIRE(joined == clean.text, "train followed by validation is exactly the cleaned text");
    const size_t window = static_cast<size_t>(context) + 1;
    FUZZ_REQUIRE(r.corpus.train.size() >= window, "the training part holds a window");
    if (val_fraction > 0) {
        FUZZ_REQUIRE(r.corpus.val.size() >= window, "the validation part holds a window");
        FUZZ_REQUIRE((r.corpus.val.front() & 0xC0) != 0x80, "validation starts on a character boundary");
        FUZZ_REQUIRE(is_valid_utf8(r.corpus.train) && is_valid_utf8(r.corpus.val), "both parts are valid UTF-8");
    } else {
        FUZZ_REQUIRE(r.corpus.val.empty(), "no validation share, no validation part");
    }
    FUZZ_REQUIRE(r.corpus.id == "fuzz", "the corpus keeps its id");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const uint8_t context_byte = size > 0 ? data[0] : 16;
    const uint8_t fraction_byte = size > 1 ? data[1] : 25;
    const uint8_t chunking = size > 2 ? data[2] : 0;
    const std::span<const uint8_t> text = std::span<const uint8_t>(data, size).subspan(std::min<size_t>(size, 3));
    check_sanitizer(text);
    check_display(text, chunking);
    check_corpus(text, context_byte, fraction_byte);
    return 0;
}
