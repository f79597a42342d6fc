// "About Knobs / how to use": what the app is and how to drive it.
#include "app/i18n.h"
#include "app/presets.h"
#include "ui/panels.h"
#include "ui/widgets.h"

namespace knobs {

void ShowAbout(AppState& s, bool* open) {
    const auto& L = s.lang;
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(tr(L, "about.title"));
    ImGui::Spacing();
    ImGui::TextWrapped("%s", tr(L, "about.intro"));
    ImGui::Spacing();
    ImGui::SeparatorText(tr(L, "about.how_title"));
    for (const char* key : {"about.how_1", "about.how_2", "about.how_3", "about.how_4"}) {
        ImGui::Bullet();
        ImGui::TextWrapped("%s", tr(L, key));
    }
    ImGui::Spacing();
    ImGui::SeparatorText(tr(L, "about.keys_title"));
    for (const char* key : {"about.keys_1", "about.keys_2", "about.keys_3"}) {
        ImGui::Bullet();
        ImGui::TextWrapped("%s", tr(L, key));
    }
    ImGui::Spacing();
    // Presets and sharing live here too, so phones (whose top bar has no room for them) have them.
    ImGui::SeparatorText(tr(L, "topbar.presets"));
    for (const Preset& p : presets()) {
        if (ImGui::Button(tr(L, p.title_key.c_str()))) {
            bool ok = false;
            for (auto& n : load_preset(s, p.id, &ok)) s.notify(n, !ok);
        }
        RecordHit(s, "about.preset." + p.id);
        ImGui::SameLine();
        ImGui::TextDisabled("%s", tr(L, p.desc_key.c_str()));
    }
    if (ImGui::Button(tr(L, "topbar.copy_link"))) copy_current_link(s);
    RecordHit(s, "about.copy_link");
    ImGui::Spacing();
    TextDim(tr(L, "about.privacy"));
    ImGui::PopTextWrapPos();
    (void)open;
}

}  // namespace knobs
