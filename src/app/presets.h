// The preset gallery: named links. A preset is nothing more than a URL fragment (url_state.h) with a title
// and a one-line description (UI strings "preset.<id>.title" / "preset.<id>.desc" in content/ui/*.json),
// so anything a preset does, a shared link can do too, and loading one goes through the same decode and
// apply as any link.
#pragma once
#include <string>
#include <vector>

#include "app/app_state.h"

namespace knobs {

struct Preset {
    std::string id;         // stable, used by the load_preset command and in the string keys
    std::string fragment;   // "#v=2&..." exactly as a link would carry it
    std::string title_key;  // "preset.<id>.title"
    std::string desc_key;   // "preset.<id>.desc"
};

// In gallery order.
const std::vector<Preset>& presets();
// nullptr when no preset has that id.
const Preset* find_preset(const std::string& id);

// Decodes and applies a preset like a link. Returns the notices (none for the shipped presets) or, when the
// id is unknown, a single sentence listing the known ids with *ok set to false.
std::vector<std::string> load_preset(AppState& s, const std::string& id, bool* ok);

}  // namespace knobs
