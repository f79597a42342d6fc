// Every setting a learner can change, described once. The sliders and fields of the lab panels, the link
// codec (decode, canonical form, encode: url_state.cpp), lock= and lockable_keys(), the set_setting
// command, the state JSON's "settings" object, the text version's native inputs and the key table in
// docs/embedding.md all read this one table. Adding a setting is one row here plus the code that uses
// its value.
#pragma once
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "app/json_writer.h"
#include "core/limits.h"

namespace knobs {

struct AppState;
struct UrlState;

// Groups matter to links: a link that mentions one key of a group sets the whole group (the keys it does
// not mention take their defaults), so a shared run is reproduced whatever the receiver had. View keys
// (language, theme) are set one by one.
enum class SettingGroup { view, pretrain, inference, knobs, finetune };
const char* setting_group_key(SettingGroup g);  // "view", "pretrain", ...

// integer: long long; real: double; toggle: bool; choice: std::string (one of `choices`); text: std::string.
enum class SettingKind { integer, real, toggle, choice, text };
using SettingValue = std::variant<long long, double, bool, std::string>;

enum class SliderScale { linear, log };

struct SettingSpec {
    std::string_view key;             // link key, lock= name, set_setting's "key", state JSON name
    SettingGroup group;
    SettingKind kind;
    double lo = 0, hi = 0;            // integer and real: the range, from core/limits.h
    bool lo_open = false;             // (lo, hi] instead of [lo, hi]
    std::span<const std::string_view> choices;  // choice: the accepted keys, in the control's order
    SettingValue fallback;            // a fresh app's value (a test checks it against the app's structs)
    const char* label_key;            // i18n key of the control's label (content/ui/*.json)
    const char* help_key;             // i18n key of its help tooltip; "" for none
    const char* format;               // integer and real: how the control prints the value ("%.5f", "%d")
    SliderScale scale = SliderScale::linear;
    const char* doc;                  // one line for docs/embedding.md's key table (English)
};

std::span<const SettingSpec> settings_table();
const SettingSpec* find_setting(std::string_view key);  // nullptr for an unknown key

// What the app holds now for this setting (for a pre-training setting: the panel's edited value).
SettingValue setting_value(const AppState& s, const SettingSpec& spec);
// "" when `v` is a value the row accepts (the right kind, in range, a known choice, valid text); otherwise a
// sentence naming the key and the allowed values ("lr: 12 is not above 0 and at most 10"). An integer row
// accepts a double holding a whole number, and a real row accepts an integer.
std::string check_setting_value(const SettingSpec& spec, const SettingValue& v);
// The value converted to the row's own kind (5.0 -> 5 for an integer row); call after check_setting_value.
SettingValue normalize_setting_value(const SettingSpec& spec, const SettingValue& v);
// Writes the app's field and nothing else: apply() (commands.h) checks locks and ranges first and owns the
// side effects (a new run, stopping a chat).
void store_setting(AppState& s, const SettingSpec& spec, const SettingValue& v);

// The link's field for this setting (url_state.h), as a SettingValue; nullopt when the link does not say it.
std::optional<SettingValue> link_setting(const UrlState& u, const SettingSpec& spec);
void set_link_setting(UrlState& u, const SettingSpec& spec, const std::optional<SettingValue>& v);

// The value as a link writes it ("0.003", "S", "1") and as a person reads it in a notice.
std::string setting_value_text(const SettingSpec& spec, const SettingValue& v);
// The allowed values in words: "from 1 to 64", "above 0 and at most 10", "S, M, L or custom".
std::string setting_range_text(const SettingSpec& spec);

// Whether lock= froze this setting in the app (the control is drawn read-only, its command refused).
bool setting_locked(const AppState& s, std::string_view key);
// The refusal every command gives for a locked setting: "lr: locked by this page; kept as it was."
std::string locked_message(const AppState& s, std::string_view key);

// The state JSON's "settings" object: for each row, {"value", "locked"} (state_json in commands.cpp).
void write_settings_state(JsonWriter& w, const AppState& s);

}  // namespace knobs
