// The lifecycle map: the content's stages as boxes in one lane per phase (pre-training, fine-tuning,
// inference), joined by arrows. Boxes flow left to right and wrap to the next row when the panel is
// narrow, down to a single vertical column on a phone. Clicking (or Enter on) a stage explains it and
// offers the lab panel that demonstrates it; the lane of whatever the lab is doing right now lights up.
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "app/commands.h"
#include "app/i18n.h"
#include "app/lesson_state.h"
#include "ui/panels.h"
#include "ui/a11y.h"
#include "ui/style.h"
#include "ui/widgets.h"

namespace knobs {

namespace {

using lesson::Phase;

constexpr float kFlowPerSecond = 0.6f;  // how far along an arrow the flow's dots travel in a second

struct Lane {
    Phase phase = Phase::pretraining;
    std::vector<int> stages;  // indices into Content::stages, in content order
};

struct BoxLayout {
    ImVec2 min, max;  // screen pixels
};

std::optional<Phase> phase_of(LabActivity a) {
    switch (a) {
        case LabActivity::pretraining: return Phase::pretraining;
        case LabActivity::finetuning: return Phase::finetuning;
        case LabActivity::inference: return Phase::inference;
        case LabActivity::idle: break;
    }
    return std::nullopt;
}

const char* phase_text_key(Phase p) {
    switch (p) {
        case Phase::pretraining: return "phase_pretraining";
        case Phase::finetuning: return "phase_finetuning";
        case Phase::inference: return "phase_inference";
        case Phase::count: break;
    }
    return "phase_pretraining";
}

// A line with a filled arrow head at `to`.
void draw_arrow(ImDrawList* dl, ImVec2 from, ImVec2 to, ImU32 col, float thickness, float head) {
    const float dx = to.x - from.x, dy = to.y - from.y;
    const float len = std::sqrt(dx * dx + dy * dy);
    if (len < 1.0f) return;
    const float ux = dx / len, uy = dy / len;
    const ImVec2 base(to.x - ux * head, to.y - uy * head);
    dl->AddLine(from, base, col, thickness);
    dl->AddTriangleFilled(to, ImVec2(base.x - uy * head * 0.55f, base.y + ux * head * 0.55f),
                          ImVec2(base.x + uy * head * 0.55f, base.y - ux * head * 0.55f), col);
}

// The point a fraction `f` (0..1) of the way along a polyline.
ImVec2 point_along(const std::vector<ImVec2>& path, float f) {
    float total = 0;
    for (std::size_t i = 1; i < path.size(); ++i) total += std::hypot(path[i].x - path[i - 1].x, path[i].y - path[i - 1].y);
    float left = std::clamp(f, 0.0f, 1.0f) * total;
    for (std::size_t i = 1; i < path.size(); ++i) {
        const float len = std::hypot(path[i].x - path[i - 1].x, path[i].y - path[i - 1].y);
        if (left <= len && len > 0) {
            const float u = left / len;
            return ImVec2(path[i - 1].x + (path[i].x - path[i - 1].x) * u, path[i - 1].y + (path[i].y - path[i - 1].y) * u);
        }
        left -= len;
    }
    return path.empty() ? ImVec2(0, 0) : path.back();
}

float wrapped_height(const std::string& text, float wrap_w) {
    return ImGui::CalcTextSize(text.c_str(), nullptr, false, wrap_w).y;
}

void StageDetails(AppState& s, const lesson::Content& content) {
    const LessonState& L = s.lesson;
    const Palette& pal = palette(s.theme);
    const lesson::Stage* stage = content.find_stage(L.selected_stage);
    if (!stage) {
        TextDim(tr(s.lang, "lesson.lifecycle_hint"));
        return;
    }
    ImGui::PushID(stage->id.c_str());
    ImGui::Separator();
    ImGui::PushStyleColor(ImGuiCol_Text, pal.accent);
    ImGui::TextWrapped("%s", stage->label.c_str());
    ImGui::PopStyleColor();
    RecordHit(s, "lifecycle.details");
    TextDim(lesson_text(s, phase_text_key(stage->phase)));
    ImGui::TextWrapped("%s", stage->explanation.c_str());
    ImGui::Spacing();
    const std::string demo_key = std::string("demo_") + lesson::demo_id(stage->demo);
    ImGui::TextWrapped("%s: %s", lesson_text(s, "title_lab"), lesson_text(s, demo_key));
    if (ImGui::Button(lesson_text(s, "button_show_me"))) s.post(cmd::ShowDemo{stage->demo});
    RecordHit(s, "lifecycle.show_me");
    ImGui::PopID();
}

}  // namespace

void ShowLifecycle(AppState& s, bool* open) {
    (void)open;
    const LessonState& L = s.lesson;
    const lesson::Content* content = lesson_content(s);
    const Palette& pal = palette(s.theme);
    ImGui::PushStyleColor(ImGuiCol_Text, pal.accent);
    ImGui::TextWrapped("%s", content ? lesson_text(s, "title_lifecycle") : tr(s.lang, "lesson.unavailable"));
    ImGui::PopStyleColor();
    if (!content) {
        TextDim(L.error.c_str());
        return;
    }

    std::vector<Lane> lanes;
    for (int p = 0; p < static_cast<int>(Phase::count); ++p) {
        Lane lane{static_cast<Phase>(p), {}};
        for (int i = 0; i < static_cast<int>(content->stages.size()); ++i)
            if (content->stages[static_cast<std::size_t>(i)].phase == lane.phase) lane.stages.push_back(i);
        if (!lane.stages.empty()) lanes.push_back(std::move(lane));
    }
    std::size_t most = 1;
    for (const Lane& lane : lanes) most = std::max(most, lane.stages.size());

    // ---- layout, in screen pixels ----
    const ImGuiStyle& st = ImGui::GetStyle();
    const float lane_pad = Px(s, 10), box_pad = Px(s, 8), arrow_gap = Px(s, 26), row_gap = Px(s, 22);
    const float lane_gap = Px(s, 24), line_gap = Px(s, 2);
    const float width = std::max(ImGui::GetContentRegionAvail().x, Px(s, 80));
    const float inner_w = width - 2 * lane_pad;
    float min_box_w = Px(s, 96);
    for (const lesson::Stage& stage : content->stages)
        min_box_w = std::max(min_box_w, std::max(WidestWord(stage.label), WidestWord(stage.sublabel)) + 2 * box_pad);
    const int per_row = static_cast<int>(std::clamp<float>(std::floor((inner_w + arrow_gap) / (min_box_w + arrow_gap)), 1.0f,
                                                           static_cast<float>(most)));
    const float box_w = per_row > 1 ? (inner_w - (per_row - 1) * arrow_gap) / per_row : inner_w;
    const float text_w = box_w - 2 * box_pad;

    const std::optional<Phase> live = phase_of(s.lab.activity());
    // The flow moves with time while a lane is live; under reduced motion it stays where it is.
    if (live && !reduced_motion(s)) s.anim.flow_phase = std::fmod(s.anim.flow_phase + s.anim.dt * kFlowPerSecond, 1.0f);
    const char* live_text = tr(s.lang, "lesson.lifecycle_live");
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float font_h = ImGui::GetFontSize();

    struct LanePlan {
        float top = 0, bottom = 0, box_h = 0, header_h = 0;
        std::vector<BoxLayout> boxes;
    };
    std::vector<LanePlan> plans;
    float y = origin.y;
    for (const Lane& lane : lanes) {
        LanePlan plan;
        plan.top = y;
        plan.header_h = wrapped_height(lesson_text(s, phase_text_key(lane.phase)), inner_w);
        if (live == lane.phase) plan.header_h += line_gap + wrapped_height(live_text, inner_w);
        plan.box_h = ImGui::GetFrameHeight() + 2 * box_pad;  // touch-sized even for one short line
        for (const int i : lane.stages) {
            const lesson::Stage& stage = content->stages[static_cast<std::size_t>(i)];
            plan.box_h = std::max(plan.box_h, wrapped_height(stage.label, text_w) + line_gap + wrapped_height(stage.sublabel, text_w) +
                                                  2 * box_pad);
        }
        const float boxes_top = y + lane_pad + plan.header_h + st.ItemSpacing.y;
        for (std::size_t k = 0; k < lane.stages.size(); ++k) {
            const int row = static_cast<int>(k) / per_row, col = static_cast<int>(k) % per_row;
            const ImVec2 mn(origin.x + lane_pad + col * (box_w + arrow_gap), boxes_top + row * (plan.box_h + row_gap));
            plan.boxes.push_back({mn, ImVec2(mn.x + box_w, mn.y + plan.box_h)});
        }
        plan.bottom = plan.boxes.back().max.y + lane_pad;
        y = plan.bottom + lane_gap;
        plans.push_back(std::move(plan));
    }
    const float total_h = (plans.empty() ? origin.y : plans.back().bottom) - origin.y;

    // ---- lanes, arrows, then the boxes on top ----
    const ImU32 lane_bg = ImGui::GetColorU32(pal.panel_alt), border = ImGui::GetColorU32(pal.border);
    const ImU32 accent = ImGui::GetColorU32(pal.accent), text = ImGui::GetColorU32(pal.text);
    const ImU32 dim = ImGui::GetColorU32(pal.text_dim), arrow_col = ImGui::GetColorU32(pal.text_dim);
    const float rounding = Px(s, 8), thin = std::max(1.0f, Px(s, 1)), thick = std::max(2.0f, Px(s, 3));
    const float head = Px(s, 8);
    for (std::size_t li = 0; li < lanes.size(); ++li) {
        const LanePlan& plan = plans[li];
        const bool lit = live == lanes[li].phase;
        const ImVec2 lane_min(origin.x, plan.top), lane_max(origin.x + width, plan.bottom);
        // The lanes are not widgets, but tests and the accessibility mirror still need to find them.
        const float css = 1.0f / s.dpr;
        const HitRect lane_rect{lane_min.x * css, lane_min.y * css, (lane_max.x - lane_min.x) * css, (lane_max.y - lane_min.y) * css};
        s.hits[std::string("lifecycle.lane.") + lesson::phase_id(lanes[li].phase)] = lane_rect;
        if (lit) s.hits["lifecycle.live"] = lane_rect;
        dl->AddRectFilled(lane_min, lane_max, lane_bg, rounding);
        dl->AddRect(lane_min, lane_max, lit ? accent : border, rounding, 0, lit ? thick : thin);
        const ImVec2 label_pos(origin.x + lane_pad, plan.top + lane_pad);
        dl->AddText(ImGui::GetFont(), font_h, label_pos, text, lesson_text(s, phase_text_key(lanes[li].phase)), nullptr, inner_w);
        if (lit) {
            // Said in words too, not only by the highlight colour.
            const float label_h = wrapped_height(lesson_text(s, phase_text_key(lanes[li].phase)), inner_w);
            dl->AddText(ImGui::GetFont(), font_h, ImVec2(label_pos.x, label_pos.y + label_h + line_gap), accent, live_text, nullptr, inner_w);
        }
        // Arrows inside the lane: beside the next box on the same row, or an elbow down to the next row.
        // In the live lane a dot travels along each arrow (the flow), unless motion is reduced.
        const bool flow = lit && !reduced_motion(s);
        for (std::size_t k = 0; k + 1 < plan.boxes.size(); ++k) {
            const BoxLayout& a = plan.boxes[k];
            const BoxLayout& b = plan.boxes[k + 1];
            std::vector<ImVec2> path;
            if (std::fabs(a.min.y - b.min.y) < 0.5f) {
                const float cy = (a.min.y + a.max.y) * 0.5f;
                path = {ImVec2(a.max.x + Px(s, 3), cy), ImVec2(b.min.x - Px(s, 3), cy)};
                draw_arrow(dl, path[0], path[1], arrow_col, thick * 0.7f, head);
            } else {
                const float ax = (a.min.x + a.max.x) * 0.5f, bx = (b.min.x + b.max.x) * 0.5f;
                const float mid = a.max.y + row_gap * 0.5f;
                path = {ImVec2(ax, a.max.y + Px(s, 2)), ImVec2(ax, mid), ImVec2(bx, mid), ImVec2(bx, b.min.y - Px(s, 2))};
                dl->AddLine(path[0], path[1], arrow_col, thick * 0.7f);
                dl->AddLine(path[1], path[2], arrow_col, thick * 0.7f);
                draw_arrow(dl, path[2], path[3], arrow_col, thick * 0.7f, head);
            }
            if (flow) dl->AddCircleFilled(point_along(path, s.anim.flow_phase), thick * 1.2f, accent);
        }
        // Into the next phase: from this lane's last box down to the next lane.
        if (li + 1 < lanes.size()) {
            const BoxLayout& last = plan.boxes.back();
            const float x = (last.min.x + last.max.x) * 0.5f;
            draw_arrow(dl, ImVec2(x, last.max.y + Px(s, 2)), ImVec2(x, plans[li + 1].top - Px(s, 1)), arrow_col, thick * 0.7f, head);
        }
    }

    for (std::size_t li = 0; li < lanes.size(); ++li) {
        // The diagram is drawn, not written: the mirror gets each lane's name before its stages.
        std::string lane_words = lesson_text(s, phase_text_key(lanes[li].phase));
        if (live == lanes[li].phase) lane_words += std::string(" (") + live_text + ")";
        a11y_note(lane_words);
        for (std::size_t k = 0; k < lanes[li].stages.size(); ++k) {
            const lesson::Stage& stage = content->stages[static_cast<std::size_t>(lanes[li].stages[k])];
            const BoxLayout& box = plans[li].boxes[k];
            ImGui::SetCursorScreenPos(box.min);
            ImGui::PushID(stage.id.c_str());
            // The button draws nothing itself; its label (before "###") is what the mirror reads out.
            const std::string stage_label = stage.label + (stage.sublabel.empty() ? "" : ": " + stage.sublabel) + "###stage";
            if (ImGui::InvisibleButton(stage_label.c_str(), ImVec2(box.max.x - box.min.x, box.max.y - box.min.y)))
                s.post(cmd::LifecycleSelect{stage.id});
            RecordHit(s, "lifecycle.stage." + stage.id);
            const bool selected = L.selected_stage == stage.id;
            const bool hovered = ImGui::IsItemHovered(), focused = ImGui::IsItemFocused() && ImGui::GetIO().NavVisible;
            ImGui::PopID();

            dl->AddRectFilled(box.min, box.max, ImGui::GetColorU32(pal.panel), rounding * 0.75f);
            dl->AddRect(box.min, box.max, selected || hovered ? accent : border, rounding * 0.75f, 0, selected ? thick : thin);
            if (focused) {
                const float o = Px(s, 3);
                dl->AddRect(ImVec2(box.min.x - o, box.min.y - o), ImVec2(box.max.x + o, box.max.y + o), accent, rounding, 0, thin * 2);
            }
            const ImVec2 tp(box.min.x + box_pad, box.min.y + box_pad);
            dl->AddText(ImGui::GetFont(), font_h, tp, text, stage.label.c_str(), nullptr, text_w);
            const float label_h = wrapped_height(stage.label, text_w);
            dl->AddText(ImGui::GetFont(), font_h, ImVec2(tp.x, tp.y + label_h + line_gap), dim, stage.sublabel.c_str(), nullptr, text_w);
        }
    }
    // Claim the whole diagram's space so the details below (and the scrollbar) account for it.
    ImGui::SetCursorScreenPos(origin);
    ImGui::Dummy(ImVec2(width, total_h));
    ImGui::Spacing();
    StageDetails(s, *content);
}

}  // namespace knobs
