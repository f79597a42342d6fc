#include "ui/widgets.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
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
// ---- sliders that never surprise --------------------------------------------------------------------
// ImGui's slider moves the value to wherever a press lands. A press on the handle itself must change
// nothing: the learner meant to grab it. So the slider's mouse input is ours: a press on the handle pins
// the value until the pointer has moved as far as a drag (ImGui's MouseDragThreshold), then the value
// follows the pointer with the handle kept at the point that was grabbed; a press on the track moves the
// handle there, as before. Keyboard steps and Ctrl+click typing stay ImGui's.

// The slider's horizontal geometry, as ImGui lays out its grab (2 px of padding, the grab's width).
struct SliderSpan {
    float pos_min = 0;   // x of the handle's centre at the lowest value
    float usable = 0;    // how far the centre travels
    float grab_w = 0;
    double lo = 0, hi = 1;
    bool log = false;
    bool integer = false;
};

SliderSpan slider_span(ImVec2 frame_min, float frame_w, double lo, double hi, bool log, bool integer) {
    constexpr float kGrabPadding = 2.0f;  // ImGui's own, in SliderBehaviorT
    const float slider_w = std::max(0.0f, frame_w - 2 * kGrabPadding);
    float grab_w = ImGui::GetStyle().GrabMinSize;
    // An integer slider's handle is one unit wide when there is room, as ImGui draws it.
    if (integer && hi >= lo) grab_w = std::max(slider_w / static_cast<float>(hi - lo + 1), grab_w);
    grab_w = std::min(grab_w, slider_w);
    SliderSpan sp;
    sp.pos_min = frame_min.x + kGrabPadding + grab_w * 0.5f;
    sp.usable = slider_w - grab_w;
    sp.grab_w = grab_w;
    sp.lo = lo;
    sp.hi = hi;
    sp.log = log && lo > 0 && hi > lo;
    sp.integer = integer;
    return sp;
}

// Where the handle is for `v`, from 0 to 1. On a log scale exactly log(v / lo) / log(hi / lo): no epsilon
// near zero (ImGui's takes one from the format's decimals), so the handle and the value agree everywhere.
double slider_t(const SliderSpan& sp, double v) {
    if (sp.hi <= sp.lo) return 0;
    v = std::clamp(v, sp.lo, sp.hi);
    return sp.log ? std::log(v / sp.lo) / std::log(sp.hi / sp.lo) : (v - sp.lo) / (sp.hi - sp.lo);
}

// The value whose handle centre is at `x`, rounded as the slider shows it.
double slider_value_at(const SliderSpan& sp, float x, const char* format) {
    const double t = sp.usable > 0 ? std::clamp((x - sp.pos_min) / sp.usable, 0.0f, 1.0f) : 0.0;
    double v = sp.log ? sp.lo * std::pow(sp.hi / sp.lo, t) : sp.lo + t * (sp.hi - sp.lo);
    if (sp.integer) return std::clamp(std::round(v), sp.lo, sp.hi);
    // The value the learner sees is the value set: rounded by the slider's own format ("%.5f", "$%.2f/h").
    char buf[64];
    std::snprintf(buf, sizeof buf, format, v);
    const char* p = buf;
    while (*p && !(std::isdigit(static_cast<unsigned char>(*p)) || *p == '-' || *p == '.')) ++p;
    char* end = nullptr;
    const double shown = std::strtod(p, &end);
    if (end != p) v = shown;
    return std::clamp(v, sp.lo, sp.hi);
}

float handle_x(const SliderSpan& sp, double v) { return sp.pos_min + static_cast<float>(slider_t(sp, v)) * sp.usable; }

// A press on the handle, followed while the mouse button is held (one pointer: one slider at a time).
struct HandleGrab {
    ImGuiID id = 0;
    float offset = 0;    // where the press was, from the handle's centre
    float press_x = 0;
    bool dragging = false;
};
HandleGrab g_grab;

// Runs after ImGui's slider: replaces what ImGui made of the mouse with the rules above. `v` holds ImGui's
// new value on entry and the slider's value on return; `before` is the value the slider was drawn with.
bool steady_mouse(ImGuiID id, const SliderSpan& sp, double before, double& v, bool imgui_changed, const char* format) {
    ImGuiContext& g = *GImGui;
    if (g_grab.id == id && g.ActiveId != id) g_grab = {};
    if (g.ActiveId != id || g.ActiveIdSource != ImGuiInputSource_Mouse || ImGui::TempInputIsActive(id)) {
        if (g_grab.id == id) g_grab = {};
        return imgui_changed;  // the keyboard, a gamepad, or the value typed after Ctrl+click
    }
    const ImGuiIO& io = ImGui::GetIO();
    if (ImGui::IsItemActivated() || g_grab.id != id) {
        const float press_x = io.MouseClickedPos[0].x;
        const float centre = handle_x(sp, before);
        const bool on_handle = std::fabs(press_x - centre) <= sp.grab_w * 0.5f + 1.0f;
        g_grab = {id, on_handle ? press_x - centre : 0.0f, press_x, /*dragging=*/!on_handle};
    }
    if (!g_grab.dragging && std::fabs(io.MousePos.x - g_grab.press_x) >= io.MouseDragThreshold) g_grab.dragging = true;
    v = g_grab.dragging ? slider_value_at(sp, io.MousePos.x - g_grab.offset, format) : before;
    return v != before;
}

// ImGui's own grab is hidden (it sits on the value's digits); this one leaves them free: the track fills up
// to the value, and the handle is two tabs above and below the text, never over it.
void draw_steady_handle(AppState& s, const SliderSpan& sp, ImVec2 frame_min, ImVec2 frame_max, double v,
                        const std::string& hit_id) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float x = handle_x(sp, v);
    const float text_top = frame_min.y + (frame_max.y - frame_min.y - ImGui::GetFontSize()) * 0.5f;
    const float band = std::max(2.0f, text_top - frame_min.y - 1.0f);
    const ImU32 fill = ImGui::GetColorU32(ImGuiCol_SliderGrab, 0.28f);
    const ImU32 grab = ImGui::GetColorU32(ImGui::IsItemActive() ? ImGuiCol_SliderGrabActive : ImGuiCol_SliderGrab);
    const float rounding = ImGui::GetStyle().FrameRounding;
    dl->AddRectFilled(ImVec2(frame_min.x + 1, frame_min.y + 1), ImVec2(x, frame_max.y - 1), fill, rounding,
                      ImDrawFlags_RoundCornersLeft);
    const float half = sp.grab_w * 0.5f;
    dl->AddRectFilled(ImVec2(x - half, frame_min.y + 1), ImVec2(x + half, frame_min.y + 1 + band), grab, band * 0.5f);
    dl->AddRectFilled(ImVec2(x - half, frame_max.y - 1 - band), ImVec2(x + half, frame_max.y - 1), grab, band * 0.5f);
    if (!hit_id.empty()) {
        const float k = 1.0f / s.dpr;
        s.hits[hit_id + ".handle"] = {(x - half) * k, frame_min.y * k, sp.grab_w * k, (frame_max.y - frame_min.y) * k};
    }
}

template <class Draw>
bool steady_slider(AppState& s, double* v, double lo, double hi, bool log, bool integer, const char* format,
                   const std::string& hit_id, Draw draw) {
    const float frame_w = ImGui::CalcItemWidth();
    const double before = *v;
    ImGui::PushStyleColor(ImGuiCol_SliderGrab, ImVec4(0, 0, 0, 0));
    ImGui::PushStyleColor(ImGuiCol_SliderGrabActive, ImVec4(0, 0, 0, 0));
    bool changed = draw();
    ImGui::PopStyleColor(2);
    const ImVec2 frame_min = ImGui::GetItemRectMin();
    const ImVec2 frame_max(frame_min.x + frame_w, frame_min.y + ImGui::GetFrameHeight());
    const SliderSpan sp = slider_span(frame_min, frame_w, lo, hi, log, integer);
    changed = steady_mouse(ImGui::GetItemID(), sp, before, *v, changed, format);
    draw_steady_handle(s, sp, frame_min, frame_max, *v, hit_id);
    return changed;
}
}  // namespace

bool SteadySlider(AppState& s, const char* label, double* v, double lo, double hi, const char* format, bool log_scale,
                  const std::string& hit_id) {
    double shown = *v;
    return steady_slider(s, v, lo, hi, log_scale, false, format, hit_id, [&] {
        ImGuiSliderFlags flags = ImGuiSliderFlags_AlwaysClamp;
        if (log_scale) flags |= ImGuiSliderFlags_Logarithmic;
        const bool changed = ImGui::SliderScalar(label, ImGuiDataType_Double, &shown, &lo, &hi, format, flags);
        *v = shown;
        return changed;
    });
}

bool SteadySliderInt(AppState& s, const char* label, int* v, int lo, int hi, const char* format, const std::string& hit_id) {
    double value = *v;
    const bool changed = steady_slider(s, &value, lo, hi, false, true, format, hit_id, [&] {
        int shown = *v;
        const bool c = ImGui::SliderInt(label, &shown, lo, hi, format, ImGuiSliderFlags_AlwaysClamp);
        value = shown;
        return c;
    });
    *v = static_cast<int>(std::lround(value));
    return changed;
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
                                      : SteadySliderInt(s, label, &v, static_cast<int>(bottom), static_cast<int>(top),
                                                        spec->format, spec->label_key);
            if (edited) changed = static_cast<long long>(std::clamp<long long>(v, bottom, top));
            break;
        }
        case SettingKind::real: {
            const bool log = spec->scale == SliderScale::log;
            // A log slider cannot start at 0: an open range starts six decades below its top instead.
            const double lo = log && spec->lo <= 0 ? spec->hi * 1e-6 : spec->lo;
            double v = std::get<double>(value);
            FitNextItemWidth(s, preferred_css, label);
            if (SteadySlider(s, label, &v, lo, spec->hi, spec->format, log, spec->label_key))
                changed = v;
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
