// Fonts, colours and sizes of the UI. Both themes' text/background pairs meet WCAG AA (4.5:1); the
// contrast test in tests/ui checks it in code.
#pragma once
#include "app/app_state.h"
#include "imgui.h"

namespace knobs {

struct Palette {
    ImVec4 bg, panel, panel_alt, text, text_dim, accent, accent_text, good, bad, warn, border;
};
const Palette& palette(Theme t);

// Rebuilds the font atlas for the current DPR and UI scale (call before NewFrame; the renderer must
// re-upload the texture afterwards). Returns true if it rebuilt.
bool rebuild_fonts_if_needed(AppState& s);
// Applies the theme and scales every size by DPR x UI scale.
void apply_style(const AppState& s);

// Base sizes in CSS pixels.
inline constexpr float kFontSizeCss = 16.0f;
inline constexpr float kTopBarHeightCss = 48.0f;
inline constexpr float kTouchTargetCss = 40.0f;

// WCAG relative-luminance contrast ratio of two colours (alpha ignored).
float contrast_ratio(const ImVec4& a, const ImVec4& b);

}  // namespace knobs
