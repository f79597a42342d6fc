// Frequently asked questions: each question is a collapsing header; open, it shows the answer and a
// "show me" button for the lab demo. The headers wrap their text (ImGui's CollapsingHeader clips it), so a
// long question stays whole on a phone.
#include <algorithm>
#include <string>

#include "app/i18n.h"
#include "app/lesson_state.h"
#include "ui/a11y.h"
#include "ui/panels.h"
#include "ui/style.h"
#include "ui/widgets.h"

namespace knobs {

namespace {

// A collapsing header with wrapped text and a disclosure triangle. Returns true when toggled.
bool WrappedHeader(AppState& s, const std::string& id, const std::string& text, bool open) {
    const Palette& pal = palette(s.theme);
    const float pad = Px(s, 8), font = ImGui::GetFontSize(), arrow = font * 0.55f, arrow_gap = Px(s, 10);
    const float width = ImGui::GetContentRegionAvail().x;
    const float wrap = std::max(font, width - 2 * pad - arrow - arrow_gap);
    const ImVec2 text_size = ImGui::CalcTextSize(text.c_str(), nullptr, false, wrap);
    const float height = std::max(text_size.y + 2 * pad, ImGui::GetFrameHeight());
    const ImVec2 pos = ImGui::GetCursorScreenPos();
    ImGui::PushID(id.c_str());
    // Draws nothing itself; its label (before "###") names it in the accessibility mirror, where it is a
    // heading holding a disclosure button, as in an accordion.
    const bool pressed = ImGui::InvisibleButton((text + "###header").c_str(), ImVec2(width, height));
    if (a11y_capturing()) {
        A11yItem item;
        item.role = "disclosure";
        item.expanded = open;
        item.level = 4;  // under the region (2) and the panel (3)
        a11y_describe_last_item(s, item);
    }
    ImGui::PopID();
    const bool hovered = ImGui::IsItemHovered(), focused = ImGui::IsItemFocused() && ImGui::GetIO().NavVisible;

    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 end(pos.x + width, pos.y + height);
    const ImGuiCol bg = ImGui::IsItemActive() ? ImGuiCol_HeaderActive : hovered ? ImGuiCol_HeaderHovered : ImGuiCol_Header;
    dl->AddRectFilled(pos, end, ImGui::GetColorU32(bg), Px(s, 6));
    if (focused) dl->AddRect(pos, end, ImGui::GetColorU32(pal.accent), Px(s, 6), 0, std::max(2.0f, Px(s, 2)));
    // The triangle points right when closed and down when open, like ImGui's own headers.
    const float cx = pos.x + pad + arrow * 0.5f, cy = pos.y + pad + ImGui::GetTextLineHeight() * 0.5f, r = arrow * 0.5f;
    const ImU32 col = ImGui::GetColorU32(pal.text);
    if (open) dl->AddTriangleFilled(ImVec2(cx - r, cy - r * 0.6f), ImVec2(cx + r, cy - r * 0.6f), ImVec2(cx, cy + r * 0.8f), col);
    else dl->AddTriangleFilled(ImVec2(cx - r * 0.6f, cy - r), ImVec2(cx + r * 0.8f, cy), ImVec2(cx - r * 0.6f, cy + r), col);
    dl->AddText(ImGui::GetFont(), font, ImVec2(pos.x + pad + arrow + arrow_gap, pos.y + pad), col, text.c_str(), nullptr, wrap);
    return pressed;
}

}  // namespace

void ShowFaq(AppState& s, bool* open) {
    (void)open;
    const LessonState& L = s.lesson;
    const lesson::Content* content = lesson_content(s);
    const Palette& pal = palette(s.theme);
    A11yGroup mirror_panel("panel", "", content ? 1 : 0, "faq");  // a section named by the title
    ImGui::PushStyleColor(ImGuiCol_Text, content ? pal.accent : pal.bad);
    ImGui::TextWrapped("%s", content ? lesson_text(s, "title_faq") : tr(s.lang, "lesson.unavailable"));
    ImGui::PopStyleColor();
    if (!content) {
        TextDim(L.error.c_str());
        return;
    }
    for (const lesson::FaqEntry& entry : content->faq) {
        const bool is_open = L.open_faq.count(entry.id) > 0;
        if (WrappedHeader(s, entry.id, entry.question, is_open)) s.post(cmd::FaqToggle{entry.id});
        RecordHit(s, "faq.question." + entry.id);
        if (!is_open) continue;
        ImGui::PushID(entry.id.c_str());
        ImGui::Indent(Px(s, 8));
        ImGui::TextWrapped("%s", entry.answer.c_str());
        RecordHit(s, "faq.answer." + entry.id);
        const std::string demo_key = std::string("demo_") + lesson::demo_id(entry.demo);
        TextDim((std::string(lesson_text(s, "title_lab")) + ": " + lesson_text(s, demo_key)).c_str());
        if (ImGui::Button(lesson_text(s, "button_show_me"))) s.post(cmd::ShowDemo{entry.demo});
        RecordHit(s, "faq.show_me." + entry.id);
        ImGui::Unindent(Px(s, 8));
        ImGui::Spacing();
        ImGui::PopID();
    }
}

}  // namespace knobs
