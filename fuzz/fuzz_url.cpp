// libFuzzer target: links (URL fragments) from anyone — decode_fragment, encode_fragment, canonical and the
// percent-escapes behind them (src/app/url_state.h).
//
// Invariants:
//   * decoding never crashes or throws, whatever the text;
//   * a refused fragment (too long) yields an empty state and says so;
//   * every notice is non-empty, valid UTF-8 text without control characters (it is shown as is);
//   * whatever decodes, encodes and decodes again to the same (canonical) state, cleanly — no notices, the
//     current version — and encoding that again gives the same text (encode is a fixed point);
//   * canonical() is idempotent, and a fresh app's defaults encode to the bare "#v=2";
//   * percent_decode(percent_encode(x)) == x for any bytes x, and the encoding uses only safe characters.
#include <cstdint>
#include <string>
#include <string_view>

#include "app/url_state.h"
#include "core/utf8.h"
#include "fuzz_check.h"

using namespace knobs;

namespace {

bool plain_text(std::string_view s) {
    if (!is_valid_utf8(as_bytes(s))) return false;
    for (unsigned char c : s)
        if (c < 0x20 || c == 0x7F) return false;
    return true;
}

bool url_safe(std::string_view s) {
    for (unsigned char c : s) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                        c == '.' || c == '_' || c == '~' || c == ':' || c == '/' || c == '%';
        if (!ok) return false;
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const bool empty_link_checked = [] {
        FUZZ_REQUIRE(encode_fragment(UrlState{}) == "#v=" + std::to_string(kUrlSchemaVersion), "an untouched app encodes to the bare version");
        return true;
    }();
    (void)empty_link_checked;
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    const UrlDecode first = decode_fragment(text);
    for (const std::string& notice : first.notices)
        FUZZ_REQUIRE(!notice.empty() && plain_text(notice), "notices are plain, valid UTF-8 text");
    if (first.refused) {
        FUZZ_REQUIRE(first.state == UrlState{} && !first.notices.empty(), "a refused link loads nothing and says why");
        return 0;
    }

    const UrlState canon = canonical(first.state);
    FUZZ_REQUIRE(canonical(canon) == canon, "canonical() is idempotent");
    const std::string encoded = encode_fragment(first.state);
    FUZZ_REQUIRE(encoded.rfind("#v=" + std::to_string(kUrlSchemaVersion), 0) == 0, "an encoded link starts with its version");
    FUZZ_REQUIRE(encoded.size() <= kMaxFragmentChars, "an encoded link is short enough to be read back");
    const UrlDecode second = decode_fragment(encoded);
    FUZZ_REQUIRE(!second.refused, "an encoded link is not refused");
    FUZZ_REQUIRE(second.notices.empty(), "an encoded link decodes without notices");
    FUZZ_REQUIRE(second.version == kUrlSchemaVersion, "an encoded link has the current version");
    FUZZ_REQUIRE(second.state == canon, "decode, encode, decode gives the same state");
    FUZZ_REQUIRE(encode_fragment(second.state) == encoded, "encoding is a fixed point");

    // Percent-escapes on the raw bytes (any bytes at all, not only valid UTF-8).
    const std::string escaped = percent_encode(text);
    FUZZ_REQUIRE(url_safe(escaped), "percent_encode leaves only safe characters");
    std::string back;
    FUZZ_REQUIRE(percent_decode(escaped, &back) && back == text, "percent_decode inverts percent_encode");
    std::string ignored;
    (void)percent_decode(text, &ignored);  // arbitrary escapes: may fail, must not crash
    return 0;
}
