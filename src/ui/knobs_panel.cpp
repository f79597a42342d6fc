// Knobs: the lesson's metaphor made literal. Every knob is a real parameter of the model being trained,
// every heatmap cell one weight, and a single step can be taken apart into forward, loss, backward, update.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "app/commands.h"
#include "app/i18n.h"
#include "ui/chart.h"
#include "ui/knob.h"
#include "ui/panels.h"
#include "ui/style.h"
#include "ui/widgets.h"

namespace knobs {

namespace {
constexpr float kKnobEaseSeconds = 0.15f;  // time constant of a knob turning to its new value

// (rows, cols) of one layer's slice of a tensor, and how many layers it has.
struct TensorShape {
    int layers = 1, rows = 1, cols = 1;
};
TensorShape shape_of(Tensor t, const ModelConfig& c) {
    const int L = c.n_layer, C = c.n_embd, T = c.block_size;
    switch (t) {
        case Tensor::wte: return {1, kVocabSize, C};
        case Tensor::wpe: return {1, T, C};
        case Tensor::qkvw: return {L, 3 * C, C};
        case Tensor::attprojw: return {L, C, C};
        case Tensor::fcw: return {L, 4 * C, C};
        case Tensor::fcprojw: return {L, C, 4 * C};
        case Tensor::qkvb: return {L, 1, 3 * C};
        case Tensor::fcb: return {L, 1, 4 * C};
        case Tensor::lnfw:
        case Tensor::lnfb: return {1, 1, C};
        default: return {L, 1, C};  // ln1w, ln1b, attprojb, ln2w, ln2b, fcprojb
    }
}

float max_abs(std::span<const float> v) {
    float m = 0;
    for (float x : v) m = std::max(m, std::isfinite(x) ? std::abs(x) : 0.0f);
    return m;
}

void Heatmap(AppState& s, std::span<const float> data, const TensorShape& sh, int layer, const char* key) {
    const Palette& pal = palette(s.theme);
    if (data.empty()) return;
    const size_t per_layer = static_cast<size_t>(sh.rows) * sh.cols;
    const auto slice = data.subspan(std::min(data.size(), per_layer * layer), per_layer);
    const float scale = std::max(max_abs(slice), 1e-12f);
    const float avail = ImGui::GetContentRegionAvail().x;
    // Aspect follows the matrix, clamped so wide and tall matrices both stay readable; zoom scales it.
    const float zoom = s.lab_ui.heat_zoom;
    const float w = avail * std::min(1.0f, zoom);
    float h = w * sh.rows / static_cast<float>(sh.cols);
    h = std::clamp(h, Px(s, 24), Px(s, 320) * zoom);
    ImGui::BeginChild("##heat", ImVec2(0, std::min(h, Px(s, 340)) + ImGui::GetStyle().ScrollbarSize),
                      ImGuiChildFlags_None, ImGuiWindowFlags_HorizontalScrollbar);
    const ImVec2 p0 = ImGui::GetCursorScreenPos();
    const ImVec2 size(w * std::max(1.0f, zoom), h);
    ImGui::InvisibleButton("##heatcells", size);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    if (s.hooks.heatmap) {
        s.hooks.heatmap(dl, key, s.lab.pretrain().step * 2 + (s.lab_ui.heat_grads ? 1 : 0), slice.data(), sh.rows,
                        sh.cols, scale, p0.x, p0.y, p0.x + size.x, p0.y + size.y);
    } else {
        // Headless fallback (tests, or no GL): one rectangle per cell, same colormap.
        const float cw = size.x / sh.cols, ch = size.y / sh.rows;
        for (int r = 0; r < sh.rows; ++r)
            for (int c = 0; c < sh.cols; ++c) {
                const float v = std::clamp(slice[static_cast<size_t>(r) * sh.cols + c] / scale, -1.0f, 1.0f);
                const ImVec4 col = v >= 0 ? ImVec4(1, 1 - v, 1 - v, 1) : ImVec4(1 + v, 1 + v, 1, 1);
                dl->AddRectFilled(ImVec2(p0.x + c * cw, p0.y + r * ch), ImVec2(p0.x + (c + 1) * cw, p0.y + (r + 1) * ch),
                                  ImGui::ColorConvertFloat4ToU32(col));
            }
    }
    if (ImGui::IsItemHovered()) {
        const ImVec2 m = ImGui::GetIO().MousePos;
        const int c = std::clamp(static_cast<int>((m.x - p0.x) / size.x * sh.cols), 0, sh.cols - 1);
        const int r = std::clamp(static_cast<int>((m.y - p0.y) / size.y * sh.rows), 0, sh.rows - 1);
        ImGui::SetTooltip("[%d, %d] = %+.5f", r, c, slice[static_cast<size_t>(r) * sh.cols + c]);
    }
    ImGui::EndChild();
    char legend[160];
    std::snprintf(legend, sizeof legend, "%s ±%.4f  (%d × %d)", tr(s.lang, "knobs.colour_scale"), scale, sh.rows, sh.cols);
    TextDim(legend);
    (void)pal;
}

void StepAnatomyView(AppState& s) {
    const auto& L = s.lang;
    const StepAnatomy& a = s.lab.pretrain().anatomy;
    const Palette& pal = palette(s.theme);
    ImGui::SeparatorText(tr(L, "knobs.anatomy"));
    ImGui::SameLine();
    HelpMarker(tr(L, "knobs.anatomy_help"));
    if (ImGui::Button(tr(L, "knobs.take_step"))) s.post(cmd::StepOnce{});
    RecordHit(s, "knobs.take_step");
    if (!a.valid) {
        TextDim(tr(L, "knobs.anatomy_empty"));
        return;
    }
    ImGui::SameLine();
    ImGui::TextDisabled("%s %d", tr(L, "pretrain.step_label"), a.step);
    const float box_w = (ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ItemSpacing.x * 3) / 4;
    const bool narrow = box_w < Px(s, 120);
    char buf[4][160];
    std::snprintf(buf[0], sizeof buf[0], "%s\n%s FLOPs", tr(L, "knobs.forward"), format_value(a.flops_forward).c_str());
    std::snprintf(buf[1], sizeof buf[1], "%s\n%.4f", tr(L, "knobs.loss"), a.loss);
    std::snprintf(buf[2], sizeof buf[2], "%s\n|g| = %.4f\n%s FLOPs", tr(L, "knobs.backward"), a.grad_norm,
                  format_value(a.flops_backward).c_str());
    std::snprintf(buf[3], sizeof buf[3], "%s\n|Δw| = %.2e\n%s / %s %s\nmax %.2e", tr(L, "knobs.update"), a.update_norm,
                  format_value(static_cast<double>(a.knobs_moved)).c_str(),
                  format_value(static_cast<double>(a.knobs_total)).c_str(), tr(L, "knobs.moved"), a.max_change);
    for (int i = 0; i < 4; ++i) {
        if (i && !narrow) ImGui::SameLine();
        ImGui::PushID(i);
        ImGui::PushStyleColor(ImGuiCol_ChildBg, pal.panel_alt);
        ImGui::BeginChild("##stage", ImVec2(narrow ? 0 : box_w, Px(s, 96)), ImGuiChildFlags_Border);
        ImGui::TextUnformatted(buf[i]);
        ImGui::EndChild();
        ImGui::PopStyleColor();
        ImGui::PopID();
    }
}
}  // namespace

void ShowKnobs(AppState& s, bool* open) {
    (void)open;
    const auto& L = s.lang;
    const Lab& lab = s.lab;
    const Palette& pal = palette(s.theme);
    ImGui::TextWrapped("%s", tr(L, "knobs.intro"));
    const PretrainView& v = lab.pretrain();
    if (v.params == 0) {
        TextDim(tr(L, "knobs.no_model"));
        if (ImGui::Button(tr(L, "knobs.go_pretrain"))) s.post(cmd::OpenPanel{PanelId::pretrain});
        return;
    }

    // The counter, with real models for scale.
    ImGui::PushStyleColor(ImGuiCol_Text, pal.accent);
    ImGui::Text("%s %s", format_value(static_cast<double>(v.params)).c_str(), tr(L, "knobs.knobs"));
    ImGui::PopStyleColor();
    ImGui::SameLine();
    ImGui::TextDisabled("(%zu)", v.params);
    TextDim(tr(L, "knobs.scale_line"));
    char scale[96];
    std::snprintf(scale, sizeof scale, "7B: ×%s   70B: ×%s", format_value(7e9 / v.params).c_str(), format_value(70e9 / v.params).c_str());
    TextDim(scale);

    // Which tensor the knobs and the heatmap show.
    const ModelConfig cfg = lab.model_config();
    SettingControl(s, "tensor", 200);
    const TensorShape sh = shape_of(s.lab_ui.knob_tensor, cfg);
    // The layer a link or a larger model asked for, within the layers this model has.
    const int layer = std::clamp(s.lab_ui.knob_layer, 0, sh.layers - 1);
    if (sh.layers > 1) {
        SameLineIfFits(Px(s, 120) + ImGui::GetStyle().ItemInnerSpacing.x + ImGui::CalcTextSize(tr(L, "knobs.layer")).x);
        SettingControl(s, "layer", 120, sh.layers - 1);
    }

    const auto values = lab.tensor_values(s.lab_ui.knob_tensor);
    const auto changes = lab.tensor_last_update(s.lab_ui.knob_tensor);
    const size_t per_layer = static_cast<size_t>(sh.rows) * sh.cols;
    const size_t base = per_layer * layer;
    if (values.size() >= base + per_layer) {
        const float range = std::max(max_abs(values.subspan(base, per_layer)), 1e-6f);
        const float knob_w = Px(s, 52);
        const int per_row = std::max(1, static_cast<int>(ImGui::GetContentRegionAvail().x / knob_w));
        // The knobs turn smoothly to each new value; a different tensor or layer, or reduced motion, jumps.
        Motion& anim = s.anim;
        const std::string source = std::string(tensor_name(s.lab_ui.knob_tensor)) + "/" + std::to_string(layer) + "/" +
                                   std::to_string(per_layer);
        const bool jump = reduced_motion(s) || source != anim.knob_source;
        anim.knob_source = source;
        const float ease = 1.0f - std::exp(-anim.dt / kKnobEaseSeconds);
        for (int k = 0; k < kKnobCount; ++k) {
            // Evenly spread over the slice, so the knobs sample the whole matrix.
            const size_t idx = base + (per_layer * k) / kKnobCount;
            const int r = static_cast<int>((idx - base) / sh.cols), c = static_cast<int>((idx - base) % sh.cols);
            char label[32];
            std::snprintf(label, sizeof label, "%d,%d", r, c);
            float& shown = anim.knob_shown[static_cast<size_t>(k)];
            const float target = values[idx];
            if (jump || !std::isfinite(shown) || std::abs(target - shown) <= range * 1e-4f) shown = target;
            else shown += (target - shown) * ease;
            Knob knob;
            knob.value = shown;
            knob.spoken = target;
            knob.range = range;
            knob.last_change = idx < changes.size() ? changes[idx] : 0.0f;
            knob.radius = Px(s, 15);
            knob.up_color = ImGui::ColorConvertFloat4ToU32(pal.good);
            knob.down_color = ImGui::ColorConvertFloat4ToU32(pal.bad);
            knob.idle_color = ImGui::ColorConvertFloat4ToU32(pal.border);
            knob.face_color = ImGui::ColorConvertFloat4ToU32(pal.panel_alt);
            knob.pointer_color = ImGui::ColorConvertFloat4ToU32(pal.text);
            knob.label = label;
            if (k % per_row) ImGui::SameLine();
            ImGui::PushID(k);
            if (knob.Draw()) ImGui::SetTooltip("%s[%d, %d] = %+.6f\n%s %+.2e", tensor_name(s.lab_ui.knob_tensor), r, c,
                                               target, tr(L, "knobs.last_change"), knob.last_change);
            ImGui::PopID();
        }
        TextDim(tr(L, "knobs.legend"));
    }

    ImGui::SeparatorText(tr(L, "knobs.heatmap"));
    bool grads = s.lab_ui.heat_grads;
    float zoom = s.lab_ui.heat_zoom;
    bool view_changed = ImGui::Checkbox(tr(L, "knobs.show_grads"), &grads);
    RecordHit(s, "knobs.show_grads");
    SameLineIfFits(Px(s, 140) + ImGui::GetStyle().ItemInnerSpacing.x + ImGui::CalcTextSize(tr(L, "knobs.zoom")).x);
    FitNextItemWidth(s, 140, tr(L, "knobs.zoom"));
    view_changed |= ImGui::SliderFloat(tr(L, "knobs.zoom"), &zoom, 0.25f, 8.0f, "%.2fx", ImGuiSliderFlags_Logarithmic);
    if (view_changed) s.post(cmd::SetHeatmapView{grads, zoom});
    const auto data = s.lab_ui.heat_grads ? lab.tensor_grads(s.lab_ui.knob_tensor) : values;
    Heatmap(s, data, sh, layer, s.lab_ui.heat_grads ? "grads" : "values");

    StepAnatomyView(s);
}

}  // namespace knobs
