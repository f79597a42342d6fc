// The quick-check quiz, one question at a time: pick (single) or tick (multiple) options, check, read
// the per-option feedback and the explanation, open the lab demo, and only then reveal the solution.
// A strip of numbered buttons jumps between questions and shows each one's result as an icon. The rules
// live in lesson::QuizSession; input goes through lesson_quiz_*() so the command API behaves the same.
#include <algorithm>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "app/i18n.h"
#include "app/lesson_state.h"
#include "ui/a11y.h"
#include "ui/panels.h"
#include "ui/style.h"
#include "ui/widgets.h"

namespace knobs {

namespace {

using lesson::OptionFeedback;
using lesson::QuestionKind;


// One answer option: a radio circle or a check box, the wrapped option text and, once there is
// something to say, the option's feedback under it. Returns true when activated.
bool Choice(AppState& s, const std::string& id, const std::string& text, QuestionKind kind, bool selected, bool locked,
            OptionFeedback fb, const std::string& feedback_line, float width) {
    const Palette& pal = palette(s.theme);
    const float pad = Px(s, 8), thin = std::max(1.0f, Px(s, 1)), thick = std::max(2.0f, Px(s, 3));
    const float font = ImGui::GetFontSize(), mark = font * 0.9f, mark_gap = Px(s, 10);
    const float wrap = width - 2 * pad - mark - mark_gap;
    const ImVec2 text_size = ImGui::CalcTextSize(text.c_str(), nullptr, false, wrap);
    const float feedback_h = feedback_line.empty() ? 0.0f : Px(s, 4) + ImGui::CalcTextSize(feedback_line.c_str(), nullptr, false, wrap).y;
    const float height = std::max(text_size.y + feedback_h + 2 * pad, ImGui::GetFrameHeight());
    const ImVec2 pos = ImGui::GetCursorScreenPos();
    ImGui::PushID(id.c_str());
    // The button draws nothing; its label (before "###") is what the accessibility mirror reads out.
    const std::string label = text + (feedback_line.empty() ? "" : " " + feedback_line) + "###option";
    const bool pressed = ImGui::InvisibleButton(label.c_str(), ImVec2(width, height));
    if (a11y_capturing()) {
        A11yItem item;
        item.role = kind == QuestionKind::single ? "radio" : "checkbox";
        item.checked = selected;
        item.disabled = locked;  // a checked question keeps its answer until "retry the wrong ones"
        a11y_describe_last_item(s, item);
    }
    ImGui::PopID();
    const bool hovered = ImGui::IsItemHovered(), focused = ImGui::IsItemFocused() && ImGui::GetIO().NavVisible;

    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 end(pos.x + width, pos.y + height);
    const float rounding = Px(s, 6);
    ImVec4 outline = pal.border;
    float outline_w = thin;
    if (fb == OptionFeedback::correct) outline = pal.good, outline_w = thick;
    else if (fb == OptionFeedback::incorrect) outline = pal.bad, outline_w = thick;
    else if (fb == OptionFeedback::missed) outline = pal.warn, outline_w = thick;
    else if (selected) outline = pal.accent, outline_w = thick;
    else if (hovered) outline = pal.accent;
    dl->AddRectFilled(pos, end, ImGui::GetColorU32(pal.panel_alt), rounding);
    dl->AddRect(pos, end, ImGui::GetColorU32(outline), rounding, 0, outline_w);
    if (focused) {
        const float o = Px(s, 3);
        dl->AddRect(ImVec2(pos.x - o, pos.y - o), ImVec2(end.x + o, end.y + o), ImGui::GetColorU32(pal.accent), rounding, 0, thin * 2);
    }
    // The mark, centred on the first line of text.
    const ImVec2 mark_min(pos.x + pad, pos.y + pad + (ImGui::GetTextLineHeight() - mark) * 0.5f);
    const ImVec2 mark_max(mark_min.x + mark, mark_min.y + mark);
    const ImU32 mark_col = ImGui::GetColorU32(selected ? pal.accent : pal.text_dim);
    if (kind == QuestionKind::single) {
        const ImVec2 c((mark_min.x + mark_max.x) * 0.5f, (mark_min.y + mark_max.y) * 0.5f);
        dl->AddCircle(c, mark * 0.5f, mark_col, 0, thin * 1.5f);
        if (selected) dl->AddCircleFilled(c, mark * 0.27f, mark_col);
    } else {
        dl->AddRect(mark_min, mark_max, mark_col, Px(s, 3), 0, thin * 1.5f);
        const float inset = mark * 0.24f;
        if (selected)
            dl->AddRectFilled(ImVec2(mark_min.x + inset, mark_min.y + inset), ImVec2(mark_max.x - inset, mark_max.y - inset), mark_col, Px(s, 2));
    }
    const ImVec2 text_pos(mark_max.x + mark_gap, pos.y + pad);
    dl->AddText(ImGui::GetFont(), font, text_pos, ImGui::GetColorU32(pal.text), text.c_str(), nullptr, wrap);
    if (!feedback_line.empty()) {
        const ImVec4 col = fb == OptionFeedback::correct ? pal.good : fb == OptionFeedback::incorrect ? pal.bad
                         : fb == OptionFeedback::missed  ? pal.warn : pal.text_dim;
        dl->AddText(ImGui::GetFont(), font, ImVec2(text_pos.x, text_pos.y + text_size.y + Px(s, 4)), ImGui::GetColorU32(col),
                    feedback_line.c_str(), nullptr, wrap);
    }
    return pressed;
}

// "✓ Correct: <why>" and friends; empty while the option has nothing to show.
std::string feedback_line(const AppState& s, OptionFeedback fb, bool solution_shown, const lesson::QuizOption& option) {
    switch (fb) {
        case OptionFeedback::correct: return std::string("✓ ") + lesson_text(s, "label_correct") + ": " + option.feedback;
        case OptionFeedback::incorrect: return std::string("✗ ") + lesson_text(s, "label_wrong") + ": " + option.feedback;
        case OptionFeedback::missed: return std::string("● ") + lesson_text(s, "label_missed") + ": " + option.feedback;
        case OptionFeedback::none: break;
    }
    // Once the solution is out, the options nobody picked explain themselves too.
    return solution_shown ? option.feedback : std::string();
}

void QuestionStrip(AppState& s, const lesson::QuizSession& quiz) {
    const Palette& pal = palette(s.theme);
    const LessonState& L = s.lesson;
    for (int q = 0; q < quiz.question_count(); ++q) {
        std::string label = std::to_string(q + 1);
        if (quiz.is_checked(q)) label += quiz.is_correct(q) ? " ✓" : " ✗";
        if (q > 0) SameLineIfFits(ButtonWidth(label.c_str()));
        const bool current = q == L.current_question;
        if (current) {
            ImGui::PushStyleColor(ImGuiCol_Button, pal.accent);
            ImGui::PushStyleColor(ImGuiCol_Text, pal.accent_text);
        }
        ImGui::PushID(q);
        if (ImGui::Button(label.c_str())) s.post(cmd::QuizGoTo{quiz.question_id(q)});
        if (a11y_capturing()) {  // "Question 3 of 16: ✓ Correct" rather than "3 ✓"
            A11yItem item;
            item.label = FillText(lesson_text(s, "quiz_question_counter"), {{"n", std::to_string(q + 1)}, {"total", std::to_string(quiz.question_count())}});
            if (quiz.is_checked(q))
                item.label += std::string(quiz.is_correct(q) ? ": ✓ " : ": ✗ ") + lesson_text(s, quiz.is_correct(q) ? "label_correct" : "label_wrong");
            item.checked = current;
            item.role = "page";
            a11y_describe_last_item(s, item);
        }
        ImGui::PopID();
        if (current) ImGui::PopStyleColor(2);
        RecordHit(s, "quiz.goto." + quiz.question_id(q));
    }
}

void ResetProgressControls(AppState& s) {
    const LessonState& L = s.lesson;
    if (!L.confirm_reset) {
        if (ImGui::Button(lesson_text(s, "button_reset_progress"))) s.post(cmd::AskResetProgress{true});
        RecordHit(s, "quiz.reset_progress");
        return;
    }
    WrappedColoured(palette(s.theme).warn, lesson_text(s, "reset_confirm"));
    const char* no = lesson_text(s, "button_cancel");
    if (ImGui::Button(lesson_text(s, "button_confirm_reset"))) s.post(cmd::ResetProgress{});
    RecordHit(s, "quiz.confirm_reset");
    SameLineIfFits(ButtonWidth(no));
    if (ImGui::Button(no)) s.post(cmd::AskResetProgress{false});
    RecordHit(s, "quiz.cancel_reset");
}

}  // namespace

void ShowQuiz(AppState& s, bool* open) {
    (void)open;
    const LessonState& L = s.lesson;
    const lesson::Content* content = lesson_content(s);
    const Palette& pal = palette(s.theme);
    if (!content || !L.quiz) {
        WrappedColoured(pal.bad, tr(s.lang, "lesson.unavailable"));
        TextDim(L.error.c_str());
        return;
    }
    const lesson::QuizSession& quiz = *L.quiz;
    const int q = std::clamp(L.current_question, 0, quiz.question_count() - 1);
    const lesson::QuizQuestion* question = content->find_question(quiz.question_id(q));
    if (!question) {  // validate_pair() rules this out; still, never index past the content
        WrappedColoured(pal.bad, tr(s.lang, "lesson.unavailable"));
        return;
    }

    // The mirror gets a section named by the title, the options as a radio or checkbox group.
    A11yGroup mirror_panel("panel", "", 1, "quiz");
    WrappedColoured(pal.accent, lesson_text(s, "title_quiz"));
    QuestionStrip(s, quiz);
    ImGui::Spacing();
    const std::string n = std::to_string(q + 1), total = std::to_string(quiz.question_count());
    TextDim(FillText(lesson_text(s, "quiz_question_counter"), {{"n", n}, {"total", total}}).c_str());
    ImGui::PushID(question->id.c_str());
    // The prompt is the group's legend and the hint its description.
    a11y_begin(question->kind == QuestionKind::single ? "radiogroup" : "checkboxgroup", "", 2, "quiz." + question->id);
    ImGui::TextWrapped("%s", question->prompt.c_str());
    RecordHit(s, "quiz.prompt");
    TextDim(lesson_text(s, question->kind == QuestionKind::single ? "quiz_single_hint" : "quiz_multiple_hint"));

    // ---- the options, in this attempt's shuffled order ----
    const bool checked = quiz.is_checked(q);
    const bool shown = quiz.solution_shown(q);
    const float width = ImGui::GetContentRegionAvail().x;
    int picked = -1;
    for (const int o : quiz.option_order(q)) {
        if (o < 0 || o >= static_cast<int>(question->options.size())) continue;
        const lesson::QuizOption& option = question->options[static_cast<std::size_t>(o)];
        const OptionFeedback fb = quiz.feedback(q, o);
        if (Choice(s, option.id, option.text, question->kind, quiz.is_selected(q, o), checked, fb,
                   checked ? feedback_line(s, fb, shown, option) : "", width))
            picked = o;
        RecordHit(s, "quiz.option." + option.id);
    }
    a11y_end();
    if (picked >= 0 && !checked)
        s.post(cmd::QuizSelect{question->id, question->options[static_cast<std::size_t>(picked)].id});

    ImGui::BeginDisabled(checked);
    if (ImGui::Button(lesson_text(s, "button_check"))) s.post(cmd::QuizCheck{question->id});
    ImGui::EndDisabled();
    RecordHit(s, "quiz.check");
    if (L.quiz_needs_selection) WrappedColoured(pal.warn, lesson_text(s, "quiz_select_first"));

    // ---- after checking: the verdict, the explanation, the demo and the solution ----
    if (quiz.is_checked(q)) {
        const bool right = quiz.is_correct(q);
        ImGui::SameLine();
        ImGui::PushStyleColor(ImGuiCol_Text, right ? pal.good : pal.bad);
        ImGui::AlignTextToFramePadding();
        ImGui::TextUnformatted((std::string(right ? "✓ " : "✗ ") + lesson_text(s, right ? "label_correct" : "label_wrong")).c_str());
        ImGui::PopStyleColor();
        RecordHit(s, "quiz.verdict");
        if (!right && !quiz.solution_shown(q) && quiz.missed_count(q) > 0)
            TextDim(FillText(tr(s.lang, "lesson.quiz_missed"), {{"n", std::to_string(quiz.missed_count(q))}}).c_str());
        ImGui::Spacing();
        WrappedColoured(pal.accent, lesson_text(s, "label_explanation"));
        ImGui::TextWrapped("%s", question->explanation.c_str());
        const std::string demo_key = std::string("demo_") + lesson::demo_id(question->demo);
        TextDim((std::string(lesson_text(s, "title_lab")) + ": " + lesson_text(s, demo_key)).c_str());
        if (ImGui::Button(lesson_text(s, "button_show_me"))) s.post(cmd::ShowDemo{question->demo});
        RecordHit(s, "quiz.show_me");

        const bool folded = L.solution_folded.count(question->id) > 0;
        if (!quiz.solution_shown(q) || folded) {
            const char* label = lesson_text(s, "button_show_solution");
            SameLineIfFits(ButtonWidth(label));
            if (ImGui::Button(label)) {
                if (quiz.solution_shown(q)) s.post(cmd::QuizFoldSolution{question->id, false});
                else s.post(cmd::QuizShowSolution{question->id});
            }
            RecordHit(s, "quiz.show_solution");
        } else {
            const char* label = lesson_text(s, "button_hide_solution");
            SameLineIfFits(ButtonWidth(label));
            if (ImGui::Button(label)) s.post(cmd::QuizFoldSolution{question->id, true});
            RecordHit(s, "quiz.hide_solution");
            WrappedColoured(pal.accent, lesson_text(s, "label_solution"));
            for (const int o : quiz.solution(q))
                if (o < static_cast<int>(question->options.size()))
                    ImGui::TextWrapped("✓ %s", question->options[static_cast<std::size_t>(o)].text.c_str());
            RecordHit(s, "quiz.solution");
        }
    } else {
        TextDim(lesson_text(s, "quiz_solution_locked"));
    }
    ImGui::PopID();

    // ---- moving between questions ----
    ImGui::Spacing();
    ImGui::BeginDisabled(q == 0);
    if (ImGui::Button(lesson_text(s, "button_previous"))) s.post(cmd::QuizGoTo{quiz.question_id(q - 1)});
    ImGui::EndDisabled();
    RecordHit(s, "quiz.prev");
    const char* next = lesson_text(s, "button_next");
    SameLineIfFits(ButtonWidth(next));
    ImGui::BeginDisabled(q + 1 >= quiz.question_count());
    if (ImGui::Button(next)) s.post(cmd::QuizGoTo{quiz.question_id(q + 1)});
    ImGui::EndDisabled();
    RecordHit(s, "quiz.next");

    // ---- score and the way back to the ones that went wrong ----
    ImGui::Spacing();
    ImGui::Separator();
    ImGui::TextWrapped("%s: %d / %d", lesson_text(s, "label_score"), quiz.score_raw(), quiz.score_max());
    RecordHit(s, "quiz.score");
    if (quiz.all_checked()) {
        const std::string score = std::to_string(quiz.score_raw()), max = std::to_string(quiz.score_max());
        ImGui::TextWrapped("%s", FillText(lesson_text(s, "quiz_complete"), {{"score", score}, {"max", max}}).c_str());
        WrappedColoured(quiz.success() ? pal.good : pal.warn, lesson_text(s, quiz.success() ? "quiz_passed" : "quiz_not_passed"));
    }
    if (!quiz.wrong_questions().empty()) {
        if (ImGui::Button(lesson_text(s, "button_retry_wrong"))) s.post(cmd::QuizRetryWrong{});
        RecordHit(s, "quiz.retry_wrong");
    }
    ImGui::Spacing();
    WrappedColoured(pal.accent, lesson_text(s, "title_progress"));
    const std::string answered = std::to_string(L.progress.quiz.size());
    TextDim(FillText(tr(s.lang, "lesson.quiz_progress"), {{"answered", answered}, {"total", total}}).c_str());
    ResetProgressControls(s);
}

}  // namespace knobs
