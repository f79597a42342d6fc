// The matching game: concepts on the left, definitions on the right, as cards with wrapped text. Tap (or
// click, or Enter/Space on the keyboard-focused card) a card from one column and then its partner from the
// other; a right pair locks, a wrong one flashes and counts a mistake. All the rules live in
// lesson::MatchingGame; this file draws it and forwards input through lesson_match_tap().
#include <algorithm>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "app/i18n.h"
#include "app/lesson_state.h"
#include "ui/a11y.h"
#include "ui/panels.h"
#include "ui/style.h"
#include "ui/widgets.h"

namespace knobs {

namespace {

using lesson::MatchSide;
using lesson::TapResult;

constexpr double kFlashSeconds = 1.5;  // how long a guess's green/red outline (and its message) stays


// What one card looks like this frame.
struct CardLook {
    bool matched = false, selected = false, flash_wrong = false, flash_right = false;
};


float CardPadding(const AppState& s) { return Px(s, 8); }
// The icon gutter: matched, selected and wrong are shown by an icon as well as by the outline colour, in a
// gutter of its own so that a card never changes size when its state changes.
float CardGutter(const AppState& s) { return ImGui::CalcTextSize("✓").x + Px(s, 6); }

float CardHeight(const AppState& s, const std::string& text, float width) {
    const float wrap = width - 2 * CardPadding(s) - CardGutter(s);
    return std::max(ImGui::CalcTextSize(text.c_str(), nullptr, false, wrap).y + 2 * CardPadding(s), ImGui::GetFrameHeight());
}

// Draws one card as a wrapped-text button of the given size; returns true when it was activated.
bool Card(AppState& s, const std::string& id, const std::string& text, const CardLook& look, float width, float height) {
    const Palette& pal = palette(s.theme);
    const float pad = CardPadding(s), gutter = CardGutter(s);
    const float thin = std::max(1.0f, Px(s, 1)), thick = std::max(2.0f, Px(s, 3));
    const char* icon = look.matched ? "✓" : look.flash_wrong ? "✗" : look.selected ? "▶" : "";
    const float wrap = width - 2 * pad - gutter;
    const ImVec2 pos = ImGui::GetCursorScreenPos();
    ImGui::PushID(id.c_str());
    // The button draws nothing; its label (the card's icon and words, before "###") is what the
    // accessibility mirror reads out.
    const std::string label = (*icon ? std::string(icon) + " " : std::string()) + text + "###card";
    const bool pressed = ImGui::InvisibleButton(label.c_str(), ImVec2(width, height));
    ImGui::PopID();
    const bool hovered = ImGui::IsItemHovered(), focused = ImGui::IsItemFocused() && ImGui::GetIO().NavVisible;

    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 end(pos.x + width, pos.y + height);
    const float rounding = Px(s, 6);
    dl->AddRectFilled(pos, end, ImGui::GetColorU32(look.matched ? pal.panel : pal.panel_alt), rounding);
    ImVec4 outline = pal.border;
    float outline_w = thin;
    if (look.matched || look.flash_right) outline = pal.good, outline_w = look.flash_right ? thick : thin * 2;
    if (look.flash_wrong) outline = pal.bad, outline_w = thick;
    if (look.selected) outline = pal.accent, outline_w = thick;
    if (hovered && !look.matched && !look.selected && !look.flash_wrong) outline = pal.accent;
    dl->AddRect(pos, end, ImGui::GetColorU32(outline), rounding, 0, outline_w);
    if (focused) {
        const float o = Px(s, 3);
        dl->AddRect(ImVec2(pos.x - o, pos.y - o), ImVec2(end.x + o, end.y + o), ImGui::GetColorU32(pal.accent), rounding, 0, thin * 2);
    }
    const ImVec4 icon_colour = look.matched ? pal.good : look.flash_wrong ? pal.bad : pal.accent;
    dl->AddText(ImVec2(pos.x + pad, pos.y + pad), ImGui::GetColorU32(icon_colour), icon);
    dl->AddText(ImGui::GetFont(), ImGui::GetFontSize(), ImVec2(pos.x + pad + gutter, pos.y + pad),
                ImGui::GetColorU32(look.matched ? pal.text_dim : pal.text), text.c_str(), nullptr, wrap);
    return pressed;
}

void ResetProgressControls(AppState& s, const char* hit_prefix) {
    const LessonState& L = s.lesson;
    const std::string prefix = hit_prefix;
    if (!L.confirm_reset) {
        if (ImGui::Button(lesson_text(s, "button_reset_progress"))) s.post(cmd::AskResetProgress{true});
        RecordHit(s, prefix + ".reset_progress");
        return;
    }
    WrappedColoured(palette(s.theme).warn, lesson_text(s, "reset_confirm"));
    const char* yes = lesson_text(s, "button_confirm_reset");
    const char* no = lesson_text(s, "button_cancel");
    if (ImGui::Button(yes)) s.post(cmd::ResetProgress{});
    RecordHit(s, prefix + ".confirm_reset");
    SameLineIfFits(ButtonWidth(no));
    if (ImGui::Button(no)) s.post(cmd::AskResetProgress{false});
    RecordHit(s, prefix + ".cancel_reset");
}

void ProgressSummary(AppState& s, const lesson::Content& content) {
    const LessonState& L = s.lesson;
    ImGui::Spacing();
    ImGui::Separator();
    WrappedColoured(palette(s.theme).accent, lesson_text(s, "title_progress"));
    const std::string matched = std::to_string(L.progress.matched.size()), total = std::to_string(content.concepts.size());
    const std::string rounds = std::to_string(L.progress.rounds_completed());
    ImGui::TextWrapped("%s", FillText(tr(s.lang, "lesson.match_progress"), {{"matched", matched}, {"total", total}, {"rounds", rounds}}).c_str());
    if (const auto b = L.progress.best_round()) {
        const std::string score = std::to_string(b->score), max = std::to_string(b->max), mistakes = std::to_string(b->mistakes);
        const std::string time = lesson_duration_text(s, b->duration_s);
        TextDim(FillText(tr(s.lang, "lesson.match_best"), {{"score", score}, {"max", max}, {"mistakes", mistakes}, {"time", time}}).c_str());
    }
    ResetProgressControls(s, "match");
}

}  // namespace

void ShowMatching(AppState& s, bool* open) {
    (void)open;
    const LessonState& L = s.lesson;
    const lesson::Content* content = lesson_content(s);
    const Palette& pal = palette(s.theme);
    if (!content || !L.matching) {
        WrappedColoured(pal.bad, tr(s.lang, "lesson.unavailable"));
        TextDim(L.error.c_str());
        return;
    }
    const lesson::MatchingGame& game = *L.matching;

    A11yGroup mirror_panel("panel", "", 1, "matching");  // a section named by the title
    WrappedColoured(pal.accent, lesson_text(s, "title_matching"));
    ImGui::TextWrapped("%s", lesson_text(s, "matching_instructions"));
    TextDim(lesson_text(s, "matching_keyboard_hint"));

    // ---- status: round, score, mistakes, time ----
    const std::string round = std::to_string(game.round_number());
    const std::pair<std::string_view, std::string_view> round_value[] = {{"round", round}};
    // Two short lines rather than one long one: the ticking clock must not re-wrap the text and shift the
    // cards under a finger that is about to tap.
    const std::string clock = lesson::fill_placeholders(lesson_text(s, "label_round"), round_value) + " · " +
                              lesson_text(s, "label_time") + " " + lesson_duration_text(s, game.elapsed_s(s.time_s));
    const std::string score = std::string(lesson_text(s, "label_matched")) + " " + std::to_string(game.matched_pairs()) + "/" +
                              std::to_string(game.pair_count()) + " · " + lesson_text(s, "label_score") + " " +
                              std::to_string(game.score()) + "/" + std::to_string(game.max_score()) + " · " +
                              lesson_text(s, "label_mistakes") + " " + std::to_string(game.mistakes());
    ImGui::TextWrapped("%s", clock.c_str());
    ImGui::TextWrapped("%s", score.c_str());
    RecordHit(s, "match.status");

    // ---- feedback for the last guess; the line is always there so the cards never jump ----
    const lesson::MatchFeedback& fb = game.last_feedback();
    const bool flashing = fb.result != TapResult::ignored && s.time_s - fb.at_s < kFlashSeconds;
    if (game.complete() && game.completed_event()) {
        const lesson::MatchingCompleted& c = *game.completed_event();
        const std::string max = std::to_string(c.max), score = std::to_string(c.score), mistakes = std::to_string(c.mistakes);
        const std::string time = lesson_duration_text(s, c.duration_s);
        WrappedColoured(pal.good, ("✓ " + FillText(lesson_text(s, "matching_complete"),
                                             {{"max", max}, {"time", time}, {"score", score}, {"mistakes", mistakes}}))
                                      .c_str());
    } else if (flashing && fb.result == TapResult::matched) {
        WrappedColoured(pal.good, (std::string("✓ ") + lesson_text(s, "matching_right")).c_str());
    } else if (flashing && fb.result == TapResult::wrong) {
        WrappedColoured(pal.bad, (std::string("✗ ") + lesson_text(s, "matching_wrong")).c_str());
    } else {
        ImGui::Dummy(ImVec2(1, ImGui::GetTextLineHeight()));
    }
    RecordHit(s, "match.feedback");

    // ---- the two columns of cards ----
    const ImGuiStyle& st = ImGui::GetStyle();
    const float avail = ImGui::GetContentRegionAvail().x;
    const float gap = st.ItemSpacing.x * 1.5f;
    // Terms are short and definitions long: give the definitions the larger share, but never make the
    // terms' column so narrow that a long word ("Backpropagation", "Retropropagação") breaks in two.
    float longest_term_word = 0;
    for (int row = 0; row < game.pair_count(); ++row)
        if (const lesson::Concept* c = content->find_concept(game.pair_id(row))) longest_term_word = std::max(longest_term_word, WidestWord(c->term));
    const float term_min = longest_term_word + 2 * CardPadding(s) + CardGutter(s) + Px(s, 2);
    const float term_w = std::min(std::max(term_min, (avail - gap) * 0.4f), (avail - gap) * 0.55f);
    const float def_w = std::max(Px(s, 80), avail - gap - term_w);
    const ImVec2 top = ImGui::GetCursorScreenPos();
    ImGui::TextDisabled("%s", tr(s.lang, "lesson.match_terms"));
    ImGui::SetCursorScreenPos(ImVec2(top.x + term_w + gap, top.y));
    ImGui::TextDisabled("%s", tr(s.lang, "lesson.match_definitions"));
    const float cards_top = top.y + ImGui::GetTextLineHeightWithSpacing();

    // Rows line up across the two columns (each row as tall as its taller card), so keyboard navigation
    // moves straight across with left/right and along a column with up/down.
    auto card_text = [&](int index) {
        const lesson::MatchCard card = game.card(index);
        const std::string& concept_id = game.pair_id(card.pair);
        const lesson::Concept* pair_concept = content->find_concept(concept_id);
        if (!pair_concept) return concept_id;
        return card.side == MatchSide::term ? pair_concept->term : pair_concept->definition;
    };
    std::vector<float> row_top(static_cast<std::size_t>(game.pair_count()) + 1, cards_top);
    for (int row = 0; row < game.pair_count(); ++row) {
        const float h = std::max(CardHeight(s, card_text(game.card_index(MatchSide::term, row)), term_w),
                                 CardHeight(s, card_text(game.card_index(MatchSide::definition, row)), def_w));
        row_top[static_cast<std::size_t>(row) + 1] = row_top[static_cast<std::size_t>(row)] + h + st.ItemSpacing.y;
    }

    int activated = -1;
    a11y_begin("cards", "", 0, "match.cards");
    for (int row = 0; row < game.pair_count(); ++row) {
        for (const MatchSide side : {MatchSide::term, MatchSide::definition}) {
            const bool is_term = side == MatchSide::term;
            const int index = game.card_index(side, row);
            const lesson::MatchCard card = game.card(index);
            CardLook look;
            look.matched = card.matched;
            look.selected = game.selected() == index;
            const bool in_last_guess = flashing && (fb.card_a == index || fb.card_b == index);
            look.flash_wrong = in_last_guess && fb.result == TapResult::wrong;
            look.flash_right = in_last_guess && fb.result == TapResult::matched;
            const float y = row_top[static_cast<std::size_t>(row)];
            const float h = row_top[static_cast<std::size_t>(row) + 1] - y - st.ItemSpacing.y;
            ImGui::SetCursorScreenPos(ImVec2(is_term ? top.x : top.x + term_w + gap, y));
            const std::string id = match_card_id(game, index);
            if (Card(s, id, card_text(index), look, is_term ? term_w : def_w, h)) activated = index;
            if (a11y_capturing()) {
                // A toggle button: pressed while selected; once matched, disabled and naming its partner.
                A11yItem item;
                item.role = "toggle";
                item.label = card_text(index);
                item.checked = look.selected;
                item.matched = look.matched;
                item.disabled = look.matched;
                item.set = tr(s.lang, is_term ? "lesson.match_terms" : "lesson.match_definitions");
                if (look.matched) {
                    const int partner = game.card_index(is_term ? MatchSide::definition : MatchSide::term, 0);
                    for (int other = partner; other < partner + game.pair_count(); ++other)
                        if (game.card(other).pair == card.pair)
                            item.description = FillText(tr(s.lang, "a11y.matched_with"), {{"other", card_text(other)}});
                }
                a11y_describe_last_item(s, item);
            }
            RecordHit(s, "match.card." + id);
            // Keyboard focus (ImGui's navigation) mirrors into the game's own focus, which the page API reports.
            if (ImGui::IsItemFocused() && game.focused() != index) s.post(cmd::MatchFocus{match_card_id(game, index)});
        }
    }
    a11y_end();
    ImGui::SetCursorScreenPos(ImVec2(top.x, row_top.back()));
    ImGui::Dummy(ImVec2(avail, 0));
    if (activated >= 0) s.post(cmd::MatchTap{match_card_id(game, activated)});

    // ---- round controls ----
    const char* retry = lesson_text(s, "button_retry_round");
    const char* fresh = lesson_text(s, "button_new_round");
    if (ImGui::Button(retry)) s.post(cmd::MatchRetry{});
    RecordHit(s, "match.retry");
    SameLineIfFits(ButtonWidth(fresh));
    if (ImGui::Button(fresh)) s.post(cmd::MatchNewRound{});
    RecordHit(s, "match.new_round");

    ProgressSummary(s, *content);
}

}  // namespace knobs
