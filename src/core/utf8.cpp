#include "utf8.h"

#include <algorithm>
#include <cstring>

namespace knobs {

namespace {

// Length of the sequence a lead byte starts, or 0 when the byte can never start one
// (continuation bytes 80..BF, the overlong leads C0/C1, and F5..FF which would exceed U+10FFFF).
size_t sequence_length(uint8_t lead) {
    if (lead < 0x80) return 1;
    if (lead >= 0xC2 && lead <= 0xDF) return 2;
    if (lead >= 0xE0 && lead <= 0xEF) return 3;
    if (lead >= 0xF0 && lead <= 0xF4) return 4;
    return 0;
}

// Whether `byte` may follow `lead` at position `index` (1, 2 or 3) of a sequence. The narrowed ranges
// for the second byte are what exclude overlong forms (E0, F0), UTF-16 surrogates (ED) and code points
// above U+10FFFF (F4) — the same table as in the Unicode standard, Table 3-7.
bool continues(uint8_t lead, size_t index, uint8_t byte) {
    if (index == 1) {
        switch (lead) {
            case 0xE0: return byte >= 0xA0 && byte <= 0xBF;
            case 0xED: return byte >= 0x80 && byte <= 0x9F;
            case 0xF0: return byte >= 0x90 && byte <= 0xBF;
            case 0xF4: return byte >= 0x80 && byte <= 0x8F;
            default: break;
        }
    }
    return byte >= 0x80 && byte <= 0xBF;
}

// Length of the well-formed character at bytes[i], or 0 when the bytes there are malformed or truncated.
size_t valid_sequence_at(std::span<const uint8_t> bytes, size_t i) {
    const size_t n = sequence_length(bytes[i]);
    if (n == 0 || i + n > bytes.size()) return 0;
    for (size_t k = 1; k < n; ++k)
        if (!continues(bytes[i], k, bytes[i + k])) return 0;
    return n;
}

// Byte length of the control character (see utf8.h) at bytes[i], or 0.
size_t control_at(std::span<const uint8_t> bytes, size_t i) {
    const uint8_t b = bytes[i];
    if (b < 0x20 || b == 0x7F) return 1;
    if (b == 0xC2 && i + 1 < bytes.size() && bytes[i + 1] >= 0x80 && bytes[i + 1] <= 0x9F) return 2;
    return 0;
}

size_t line_of(std::span<const uint8_t> bytes, size_t offset) {
    size_t line = 1;
    for (size_t i = 0; i < offset && i < bytes.size(); ++i) line += bytes[i] == '\n';
    return line;
}

std::string hex_byte(uint8_t b) {
    static constexpr char hex[] = "0123456789ABCDEF";
    return std::string("0x") + hex[b >> 4] + hex[b & 15];
}

std::string size_in_mb(size_t bytes) {
    // One decimal is enough to tell a learner how far over the limit they are.
    const size_t tenths = (bytes * 10 + 512 * 1024) / (1024 * 1024);
    return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " MB";
}

// "10.5 MB; the limit is 10.0 MB", or in bytes when one decimal would show the same number twice
// ("10,485,761 bytes; the limit is 10,485,760 bytes": one byte over is still over).
std::string size_against_limit(size_t bytes, size_t limit) {
    if (size_in_mb(bytes) != size_in_mb(limit)) return size_in_mb(bytes) + "; the limit is " + size_in_mb(limit);
    const auto grouped = [](size_t n) {
        std::string digits = std::to_string(n), out;
        for (size_t i = 0; i < digits.size(); ++i) {
            if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
            out += digits[i];
        }
        return out;
    };
    return grouped(bytes) + " bytes; the limit is " + grouped(limit) + " bytes";
}

}  // namespace

bool is_valid_utf8(std::span<const uint8_t> bytes, size_t* first_bad) {
    size_t i = 0;
    while (i < bytes.size()) {
        if (bytes[i] < 0x80) {  // ASCII fast path: most text is mostly ASCII
            ++i;
            continue;
        }
        const size_t n = valid_sequence_at(bytes, i);
        if (n == 0) {
            if (first_bad) *first_bad = i;
            return false;
        }
        i += n;
    }
    return true;
}

void append_utf8(std::string& out, char32_t cp) {
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) cp = kReplacementCharacter;
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

void Utf8StreamDecoder::feed_into(std::string& out, uint8_t byte) {
    if (pending_size_ > 0) {
        if (continues(pending_[0], pending_size_, byte)) {
            pending_[pending_size_++] = byte;
            if (pending_size_ == expected_size_) {
                out.append(reinterpret_cast<const char*>(pending_), pending_size_);
                pending_size_ = 0;
            }
            return;
        }
        // The held bytes are a maximal subpart that cannot be completed: one U+FFFD for all of them,
        // then this byte starts afresh (it may well be a valid lead or ASCII).
        out += kReplacementUtf8;
        pending_size_ = 0;
    }
    const size_t n = sequence_length(byte);
    if (n == 1) {
        out += static_cast<char>(byte);
    } else if (n == 0) {
        out += kReplacementUtf8;
    } else {
        pending_[0] = byte;
        pending_size_ = 1;
        expected_size_ = n;
    }
}

std::string Utf8StreamDecoder::feed(uint8_t byte) {
    std::string out;
    feed_into(out, byte);
    return out;
}

std::string Utf8StreamDecoder::feed(std::span<const uint8_t> bytes) {
    std::string out;
    out.reserve(bytes.size());
    for (uint8_t b : bytes) feed_into(out, b);
    return out;
}

std::string Utf8StreamDecoder::flush() {
    std::string out;
    if (pending_size_ > 0) out = kReplacementUtf8;
    pending_size_ = 0;
    return out;
}

std::string display_text(std::span<const uint8_t> bytes) {
    Utf8StreamDecoder decoder;
    std::string out = decoder.feed(bytes);
    out += decoder.flush();
    return out;
}

std::string display_text_partial(std::span<const uint8_t> bytes) {
    Utf8StreamDecoder decoder;
    return decoder.feed(bytes);
}

namespace {
// Printable ASCII plus tab, LF and form feed: bytes the sanitizer keeps exactly as they are.
constexpr bool is_plain_ascii(uint8_t b) { return (b >= 0x20 && b < 0x7F) || b == '\t' || b == '\n' || b == '\f'; }

// End of the run of plain ASCII bytes starting at `i`. Eight bytes at a time while every byte of the word
// is printable (0x20..0x7E), found with the classic "has a byte less / more than n" word tricks.
size_t plain_ascii_run_end(std::span<const uint8_t> bytes, size_t i) {
    constexpr uint64_t kOnes = 0x0101010101010101ull, kHighs = 0x8080808080808080ull;
    while (i + 8 <= bytes.size()) {
        uint64_t w;
        std::memcpy(&w, bytes.data() + i, 8);
        const uint64_t below_space = (w - kOnes * 0x20) & ~w & kHighs;
        const uint64_t above_tilde = ((w + kOnes * (127 - 0x7E)) | w) & kHighs;
        if ((below_space | above_tilde) == 0) {
            i += 8;
            continue;
        }
        // A tab, line end or non-ASCII byte in this word: byte by byte up to the end of the word.
        for (const size_t word_end = i + 8; i < word_end; ++i)
            if (!is_plain_ascii(bytes[i])) return i;
    }
    while (i < bytes.size() && is_plain_ascii(bytes[i])) ++i;
    return i;
}
}  // namespace

SanitizedText sanitize_user_text(std::span<const uint8_t> bytes, size_t max_bytes) {
    SanitizedText result;
    auto fail = [&](size_t offset, std::string message) {
        result.text.clear();
        result.error = std::move(message);
        result.error_offset = offset;
        return result;
    };
    if (bytes.size() > max_bytes)
        return fail(max_bytes, "The text is " + size_against_limit(bytes.size(), max_bytes) + ". Use a shorter excerpt.");
    size_t start = 0;
    if (bytes.size() >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF) start = 3;  // BOM
    if (bytes.size() == start) return fail(0, "The text is empty.");

    // A NUL anywhere means a binary file (images, PDFs, Word documents); say so rather than pointing at
    // whichever byte first breaks UTF-8, which would be a confusing message for a picture.
    if (const void* nul = std::memchr(bytes.data(), 0, bytes.size())) {
        const size_t at = static_cast<size_t>(static_cast<const uint8_t*>(nul) - bytes.data());
        return fail(at, "This looks like a binary file, not text: byte " + std::to_string(at) +
                            " is a NUL (0x00). Upload a plain-text file (.txt) saved as UTF-8.");
    }

    result.text.reserve(bytes.size() - start);
    size_t i = start;
    while (i < bytes.size()) {
        // Most text is long runs of printable ASCII: copy each run in one go. A 10 MB upload is checked in
        // one call while the page waits, so this loop is what keeps the page from freezing.
        const size_t run_end = plain_ascii_run_end(bytes, i);
        if (run_end > i) {
            result.text.append(reinterpret_cast<const char*>(bytes.data() + i), run_end - i);
            i = run_end;
            continue;
        }
        const uint8_t b = bytes[i];
        if (b < 0x80) {
            const bool control = b < 0x20 || b == 0x7F;
            if (control && b != '\t' && b != '\n' && b != '\r' && b != '\f')
                return fail(i, "This looks like a binary file, not text: byte " + std::to_string(i) + " (line " +
                                   std::to_string(line_of(bytes, i)) + ") is the control character " + hex_byte(b) +
                                   ". Upload a plain-text file (.txt) saved as UTF-8.");
            if (b == '\r') {
                // Windows (CRLF) and old Mac (CR) line ends both become LF, so the model sees one kind.
                result.text += '\n';
                i += (i + 1 < bytes.size() && bytes[i + 1] == '\n') ? 2 : 1;
                continue;
            }
            result.text += static_cast<char>(b);
            ++i;
            continue;
        }
        const size_t n = valid_sequence_at(bytes, i);
        if (n == 0)
            return fail(i, "The text is not valid UTF-8 at byte " + std::to_string(i) + " (line " +
                               std::to_string(line_of(bytes, i)) + ", byte value " + hex_byte(b) +
                               "). Save the file with UTF-8 encoding and try again.");
        result.text.append(reinterpret_cast<const char*>(bytes.data() + i), n);
        i += n;
    }
    return result;
}

size_t first_control_character(std::string_view text) {
    const std::span<const uint8_t> bytes = as_bytes(text);
    for (size_t i = 0; i < bytes.size(); ++i)
        if (control_at(bytes, i)) return i;
    return std::string_view::npos;
}

std::string escape_control_characters(std::span<const uint8_t> bytes, std::string_view keep) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(bytes.size());
    auto escape = [&](uint8_t b) { out += {'\\', 'x', hex[b >> 4], hex[b & 15]}; };
    for (size_t i = 0; i < bytes.size();) {
        const size_t n = valid_sequence_at(bytes, i);
        const bool control = n > 0 && control_at(bytes, i) == n;
        if (n == 0 || (control && (n > 1 || keep.find(static_cast<char>(bytes[i])) == std::string_view::npos))) {
            for (size_t k = 0; k < std::max<size_t>(n, 1); ++k) escape(bytes[i + k]);
            i += std::max<size_t>(n, 1);
        } else {
            out.append(reinterpret_cast<const char*>(bytes.data() + i), n);
            i += n;
        }
    }
    return out;
}

size_t utf8_prefix_length(std::string_view text, size_t max_bytes) {
    if (text.size() <= max_bytes) return text.size();
    size_t n = max_bytes;
    // Back off over continuation bytes (10xxxxxx): the cut then falls before the character they belong to.
    while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
    return n;
}

}  // namespace knobs
