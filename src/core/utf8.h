// UTF-8 for a byte-level model. The model emits one byte per step, so a character such as "ç" (2 bytes)
// or an emoji (4 bytes) arrives in pieces, and an untrained model emits byte sequences that are not UTF-8
// at all. Everything the UI shows goes through these functions so that learners never see half a
// character rendered as garbage: invalid input becomes U+FFFD, and an incomplete trailing character is held
// back until its remaining bytes arrive.
//
// Invalid input is replaced following the "maximal subpart" practice of the Unicode standard (chapter 3,
// U+FFFD substitution), which is also what browsers do: one U+FFFD per maximal prefix of a well-formed
// sequence, so streaming and whole-buffer decoding always agree.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace knobs {

inline constexpr char32_t kReplacementCharacter = 0xFFFD;
// "\xEF\xBF\xBD": U+FFFD encoded as UTF-8.
inline constexpr std::string_view kReplacementUtf8 = "\xEF\xBF\xBD";
// Largest text a learner may upload (and the largest course/user text corpus).
inline constexpr size_t kMaxUserTextBytes = 10u * 1024u * 1024u;

// Convenience view of a string's bytes as tokens.
inline std::span<const uint8_t> as_bytes(std::string_view s) {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// True when `bytes` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF, no
// truncated sequence at the end). On failure, *first_bad (if given) receives the offset of the first byte
// that is not part of a well-formed character.
bool is_valid_utf8(std::span<const uint8_t> bytes, size_t* first_bad = nullptr);

// Appends the UTF-8 encoding of a Unicode scalar value (surrogates and values above U+10FFFF become U+FFFD).
void append_utf8(std::string& out, char32_t code_point);

// Feeds bytes one at a time (the way the model produces them) and emits only complete characters.
// Bytes of an unfinished multi-byte sequence are held back; a byte that cannot continue it makes the held
// bytes one U+FFFD and is then decoded on its own.
class Utf8StreamDecoder {
public:
    // Returns what became displayable by this byte: "", one character, or U+FFFD followed by a character.
    std::string feed(uint8_t byte);
    std::string feed(std::span<const uint8_t> bytes);
    // End of stream: a held-back incomplete sequence becomes one U+FFFD. The decoder is then empty.
    std::string flush();
    // Number of bytes currently held back (0 to 3).
    size_t pending() const { return pending_size_; }
    void reset() { pending_size_ = 0; }

private:
    void feed_into(std::string& out, uint8_t byte);
    uint8_t pending_[4] = {};
    size_t pending_size_ = 0;
    size_t expected_size_ = 0;  // total length of the sequence being collected
};

// The longest prefix of `text` of at most max_bytes that ends at a character boundary (a multi-byte
// character is never cut in half). For well-formed UTF-8; on other input it still never grows the text.
size_t utf8_prefix_length(std::string_view text, size_t max_bytes);

// Whole-buffer decoding for display: every invalid or truncated sequence becomes U+FFFD.
// Identical to feeding every byte to a Utf8StreamDecoder and flushing.
std::string display_text(std::span<const uint8_t> bytes);
// Streaming display of a prefix: like display_text, but an incomplete sequence at the very end is left out
// instead of shown as U+FFFD, because the next token may complete it.
std::string display_text_partial(std::span<const uint8_t> bytes);

// Text from a file is data, never terminal control. A control character here is one a terminal may obey
// instead of showing: C0 (U+0000..U+001F), DEL (U+007F) and C1 (U+0080..U+009F; some terminals read
// U+009B as the start of an escape sequence, like ESC [).
// Offset of the first control character in `text`, or std::string_view::npos. Bytes that are not
// well-formed UTF-8 are skipped (check that separately).
size_t first_control_character(std::string_view text);
// `bytes` for printing: every control character except the bytes in `keep` (say "\n\t" for running text),
// and every byte that is not part of well-formed UTF-8, becomes \xNN (one per byte: ESC [ 3 1 m becomes
// "\x1B[31m"). Anything else is copied unchanged.
std::string escape_control_characters(std::span<const uint8_t> bytes, std::string_view keep = {});

// Result of checking user-provided text (an upload, a pasted text).
struct SanitizedText {
    std::string text;     // cleaned text when ok()
    std::string error;    // empty on success; otherwise a sentence a learner can act on
    size_t error_offset = 0;  // byte offset in the ORIGINAL input that caused the error
    bool ok() const { return error.empty(); }
};

// Accepts UTF-8 text up to max_bytes. Removes a leading byte-order mark, turns CRLF and lone CR into LF.
// Rejects, with the byte offset: empty text, text over the limit, binary data (a NUL byte or another
// control character other than tab, LF, CR and form feed), and malformed UTF-8.
SanitizedText sanitize_user_text(std::span<const uint8_t> bytes, size_t max_bytes = kMaxUserTextBytes);
inline SanitizedText sanitize_user_text(std::string_view text, size_t max_bytes = kMaxUserTextBytes) {
    return sanitize_user_text(as_bytes(text), max_bytes);
}

}  // namespace knobs
