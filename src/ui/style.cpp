#include "ui/style.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

extern const unsigned char kUiFont[];
extern const std::size_t kUiFont_size;

namespace knobs {

namespace {
constexpr ImVec4 rgb(int hex, float a = 1.0f) {
    return ImVec4(((hex >> 16) & 255) / 255.0f, ((hex >> 8) & 255) / 255.0f, (hex & 255) / 255.0f, a);
}

const Palette kDark = {
    /*bg*/ rgb(0x12151c), /*panel*/ rgb(0x1a1e27), /*panel_alt*/ rgb(0x232836), /*text*/ rgb(0xe8eaf0),
    /*text_dim*/ rgb(0xa7adbd), /*accent*/ rgb(0x7aa2ff), /*accent_text*/ rgb(0x0d1220), /*good*/ rgb(0x5fd39a),
    /*bad*/ rgb(0xff8a8a), /*warn*/ rgb(0xf2c46d), /*border*/ rgb(0x363c4d)};
const Palette kLight = {
    /*bg*/ rgb(0xf4f5f8), /*panel*/ rgb(0xffffff), /*panel_alt*/ rgb(0xeceef3), /*text*/ rgb(0x171a21),
    /*text_dim*/ rgb(0x4f5566), /*accent*/ rgb(0x2f5bd3), /*accent_text*/ rgb(0xffffff), /*good*/ rgb(0x1b7a4a),
    /*bad*/ rgb(0xb42318), /*warn*/ rgb(0x8a5a00), /*border*/ rgb(0xcfd3dd)};

ImVec4 mix(const ImVec4& a, const ImVec4& b, float t) {
    return ImVec4(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t, a.z + (b.z - a.z) * t, a.w + (b.w - a.w) * t);
}

float channel(float c) { return c <= 0.03928f ? c / 12.92f : std::pow((c + 0.055f) / 1.055f, 2.4f); }
float luminance(const ImVec4& c) { return 0.2126f * channel(c.x) + 0.7152f * channel(c.y) + 0.0722f * channel(c.z); }
}  // namespace

const Palette& palette(Theme t) { return t == Theme::dark ? kDark : kLight; }

float contrast_ratio(const ImVec4& a, const ImVec4& b) {
    float la = luminance(a), lb = luminance(b);
    if (la < lb) std::swap(la, lb);
    return (la + 0.05f) / (lb + 0.05f);
}

bool rebuild_fonts_if_needed(AppState& s) {
    if (!s.fonts_dirty) return false;
    s.fonts_dirty = false;
    ImGuiIO& io = ImGui::GetIO();
    io.Fonts->Clear();
    // Latin-1, Latin Extended-A (Portuguese and most European languages), Δ (the update's size),
    // punctuation, arrows, math signs (∞ for a diverged value), marks. Keep in step with the subset in
    // CMakeLists.txt; "[ui] the UI font has a glyph for every character..." checks what the UI writes.
    static const ImWchar ranges[] = {0x0020, 0x00FF, 0x0100, 0x017F, 0x0394, 0x0394, 0x2010, 0x2027, 0x2030, 0x203A,
                                     0x2190, 0x2193, 0x2212, 0x2212, 0x221E, 0x221E, 0x2248, 0x2248, 0x2260, 0x2260,
                                     0x2264, 0x2265, 0x25A0, 0x25CF, 0x2713, 0x2713, 0x2717, 0x2717, 0xFFFD, 0xFFFD, 0};
    ImFontConfig cfg;
    cfg.FontDataOwnedByAtlas = false;  // the bytes are a constant array in the binary
    cfg.OversampleH = 2;
    cfg.OversampleV = 1;
    const float px = std::round(kFontSizeCss * s.dpr * s.ui_scale);
    io.Fonts->AddFontFromMemoryTTF(const_cast<unsigned char*>(kUiFont), static_cast<int>(kUiFont_size), px, &cfg,
                                   ranges);
    io.Fonts->Build();
    return true;
}

void apply_style(const AppState& s) {
    const Palette& p = palette(s.theme);
    ImGuiStyle style;  // fresh defaults, then scale: ScaleAllSizes is not idempotent
    if (s.theme == Theme::dark) ImGui::StyleColorsDark(&style);
    else ImGui::StyleColorsLight(&style);
    style.WindowRounding = 8;
    style.ChildRounding = 6;
    style.FrameRounding = 6;
    style.GrabRounding = 6;
    style.PopupRounding = 6;
    style.TabRounding = 6;
    style.ScrollbarRounding = 6;
    style.WindowBorderSize = 0;
    style.FrameBorderSize = 1;
    style.WindowPadding = ImVec2(14, 12);
    style.FramePadding = ImVec2(10, 6);
    style.ItemSpacing = ImVec2(10, 8);
    style.ItemInnerSpacing = ImVec2(8, 6);
    style.ScrollbarSize = 14;
    style.GrabMinSize = 14;
    style.TabBorderSize = 0;

    ImVec4* c = style.Colors;
    c[ImGuiCol_Text] = p.text;
    c[ImGuiCol_TextDisabled] = p.text_dim;
    c[ImGuiCol_WindowBg] = p.panel;
    c[ImGuiCol_ChildBg] = p.panel;
    c[ImGuiCol_PopupBg] = p.panel;
    c[ImGuiCol_Border] = p.border;
    c[ImGuiCol_FrameBg] = p.panel_alt;
    c[ImGuiCol_FrameBgHovered] = mix(p.panel_alt, p.accent, 0.15f);
    c[ImGuiCol_FrameBgActive] = mix(p.panel_alt, p.accent, 0.25f);
    c[ImGuiCol_TitleBg] = p.panel_alt;
    c[ImGuiCol_TitleBgActive] = p.panel_alt;
    c[ImGuiCol_MenuBarBg] = p.panel_alt;
    c[ImGuiCol_ScrollbarBg] = p.panel;
    c[ImGuiCol_CheckMark] = p.accent;
    c[ImGuiCol_SliderGrab] = p.accent;
    c[ImGuiCol_SliderGrabActive] = p.accent;
    c[ImGuiCol_Button] = p.panel_alt;
    c[ImGuiCol_ButtonHovered] = mix(p.panel_alt, p.accent, 0.2f);
    c[ImGuiCol_ButtonActive] = mix(p.panel_alt, p.accent, 0.35f);
    c[ImGuiCol_Header] = mix(p.panel_alt, p.accent, 0.12f);
    c[ImGuiCol_HeaderHovered] = mix(p.panel_alt, p.accent, 0.22f);
    c[ImGuiCol_HeaderActive] = mix(p.panel_alt, p.accent, 0.32f);
    c[ImGuiCol_Separator] = p.border;
    c[ImGuiCol_Tab] = p.panel_alt;
    c[ImGuiCol_TabHovered] = mix(p.panel_alt, p.accent, 0.3f);
    c[ImGuiCol_TabActive] = p.panel;
    c[ImGuiCol_TabUnfocused] = p.panel_alt;
    c[ImGuiCol_TabUnfocusedActive] = p.panel;
    c[ImGuiCol_TableHeaderBg] = p.panel_alt;
    c[ImGuiCol_TableBorderStrong] = p.border;
    c[ImGuiCol_TableBorderLight] = p.border;
    c[ImGuiCol_TableRowBg] = p.panel;
    c[ImGuiCol_TableRowBgAlt] = mix(p.panel, p.panel_alt, 0.5f);
    c[ImGuiCol_NavHighlight] = p.accent;
    c[ImGuiCol_PlotLines] = p.accent;
    c[ImGuiCol_PlotHistogram] = p.accent;

    style.ScaleAllSizes(s.dpr * s.ui_scale);
    // Touch: every frame (button, field, tab) at least kTouchTargetCss tall on coarse pointers.
    if (s.coarse_pointer) {
        const float font_px = kFontSizeCss * s.dpr * s.ui_scale;
        const float min_h = kTouchTargetCss * s.dpr;
        style.FramePadding.y = std::max(style.FramePadding.y, (min_h - font_px) * 0.5f);
    }
    ImGui::GetStyle() = style;
}

}  // namespace knobs
