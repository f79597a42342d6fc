// The frame's layout: a top bar, then the lesson on the left and the lab on the right, or a single column
// of tabs below kTwoColumnMinWidth CSS px.
#include <algorithm>
#include <string>

#include "app/commands.h"
#include "app/i18n.h"
#include "app/settings.h"
#include "app/presets.h"
#include "app/url_state.h"
#include "ui/a11y.h"
#include "ui/panels.h"
#include "ui/shortcuts.h"
#include "ui/style.h"
#include "ui/widgets.h"
#include "imgui_internal.h"

namespace knobs {

namespace {
constexpr ImGuiWindowFlags kFixedWindow = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                                          ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoTitleBar |
                                          ImGuiWindowFlags_NoBringToFrontOnFocus |
                                          ImGuiWindowFlags_NoSavedSettings;

void ShowPanel(AppState& s, PanelId p) {
    // The panels' open flag is the shell's to keep (PanelShown); a panel gets a copy to read.
    bool is_open = s.panel_open[static_cast<int>(p)];
    bool* open = &is_open;
    switch (p) {
        case PanelId::lifecycle: ShowLifecycle(s, open); break;
        case PanelId::table: ShowComparisonTable(s, open); break;
        case PanelId::matching: ShowMatching(s, open); break;
        case PanelId::quiz: ShowQuiz(s, open); break;
        case PanelId::faq: ShowFaq(s, open); break;
        case PanelId::about: ShowAbout(s, open); break;
        case PanelId::pretrain: ShowPretrain(s, open); break;
        case PanelId::knobs: ShowKnobs(s, open); break;
        case PanelId::inference: ShowInference(s, open); break;
        case PanelId::finetune: ShowFinetune(s, open); break;
        case PanelId::weights: ShowWeightsFile(s, open); break;
        case PanelId::cost: ShowCost(s, open); break;
        case PanelId::count: break;
    }
}

std::string tab_label(const AppState& s, PanelId p) {
    // "###key" keeps the tab's identity stable when the language changes its visible label.
    return std::string(tr(s.lang, (std::string("panel.") + panel_key(p)).c_str())) + "###" + panel_key(p);
}

// Embedded (embed=1), only the panels the link named are shown; hide= removes panels in any mode.
bool panel_shown(const AppState& s, PanelId p) {
    const auto& L = s.link;
    if (std::find(L.hidden.begin(), L.hidden.end(), p) != L.hidden.end()) return false;
    if (L.embed && !L.panels.empty()) return std::find(L.panels.begin(), L.panels.end(), p) != L.panels.end();
    return true;
}

// A tab bar with the given side's panels (or all of them when side is null).
void PanelTabs(AppState& s, const char* bar_id, const Side* side) {
    if (!ImGui::BeginTabBar(bar_id, ImGuiTabBarFlags_FittingPolicyScroll)) return;
    for (int i = 0; i < kNumPanels; ++i) {
        const auto p = static_cast<PanelId>(i);
        if (side && panel_side(p) != *side) continue;
        if (!panel_shown(s, p)) continue;
        ImGuiTabItemFlags flags = 0;
        const PanelId requested = side ? s.requested_side_tab[*side == Side::lesson ? 0 : 1] : s.requested_tab;
        if (requested == p) flags |= ImGuiTabItemFlags_SetSelected;
        const std::string label = tab_label(s, p);
        const bool selected = ImGui::BeginTabItem(label.c_str(), nullptr, flags);
        RecordHit(s, std::string("tab.") + panel_key(p));
        if (selected) {
            // While a request to bring another tab to the front is pending, the old tab still shows for a frame.
            const PanelId focused = panel_side(p) == Side::lesson ? s.focused_lesson_panel : s.focused_lab_panel;
            if (requested == PanelId::count && (focused != p || !s.panel_open[i])) s.post(cmd::PanelShown{p});
            ImGui::BeginChild("##panel_body", ImVec2(0, 0), ImGuiChildFlags_None, ImGuiWindowFlags_None);
            ShowPanel(s, p);
            // How tall the canvas would need to be to show this panel unscrolled (embed auto-height): where
            // its content ends, measured from the top of the canvas as if the panel were not scrolled.
            const float needed = ImGui::GetCursorScreenPos().y + ImGui::GetScrollY() + ImGui::GetStyle().WindowPadding.y * 2;
            s.content_height_css = std::max(s.content_height_css, needed / s.dpr);
            ImGui::EndChild();
            ImGui::EndTabItem();
        }
    }
    ImGui::EndTabBar();
}

// Every preset is just a link; picking one loads it like opening that link.
void PresetsPopup(AppState& s) {
    if (!ImGui::BeginPopup("##presets")) return;
    for (const Preset& p : presets()) {
        if (ImGui::Selectable(tr(s.lang, p.title_key.c_str()))) {
            s.post(cmd::LoadPreset{p.id});
            ImGui::CloseCurrentPopup();
        }
        RecordHit(s, "preset." + p.id);
        ImGui::SameLine();
        ImGui::TextDisabled("%s", tr(s.lang, p.desc_key.c_str()));
    }
    ImGui::EndPopup();
}

bool side_has_panels(const AppState& s, Side side) {
    for (int i = 0; i < kNumPanels; ++i)
        if (panel_side(static_cast<PanelId>(i)) == side && panel_shown(s, static_cast<PanelId>(i))) return true;
    return false;
}
}  // namespace

void ShowTopBar(AppState& s) {
    const Palette& pal = palette(s.theme);
    const auto& L = s.lang;
    ImGui::PushStyleColor(ImGuiCol_WindowBg, pal.panel_alt);
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(ImGui::GetIO().DisplaySize.x, Px(s, kTopBarHeightCss)));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowRounding, 0);
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(Px(s, 12), Px(s, 6)));
    ImGui::Begin("##topbar", nullptr, kFixedWindow | ImGuiWindowFlags_NoScrollbar);
    const float bar_h = ImGui::GetWindowHeight();
    const float frame_h = ImGui::GetFrameHeight();
    ImGui::SetCursorPosY((bar_h - frame_h) * 0.5f);
    ImGui::AlignTextToFramePadding();
    ImGui::TextColored(pal.accent, "%s", "Knobs");

    // Right-aligned controls, laid out from measured widths so nothing is cut or overlaps at any DPR, UI
    // scale or language: what does not fit beside the name (the tagline, then presets and link) is left out.
    const char* theme_label = s.theme == Theme::dark ? tr(L, "topbar.light") : tr(L, "topbar.dark");
    const char* lang_label = s.lang == "en" ? "Português" : "English";
    const char* help_label = tr(L, "topbar.help");
    const ImGuiStyle& st = ImGui::GetStyle();
    auto button_w = [&](const char* t) { return ImGui::CalcTextSize(t).x + st.FramePadding.x * 2; };
    const char* presets_label = tr(L, "topbar.presets");
    const char* link_label = tr(L, "topbar.copy_link");
    const char* tagline = tr(L, "app.tagline");
    const float name_end = ImGui::GetItemRectMax().x - ImGui::GetWindowPos().x;
    const float room = ImGui::GetWindowWidth() - st.WindowPadding.x - name_end - st.ItemSpacing.x;
    float total = button_w(lang_label) + button_w(theme_label) + button_w(help_label) + st.ItemSpacing.x * 2;
    const float extra = button_w(presets_label) + button_w(link_label) + st.ItemSpacing.x * 2;
    const bool wide = s.layout == Layout::two_column && total + extra <= room;
    if (wide) total += extra;
    if (s.layout == Layout::two_column && total + ImGui::CalcTextSize(tagline).x + st.ItemSpacing.x <= room) {
        ImGui::SameLine();
        ImGui::TextDisabled("%s", tagline);
        RecordHit(s, "topbar.tagline");
    }
    ImGui::SameLine(ImGui::GetWindowWidth() - total - st.WindowPadding.x);
    ImGui::SetCursorPosY((bar_h - frame_h) * 0.5f);
    // On phones (and at large UI scales) the presets and the link are only in the Help panel, so the bar
    // never overflows.
    if (wide) {
        if (ImGui::Button(presets_label)) ImGui::OpenPopup("##presets");
        RecordHit(s, "topbar.presets");
        ImGui::SameLine();
        if (ImGui::Button(link_label)) s.post(cmd::CopyLink{});
        RecordHit(s, "topbar.copy_link");
        ImGui::SameLine();
    }
    PresetsPopup(s);
    ImGui::BeginDisabled(setting_locked(s, "lang"));
    if (ImGui::Button(lang_label)) s.post(cmd::SetLanguage{s.lang == "en" ? "pt-BR" : "en"});
    ImGui::EndDisabled();
    RecordHit(s, "topbar.lang");
    ImGui::SameLine();
    ImGui::BeginDisabled(setting_locked(s, "theme"));
    if (ImGui::Button(theme_label)) s.post(cmd::SetTheme{s.theme == Theme::dark ? Theme::light : Theme::dark});
    ImGui::EndDisabled();
    RecordHit(s, "topbar.theme");
    ImGui::SameLine();
    if (ImGui::Button(help_label)) s.post(cmd::OpenPanel{PanelId::about});
    RecordHit(s, "topbar.help");
    ImGui::End();
    ImGui::PopStyleVar(2);
    ImGui::PopStyleColor();
}

// Recent notices as toasts at the bottom (the app expires and bounds the list: AppState::notify). The newest
// three are shown; a repeated one says how often, and the rest are one "N more" line.
static void ShowNotices(AppState& s) {
    if (s.notices.empty()) return;
    const Palette& pal = palette(s.theme);
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    const float w = std::min(display.x - Px(s, 24), Px(s, 520));
    ImGui::SetNextWindowPos(ImVec2(display.x * 0.5f, display.y - Px(s, 12)), ImGuiCond_Always, ImVec2(0.5f, 1.0f));
    ImGui::SetNextWindowSize(ImVec2(w, 0));
    ImGui::PushStyleColor(ImGuiCol_WindowBg, pal.panel_alt);
    ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 1.0f);
    ImGui::Begin("##notices", nullptr, kFixedWindow | ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoFocusOnAppearing |
                 ImGuiWindowFlags_NoNav);
    ImGui::BringWindowToDisplayFront(ImGui::GetCurrentWindow());
    constexpr size_t kShown = 3;
    const size_t first = s.notices.size() > kShown ? s.notices.size() - kShown : 0;
    const long long hidden = static_cast<long long>(first) + s.notices_dropped;
    if (hidden > 0) {
        ImGui::PushStyleColor(ImGuiCol_Text, pal.text_dim);
        ImGui::TextWrapped("%s", tr_count(s.lang, "notice.more", hidden).c_str());
        ImGui::PopStyleColor();
    }
    for (size_t i = first; i < s.notices.size(); ++i) {
        const Notice& n = s.notices[i];
        ImGui::PushStyleColor(ImGuiCol_Text, n.is_error ? pal.bad : pal.text);
        if (n.repeats > 1)
            ImGui::TextWrapped("%s %s %s", n.is_error ? "✗" : "✓", n.text.c_str(), tr_count(s.lang, "notice.repeats", n.repeats).c_str());
        else
            ImGui::TextWrapped("%s %s", n.is_error ? "✗" : "✓", n.text.c_str());
        ImGui::PopStyleColor();
    }
    if (ImGui::SmallButton(tr(s.lang, "notice.dismiss"))) s.post(cmd::DismissNotices{});
    RecordHit(s, "notices.dismiss");
    ImGui::End();
    ImGui::PopStyleVar();
    ImGui::PopStyleColor();
}

void DrawShell(AppState& s) {
    // Every window drawn below is in the accessibility mirror's capture, when the page asked for one.
    A11yCapture a11y_capture(s);
    s.hits.clear();
    s.content_height_css = 0;
    apply_style(s);
    // The animation clock: a long pause (a hidden tab) is one short step, not a jump.
    s.anim.dt = s.anim.last_time_s < 0 ? 0.0f : static_cast<float>(std::clamp(s.time_s - s.anim.last_time_s, 0.0, 0.1));
    s.anim.last_time_s = s.time_s;
    // The text cursor's blinking is motion too.
    ImGui::GetIO().ConfigInputTextCursorBlink = !reduced_motion(s);
    // Before any window: moving the focus to another area must happen before that area's items are
    // submitted, so ImGui can put the keyboard focus on its first control this frame.
    HandleShortcuts(s, ShortcutScope::app);
    // Embedded in a course page the top bar goes: the host page is the chrome.
    if (!s.link.embed) ShowTopBar(s);

    const ImVec2 display = ImGui::GetIO().DisplaySize;
    const float top = s.link.embed ? 0.0f : Px(s, kTopBarHeightCss);
    const float gap = Px(s, 8);
    const float body_h = display.y - top - gap;
    if (s.layout == Layout::two_column && side_has_panels(s, Side::lab) && side_has_panels(s, Side::lesson)) {
        const float left_w = (display.x - 3 * gap) * 0.45f;
        const float right_w = display.x - 3 * gap - left_w;
        const Side lesson = Side::lesson, lab = Side::lab;
        ImGui::SetNextWindowPos(ImVec2(gap, top + gap * 0.5f));
        ImGui::SetNextWindowSize(ImVec2(left_w, body_h));
        ImGui::Begin("##lesson", nullptr, kFixedWindow);
        PanelTabs(s, "lesson_tabs", &lesson);
        ImGui::End();
        ImGui::SetNextWindowPos(ImVec2(gap * 2 + left_w, top + gap * 0.5f));
        ImGui::SetNextWindowSize(ImVec2(right_w, body_h));
        ImGui::Begin("##lab", nullptr, kFixedWindow);
        PanelTabs(s, "lab_tabs", &lab);
        ImGui::End();
    } else {
        ImGui::SetNextWindowPos(ImVec2(gap, top + gap * 0.5f));
        ImGui::SetNextWindowSize(ImVec2(display.x - 2 * gap, body_h));
        ImGui::Begin("##single", nullptr, kFixedWindow);
        PanelTabs(s, "all_tabs", nullptr);
        ImGui::End();
    }
    // A request to bring a tab to the front is one-shot: the tab bars above honoured it (frame output).
    s.requested_tab = PanelId::count;
    s.requested_side_tab = {PanelId::count, PanelId::count};
    ShowNotices(s);
}

}  // namespace knobs
