// Small reusable pieces shared by the panels.
#pragma once
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>

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
// Wrapped text in one colour.
void WrappedColoured(const ImVec4& colour, const char* text);
// Puts the next item on the current line when `next_width` still fits, else on a new line. `spacing`
// is the gap on the line (the style's item spacing when negative).
void SameLineIfFits(float next_width, float spacing = -1.0f);
// Text that continues the current line when it fits (after `spacing`), else starts the next: a status
// line of short readouts that wraps on a phone instead of running off the panel.
void FlowText(const std::string& text, float spacing, bool dimmed = false);
// The next labelled control's width: `preferred_css` when the control and its label fit the panel side by
// side, narrower on a narrow screen (never under `min_css`), so a long (say Portuguese) label stays visible.
void FitNextItemWidth(const AppState& s, float preferred_css, const char* label, float min_css = 80.0f);
// The width a button with this label takes.
float ButtonWidth(const char* label);
// The width a radio button with this label takes (the circle, the gap and the text).
float RadioButtonWidth(const char* label);
// The widest single word of `text`: a box narrower than that would have to break a word in two.
float WidestWord(const std::string& text);
// A choice row as radio buttons, one per {choice key, label} in the order given; each is recorded as
// "<hit_prefix>.<choice key>".
struct ChoiceLabel {
    std::string_view choice;
    const char* label;
};
void SettingRadios(AppState& s, std::string_view key, std::span<const ChoiceLabel> items, const std::string& hit_prefix);
// One row of the settings table (app/settings.h) as a control: its label, range, format, help and scale
// come from the row, and a change posts SetSetting. Integer and real rows are sliders (a wide integer
// range, such as a seed, is a number field), toggles are checkboxes, choices a combo, text a text box.
// `hi` narrows an integer row's top to what the model in view has (the knobs panel's layer). A setting
// the page locked is drawn read-only with a lock mark whose tooltip says who set it.
// A choice row's combo shows `labels` for its choices (the choice keys themselves when none are given).
void SettingControl(AppState& s, std::string_view key, float preferred_css = 200.0f, long long hi = -1,
                    std::span<const ChoiceLabel> labels = {});
// The lock mark drawn after a locked control: a small padlock with the "set by this page" tooltip.
void LockMark(const AppState& s);
// A lesson string with its {placeholders} filled: FillText(t, {{"score", "3"}, {"max", "5"}}).
std::string FillText(const char* text, std::initializer_list<std::pair<std::string_view, std::string_view>> values);

}  // namespace knobs
