// App UI strings by key, from content/ui/<lang>.json (embedded at build time). The authorable lesson
// content (content/<lang>.json) has its own loader in src/lesson.
#pragma once
#include <set>
#include <string>
#include <vector>

namespace knobs {

// The string for `key` in `lang`; falls back to English, then to the key itself (so a missing string is
// visible on screen and caught by the i18n test rather than crashing).
const char* tr(const std::string& lang, const char* key);
// A count in words: the string `key`.one or `key`.other, by the language's plural rule (English: "one"
// for 1; Brazilian Portuguese, as CLDR has it: "one" for 0 and 1), with {n} replaced by the number.
std::string tr_count(const std::string& lang, const char* key, long long n);
// The app's languages, in the order the page lists them: the one list the settings table (lang=), the
// catalog the page reads and the language checks share.
const std::vector<std::string>& supported_languages();
bool is_supported_language(const std::string& lang);  // one of supported_languages()

// For the i18n tests: while one of these lives, tr() on its thread records each key it could not find in
// the requested language ("pt-BR:about.title"). The caller owns what was recorded; with no recorder alive
// (the app) tr() keeps nothing, so the app's memory does not grow with every miss.
class MissingStrings {
public:
    MissingStrings();
    ~MissingStrings();
    MissingStrings(const MissingStrings&) = delete;
    MissingStrings& operator=(const MissingStrings&) = delete;
    const std::set<std::string>& keys() const { return keys_; }

private:
    friend const char* tr(const std::string& lang, const char* key);
// A count in words: the string `key`.one or `key`.other, by the language's plural rule (English: "one"
// for 1; Brazilian Portuguese, as CLDR has it: "one" for 0 and 1), with {n} replaced by the number.
std::string tr_count(const std::string& lang, const char* key, long long n);
    std::set<std::string> keys_;
    MissingStrings* outer_;  // the recorder this one hides until it ends (recorders nest)
};

}  // namespace knobs
