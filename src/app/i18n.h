// App UI strings by key, from content/ui/<lang>.json (embedded at build time). The authorable lesson
// content (content/<lang>.json) has its own loader in src/lesson.
#pragma once
#include <string>
#include <vector>

namespace knobs {

// The string for `key` in `lang`; falls back to English, then to the key itself (so a missing string is
// visible on screen and caught by the i18n test rather than crashing).
const char* tr(const std::string& lang, const char* key);
// Keys asked for but absent in the requested language ("pt-BR:about.title"), for the i18n test.
std::vector<std::string> missing_strings();
void clear_missing_strings();
std::vector<std::string> supported_languages();  // {"en", "pt-BR"}
bool is_supported_language(const std::string& lang);
// Picks a supported language for a BCP 47 tag from the browser ("pt", "pt-PT", "en-GB" ...).
std::string best_language_for(const std::string& tag);

}  // namespace knobs
