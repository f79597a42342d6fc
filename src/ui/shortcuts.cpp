#include "ui/shortcuts.h"

#include <array>

#include "app/i18n.h"
#include "imgui_internal.h"

namespace knobs {

namespace {

void play_or_pause(AppState& s) {
    if (s.lab.pretrain().running) s.post(cmd::Pause{});
    else s.post(cmd::Play{});
}
void step_once(AppState& s) { s.post(cmd::StepOnce{}); }
void reset_run(AppState& s) { s.post(cmd::ResetRun{}); }
void next_area(AppState& s) { focus_next_area(s, +1); }
void previous_area(AppState& s) { focus_next_area(s, -1); }

constexpr ImGuiKeyChord kNone = 0;

const Shortcut kShortcuts[] = {
    {"leave", ShortcutScope::page, kNone, kNone, "keys.leave_keys", "keys.leave", nullptr},
    {"next_area", ShortcutScope::app, ImGuiKey_F6, ImGuiKey_G, "", "keys.next_area", next_area},
    {"previous_area", ShortcutScope::app, ImGuiMod_Shift | ImGuiKey_F6, ImGuiMod_Shift | ImGuiKey_G, "", "keys.previous_area",
     previous_area},
    {"arrows", ShortcutScope::imgui, kNone, kNone, "keys.arrows_keys", "keys.arrows", nullptr},
    {"activate", ShortcutScope::imgui, kNone, kNone, "keys.activate_keys", "keys.activate", nullptr},
    {"escape", ShortcutScope::imgui, kNone, kNone, "keys.escape_keys", "keys.escape", nullptr},
    {"windowing", ShortcutScope::imgui, kNone, kNone, "keys.windowing_keys", "keys.windowing", nullptr},
    {"play_pause", ShortcutScope::pretrain, ImGuiKey_P, kNone, "", "keys.play_pause", play_or_pause},
    {"step", ShortcutScope::pretrain, ImGuiKey_N, kNone, "", "keys.step", step_once},
    {"reset", ShortcutScope::pretrain, ImGuiMod_Shift | ImGuiKey_R, kNone, "", "keys.reset", reset_run},
};

std::string chord_name(ImGuiKeyChord chord) {
    char buf[64];
    ImGui::GetKeyChordName(chord, buf, sizeof buf);
    return buf;
}

}  // namespace

std::span<const Shortcut> shortcuts() { return kShortcuts; }

std::string shortcut_keys_text(const AppState& s, const Shortcut& k) {
    if (k.chord == kNone) return tr(s.lang, k.keys_key);
    std::string text = chord_name(k.chord);
    if (k.alt_chord != kNone) text += " / " + chord_name(k.alt_chord);
    return text;
}

std::string shortcut_help_line(const AppState& s, const Shortcut& k) {
    return shortcut_keys_text(s, k) + ": " + tr(s.lang, k.what_key);
}

std::string shortcut_help_text(const AppState& s, ShortcutScope scope) {
    std::string text;
    for (const Shortcut& k : kShortcuts) {
        if (k.scope != scope) continue;
        if (!text.empty()) text += "\n";
        text += shortcut_help_line(s, k);
    }
    return text;
}

void HandleShortcuts(AppState& s, ShortcutScope scope) {
    if (ImGui::GetIO().WantTextInput) return;
    for (const Shortcut& k : kShortcuts) {
        if (k.scope != scope || !k.run) continue;
        // IsKeyChordPressed wants exactly these modifiers, so Ctrl+P (print) never plays.
        const bool pressed = (k.chord != kNone && ImGui::IsKeyChordPressed(k.chord)) ||
                             (k.alt_chord != kNone && ImGui::IsKeyChordPressed(k.alt_chord));
        if (pressed) k.run(s);
    }
}

void focus_next_area(AppState& s, int direction) {
    (void)s;
    ImGuiContext& g = *ImGui::GetCurrentContext();
    // The areas in reading order; those not drawn this frame (the top bar when embedded, the columns in
    // one-column layout) are skipped.
    std::array<ImGuiWindow*, 4> found{};
    int count = 0;
    for (const char* name : {"##topbar", "##lesson", "##lab", "##single"}) {
        ImGuiWindow* w = ImGui::FindWindowByName(name);
        if (w && (w->Active || w->WasActive) && !w->Hidden) found[static_cast<size_t>(count++)] = w;
    }
    if (count == 0) return;
    int current = -1;
    ImGuiWindow* nav_root = g.NavWindow ? g.NavWindow->RootWindow : nullptr;
    for (int i = 0; i < count; ++i)
        if (found[static_cast<size_t>(i)] == nav_root) current = i;
    const int next = current < 0 ? (direction > 0 ? 0 : count - 1) : (current + direction + count) % count;
    ImGuiWindow* target = found[static_cast<size_t>(next)];
    ImGui::FocusWindow(target);
    if (g.NavWindow == target) ImGui::NavInitWindow(target, true);
    // Show where the focus went, as arrow keys would.
    g.NavDisableHighlight = false;
    g.NavDisableMouseHover = true;
}

}  // namespace knobs
