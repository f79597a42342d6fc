#include "ui/widgets.h"

#include <algorithm>
#include <span>

#include "imgui_internal.h"
#include "lesson/content.h"
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

#include "core/checksum.h"

namespace knobs {
std::string checksum_text(uint64_t c) {
    const std::string h = checksum_hex(c);
    return h.substr(0, 4) + " " + h.substr(4, 4) + " " + h.substr(8, 4) + " " + h.substr(12, 4);
}
}  // namespace knobs
