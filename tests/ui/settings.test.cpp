// The one settings table (src/app/settings.h): its rows against a fresh app, the value checks, the
// conversions to the app's and the link's fields, and the key table of docs/embedding.md.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <locale>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "app/app.h"
#include "app/i18n.h"
#include "app/settings.h"
#include "app/url_state.h"
#include "catch_amalgamated.hpp"
#include "fresh_app.h"

using namespace knobs;
using knobs::testing::fresh_app;
using Catch::Matchers::StartsWith;

namespace {

const SettingSpec& row(size_t i) { return settings_table()[i]; }
size_t row_count() { return settings_table().size(); }

// A value the row accepts that differs from its fallback.
SettingValue other_value(const SettingSpec& spec) {
    switch (spec.kind) {
        case SettingKind::integer: {
            const auto hi = static_cast<long long>(spec.hi);
            return std::get<long long>(spec.fallback) == hi ? static_cast<long long>(spec.lo) : hi;
        }
        case SettingKind::real: return std::get<double>(spec.fallback) == spec.hi ? (spec.lo + spec.hi) / 4 : spec.hi;
        case SettingKind::toggle: return !std::get<bool>(spec.fallback);
        case SettingKind::choice: {
            const std::string last(spec.choices.back());
            return std::get<std::string>(spec.fallback) == last ? std::string(spec.choices.front()) : last;
        }
        case SettingKind::text: return std::string("a tab\there, a line\nthere, ç");
    }
    return {};
}

bool accepted(const SettingSpec& spec, const SettingValue& v) { return check_setting_value(spec, v).empty(); }

// The float just below or above a real row's bound: what the app would hold one step outside it.
double float_step(double bound, double toward) {
    return static_cast<double>(std::nextafter(static_cast<float>(bound), static_cast<float>(toward)));
}

}  // namespace

TEST_CASE("[settings] the table has each key once and well-formed rows", "[settings]") {
    REQUIRE(row_count() == 31);  // a new setting is one row here, and this count
    std::set<std::string_view> keys;
    for (const SettingSpec& spec : settings_table()) {
        INFO(spec.key);
        CHECK(keys.insert(spec.key).second);
        CHECK(find_setting(spec.key) == &spec);
        CHECK(accepted(spec, spec.fallback));
        CHECK(std::string(spec.doc).size() > 0);
        const bool number = spec.kind == SettingKind::integer || spec.kind == SettingKind::real;
        CHECK((number ? spec.lo <= spec.hi && std::string(spec.format).starts_with("%") : spec.format == std::string()));
        CHECK(spec.choices.empty() == (spec.kind != SettingKind::choice));
        CHECK(std::string_view(setting_group_key(spec.group)) != "?");
    }
    CHECK(find_setting("run") == nullptr);  // link-only keys are not settings
    CHECK(find_setting("") == nullptr);
    CHECK(find_setting("lr")->scale == SliderScale::log);
}

TEST_CASE("[settings] every label and help key has a string in every language", "[settings]") {
    const MissingStrings missing;  // records what tr() could not find while this lives
    for (const SettingSpec& spec : settings_table()) {
        INFO(spec.key);
        for (const std::string& lang : supported_languages()) {
            CHECK(std::string(tr(lang, spec.label_key)) != spec.label_key);
            if (*spec.help_key) CHECK(std::string(tr(lang, spec.help_key)) != spec.help_key);
        }
    }
    CHECK(missing.keys().empty());
    for (std::string_view lang : find_setting("lang")->choices) CHECK(is_supported_language(std::string(lang)));
}

TEST_CASE("[settings] every row's fallback is a fresh app's value", "[settings]") {
    const auto s = fresh_app();
    for (const SettingSpec& spec : settings_table()) {
        INFO(spec.key);
        CHECK(setting_value(*s, spec) == normalize_setting_value(spec, spec.fallback));
        CHECK_FALSE(setting_locked(*s, spec.key));
    }
}

TEST_CASE("[settings] check_setting_value accepts the bounds and refuses just outside them", "[settings]") {
    const SettingSpec& spec = row(GENERATE(range<size_t>(0, 30)));
    INFO(spec.key);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    switch (spec.kind) {
        case SettingKind::integer: {
            const auto lo = static_cast<long long>(spec.lo), hi = static_cast<long long>(spec.hi);
            CHECK(accepted(spec, lo));
            CHECK(accepted(spec, hi));
            CHECK(accepted(spec, static_cast<double>(hi)));  // a whole number sent as a JSON double
            CHECK_FALSE(accepted(spec, lo - 1));
            CHECK_FALSE(accepted(spec, hi + 1));
            CHECK_FALSE(accepted(spec, static_cast<double>(lo) + 0.5));
            CHECK_FALSE(accepted(spec, nan));
            CHECK_FALSE(accepted(spec, std::numeric_limits<double>::infinity()));
            CHECK_FALSE(accepted(spec, true));
            CHECK_FALSE(accepted(spec, std::to_string(lo)));
            break;
        }
        case SettingKind::real:
            CHECK(accepted(spec, spec.lo) != spec.lo_open);
            CHECK(accepted(spec, spec.hi));
            CHECK(accepted(spec, static_cast<long long>(spec.hi)));  // an integer is a real number too
            if (spec.lo_open) CHECK(accepted(spec, float_step(spec.lo, spec.hi)));
            else CHECK_FALSE(accepted(spec, float_step(spec.lo, -1e9)));
            CHECK_FALSE(accepted(spec, float_step(spec.hi, 1e9)));
            CHECK_FALSE(accepted(spec, nan));
            CHECK_FALSE(accepted(spec, -std::numeric_limits<double>::infinity()));
            CHECK_FALSE(accepted(spec, false));
            CHECK_FALSE(accepted(spec, std::string("0.5")));
            break;
        case SettingKind::toggle:
            CHECK(accepted(spec, true));
            CHECK(accepted(spec, false));
            CHECK_FALSE(accepted(spec, 1LL));
            CHECK_FALSE(accepted(spec, std::string("1")));
            break;
        case SettingKind::choice:
            for (std::string_view c : spec.choices) CHECK(accepted(spec, std::string(c)));
            CHECK_FALSE(accepted(spec, std::string("nope")));
            CHECK_FALSE(accepted(spec, std::string(spec.choices[0]) + " "));
            CHECK_FALSE(accepted(spec, 0LL));
            CHECK_FALSE(accepted(spec, true));
            break;
        case SettingKind::text:
            CHECK(accepted(spec, std::string("tab\tand line\nbreak")));
            CHECK(accepted(spec, std::string(kMaxLinkPromptBytes, 'a')));
            CHECK_FALSE(accepted(spec, std::string(kMaxLinkPromptBytes + 1, 'a')));
            CHECK_FALSE(accepted(spec, std::string("bell\a")));
            CHECK_FALSE(accepted(spec, std::string("\xff")));
            CHECK_FALSE(accepted(spec, 5LL));
            break;
    }
    CHECK_THAT(check_setting_value(spec, nan), StartsWith(std::string(spec.key) + ": "));
}

TEST_CASE("[settings] refusals name the key and the allowed values", "[settings]") {
    // Bounds are written as a link writes numbers (the shortest text that reads back: 10 is "1e1").
    CHECK(check_setting_value(*find_setting("lr"), 12.0) == "lr: 12 is not above 0 and at most 1e1");
    CHECK(check_setting_value(*find_setting("batch"), 65LL) == "batch: 65 is not from 1 to 64");
    CHECK(check_setting_value(*find_setting("batch"), 2.5) == "batch: 2.5 is not a whole number from 1 to 64");
    CHECK(check_setting_value(*find_setting("size"), std::string("XL")) == "size: \"XL\" is not S, M, L or custom");
    CHECK(check_setting_value(*find_setting("greedy"), 1LL) == "greedy: 1 is not true or false");
    CHECK(check_setting_value(*find_setting("prompt"), std::string("a\x01")) ==
          "prompt: contains a control character (byte 1)");
    CHECK(setting_range_text(*find_setting("ftcorpus")) == "portuguese, course or user");
}

TEST_CASE("[settings] normalize gives the row's own kind and the app's precision", "[settings]") {
    CHECK(normalize_setting_value(*find_setting("batch"), 5.0) == SettingValue(5LL));
    CHECK(normalize_setting_value(*find_setting("temp"), 1LL) == SettingValue(1.0));
    CHECK(normalize_setting_value(*find_setting("lr"), 0.003) == SettingValue(static_cast<double>(0.003f)));
    CHECK(normalize_setting_value(*find_setting("size"), std::string("M")) == SettingValue(std::string("M")));
    CHECK(normalize_setting_value(*find_setting("chat"), true) == SettingValue(true));
}

TEST_CASE("[settings] store_setting then setting_value round-trips for every row", "[settings]") {
    const SettingSpec& spec = row(GENERATE(range<size_t>(0, 30)));
    INFO(spec.key);
    auto s = fresh_app();
    const SettingValue v = other_value(spec);
    REQUIRE(accepted(spec, v));
    store_setting(*s, spec, v);
    CHECK(setting_value(*s, spec) == normalize_setting_value(spec, v));
    // Only this row's field changed.
    const auto fresh = fresh_app();
    for (const SettingSpec& other : settings_table())
        if (other.key != spec.key) CHECK(setting_value(*s, other) == setting_value(*fresh, other));
    // A refused value changes nothing.
    store_setting(*s, spec, std::numeric_limits<double>::quiet_NaN());
    CHECK(setting_value(*s, spec) == normalize_setting_value(spec, v));
}

TEST_CASE("[settings] link_setting and set_link_setting round-trip for every row", "[settings]") {
    const SettingSpec& spec = row(GENERATE(range<size_t>(0, 30)));
    INFO(spec.key);
    UrlState u;
    CHECK_FALSE(link_setting(u, spec));
    const SettingValue v = other_value(spec);
    set_link_setting(u, spec, v);
    REQUIRE(link_setting(u, spec));
    CHECK(*link_setting(u, spec) == normalize_setting_value(spec, v));
    for (const SettingSpec& other : settings_table())
        if (other.key != spec.key) CHECK_FALSE(link_setting(u, other));
    set_link_setting(u, spec, std::nullopt);
    CHECK(u == UrlState{});
}

TEST_CASE("[settings] setting_value_text is what encode_fragment writes", "[settings]") {
    const SettingSpec& spec = row(GENERATE(range<size_t>(0, 30)));
    INFO(spec.key);
    const SettingValue v = other_value(spec);
    UrlState u;
    set_link_setting(u, spec, v);
    const std::set<std::string_view> architecture = {"layers", "heads", "width", "context"};
    if (architecture.contains(spec.key)) u.size = SizePreset::custom;  // they travel only with a custom model
    const std::string fragment = encode_fragment(u) + "&";
    CHECK(fragment.find("&" + std::string(spec.key) + "=" + percent_encode(setting_value_text(spec, v)) + "&") !=
          std::string::npos);
    CHECK(setting_value_text(spec, spec.fallback) != "");
}

TEST_CASE("[settings] the state JSON has every row's value and lock", "[settings]") {
    auto s = fresh_app();
    s->link.locked = {"lr", "prompt"};
    store_setting(*s, *find_setting("size"), std::string("M"));
    JsonWriter w;
    write_settings_state(w, *s);
    const auto j = nlohmann::json::parse(w.take());
    REQUIRE(j.size() == row_count());
    for (const SettingSpec& spec : settings_table()) {
        INFO(spec.key);
        const auto& item = j.at(std::string(spec.key));
        CHECK(item.at("locked") == (spec.key == "lr" || spec.key == "prompt"));
        const SettingValue v = setting_value(*s, spec);
        if (const double* real = std::get_if<double>(&v)) {
            // Reals are floats in the app and written as the float's shortest decimal: the same float back.
            CHECK(static_cast<float>(item.at("value").get<double>()) == static_cast<float>(*real));
        } else {
            std::visit([&](const auto& x) { CHECK(item.at("value") == x); }, v);
        }
    }
    CHECK(j["lr"]["value"] == 0.01);  // as a link writes it, not 0.009999999776482582
    CHECK(j["size"]["value"] == "M");
    CHECK(setting_locked(*s, "lr"));
    CHECK_FALSE(setting_locked(*s, "seed"));
}

// ---- docs/embedding.md's key table ------------------------------------------------------------------------
namespace {

struct DocRow {
    std::string key, value, fallback, meaning;
};

std::string trimmed(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return std::string(s);
}

std::string without_backticks(std::string s) {
    std::erase(s, '`');
    return s;
}

// The words written in backticks, split at spaces: "`a` \| `b c`" -> a, b, c.
std::vector<std::string> code_words(const std::string& cell) {
    std::vector<std::string> words;
    bool inside = false;
    std::string word;
    for (char c : cell + " ") {
        if (c == '`') inside = !inside;
        else if (inside && c != ' ') word += c;
        if ((c == ' ' || c == '`') && !word.empty()) words.push_back(std::exchange(word, {}));
    }
    return words;
}

// The rows of the "Keys (version 2)" table: key, value, default, meaning ("\|" inside a cell is a pipe).
std::vector<DocRow> doc_key_rows(const std::string& markdown) {
    std::vector<DocRow> rows;
    const size_t start = markdown.find("### Keys (version 2)");
    const size_t end = markdown.find("\n### ", start + 1);
    std::istringstream lines(markdown.substr(start, end - start));
    for (std::string line; std::getline(lines, line);) {
        if (!line.starts_with("| `")) continue;
        std::vector<std::string> cells;
        std::string cell;
        for (size_t i = 1; i < line.size(); ++i) {
            if (line[i] == '|' && line[i - 1] != '\\') cells.push_back(trimmed(std::exchange(cell, {})));
            else cell += line[i];
        }
        REQUIRE(cells.size() == 4);
        rows.push_back({without_backticks(cells[0]), cells[1], cells[2], cells[3]});
    }
    return rows;
}

// A bound as the table writes it: 10, 0.05, 2147483647.
std::string plain(double x) {
    std::ostringstream out;
    out.imbue(std::locale::classic());
    out << std::setprecision(15) << x;
    return out.str();
}

std::string read_doc(const char* relative) {
    std::ifstream in(std::string(KNOBS_SOURCE_DIR) + "/" + relative, std::ios::binary);
    std::ostringstream all;
    all << in.rdbuf();
    return all.str();
}

}  // namespace

TEST_CASE("[settings] docs/embedding.md's key table matches the settings table", "[settings][docs]") {
    const std::vector<DocRow> doc = doc_key_rows(read_doc("docs/embedding.md"));
    REQUIRE(doc.size() > row_count());
    // Keys a link carries that are not settings; every other row of the table must be one.
    const std::set<std::string> link_only = {"v", "panel", "corpus_url", "content", "run", "embed", "hide", "lock", "host"};
    std::vector<std::string> documented;
    for (const DocRow& r : doc) {
        INFO(r.key);
        if (link_only.contains(r.key)) continue;
        documented.push_back(r.key);
        const SettingSpec* spec = find_setting(r.key);
        REQUIRE(spec);  // a row for a key that is not a setting
        CHECK(r.meaning == spec->doc);
        // The default: the receiver's own for view keys (a link sets them one by one), else the fallback.
        CHECK(without_backticks(r.fallback) == (spec->group == SettingGroup::view
                                                    ? "the receiver's own"
                                                    : setting_value_text(*spec, spec->fallback)));
        // The range, as the table writes it; a cell may add a condition after it ("16–256, divisible by ...").
        const std::string lo = plain(spec->lo), hi = plain(spec->hi);
        switch (spec->kind) {
            case SettingKind::integer:
            case SettingKind::real:
                CHECK_THAT(r.value, StartsWith(spec->lo_open ? "above " + lo + ", at most " + hi : lo + "–" + hi));
                break;
            case SettingKind::toggle: CHECK(r.value == "`0` \\| `1`"); break;
            case SettingKind::choice:
                CHECK(code_words(r.value) == std::vector<std::string>(spec->choices.begin(), spec->choices.end()));
                break;
            case SettingKind::text:
                CHECK(r.value == "UTF-8 text, up to " + std::to_string(kMaxLinkPromptBytes) + " bytes");
                break;
        }
    }
    std::vector<std::string> table;
    for (const SettingSpec& spec : settings_table()) table.emplace_back(spec.key);
    CHECK(documented == table);  // none missing, none extra, in the table's order

    const auto lock = std::find_if(doc.begin(), doc.end(), [](const DocRow& r) { return r.key == "lock"; });
    REQUIRE(lock != doc.end());
    CHECK(code_words(lock->value) == lockable_keys());
}
