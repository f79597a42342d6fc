// Small reusable pieces shared by the panels.
#pragma once
#include <string>

#include "app/app_state.h"
#include "imgui.h"

namespace knobs {

// A dimmed "(?)" whose tooltip carries the explanation, so panels stay short.
void HelpMarker(const char* text);
// Records the last item's rectangle (in CSS px) under `id` for tests and the accessibility mirror.
void RecordHit(AppState& s, const std::string& id);
// Wrapped body text in the dimmed colour.
void TextDim(const char* text);
// A pixel size from CSS pixels at the current DPR and UI scale.
float Px(const AppState& s, float css);

}  // namespace knobs

namespace knobs {
// A weights checksum as the app shows it everywhere: 16 hex digits in groups of four.
std::string checksum_text(uint64_t c);
}  // namespace knobs
