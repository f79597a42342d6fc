// A JSON writer that appends to one string as it goes, for the state snapshot the page API hands out
// (state_json) and command results.
//
// Why not build an nlohmann::json tree and dump it: the snapshot has a few hundred values, and a tree
// allocates for every one of them. The page asks for the state often (tests poll it, hosts read it), and
// under the sanitizers the command fuzzer spent most of its time building those trees.
//
// Output rules (the same as nlohmann's dump with error_handler_t::replace, so readers see no change):
//   * strings are UTF-8; " \ and control characters are escaped, other characters are written as they are;
//   * invalid UTF-8 is replaced by U+FFFD, one per maximal ill-formed subsequence (Unicode's recommended
//     practice), so text from files and users can never make the output invalid;
//   * a non-finite double is written as null; a finite one with 15 significant digits, or 16 or 17 when
//     fewer would not read back as the same double, and ".0" when the text would otherwise read as an
//     integer (std::to_chars would give the shortest text, but Emscripten's C++ library lacks it for
//     doubles).
// Structure is checked with asserts: keys only inside objects, one value per key, balanced ends.
#pragma once
#include <charconv>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace knobs {

class JsonWriter {
public:
    explicit JsonWriter(std::size_t reserve = 0) { out_.reserve(reserve); }

    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();
    JsonWriter& key(std::string_view name);

    JsonWriter& value(std::nullptr_t);
    JsonWriter& value(bool b);
    JsonWriter& value(double d);
    JsonWriter& value(std::string_view text);
    JsonWriter& value(const char* text) { return value(std::string_view(text)); }
    JsonWriter& value(const std::string& text) { return value(std::string_view(text)); }
    template <std::integral T>
        requires(!std::same_as<T, bool>)
    JsonWriter& value(T v) {
        before_value();
        char digits[24];  // the longest 64-bit integer, with its sign, is 20 characters
        const auto end = std::to_chars(digits, digits + sizeof digits, v).ptr;
        out_.append(digits, end);
        return *this;
    }
    JsonWriter& value(float f) { return value(static_cast<double>(f)); }

    // key(name) then value(v).
    template <class T>
    JsonWriter& field(std::string_view name, const T& v) {
        key(name);
        return value(v);
    }

    // The finished text. Every object and array must be closed.
    std::string take();

private:
    void before_value();   // a comma when needed; checks a value may go here
    void open(char bracket, bool is_object);
    void close(char bracket, bool is_object);
    void string(std::string_view text);

    static constexpr int kMaxDepth = 64;
    std::string out_;
    int depth_ = 0;
    std::uint64_t in_object_ = 0;   // bit d: the container at depth d+1 is an object
    std::uint64_t has_items_ = 0;   // bit d: the container at depth d+1 has an item already
    bool after_key_ = false;        // a key was written and waits for its value
    bool done_ = false;             // a top-level value was written
};

// Appends `text` to `out` as the body of a JSON string (no quotes), escaped as above.
void append_json_string_body(std::string& out, std::string_view text);

}  // namespace knobs
