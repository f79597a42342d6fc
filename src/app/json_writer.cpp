#include "app/json_writer.h"

#include <cassert>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace knobs {

namespace {

constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

bool is_continuation(unsigned char b) { return (b & 0xC0) == 0x80; }

// The length of the well-formed UTF-8 sequence that starts at text[i], or the length of its maximal
// ill-formed prefix as a negative number (at least one byte). Follows Unicode's table of well-formed byte
// sequences: no overlong forms (C0, C1, E0 80..9F, F0 80..8F), no surrogates (ED A0..BF), nothing past
// U+10FFFF (F4 90.., F5..FF).
int utf8_sequence(std::string_view text, std::size_t i) {
    const auto b = static_cast<unsigned char>(text[i]);
    int length = 0;
    unsigned char second_lo = 0x80, second_hi = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) length = 2;
    else if (b == 0xE0) length = 3, second_lo = 0xA0;
    else if (b == 0xED) length = 3, second_hi = 0x9F;
    else if (b >= 0xE1 && b <= 0xEF) length = 3;
    else if (b == 0xF0) length = 4, second_lo = 0x90;
    else if (b >= 0xF1 && b <= 0xF3) length = 4;
    else if (b == 0xF4) length = 4, second_hi = 0x8F;
    else return -1;  // a continuation byte on its own, C0, C1 or F5..FF
    for (int k = 1; k < length; ++k) {
        if (i + static_cast<std::size_t>(k) >= text.size()) return -k;
        const auto c = static_cast<unsigned char>(text[i + static_cast<std::size_t>(k)]);
        const bool fits = k == 1 ? (c >= second_lo && c <= second_hi) : is_continuation(c);
        if (!fits) return -k;
    }
    return length;
}

}  // namespace

void append_json_string_body(std::string& out, std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::size_t i = 0;
    while (i < text.size()) {
        // Runs of plain ASCII are the common case: copy them whole.
        std::size_t plain = i;
        while (plain < text.size()) {
            const auto c = static_cast<unsigned char>(text[plain]);
            if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) break;
            ++plain;
        }
        out.append(text.substr(i, plain - i));
        i = plain;
        if (i == text.size()) break;

        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            out.push_back('\\');
            switch (c) {
                case '"': out.push_back('"'); break;
                case '\\': out.push_back('\\'); break;
                case '\b': out.push_back('b'); break;
                case '\f': out.push_back('f'); break;
                case '\n': out.push_back('n'); break;
                case '\r': out.push_back('r'); break;
                case '\t': out.push_back('t'); break;
                default:
                    out.append("u00");
                    out.push_back(kHex[c >> 4]);
                    out.push_back(kHex[c & 0xF]);
            }
            ++i;
            continue;
        }
        const int n = utf8_sequence(text, i);
        if (n > 0) {
            out.append(text.substr(i, static_cast<std::size_t>(n)));
            i += static_cast<std::size_t>(n);
        } else {
            out.append(kReplacement);
            i += static_cast<std::size_t>(-n);
        }
    }
}

void JsonWriter::before_value() {
    if (depth_ == 0) {
        assert(!done_ && "a JSON text holds one top-level value");
        done_ = true;
        return;
    }
    const std::uint64_t bit = std::uint64_t{1} << (depth_ - 1);
    if (in_object_ & bit) {
        assert(after_key_ && "a value in an object needs a key first");
        after_key_ = false;
        return;  // the key wrote the comma
    }
    if (has_items_ & bit) out_.push_back(',');
    has_items_ |= bit;
}

JsonWriter& JsonWriter::key(std::string_view name) {
    assert(depth_ > 0 && (in_object_ & (std::uint64_t{1} << (depth_ - 1))) && "keys go in objects");
    assert(!after_key_ && "a key needs its value before the next key");
    const std::uint64_t bit = std::uint64_t{1} << (depth_ - 1);
    if (has_items_ & bit) out_.push_back(',');
    has_items_ |= bit;
    string(name);
    out_.push_back(':');
    after_key_ = true;
    return *this;
}

void JsonWriter::open(char bracket, bool is_object) {
    before_value();
    assert(depth_ < kMaxDepth && "JSON nested too deep for the writer");
    const std::uint64_t bit = std::uint64_t{1} << depth_;
    ++depth_;
    if (is_object) in_object_ |= bit;
    else in_object_ &= ~bit;
    has_items_ &= ~bit;
    out_.push_back(bracket);
}

void JsonWriter::close(char bracket, bool is_object) {
    assert(depth_ > 0 && "an end without a begin");
    [[maybe_unused]] const std::uint64_t bit = std::uint64_t{1} << (depth_ - 1);
    assert(((in_object_ & bit) != 0) == is_object && "ends must match their begins");
    assert(!after_key_ && "a key without a value");
    --depth_;
    out_.push_back(bracket);
}

JsonWriter& JsonWriter::begin_object() { open('{', true); return *this; }
JsonWriter& JsonWriter::end_object() { close('}', true); return *this; }
JsonWriter& JsonWriter::begin_array() { open('[', false); return *this; }
JsonWriter& JsonWriter::end_array() { close(']', false); return *this; }

void JsonWriter::string(std::string_view text) {
    out_.push_back('"');
    append_json_string_body(out_, text);
    out_.push_back('"');
}

JsonWriter& JsonWriter::value(std::nullptr_t) {
    before_value();
    out_.append("null");
    return *this;
}

JsonWriter& JsonWriter::value(bool b) {
    before_value();
    out_.append(b ? "true" : "false");
    return *this;
}

JsonWriter& JsonWriter::value(std::string_view text) {
    before_value();
    string(text);
    return *this;
}

JsonWriter& JsonWriter::value(double d) {
    if (!std::isfinite(d)) return value(nullptr);
    before_value();
    char buf[32];
    int n = 0;
    for (int digits = 15; digits <= 17; ++digits) {
        n = std::snprintf(buf, sizeof buf, "%.*g", digits, d);
        if (digits == 17 || std::strtod(buf, nullptr) == d) break;
    }
    std::string_view text(buf, static_cast<std::size_t>(n));
    out_.append(text);
    if (text.find_first_of(".eE") == std::string_view::npos) out_.append(".0");
    return *this;
}

std::string JsonWriter::take() {
    assert(depth_ == 0 && !after_key_ && "every object and array is closed");
    done_ = false;
    return std::move(out_);
}

}  // namespace knobs
