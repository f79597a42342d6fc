#include "ui/widgets.h"

#include <algorithm>
#include <span>

#include "imgui_internal.h"
#include "lesson/content.h"
#include "app/i18n.h"
#include "app/settings.h"
#include "ui/a11y.h"

namespace knobs {

void HelpMarker(const char* text) {
    if (a11y_capturing()) {
        // A screen reader gets the explanation itself in place of a "(?)" it could not hover.
        a11y_note(text);
        ImGuiContext& g = *ImGui::GetCurrentContext();
        const bool logging = g.LogEnabled;
        g.LogEnabled = false;
        ImGui::TextDisabled("(?)");
        g.LogEnabled = logging;
    } else {
        ImGui::TextDisabled("(?)");
    }
    if (ImGui::BeginItemTooltip()) {
        ImGui::PushTextWrapPos(ImGui::GetFontSize() * 32.0f);
        ImGui::TextUnformatted(text);
        ImGui::PopTextWrapPos();
        ImGui::EndTooltip();
    }
}

void RecordHit(AppState& s, const std::string& id) {
    const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    const float k = 1.0f / s.dpr;
    s.hits[id] = {a.x * k, a.y * k, (b.x - a.x) * k, (b.y - a.y) * k};
}

void TextDim(const char* text) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
    ImGui::TextWrapped("%s", text);
    ImGui::PopStyleColor();
}

float Px(const AppState& s, float css) { return css * s.dpr * s.ui_scale; }

void LockMark(const AppState& s) {
    const float h = ImGui::GetTextLineHeight();
    const ImVec2 p = ImGui::GetCursorScreenPos();
    ImGui::Dummy(ImVec2(h * 0.8f, h));
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImU32 colour = ImGui::GetColorU32(ImGuiCol_Text);
    // A padlock: the body, and the shackle as half a ring above it.
    dl->AddRectFilled(ImVec2(p.x, p.y + h * 0.45f), ImVec2(p.x + h * 0.8f, p.y + h * 0.95f), colour, h * 0.08f);
    dl->PathArcTo(ImVec2(p.x + h * 0.4f, p.y + h * 0.45f), h * 0.24f, IM_PI, 2.0f * IM_PI, 12);
    dl->PathStroke(colour, ImDrawFlags_None, std::max(1.0f, h * 0.1f));
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("%s", tr(s.lang, "lock.tooltip"));
    if (a11y_capturing()) a11y_note(tr(s.lang, "lock.tooltip"));
}

namespace {
// The row's help marker and lock mark after its control, on the same line.
void AfterControl(AppState& s, const SettingSpec& spec, bool locked) {
    if (locked) {
        ImGui::SameLine();
        LockMark(s);
    }
    if (spec.help_key && *spec.help_key) {
        ImGui::SameLine();
        HelpMarker(tr(s.lang, spec.help_key));
    }
}
}  // namespace

void SettingControl(AppState& s, std::string_view key, float preferred_css, long long hi,
                    std::span<const ChoiceLabel> labels) {
    const SettingSpec* spec = find_setting(key);
    IM_ASSERT(spec && "a panel names a row of the settings table");
    if (!spec) return;
    const SettingValue value = setting_value(s, *spec);
    const bool locked = setting_locked(s, key);
    const char* label = tr(s.lang, spec->label_key);
    std::optional<SettingValue> changed;
    ImGui::BeginDisabled(locked);
    switch (spec->kind) {
        case SettingKind::integer: {
            const long long top = hi >= 0 ? std::min<long long>(hi, static_cast<long long>(spec->hi)) : static_cast<long long>(spec->hi);
            const long long bottom = static_cast<long long>(spec->lo);
            int v = static_cast<int>(std::get<long long>(value));
            FitNextItemWidth(s, preferred_css, label);
            // A range too wide to drag through (a seed) is typed instead.
            const bool typed = top - bottom > 100000;
            const bool edited = typed ? ImGui::InputInt(label, &v)
                                      : ImGui::SliderInt(label, &v, static_cast<int>(bottom), static_cast<int>(top),
                                                         spec->format, ImGuiSliderFlags_AlwaysClamp);
            if (edited) changed = static_cast<long long>(std::clamp<long long>(v, bottom, top));
            break;
        }
        case SettingKind::real: {
            const bool log = spec->scale == SliderScale::log;
            // A log slider cannot start at 0: an open range starts six decades below its top instead.
            const float lo = static_cast<float>(log && spec->lo <= 0 ? spec->hi * 1e-6 : spec->lo);
            float v = static_cast<float>(std::get<double>(value));
            FitNextItemWidth(s, preferred_css, label);
            ImGuiSliderFlags flags = ImGuiSliderFlags_AlwaysClamp;
            if (log) flags |= ImGuiSliderFlags_Logarithmic;
            if (ImGui::SliderFloat(label, &v, lo, static_cast<float>(spec->hi), spec->format, flags))
                changed = static_cast<double>(v);
            break;
        }
        case SettingKind::toggle: {
            bool v = std::get<bool>(value);
            if (ImGui::Checkbox(label, &v)) changed = v;
            break;
        }
        case SettingKind::choice: {
            const std::string& current = std::get<std::string>(value);
            auto shown = [&](std::string_view choice) {
                for (const ChoiceLabel& l : labels)
                    if (l.choice == choice) return std::string(l.label);
                return std::string(choice);
            };
            FitNextItemWidth(s, preferred_css, label);
            if (ImGui::BeginCombo(label, shown(current).c_str())) {
                for (std::string_view choice : spec->choices) {
                    const std::string item(choice);
                    if (ImGui::Selectable(shown(choice).c_str(), item == current) && item != current) changed = item;
                }
                ImGui::EndCombo();
            }
            break;
        }
        case SettingKind::text:
            IM_ASSERT(false && "text rows have their own box (the inference panel's prompt)");
            break;
    }
    ImGui::EndDisabled();
    RecordHit(s, spec->label_key);  // the hit id is the label key: "pretrain.lr", "inference.temperature"
    AfterControl(s, *spec, locked);
    if (changed) s.post(cmd::SetSetting{std::string(key), std::move(*changed)});
}

void SettingRadios(AppState& s, std::string_view key, std::span<const ChoiceLabel> items, const std::string& hit_prefix) {
    const SettingSpec* spec = find_setting(key);
    IM_ASSERT(spec && spec->kind == SettingKind::choice);
    if (!spec) return;
    const bool locked = setting_locked(s, key);
    const std::string current = std::get<std::string>(setting_value(s, *spec));
    ImGui::BeginDisabled(locked);
    for (size_t i = 0; i < items.size(); ++i) {
        IM_ASSERT(std::find(spec->choices.begin(), spec->choices.end(), items[i].choice) != spec->choices.end());
        if (i) SameLineIfFits(RadioButtonWidth(items[i].label));
        const std::string choice(items[i].choice);
        if (ImGui::RadioButton(items[i].label, choice == current) && choice != current)
            s.post(cmd::SetSetting{std::string(key), choice});
        RecordHit(s, hit_prefix + "." + choice);
    }
    ImGui::EndDisabled();
    if (locked) {
        ImGui::SameLine();
        LockMark(s);
    }
}

void WrappedColoured(const ImVec4& colour, const char* text) {
    ImGui::PushStyleColor(ImGuiCol_Text, colour);
    ImGui::TextWrapped("%s", text);
    ImGui::PopStyleColor();
}

void SameLineIfFits(float next_width, float spacing) {
    const float right_edge = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
    const float gap = spacing < 0 ? ImGui::GetStyle().ItemSpacing.x : spacing;
    if (ImGui::GetItemRectMax().x + gap + next_width <= right_edge) ImGui::SameLine(0, spacing);
}

void FlowText(const std::string& text, float spacing, bool dimmed) {
    SameLineIfFits(ImGui::CalcTextSize(text.c_str()).x, spacing);
    if (dimmed)
        ImGui::TextDisabled("%s", text.c_str());
    else
        ImGui::TextUnformatted(text.c_str());
}

void FitNextItemWidth(const AppState& s, float preferred_css, const char* label, float min_css) {
    const float label_width = ImGui::CalcTextSize(label, nullptr, /*hide_text_after_double_hash=*/true).x;
    const float label_room = label_width > 0 ? label_width + ImGui::GetStyle().ItemInnerSpacing.x : 0.0f;
    // Room is kept for a help marker "(?)" after the label, which most controls have.
    const float marker_room = ImGui::GetStyle().ItemSpacing.x + ImGui::CalcTextSize("(?)").x;
    const float room = ImGui::GetContentRegionAvail().x - label_room - marker_room;
    ImGui::SetNextItemWidth(std::max(std::min(Px(s, preferred_css), room), Px(s, min_css)));
}

float ButtonWidth(const char* label) { return ImGui::CalcTextSize(label).x + ImGui::GetStyle().FramePadding.x * 2; }

float RadioButtonWidth(const char* label) {
    const float text = ImGui::CalcTextSize(label, nullptr, /*hide_text_after_double_hash=*/true).x;
    return ImGui::GetFrameHeight() + (text > 0 ? ImGui::GetStyle().ItemInnerSpacing.x + text : 0.0f);
}

float WidestWord(const std::string& text) {
    float widest = 0;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find(' ', start);
        if (end == std::string::npos) end = text.size();
        if (end > start) widest = std::max(widest, ImGui::CalcTextSize(text.data() + start, text.data() + end).x);
        start = end + 1;
    }
    return widest;
}

std::string FillText(const char* text, std::initializer_list<std::pair<std::string_view, std::string_view>> values) {
    return lesson::fill_placeholders(text, std::span(values.begin(), values.size()));
}

}  // namespace knobs
