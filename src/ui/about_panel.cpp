// "About Knobs / how to use": what the app is and how to drive it.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "app/commands.h"
#include "app/i18n.h"
#include "app/presets.h"
#include "ui/panels.h"
#include "ui/shortcuts.h"
#include "ui/widgets.h"

namespace knobs {

namespace {

constexpr int kScaleSteps[] = {100, 125, 150, 175, 200};  // percent

// The label beside a combo when both fit on the line, else above it (large UI scale, narrow column).
// Above, the combo's own label is hidden ("##"); the accessibility mirror reads the line of text before it.
bool BeginLabelledCombo(const char* label, const char* id, const char* preview, float combo_w) {
    const ImGuiStyle& st = ImGui::GetStyle();
    const float label_w = ImGui::CalcTextSize(label).x;
    const float help_w = ImGui::CalcTextSize("(?)").x + st.ItemSpacing.x;
    const float avail = ImGui::GetContentRegionAvail().x;
    const bool beside = combo_w + st.ItemInnerSpacing.x + label_w + help_w <= avail;
    std::string full = std::string(label) + "###" + id;
    if (!beside) {
        ImGui::TextUnformatted(label);
        combo_w = std::min(combo_w, avail - help_w);
        full = std::string("##") + label + "###" + id;
    }
    ImGui::SetNextItemWidth(combo_w);
    return ImGui::BeginCombo(full.c_str(), preview);
}

// Text and control size, and motion: lists rather than sliders, so each change is one step (a slider would
// rescale the UI under the pointer while it is being dragged), and each is usable with arrows and Enter.
void DisplaySettings(AppState& s) {
    const auto& L = s.lang;
    ImGui::SeparatorText(tr(L, "display.title"));
    const auto motion_label = [&](MotionSetting m) {
        switch (m) {
            case MotionSetting::reduce: return tr(L, "display.motion_reduce");
            case MotionSetting::full: return tr(L, "display.motion_full");
            case MotionSetting::system: break;
        }
        return tr(L, s.system_reduced_motion ? "display.motion_system_reduced" : "display.motion_system_full");
    };
    float widest = ImGui::CalcTextSize("200%").x;
    for (const char* key : {"display.motion_system_reduced", "display.motion_system_full", "display.motion_reduce",
                            "display.motion_full"})
        widest = std::max(widest, ImGui::CalcTextSize(tr(L, key)).x);
    const float combo_w = widest + ImGui::GetFrameHeight() + ImGui::GetStyle().FramePadding.x * 2;

    const int current = static_cast<int>(std::lround(s.ui_scale * 100));
    char shown[16];
    std::snprintf(shown, sizeof shown, "%d%%", current);
    if (BeginLabelledCombo(tr(L, "display.scale"), "scale", shown, combo_w)) {
        for (const int pct : kScaleSteps) {
            char item[16];
            std::snprintf(item, sizeof item, "%d%%", pct);
            if (ImGui::Selectable(item, pct == current)) s.post(cmd::SetUiScale{pct / 100.0f});
            if (pct == current) ImGui::SetItemDefaultFocus();
        }
        ImGui::EndCombo();
    }
    RecordHit(s, "about.scale");
    ImGui::SameLine();
    HelpMarker(tr(L, "display.scale_help"));

    if (BeginLabelledCombo(tr(L, "display.motion"), "motion", motion_label(s.motion), combo_w)) {
        for (MotionSetting m : {MotionSetting::system, MotionSetting::reduce, MotionSetting::full}) {
            if (ImGui::Selectable(motion_label(m), m == s.motion)) s.post(cmd::SetMotion{m});
            if (m == s.motion) ImGui::SetItemDefaultFocus();
        }
        ImGui::EndCombo();
    }
    RecordHit(s, "about.motion");
    ImGui::SameLine();
    HelpMarker(tr(L, "display.motion_help"));
}

}  // namespace

void ShowAbout(AppState& s, bool* open) {
    const auto& L = s.lang;
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(tr(L, "about.title"));
    ImGui::Spacing();
    ImGui::TextWrapped("%s", tr(L, "about.intro"));
    ImGui::Spacing();
    DisplaySettings(s);
    ImGui::Spacing();
    ImGui::SeparatorText(tr(L, "about.how_title"));
    for (const char* key : {"about.how_1", "about.how_2", "about.how_3", "about.how_4"}) {
        ImGui::Bullet();
        ImGui::TextWrapped("%s", tr(L, key));
    }
    ImGui::Spacing();
    ImGui::SeparatorText(tr(L, "about.keys_title"));
    // From the table the key handling uses (src/ui/shortcuts.cpp), so the list is always the real one.
    for (const Shortcut& k : shortcuts()) {
        ImGui::Bullet();
        ImGui::TextWrapped("%s", shortcut_help_line(s, k).c_str());
    }
    ImGui::Spacing();
    // Presets and sharing live here too, so phones (whose top bar has no room for them) have them.
    ImGui::SeparatorText(tr(L, "topbar.presets"));
    for (const Preset& p : presets()) {
        if (ImGui::Button(tr(L, p.title_key.c_str()))) s.post(cmd::LoadPreset{p.id});
        RecordHit(s, "about.preset." + p.id);
        ImGui::SameLine();
        ImGui::TextDisabled("%s", tr(L, p.desc_key.c_str()));
    }
    if (ImGui::Button(tr(L, "topbar.copy_link"))) s.post(cmd::CopyLink{});
    RecordHit(s, "about.copy_link");
    ImGui::Spacing();
    TextDim(tr(L, "about.privacy"));
    ImGui::PopTextWrapPos();
    (void)open;
}

}  // namespace knobs
