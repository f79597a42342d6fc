#include "app/i18n.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>


extern const unsigned char kUiStrings_en[];
extern const std::size_t kUiStrings_en_size;
extern const unsigned char kUiStrings_pt_BR[];
extern const std::size_t kUiStrings_pt_BR_size;

namespace knobs {

namespace {
std::string_view embedded_strings(const std::string& lang) {
    if (lang == "pt-BR") return {reinterpret_cast<const char*>(kUiStrings_pt_BR), kUiStrings_pt_BR_size};
    return {reinterpret_cast<const char*>(kUiStrings_en), kUiStrings_en_size};
}

using StringTable = std::map<std::string, std::string, std::less<>>;

StringTable load_ui_strings(std::string_view json_text) {
    StringTable table;
    auto doc = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
    if (!doc.is_object()) return table;
    for (auto& [key, value] : doc.items())
        if (value.is_string()) table.emplace(key, value.get<std::string>());
    return table;
}

const StringTable& table_for(const std::string& lang) {
    static const StringTable en = load_ui_strings(embedded_strings("en"));
    static const StringTable pt = load_ui_strings(embedded_strings("pt-BR"));
    return lang == "pt-BR" ? pt : en;
}

thread_local MissingStrings* recorder = nullptr;  // the innermost live MissingStrings of this thread
}  // namespace

MissingStrings::MissingStrings() : outer_(recorder) { recorder = this; }
MissingStrings::~MissingStrings() { recorder = outer_; }

const char* tr(const std::string& lang, const char* key) {
    const auto& t = table_for(lang);
    if (auto it = t.find(key); it != t.end()) return it->second.c_str();
    if (recorder) recorder->keys_.insert(lang + ":" + key);
    const auto& en = table_for("en");
    if (auto it = en.find(key); it != en.end()) return it->second.c_str();
    return key;
}

std::string tr_count(const std::string& lang, const char* key, long long n) {
    const bool one = lang == "pt-BR" ? (n == 0 || n == 1) : n == 1;
    const std::string form = std::string(key) + (one ? ".one" : ".other");
    std::string text = tr(lang, form.c_str());
    const std::string number = std::to_string(n);
    for (size_t at = text.find("{n}"); at != std::string::npos; at = text.find("{n}", at + number.size()))
        text.replace(at, 3, number);
    return text;
}

const std::vector<std::string>& supported_languages() {
    static const std::vector<std::string> languages = {"en", "pt-BR"};
    return languages;
}

bool is_supported_language(const std::string& lang) {
    const auto& all = supported_languages();
    return std::find(all.begin(), all.end(), lang) != all.end();
}

}  // namespace knobs
