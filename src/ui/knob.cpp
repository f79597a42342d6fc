#include "ui/knob.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace knobs {

bool Knob::Draw() const {
    const float fs = ImGui::GetFontSize();
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float w = std::max(radius * 2.4f, ImGui::CalcTextSize(label).x);
    // The label after "###" keeps the id; the part before it is what the accessibility mirror reads out.
    char name[96];
    std::snprintf(name, sizeof name, "%s = %+.5f###%s", label, spoken, label);
    ImGui::InvisibleButton(name, ImVec2(w, radius * 2.2f + fs * 1.2f));
    const bool hovered = ImGui::IsItemHovered();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 c(p.x + w * 0.5f, p.y + radius * 1.1f);
    constexpr float kPi = 3.14159265f;
    const float a_min = kPi * 0.75f, a_max = kPi * 2.25f;  // 270 degrees of travel, gap at the bottom
    const float t = std::clamp(0.5f + 0.5f * value / std::max(range, 1e-12f), 0.0f, 1.0f);
    const float a = a_min + (a_max - a_min) * t;
    const ImU32 ring = last_change > 0 ? up_color : last_change < 0 ? down_color : idle_color;
    dl->PathArcTo(c, radius, a_min, a_max, 32);
    dl->PathStroke(idle_color, 0, radius * 0.16f);
    dl->PathArcTo(c, radius, a_min + (a_max - a_min) * 0.5f, a, 24);  // filled from the centre (zero)
    dl->PathStroke(ring, 0, radius * 0.2f);
    dl->AddCircleFilled(c, radius * 0.72f, face_color, 24);
    dl->AddLine(c, ImVec2(c.x + std::cos(a) * radius * 0.68f, c.y + std::sin(a) * radius * 0.68f), pointer_color,
                radius * 0.14f);
    // The sign of the last change as text, so colour is never the only signal.
    const char* sign = last_change > 0 ? "+" : last_change < 0 ? "−" : "·";
    const ImVec2 ts = ImGui::CalcTextSize(sign);
    dl->AddText(ImVec2(c.x - ts.x * 0.5f, c.y + radius * 0.95f - ts.y * 0.5f), ring, sign);
    const ImVec2 ls = ImGui::CalcTextSize(label);
    dl->AddText(ImVec2(c.x - ls.x * 0.5f, p.y + radius * 2.2f), ImGui::GetColorU32(ImGuiCol_TextDisabled), label);
    return hovered;
}

}  // namespace knobs
