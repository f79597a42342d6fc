// The JSON writer behind state_json and command results. nlohmann's serializer (with invalid UTF-8
// replaced) is the reference: the writer must write the same string bodies, numbers that read back
// exactly, and structure that parses to the values written.
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "app/app.h"
#include "app/commands.h"
#include "app/json_writer.h"
#include "catch_amalgamated.hpp"

using namespace knobs;
using nlohmann::json;

namespace {

std::string reference_string(const std::string& text) {
    return json(text).dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string written_string(const std::string& text) {
    JsonWriter w;
    w.value(text);
    return w.take();
}

// Random bytes drawn mostly from the ones UTF-8 treats specially: ASCII and control characters, lone
// continuation bytes, overlong and surrogate leads (C0, C1, E0, ED), the edges of the 4-byte range (F0,
// F4, F5..FF), and well-formed sequences, so that a few hundred strings cover every branch.
std::string random_bytes(std::mt19937& rng) {
    static constexpr unsigned char kInteresting[] = {'a', 'Z', ' ', '"', '\\', '/', 0x00, 0x01, 0x08, 0x09, 0x0A,
                                                     0x0C, 0x0D, 0x1F, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF,
                                                     0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF,
                                                     0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF};
    static const std::string kWellFormed[] = {"\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xF4\x8F\xBF\xBF",
                                              "\xEF\xBF\xBD", "\xED\x9F\xBF", "\xE0\xA0\x80"};
    std::uniform_int_distribution<int> length(0, 24), pick(0, 9), interesting(0, sizeof kInteresting - 1),
        well_formed(0, std::size(kWellFormed) - 1), any_byte(0, 255);
    std::string s;
    for (int n = length(rng); n > 0; --n) {
        const int kind = pick(rng);
        if (kind < 6) s.push_back(static_cast<char>(kInteresting[interesting(rng)]));
        else if (kind < 8) s += kWellFormed[well_formed(rng)];
        else s.push_back(static_cast<char>(any_byte(rng)));
    }
    return s;
}

}  // namespace

TEST_CASE("[app] the JSON writer escapes strings as nlohmann's serializer does", "[app][json]") {
    SECTION("named cases") {
        const std::string text = GENERATE(as<std::string>{}, "", "plain", "quote \" and \\ backslash", "tab\tnew\nline",
                                          std::string("nul \0 byte", 10), "\x01\x1f\x7f", "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80",
                                          "\xC0\xAF",          // overlong '/': two replacements
                                          "\xED\xA0\x80",      // a surrogate: three
                                          "\xF0\x9F\x98",      // cut short at the end: one
                                          "\xF0\x9F\x98x",     // cut short before ASCII: one, then x
                                          "\xE0\x80\x80",      // overlong 3-byte form
                                          "\xF4\x90\x80\x80",  // past U+10FFFF
                                          "\xF5\xFF\xFE", "\x80\xBF lone continuations");
        CAPTURE(text);
        CHECK(written_string(text) == reference_string(text));
    }
    SECTION("random bytes") {
        const unsigned seed = GENERATE(1u, 2u, 3u, 4u, 5u);
        std::mt19937 rng(seed);
        for (int i = 0; i < 2000; ++i) {
            const std::string text = random_bytes(rng);
            CAPTURE(seed, i, json::binary_t(std::vector<std::uint8_t>(text.begin(), text.end())));
            REQUIRE(written_string(text) == reference_string(text));
        }
    }
}

TEST_CASE("[app] the JSON writer's numbers read back as the values written", "[app][json]") {
    SECTION("integers at their limits") {
        JsonWriter w;
        w.begin_array();
        w.value(std::numeric_limits<std::int64_t>::min()).value(std::numeric_limits<std::int64_t>::max());
        w.value(std::numeric_limits<std::uint64_t>::max()).value(0).value(-1).value(std::size_t{42});
        w.end_array();
        const json j = json::parse(w.take());
        CHECK(j[0].get<std::int64_t>() == std::numeric_limits<std::int64_t>::min());
        CHECK(j[1].get<std::int64_t>() == std::numeric_limits<std::int64_t>::max());
        CHECK(j[2].get<std::uint64_t>() == std::numeric_limits<std::uint64_t>::max());
        CHECK(j[3] == 0);
        CHECK(j[4] == -1);
        CHECK(j[5] == 42);
    }
    SECTION("doubles, bit for bit, and still doubles") {
        const unsigned seed = GENERATE(7u, 8u, 9u);
        std::mt19937_64 rng(seed);
        for (int i = 0; i < 5000; ++i) {
            // Random bit patterns reach every exponent; every fourth is a float, as most of the state is.
            double d = std::bit_cast<double>(rng());
            if (i % 4 == 0) d = static_cast<float>(std::bit_cast<float>(static_cast<std::uint32_t>(rng())));
            if (i % 7 == 0) d = std::round(d);  // integral values, which must keep a ".0"
            JsonWriter w;
            w.value(d);
            const std::string text = w.take();
            CAPTURE(d, text);
            const json j = json::parse(text);
            if (!std::isfinite(d)) {
                REQUIRE(j.is_null());
                continue;
            }
            REQUIRE(j.is_number_float());
            REQUIRE(std::bit_cast<std::uint64_t>(j.get<double>()) == std::bit_cast<std::uint64_t>(d));
        }
    }
    SECTION("short text for short values") {
        const auto [value, text] = GENERATE(table<double, std::string>({{0.1, "0.1"}, {1.0, "1.0"}, {-0.0, "-0.0"},
                                                                        {2.5e-7, "2.5e-07"}, {1e21, "1e+21"},
                                                                        {0.30000000000000004, "0.30000000000000004"}}));
        JsonWriter w;
        w.value(value);
        CHECK(w.take() == text);
    }
}

TEST_CASE("[app] the JSON writer's structure parses to what was written", "[app][json]") {
    JsonWriter w;
    w.begin_object();
    w.field("nothing", nullptr);
    w.key("nested").begin_object().key("list").begin_array();
    w.value(true).value("two").begin_object().end_object().begin_array().end_array().value(nullptr);
    w.end_array().end_object();
    w.field("last", 3.5);
    w.end_object();
    const std::string text = w.take();
    CHECK(text == R"({"nothing":null,"nested":{"list":[true,"two",{},[],null]},"last":3.5})");
    CHECK(json::parse(text) == json{{"nothing", nullptr},
                                    {"nested", {{"list", {true, "two", json::object(), json::array(), nullptr}}}},
                                    {"last", 3.5}});
}

TEST_CASE("[app] state_json stays valid JSON when the state holds invalid UTF-8", "[app][json]") {
    AppState s;
    app_init(s);
    s.notify("a file named \xFF\xFE.bin could not be read", true);
    s.hits["button\xC0"] = {1, 2, 3, 4};
    const std::string text = state_json(s);
    REQUIRE(json::accept(text));
    const json j = json::parse(text);
    CHECK(j["notices"].back()["text"] == "a file named \xEF\xBF\xBD\xEF\xBF\xBD.bin could not be read");
    CHECK(j["hit"].contains("button\xEF\xBF\xBD"));
    CHECK(j["hit"]["button\xEF\xBF\xBD"] == json{1.0, 2.0, 3.0, 4.0});
}
