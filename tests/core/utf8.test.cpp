#include "core/utf8.h"

#include <string>
#include <vector>

#include "catch_amalgamated.hpp"
#include "core/rng.h"

using namespace knobs;

namespace {

const std::string kFffd = "\xEF\xBF\xBD";

std::string repeat_fffd(int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += kFffd;
    return s;
}

bool valid(std::string_view s, size_t* first_bad = nullptr) { return is_valid_utf8(as_bytes(s), first_bad); }

}  // namespace

TEST_CASE("[core] utf8 accepts well-formed text", "[core][utf8]") {
    const std::string text = GENERATE(as<std::string>{}, "", "plain ascii .", "ação", "o professor lê o livro antigo .",
                                      "\x7F", "\xC2\x80", "\xDF\xBF", "\xE0\xA0\x80", "\xEF\xBF\xBF", "\xED\x9F\xBF",
                                      "\xEE\x80\x80", "\xF0\x90\x80\x80", "\xF4\x8F\xBF\xBF", "smile \xF0\x9F\x98\x80 ok");
    size_t first_bad = 12345;
    CHECK(valid(text, &first_bad));
    CHECK(first_bad == 12345);  // untouched on success
    CHECK(display_text(as_bytes(text)) == text);
    CHECK(display_text_partial(as_bytes(text)) == text);
}

TEST_CASE("[core] utf8 rejects malformed text at the right offset", "[core][utf8]") {
    struct Case {
        std::string bytes;
        size_t first_bad;
        std::string display;  // U+FFFD per maximal subpart
    };
    const Case c = GENERATE(values<Case>({
        {"a\x80z", 1, "a" + kFffd + "z"},                         // lone continuation byte
        {"\xC0\xAF", 0, repeat_fffd(2)},                          // overlong '/' (C0 can never start a sequence)
        {"\xC1\xBF", 0, repeat_fffd(2)},                          // overlong
        {"\xE0\x80\x80", 0, repeat_fffd(3)},                      // overlong 3-byte NUL
        {"\xED\xA0\x80", 0, repeat_fffd(3)},                      // UTF-16 surrogate U+D800
        {"\xF4\x90\x80\x80", 0, repeat_fffd(4)},                  // U+110000, above the Unicode range
        {"x\xF5\x80", 1, "x" + repeat_fffd(2)},                   // F5 can never start a sequence
        {"\xFF", 0, kFffd},                                       //
        {"ab\xE2\x82", 2, "ab" + kFffd},                          // truncated at the end: one U+FFFD
        {"\xE2\x82z", 0, kFffd + "z"},                            // interrupted: one U+FFFD, then the ASCII byte
        {"\xF0\x9F\x98\xC3\xA7", 0, kFffd + "\xC3\xA7"},          // interrupted by a valid "ç"
        {"\xC3", 0, kFffd},                                       //
        {"ok \xC3\xA7\xC3", 5, "ok \xC3\xA7" + kFffd},            //
    }));
    size_t first_bad = 999;
    CHECK_FALSE(valid(c.bytes, &first_bad));
    CHECK(first_bad == c.first_bad);
    CHECK(display_text(as_bytes(c.bytes)) == c.display);
    CHECK(valid(display_text(as_bytes(c.bytes))));
}

TEST_CASE("[core] utf8 append_utf8 encodes scalar values", "[core][utf8]") {
    const char32_t cp = GENERATE(char32_t{0x41}, char32_t{0x7F}, char32_t{0x80}, char32_t{0xE7}, char32_t{0x7FF},
                                 char32_t{0x800}, char32_t{0xFFFD}, char32_t{0xFFFF}, char32_t{0x10000},
                                 char32_t{0x1F600}, char32_t{0x10FFFF});
    std::string s;
    append_utf8(s, cp);
    const size_t expected_length = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    CHECK(s.size() == expected_length);
    CHECK(valid(s));
    SECTION("surrogates and out-of-range values become U+FFFD") {
        std::string bad;
        append_utf8(bad, 0xD800);
        append_utf8(bad, 0x110000);
        CHECK(bad == repeat_fffd(2));
    }
}

TEST_CASE("[core] utf8 stream decoder holds back partial characters", "[core][utf8]") {
    Utf8StreamDecoder decoder;
    SECTION("Portuguese: ção") {
        const std::string word = "ção";  // c3 a7 c3 a3 6f
        REQUIRE(word.size() == 5);
        CHECK(decoder.feed(uint8_t{0xC3}).empty());
        CHECK(decoder.pending() == 1);
        CHECK(decoder.feed(uint8_t{0xA7}) == "ç");
        CHECK(decoder.pending() == 0);
        CHECK(decoder.feed(uint8_t{0xC3}).empty());
        CHECK(decoder.feed(uint8_t{0xA3}) == "ã");
        CHECK(decoder.feed(uint8_t{'o'}) == "o");
        CHECK(decoder.flush().empty());
    }
    SECTION("emoji: three bytes held, the fourth releases it") {
        const std::string emoji = "\xF0\x9F\x98\x80";
        for (int i = 0; i < 3; ++i) {
            CHECK(decoder.feed(static_cast<uint8_t>(emoji[i])).empty());
            CHECK(decoder.pending() == static_cast<size_t>(i + 1));
        }
        CHECK(decoder.feed(static_cast<uint8_t>(emoji[3])) == emoji);
    }
    SECTION("an interrupted sequence becomes U+FFFD and the interrupting byte still shows") {
        CHECK(decoder.feed(uint8_t{0xE2}).empty());
        CHECK(decoder.feed(uint8_t{0x82}).empty());
        CHECK(decoder.feed(uint8_t{'a'}) == kFffd + "a");
        CHECK(decoder.feed(uint8_t{0xC3}).empty());
        CHECK(decoder.feed(uint8_t{0xF0}) == kFffd);  // a new lead byte interrupts "ç" and is held itself
        CHECK(decoder.pending() == 1);
        CHECK(decoder.flush() == kFffd);
        CHECK(decoder.pending() == 0);
    }
    SECTION("flush of an incomplete tail gives one U+FFFD") {
        CHECK(decoder.feed(as_bytes("ab\xF0\x9F")) == "ab");
        CHECK(decoder.pending() == 2);
        CHECK(decoder.flush() == kFffd);
        CHECK(decoder.flush().empty());
    }
    SECTION("display_text_partial leaves out only the incomplete tail") {
        CHECK(display_text_partial(as_bytes("lição\xC3")) == "lição");
        CHECK(display_text(as_bytes("lição\xC3")) == "lição" + kFffd);
    }
}

TEST_CASE("[core] utf8 streaming byte by byte equals whole-buffer decoding", "[core][utf8]") {
    const uint64_t seed = GENERATE(1, 2, 3, 4, 5, 6, 7, 8);
    Rng rng(seed);
    // Mostly bytes that matter for UTF-8 (leads, continuations, invalid bytes), some ASCII.
    std::vector<uint8_t> bytes(4000);
    for (auto& b : bytes) {
        const uint32_t kind = rng.below(4);
        b = kind == 0 ? static_cast<uint8_t>('a' + rng.below(26))
            : kind == 1 ? static_cast<uint8_t>(0x80 + rng.below(64))
            : kind == 2 ? static_cast<uint8_t>(0xC0 + rng.below(64))
                        : static_cast<uint8_t>(rng.below(256));
    }
    Utf8StreamDecoder decoder;
    std::string streamed;
    for (uint8_t b : bytes) {
        const std::string piece = decoder.feed(b);
        CHECK(valid(piece));  // every emitted piece is displayable on its own
        streamed += piece;
    }
    streamed += decoder.flush();
    CHECK(streamed == display_text(bytes));
    CHECK(valid(streamed));

    SECTION("valid text streams through unchanged, in any chunking") {
        std::string text;
        for (int i = 0; i < 500; ++i) {
            const char32_t cps[] = {U'a', U' ', U'ç', U'ã', U'é', U'€', U'\U0001F600', U'\U00010348'};
            append_utf8(text, cps[rng.below(8)]);
        }
        Utf8StreamDecoder chunked;
        std::string out;
        size_t i = 0;
        while (i < text.size()) {
            const size_t chunk = 1 + rng.below(5);
            out += chunked.feed(as_bytes(std::string_view(text).substr(i, chunk)));
            i += chunk;
        }
        out += chunked.flush();
        CHECK(out == text);
    }
}

TEST_CASE("[core] utf8 sanitizer accepts and normalises text", "[core][utf8]") {
    SECTION("plain UTF-8 passes unchanged") {
        const std::string text = "Olá! A lição de hoje: ação e reação.\n\tIndented 😀\n";
        const SanitizedText r = sanitize_user_text(text);
        REQUIRE(r.ok());
        CHECK(r.text == text);
    }
    SECTION("CRLF and lone CR become LF, a byte-order mark is dropped") {
        const SanitizedText r = sanitize_user_text(std::string_view("\xEF\xBB\xBFline one\r\nline two\rthree"));
        REQUIRE(r.ok());
        CHECK(r.text == "line one\nline two\nthree");
    }
}

TEST_CASE("[core] utf8 sanitizer rejects with clear messages and offsets", "[core][utf8]") {
    SECTION("empty text, or only a byte-order mark") {
        for (std::string_view s : {std::string_view(""), std::string_view("\xEF\xBB\xBF")}) {
            const SanitizedText r = sanitize_user_text(s);
            CHECK_FALSE(r.ok());
            CHECK(r.error.find("empty") != std::string::npos);
            CHECK(r.text.empty());
        }
    }
    SECTION("binary: a NUL byte anywhere, reported as binary even after invalid UTF-8") {
        const std::string png = std::string("\x89PNG\r\n\x1A\n", 8) + std::string("\0\0\0\rIHDR", 8);
        const SanitizedText r = sanitize_user_text(png);
        CHECK_FALSE(r.ok());
        CHECK(r.error_offset == 8);
        CHECK(r.error.find("binary") != std::string::npos);
        CHECK(r.error.find("byte 8") != std::string::npos);
    }
    SECTION("binary: a control character, with byte offset and line") {
        const SanitizedText r = sanitize_user_text(std::string_view("first line\nsecond \x07 line"));
        CHECK_FALSE(r.ok());
        CHECK(r.error_offset == 18);
        CHECK(r.error.find("byte 18") != std::string::npos);
        CHECK(r.error.find("line 2") != std::string::npos);
        CHECK(r.error.find("0x07") != std::string::npos);
    }
    SECTION("not UTF-8 (Latin-1 'ç'), with byte offset") {
        const SanitizedText r = sanitize_user_text(std::string_view("a li\xE7\xE3o"));
        CHECK_FALSE(r.ok());
        CHECK(r.error_offset == 4);
        CHECK(r.error.find("not valid UTF-8 at byte 4") != std::string::npos);
    }
    SECTION("over the size limit") {
        const SanitizedText small = sanitize_user_text(std::string(101, 'a'), 100);
        CHECK_FALSE(small.ok());
        CHECK(small.error.find("limit") != std::string::npos);
        const std::string big(kMaxUserTextBytes + 1, 'a');
        const SanitizedText r = sanitize_user_text(big);
        CHECK_FALSE(r.ok());
        // One byte over: in megabytes both sizes would read 10.0 MB, so the message gives bytes.
        CHECK(r.error.find("10,485,761 bytes; the limit is 10,485,760 bytes") != std::string::npos);
        const SanitizedText far = sanitize_user_text(std::string(kMaxUserTextBytes * 2, 'a'));
        CHECK(far.error.find("20.0 MB; the limit is 10.0 MB") != std::string::npos);
        CHECK(sanitize_user_text(std::string_view(big).substr(0, kMaxUserTextBytes)).ok());
    }
}

// The sanitizer checks eight bytes at a time on plain ASCII: every special byte must be found wherever it
// falls within a word, and nothing may be lost at the word boundaries or in the tail.
TEST_CASE("[core] utf8 sanitizer finds special bytes at every position of its word-at-a-time scan", "[core][utf8]") {
    const size_t length = GENERATE(1, 7, 8, 9, 23, 64);
    const size_t at = GENERATE(0, 1, 3, 7, 8, 15, 16, 22, 63);
    if (at >= length) return;
    const std::string plain(length, 'a');
    SECTION("a control byte is refused at its offset") {
        std::string text = plain;
        text[at] = '\x01';
        const SanitizedText t = sanitize_user_text(text);
        CHECK_FALSE(t.ok());
        CHECK(t.error_offset == at);
    }
    SECTION("a two-byte character is kept whole") {
        std::string text = plain;
        text.replace(at, 1, "\xC3\xA9");  // é
        CHECK(sanitize_user_text(text).text == text);
    }
    SECTION("CR becomes LF and tab, LF, form feed and DEL-free ASCII pass unchanged") {
        std::string text = plain;
        text[at] = '\r';
        std::string expected = plain;
        expected[at] = '\n';
        CHECK(sanitize_user_text(text).text == expected);
        text[at] = '\t';
        CHECK(sanitize_user_text(text).text == text);
    }
    SECTION("DEL (0x7F) is refused at its offset") {
        std::string text = plain;
        text[at] = '\x7F';
        const SanitizedText t = sanitize_user_text(text);
        CHECK_FALSE(t.ok());
        CHECK(t.error_offset == at);
    }
}

TEST_CASE("[core] utf8: control characters are found and escaped, plain text passes", "[core][utf8]") {
    CHECK(first_control_character("plain text, ação, 🙂") == std::string_view::npos);
    CHECK(first_control_character("ab\x1B[31m") == 2);
    CHECK(first_control_character("é\xC2\x9B") == 2);  // U+009B, the one-byte CSI of C1
    CHECK(first_control_character(std::string_view("a\0b", 3)) == 1);
    CHECK(first_control_character("\x7F") == 0);

    auto esc = [](std::string_view s, std::string_view keep = {}) { return escape_control_characters(as_bytes(s), keep); };
    CHECK(esc("plain text, ação, 🙂") == "plain text, ação, 🙂");
    CHECK(esc("\x1B[2Jred") == "\\x1B[2Jred");
    CHECK(esc("a\nb\tc") == "a\\x0Ab\\x09c");
    CHECK(esc("a\nb\tc", "\n\t") == "a\nb\tc");
    CHECK(esc("\xC2\x9B" "1m") == "\\xC2\\x9B1m");
    CHECK(esc("cut \xE2\x82") == "cut \\xE2\\x82");  // not UTF-8: each byte shown, none passed through
    CHECK(esc("\xFF\x7F") == "\\xFF\\x7F");
    // Whatever the bytes, the result holds no control character and is valid UTF-8.
    std::string all;
    for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
    const std::string out = esc(all + "\xC2\x85 \xF0\x9F\x99\x82");
    CHECK(first_control_character(out) == std::string_view::npos);
    CHECK(is_valid_utf8(as_bytes(out)));
}
