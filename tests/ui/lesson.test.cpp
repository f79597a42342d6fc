// The five lesson panels driven headless through real clicks on recorded hit rects (and through the
// command API), with the real lesson content, quiz and matching game underneath.
#include <algorithm>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/i18n.h"
#include "app/lesson_state.h"
#include "app/url_state.h"
#include "catch_amalgamated.hpp"
#include "lesson/progress.h"
#include "ui/style.h"
#include "ui/widgets.h"
#include "fresh_app.h"
#include "ui_harness.h"

using knobs::testing::UiHarness;
using namespace knobs;
using nlohmann::json;

namespace {

struct Events {
    std::vector<std::pair<std::string, json>> list;
    int count(const std::string& name) const {
        return static_cast<int>(std::count_if(list.begin(), list.end(), [&](const auto& e) { return e.first == name; }));
    }
    json last(const std::string& name) const {
        for (auto it = list.rbegin(); it != list.rend(); ++it)
            if (it->first == name) return it->second;
        return json();
    }
};

void capture_events(UiHarness& ui, Events& events) {
    ui.state.hooks.emit = [&events](const std::string& name, const std::string& payload) {
        events.list.emplace_back(name, json::parse(payload));
    };
}

// A fresh page load with these hooks: the lesson loads lazily, so forget what the harness's first frame loaded.
void reload_lesson(UiHarness& ui) {
    ui.state.lesson = LessonState{};
    ui.state.notices.clear();
    ui.frame();
}

void show(UiHarness& ui, PanelId p) {
    open_panel(ui.state, p);
    ui.frame();
    ui.frame();
}

json lesson_json(const UiHarness& ui) { return json::parse(state_json(ui.state))["lesson"]; }

const lesson::Content& english(UiHarness& ui) {
    REQUIRE(ensure_lesson(ui.state).library->ok());
    return ui.state.lesson.library->languages.front();
}

// Scrolls the panel under the element (mouse wheel, as a user would) until the element is on screen, then
// clicks it. Returns false when the element was never drawn.
bool click_visible(UiHarness& ui, const std::string& id) {
    ImGuiIO& io = ImGui::GetIO();
    const float dpr = ui.state.dpr;
    const float top = kTopBarHeightCss + 48, bottom = ui.state.canvas_css_h - 16;
    // Let the layout settle first: a window whose content just shrank clamps its scroll a frame later.
    ui.frame();
    ui.frame();
    for (int i = 0; i < 400; ++i) {
        const auto it = ui.state.hits.find(id);
        if (it == ui.state.hits.end()) return false;
        const HitRect r = it->second;
        float wheel = 0;
        if (r.y < top) wheel = 1;
        else if (r.y + r.h > bottom) wheel = -1;
        if (wheel == 0) break;
        // Move first, then wheel: ImGui trickles input, so a wheel queued with a move lands a frame later.
        io.AddMousePosEvent((r.x + r.w * 0.5f) * dpr, ui.state.canvas_css_h * 0.6f * dpr);
        ui.frame();
        io.AddMouseWheelEvent(0, wheel * 0.5f);
        ui.frame();
        const HitRect after = ui.state.hits.count(id) ? ui.state.hits[id] : r;
        if (after.y == r.y) break;  // cannot scroll further: it is as visible as it gets
    }
    return ui.click(id);
}

int correct_option_count(const lesson::QuizQuestion& q) {
    return static_cast<int>(std::count_if(q.options.begin(), q.options.end(), [](const auto& o) { return o.correct; }));
}

const lesson::QuizOption& first_option(const lesson::QuizQuestion& q, bool correct) {
    for (const auto& o : q.options)
        if (o.correct == correct) return o;
    FAIL("question " << q.id << " has no " << (correct ? "correct" : "wrong") << " option");
    return q.options.front();
}

// The concept ids of the current round, and for each the two card ids.
std::vector<std::string> round_pairs(const UiHarness& ui) { return ui.state.lesson.matching->pair_ids(); }

bool has_notice(const UiHarness& ui, const std::string& text, bool error) {
    return std::any_of(ui.state.notices.begin(), ui.state.notices.end(),
                       [&](const Notice& n) { return n.text == text && n.is_error == error; });
}

}  // namespace

TEST_CASE("[ui] lesson: a matching round is completed by clicks and a wrong pair counts a mistake", "[ui][lesson]") {
    const auto [w, h] = GENERATE(std::pair{1280.0f, 800.0f}, std::pair{390.0f, 844.0f});
    INFO("canvas " << w << "x" << h);
    UiHarness ui(w, h, 1);
    Events events;
    capture_events(ui, events);
    std::vector<std::string> saved;
    ui.state.hooks.save_progress = [&saved](const std::string& text) { saved.push_back(text); };
    show(ui, PanelId::matching);
    REQUIRE(ui.state.lesson.matching);
    const std::vector<std::string> pairs = round_pairs(ui);
    REQUIRE(pairs.size() >= 5);

    // A wrong guess: the first concept's term with the second concept's definition.
    REQUIRE(click_visible(ui, "match.card.term." + pairs[0]));
    CHECK(lesson_json(ui)["matching"]["selected"] == "term." + pairs[0]);
    REQUIRE(click_visible(ui, "match.card.def." + pairs[1]));
    const lesson::MatchingGame& game = *ui.state.lesson.matching;
    CHECK(game.mistakes() == 1);
    CHECK(game.matched_pairs() == 0);
    CHECK(lesson_json(ui)["matching"]["feedback"] == "wrong");
    CHECK(events.count("matching_completed") == 0);

    // Every pair, alternating which column is tapped first.
    for (std::size_t p = 0; p < pairs.size(); ++p) {
        const std::string term = "match.card.term." + pairs[p], def = "match.card.def." + pairs[p];
        REQUIRE(click_visible(ui, p % 2 ? def : term));
        REQUIRE(click_visible(ui, p % 2 ? term : def));
        CHECK(game.matched_pairs() == static_cast<int>(p + 1));
    }
    REQUIRE(game.complete());
    CHECK(game.mistakes() == 1);
    CHECK(game.score() == game.max_score() - 1);  // the pair guessed wrong first does not score

    // A matched pair is locked: tapping it again changes nothing.
    REQUIRE(click_visible(ui, "match.card.term." + pairs[0]));
    CHECK(game.mistakes() == 1);
    CHECK_FALSE(game.selected().has_value());

    REQUIRE(events.count("matching_completed") == 1);
    const json done = events.last("matching_completed");
    CHECK(done["score"] == game.max_score() - 1);
    CHECK(done["max"] == game.max_score());
    CHECK(done["mistakes"] == 1);
    CHECK(done["duration_s"].get<double>() > 0);
    CHECK(done["duration"].get<std::string>().rfind("PT", 0) == 0);

    // Progress: every pair matched, one round, saved through the hook.
    CHECK(ui.state.lesson.progress.rounds_completed() == 1);
    for (const auto& id : pairs) CHECK(ui.state.lesson.progress.matched.count(id) == 1);
    REQUIRE_FALSE(saved.empty());
    const lesson::ProgressLoad reread = lesson::parse_progress(saved.back(), &english(ui));
    CHECK(reread.status == lesson::ProgressStatus::restored);
    CHECK(reread.progress.matched.size() == pairs.size());

    REQUIRE(click_visible(ui, "match.new_round"));
    CHECK(game.round_number() == 2);
    CHECK(game.matched_pairs() == 0);
    CHECK(game.mistakes() == 0);
}

TEST_CASE("[ui] lesson: the matching game works from the keyboard", "[ui][lesson]") {
    UiHarness ui;
    show(ui, PanelId::matching);
    const lesson::MatchingGame& game = *ui.state.lesson.matching;
    const std::string first = round_pairs(ui)[0];
    const int term = match_card_from_id(game, "term." + first);
    // A click puts keyboard focus on the card too, as in a browser; from there on only keys are used.
    REQUIRE(click_visible(ui, "match.card.term." + first));
    REQUIRE(game.selected() == term);
    ui.key(ImGuiKey_RightArrow);
    REQUIRE(game.focused() >= game.pair_count());  // now in the definitions column
    // Walk the definitions column up to the top, then down to the partner.
    for (int i = 0; i < game.pair_count(); ++i) ui.key(ImGuiKey_UpArrow);
    const int partner = match_card_from_id(game, "def." + first);
    for (int i = 0; i < game.pair_count() && game.focused() != partner; ++i) ui.key(ImGuiKey_DownArrow);
    REQUIRE(game.focused() == partner);
    CHECK(lesson_json(ui)["matching"]["focused"] == "def." + first);
    ui.key(ImGuiKey_Enter);
    CHECK(game.matched_pairs() == 1);
    CHECK(game.card(term).matched);
    // Space activates too: select another term from the keyboard.
    ui.key(ImGuiKey_LeftArrow);
    ui.key(ImGuiKey_Space);
    REQUIRE(game.selected().has_value());
    CHECK(*game.selected() < game.pair_count());
    CHECK_FALSE(game.card(*game.selected()).matched);
}

TEST_CASE("[ui] lesson: a quiz question is answered by clicks", "[ui][lesson]") {
    const auto [w, h] = GENERATE(std::pair{1280.0f, 800.0f}, std::pair{390.0f, 844.0f});
    INFO("canvas " << w << "x" << h);
    UiHarness ui(w, h, 1);
    Events events;
    capture_events(ui, events);
    show(ui, PanelId::quiz);
    const lesson::QuizSession& quiz = *ui.state.lesson.quiz;
    REQUIRE(quiz.question_count() >= 10);
    const lesson::QuizQuestion& q0 = *english(ui).find_question(lesson_json(ui)["quiz"]["current"].get<std::string>());

    SECTION("a right answer") {
        // No solution before an answer.
        CHECK(ui.state.hits.count("quiz.show_solution") == 0);
        CHECK_FALSE(run_command(ui.state, R"({"cmd":"quiz_show_solution"})").ok);
        // Check with nothing selected asks for a selection instead.
        REQUIRE(click_visible(ui, "quiz.check"));
        CHECK_FALSE(quiz.is_checked(0));
        CHECK(lesson_json(ui)["quiz"]["needs_selection"] == true);
        for (const auto& o : q0.options)
            if (o.correct) REQUIRE(click_visible(ui, "quiz.option." + o.id));
        REQUIRE(click_visible(ui, "quiz.check"));
        REQUIRE(quiz.is_checked(0));
        CHECK(quiz.is_correct(0));
        const json jq = lesson_json(ui)["quiz"];
        for (const auto& o : jq["options"])
            CHECK(o["feedback"] == (o["selected"].get<bool>() ? "correct" : "none"));
        REQUIRE(events.count("quiz_answered") == 1);
        CHECK(events.last("quiz_answered")["question"] == q0.id);
        CHECK(events.last("quiz_answered")["correct"] == true);
        CHECK(ui.state.hits.count("quiz.verdict") == 1);
        CHECK(ui.state.hits.count("quiz.show_solution") == 1);
        CHECK(ui.state.lesson.progress.quiz.count(q0.id) == 1);
    }
    SECTION("a wrong answer, then the solution") {
        const lesson::QuizOption& wrong = first_option(q0, false);
        REQUIRE(click_visible(ui, "quiz.option." + wrong.id));
        REQUIRE(click_visible(ui, "quiz.check"));
        REQUIRE(quiz.is_checked(0));
        CHECK_FALSE(quiz.is_correct(0));
        // Picking another option after checking is refused: the answer stands until a retry.
        const lesson::QuizOption& right = first_option(q0, true);
        REQUIRE(click_visible(ui, "quiz.option." + right.id));
        CHECK_FALSE(quiz.is_selected(0, quiz.find_option(0, right.id)));
        // The missed right answer is only named once the solution is asked for.
        auto feedback_of = [&](const std::string& id) {
            const json options = lesson_json(ui)["quiz"]["options"];
            for (const auto& o : options)
                if (o["id"] == id) return o["feedback"].get<std::string>();
            return std::string("?");
        };
        CHECK(feedback_of(wrong.id) == "incorrect");
        CHECK(feedback_of(right.id) == "none");
        REQUIRE(click_visible(ui, "quiz.show_solution"));
        CHECK(quiz.solution_shown(0));
        CHECK(feedback_of(right.id) == "missed");
        CHECK(ui.state.hits.count("quiz.solution") == 1);
        REQUIRE(click_visible(ui, "quiz.hide_solution"));
        CHECK(ui.state.hits.count("quiz.solution") == 0);
        CHECK(events.last("quiz_answered")["correct"] == false);
    }
    SECTION("moving on and a multiple-answer question") {
        int multi = -1;
        for (int q = 0; q < quiz.question_count() && multi < 0; ++q)
            if (quiz.kind(q) == lesson::QuestionKind::multiple) multi = q;
        REQUIRE(multi >= 0);
        REQUIRE(click_visible(ui, "quiz.next"));
        CHECK(ui.state.lesson.current_question == 1);
        REQUIRE(click_visible(ui, "quiz.goto." + quiz.question_id(multi)));
        REQUIRE(ui.state.lesson.current_question == multi);
        const lesson::QuizQuestion& mq = *english(ui).find_question(quiz.question_id(multi));
        REQUIRE(correct_option_count(mq) >= 1);
        for (const auto& o : mq.options)
            if (o.correct) REQUIRE(click_visible(ui, "quiz.option." + o.id));
        const json options = lesson_json(ui)["quiz"]["options"];
        CHECK(static_cast<int>(std::count_if(options.begin(), options.end(), [](const json& o) { return o["selected"].get<bool>(); })) ==
              correct_option_count(mq));
        REQUIRE(click_visible(ui, "quiz.check"));
        CHECK(quiz.is_correct(multi));
    }
}

TEST_CASE("[ui] lesson: the quiz is driven by commands to the end", "[ui][lesson]") {
    UiHarness ui;
    Events events;
    capture_events(ui, events);
    show(ui, PanelId::quiz);
    const lesson::QuizSession& quiz = *ui.state.lesson.quiz;
    const lesson::Content& en = english(ui);

    SECTION("bad input is refused and changes nothing") {
        const std::string q = quiz.question_id(0);
        const std::vector<std::string> bad = {R"({"cmd":"quiz_select"})", R"({"cmd":"quiz_select","question":"nope","option":"x"})",
                                              R"({"cmd":"quiz_select","question":")" + q + R"(","option":"nope"})",
                                              R"({"cmd":"quiz_select","question":7,"option":"x"})", R"({"cmd":"quiz_check"})",
                                              R"({"cmd":"quiz_check","question":"nope"})", R"({"cmd":"quiz_go_to"})"};
        for (const std::string& cmd : bad) {
            INFO(cmd);
            const CommandResult r = run_command(ui.state, cmd);
            CHECK_FALSE(r.ok);
            CHECK_FALSE(r.error.empty());
        }
        CHECK_FALSE(quiz.has_selection(0));
        CHECK(events.list.empty());
    }
    SECTION("every question answered, then the wrong ones retried") {
        // Right answers everywhere except question 0 and 1.
        for (int q = 0; q < quiz.question_count(); ++q) {
            const lesson::QuizQuestion& text = *en.find_question(quiz.question_id(q));
            const bool answer_right = q >= 2;
            for (const auto& o : text.options) {
                if (o.correct != answer_right) continue;
                json cmd{{"cmd", "quiz_select"}, {"question", text.id}, {"option", o.id}};
                REQUIRE(run_command(ui.state, cmd.dump()).ok);
                if (text.kind == lesson::QuestionKind::single) break;
            }
            CHECK(lesson_json(ui)["quiz"]["current"] == text.id);
            REQUIRE(run_command(ui.state, R"({"cmd":"quiz_check"})").ok);
            CHECK_FALSE(run_command(ui.state, R"({"cmd":"quiz_check"})").ok);  // already checked
            ui.frame();
        }
        CHECK(events.count("quiz_answered") == quiz.question_count());
        REQUIRE(events.count("quiz_completed") == 1);
        const json done = events.last("quiz_completed");
        CHECK(done["score"]["raw"] == quiz.question_count() - 2);
        CHECK(done["score"]["max"] == quiz.question_count());
        CHECK_THAT(done["score"]["scaled"].get<double>(),
                   Catch::Matchers::WithinAbs(double(quiz.question_count() - 2) / quiz.question_count(), 1e-12));
        CHECK(done["success"] == quiz.success());
        CHECK(done["duration_s"].get<double>() >= 0);
        const json jq = lesson_json(ui)["quiz"];
        CHECK(jq["all_checked"] == true);
        CHECK(jq["wrong"].size() == 2);

        show(ui, PanelId::quiz);
        REQUIRE(click_visible(ui, "quiz.retry_wrong"));
        CHECK_FALSE(quiz.is_checked(0));
        CHECK_FALSE(quiz.is_checked(1));
        CHECK(quiz.is_checked(2));
        CHECK(ui.state.lesson.current_question == 0);
        // The saved answers of reopened questions stay until they are checked again.
        CHECK(ui.state.lesson.progress.quiz.size() == static_cast<std::size_t>(quiz.question_count()));
    }
}

TEST_CASE("[ui] lesson: show me opens the lab panel that demonstrates it", "[ui][lesson]") {
    UiHarness ui;
    show(ui, PanelId::lifecycle);
    const lesson::Content& en = english(ui);
    REQUIRE(en.stages.size() == 9);

    SECTION("every lifecycle stage") {
        for (const lesson::Stage& stage : en.stages) {
            INFO(stage.id << " demo " << lesson::demo_id(stage.demo));
            REQUIRE(click_visible(ui, "lifecycle.stage." + stage.id));
            CHECK(ui.state.lesson.selected_stage == stage.id);
            CHECK(ui.state.hits.count("lifecycle.details") == 1);
            ui.state.lab_ui.chat = stage.demo != lesson::Demo::chat_context;
            REQUIRE(click_visible(ui, "lifecycle.show_me"));
            CHECK(ui.state.focused_lab_panel == demo_panel(stage.demo));
            CHECK(ui.state.focused_lesson_panel == PanelId::lifecycle);  // the lesson stays where it was
            if (stage.demo == lesson::Demo::chat_context) CHECK(ui.state.lab_ui.chat);
            if (stage.demo == lesson::Demo::lora) CHECK(ui.state.lab_ui.ft_lora);
        }
    }
    SECTION("the mapping of every demo") {
        using lesson::Demo;
        const std::pair<Demo, PanelId> expected[] = {
            {Demo::pretrain, PanelId::pretrain},   {Demo::knobs, PanelId::knobs},         {Demo::step_anatomy, PanelId::knobs},
            {Demo::inference, PanelId::inference}, {Demo::chat_context, PanelId::inference}, {Demo::finetune, PanelId::finetune},
            {Demo::lora, PanelId::finetune},       {Demo::weights_file, PanelId::weights}, {Demo::cost_latency, PanelId::cost},
            {Demo::temperature, PanelId::inference}};
        for (const auto& [demo, panel] : expected) {
            INFO(lesson::demo_id(demo));
            REQUIRE(run_command(ui.state, json{{"cmd", "show_me"}, {"demo", lesson::demo_id(demo)}}.dump()).ok);
            ui.frame();  // the tab bar selects the requested tab
            ui.frame();  // and draws it
            CHECK(ui.state.focused_lab_panel == panel);
            if (demo == Demo::finetune) CHECK_FALSE(ui.state.lab_ui.ft_lora);
            if (demo == Demo::lora) CHECK(ui.state.lab_ui.ft_lora);
            if (demo == Demo::chat_context) CHECK(ui.state.lab_ui.chat);
            if (demo == Demo::inference) CHECK_FALSE(ui.state.lab_ui.chat);
        }
        CHECK_FALSE(run_command(ui.state, R"({"cmd":"show_me","demo":"teleport"})").ok);
    }
    SECTION("a FAQ entry") {
        show(ui, PanelId::faq);
        const lesson::FaqEntry& entry = en.faq.front();
        CHECK(ui.state.hits.count("faq.show_me." + entry.id) == 0);  // folded
        REQUIRE(click_visible(ui, "faq.question." + entry.id));
        CHECK(ui.state.hits.count("faq.answer." + entry.id) == 1);
        REQUIRE(click_visible(ui, "faq.show_me." + entry.id));
        CHECK(ui.state.focused_lab_panel == demo_panel(entry.demo));
        REQUIRE(click_visible(ui, "faq.question." + entry.id));
        CHECK(ui.state.hits.count("faq.answer." + entry.id) == 0);
    }
    SECTION("a quiz question, after it was answered") {
        show(ui, PanelId::quiz);
        CHECK(ui.state.hits.count("quiz.show_me") == 0);
        const lesson::QuizQuestion& q = *en.find_question(ui.state.lesson.quiz->question_id(0));
        REQUIRE(click_visible(ui, "quiz.option." + first_option(q, true).id));
        REQUIRE(click_visible(ui, "quiz.check"));
        REQUIRE(click_visible(ui, "quiz.show_me"));
        CHECK(ui.state.focused_lab_panel == demo_panel(q.demo));
    }
    SECTION("an empty column of the measured table") {
        show(ui, PanelId::table);
        for (const auto& [column, panel] : {std::pair{"pretraining", PanelId::pretrain}, std::pair{"finetuning", PanelId::finetune},
                                            std::pair{"inference", PanelId::inference}}) {
            INFO(column);
            REQUIRE(click_visible(ui, std::string("table.try.") + column));
            CHECK(ui.state.focused_lab_panel == panel);
        }
    }
}

TEST_CASE("[ui] lesson: the comparison table measures the lab live", "[ui][lesson]") {
    const auto [w, h] = GENERATE(std::pair{1280.0f, 800.0f}, std::pair{390.0f, 844.0f});
    UiHarness ui(w, h, 1);
    TrainSettings t = ui.state.lab.settings();
    t.size = SizePreset::custom;
    t.custom = {1, 2, 32, 32};
    t.batch_size = 4;
    REQUIRE(ui.state.lab.apply_settings(t).empty());
    show(ui, PanelId::table);
    json m = lesson_json(ui)["measured"];
    CHECK(m["pretraining"]["run"] == false);
    CHECK(m["pretraining"]["changed"].is_null());
    CHECK(ui.state.hits.count("table.try.pretraining") == 1);
    CHECK(ui.state.hits.count("table.changed.pretraining") == 0);

    ui.state.lab.step_once();
    for (int i = 0; i < 500 && ui.state.lab.pretrain().step < 1; ++i) ui.frame();
    REQUIRE(ui.state.lab.pretrain().step >= 1);
    ui.frame();
    m = lesson_json(ui)["measured"];
    CHECK(m["pretraining"]["run"] == true);
    CHECK(m["pretraining"]["flops"].get<double>() > 0);
    CHECK(m["pretraining"]["changed"] == true);
    CHECK(m["pretraining"]["checksum_before"] != m["pretraining"]["checksum_after"]);
    CHECK(ui.state.hits.count("table.try.pretraining") == 0);
    CHECK(ui.state.hits.count("table.changed.pretraining") == 1);

    ui.state.lab.set_inference_source(ModelSource::trained);
    ui.state.lab.generate("the ", ui.state.lab_ui.sampling, 1, 8);
    for (int i = 0; i < 2000 && ui.state.lab.inference().generating; ++i) ui.frame();
    ui.frame();
    m = lesson_json(ui)["measured"];
    CHECK(m["inference"]["run"] == true);
    CHECK(m["inference"]["tokens"].get<int>() == 8);
    CHECK(m["inference"]["changed"] == false);
    CHECK(m["inference"]["checksum_before"] == m["inference"]["checksum_after"]);
    CHECK(m["finetuning"]["run"] == false);
}

TEST_CASE("[ui] lesson: the lifecycle lane of the lab's current work lights up", "[ui][lesson]") {
    UiHarness ui;
    TrainSettings t = ui.state.lab.settings();
    t.size = SizePreset::custom;
    t.custom = {1, 2, 32, 32};
    t.batch_size = 4;
    REQUIRE(ui.state.lab.apply_settings(t).empty());
    show(ui, PanelId::lifecycle);
    for (const char* phase : {"pretraining", "finetuning", "inference"})
        CHECK(ui.state.hits.count(std::string("lifecycle.lane.") + phase) == 1);
    CHECK(ui.state.hits.count("lifecycle.live") == 0);
    ui.state.lab.play();
    ui.frame();
    REQUIRE(ui.state.hits.count("lifecycle.live") == 1);
    const HitRect live = ui.state.hits["lifecycle.live"], lane = ui.state.hits["lifecycle.lane.pretraining"];
    CHECK(live.y == lane.y);
    CHECK(live.h == lane.h);
    ui.state.lab.pause();
    ui.frame();
    CHECK(ui.state.hits.count("lifecycle.live") == 0);
}

TEST_CASE("[ui] lesson: switching language keeps the progress and re-renders the text", "[ui][lesson]") {
    UiHarness ui;
    show(ui, PanelId::quiz);
    const lesson::QuizSession& quiz = *ui.state.lesson.quiz;
    const lesson::Content& en = english(ui);
    const lesson::Content* pt = ui.state.lesson.library->find("pt-BR");
    REQUIRE(pt);
    const std::string qid = quiz.question_id(0);
    const lesson::QuizQuestion& q = *en.find_question(qid);
    REQUIRE(click_visible(ui, "quiz.option." + first_option(q, false).id));
    REQUIRE(click_visible(ui, "quiz.check"));
    REQUIRE(click_visible(ui, "quiz.next"));
    const std::string other = quiz.question_id(1);
    const lesson::QuizQuestion& q1 = *en.find_question(other);
    REQUIRE(click_visible(ui, "quiz.option." + first_option(q1, true).id));  // selected, not yet checked
    const std::string pair = ui.state.lesson.matching->pair_id(0);
    REQUIRE(run_command(ui.state, json{{"cmd", "match_tap"}, {"id", "term." + pair}}.dump()).ok);
    REQUIRE(run_command(ui.state, json{{"cmd", "match_tap"}, {"id", "def." + pair}}.dump()).ok);
    REQUIRE(run_command(ui.state, R"({"cmd":"lifecycle_select","stage":"st-endpoint"})").ok);
    const json before = lesson_json(ui);

    REQUIRE(ui.click("topbar.lang"));
    REQUIRE(ui.state.lang == "pt-BR");
    const json after = lesson_json(ui);
    CHECK(after["lang"] == "pt-BR");
    CHECK(after["quiz"]["current"] == other);
    CHECK(after["quiz"]["prompt"] == pt->find_question(other)->prompt);
    CHECK(after["quiz"]["prompt"] != before["quiz"]["prompt"]);
    // Same options, same order, same selection; only the words changed.
    REQUIRE(after["quiz"]["options"].size() == before["quiz"]["options"].size());
    for (std::size_t i = 0; i < after["quiz"]["options"].size(); ++i) {
        CHECK(after["quiz"]["options"][i]["id"] == before["quiz"]["options"][i]["id"]);
        CHECK(after["quiz"]["options"][i]["selected"] == before["quiz"]["options"][i]["selected"]);
    }
    CHECK(after["quiz"]["questions"] == before["quiz"]["questions"]);
    CHECK(after["matching"]["matched"] == 1);
    for (std::size_t i = 0; i < after["matching"]["cards"].size(); ++i) {
        const json& card = after["matching"]["cards"][i];
        CHECK(card["id"] == before["matching"]["cards"][i]["id"]);
        const lesson::Concept* c = pt->find_concept(card["concept"].get<std::string>());
        REQUIRE(c);
        CHECK(card["text"] == (card["side"] == "term" ? c->term : c->definition));
    }
    CHECK(after["stage"] == "st-endpoint");
    CHECK(after["progress"] == before["progress"]);

    // The panels draw in Portuguese with the same controls, and the answers can still be changed.
    for (PanelId p : {PanelId::lifecycle, PanelId::table, PanelId::matching, PanelId::faq, PanelId::quiz}) show(ui, p);
    REQUIRE(click_visible(ui, "quiz.check"));
    CHECK(quiz.is_checked(1));
    CHECK(ui.state.lesson.missing_ui_keys.empty());
}

TEST_CASE("[ui] lesson: progress is saved and restored on the next visit", "[ui][lesson]") {
    std::string stored;
    std::string first_question;
    {
        UiHarness ui;
        ui.state.hooks.save_progress = [&stored](const std::string& text) { stored = text; };
        reload_lesson(ui);
        const lesson::QuizSession& quiz = *ui.state.lesson.quiz;
        first_question = quiz.question_id(0);
        const lesson::QuizQuestion& q = *english(ui).find_question(first_question);
        REQUIRE(run_command(ui.state, json{{"cmd", "quiz_select"}, {"question", q.id}, {"option", first_option(q, true).id}}.dump()).ok);
        REQUIRE(run_command(ui.state, R"({"cmd":"quiz_check"})").ok);
        const std::string pair = ui.state.lesson.matching->pair_id(2);
        REQUIRE(run_command(ui.state, json{{"cmd", "match_tap"}, {"id", "def." + pair}}.dump()).ok);
        REQUIRE(run_command(ui.state, json{{"cmd", "match_tap"}, {"id", "term." + pair}}.dump()).ok);
        REQUIRE_FALSE(stored.empty());
    }
    UiHarness ui;
    ui.state.hooks.load_progress = [&stored] { return stored; };
    set_language(ui.state, "pt-BR");
    reload_lesson(ui);
    const LessonState& L = ui.state.lesson;
    REQUIRE(L.quiz);
    const int q = L.quiz->find(first_question);
    CHECK(L.quiz->is_checked(q));
    CHECK(L.quiz->is_correct(q));
    CHECK(L.progress.matched.size() == 1);
    CHECK(L.current_question == 1);  // continues at the first unanswered question
    CHECK(has_notice(ui, L.library->find("pt-BR")->ui.at("progress_restored"), false));
    CHECK(L.progress_note.empty());
}

TEST_CASE("[ui] lesson: two tabs answering different questions both keep their answers", "[ui][lesson]") {
    // One localStorage record shared by two tabs (and a third that opens later), with a clock the test
    // controls. The tabs are apps without a UI (one ImGui context per process): the merge is app logic.
    std::string stored;
    lesson::TimeMs clock = 1765000000000;
    auto open_tab = [&] {
        auto s = testing::fresh_app();
        s->hooks.save_progress = [&stored](const std::string& text) { stored = text; };
        s->hooks.load_progress = [&stored] { return stored; };
        s->hooks.wall_clock_ms = [&clock] { return ++clock; };
        ensure_lesson(*s);
        return s;
    };
    auto answer = [](AppState& s, int index) {
        const lesson::QuizSession& quiz = *s.lesson.quiz;
        const lesson::QuizQuestion& q = *s.lesson.library->languages.front().find_question(quiz.question_id(index));
        REQUIRE(run_command(s, json{{"cmd", "quiz_select"}, {"question", q.id}, {"option", first_option(q, true).id}}.dump()).ok);
        REQUIRE(run_command(s, json{{"cmd", "quiz_check"}, {"question", q.id}}.dump()).ok);
    };
    auto a = open_tab();
    auto b = open_tab();
    answer(*a, 0);
    answer(*b, 1);  // b's save reads a's record first: a's answer is kept

    auto third = open_tab();
    CHECK(third->lesson.quiz->is_checked(0));
    CHECK(third->lesson.quiz->is_checked(1));
    CHECK(third->lesson.progress.quiz.size() == 2);

    SECTION("the other tab sees the answer when told that the record changed") {
        CHECK_FALSE(a->lesson.quiz->is_checked(1));
        CHECK(knobs::apply(*a, cmd::SyncProgress{}).ok);
        CHECK(a->lesson.quiz->is_checked(1));
        CHECK(a->lesson.progress == b->lesson.progress);
    }
    SECTION("a reset in one tab reaches the other, and is not undone by its next save") {
        REQUIRE(run_command(*b, R"({"cmd":"reset_progress"})").ok);
        CHECK(knobs::apply(*a, cmd::SyncProgress{}).ok);
        CHECK_FALSE(a->lesson.quiz->is_checked(0));
        CHECK(a->lesson.progress.empty());
        answer(*a, 2);
        const lesson::ProgressLoad reread = lesson::parse_progress(stored, &a->lesson.library->languages.front());
        REQUIRE(reread.progress.quiz.size() == 1);
        CHECK(reread.progress.quiz.count(a->lesson.quiz->question_id(2)) == 1);
    }
}

TEST_CASE("[ui] lesson: corrupt saved progress is discarded with a notice", "[ui][lesson]") {
    const std::string corrupt = GENERATE(std::string("{not json"), std::string("[]"), std::string("\xff\xfe\x00\x01", 4),
                                         std::string(R"({"k":"another-app","v":1})"),
                                         std::string(R"({"k":"knobs-lesson","v":99,"q":{},"m":[],"n":0})"),
                                         std::string(R"({"k":"knobs-lesson","v":1,"q":{"q-production":{"s":[42],"a":1}},"m":[],"n":0})"),
                                         std::string(R"({"k":"knobs-lesson","v":1,"q":{},"m":"c-lora","n":0})"),
                                         std::string(200000, '{'));
    INFO("saved: " << corrupt.substr(0, 80));
    UiHarness ui;
    std::vector<std::string> saved;
    ui.state.hooks.load_progress = [&corrupt] { return corrupt; };
    ui.state.hooks.save_progress = [&saved](const std::string& text) { saved.push_back(text); };
    reload_lesson(ui);
    for (PanelId p : {PanelId::quiz, PanelId::matching}) show(ui, p);
    const LessonState& L = ui.state.lesson;
    CHECK(L.progress.empty());
    CHECK_FALSE(L.progress_note.empty());
    CHECK(has_notice(ui, english(ui).ui.at("progress_discarded"), true));
    CHECK_FALSE(L.quiz->is_checked(0));
    // The unreadable record was replaced by an empty, valid one.
    REQUIRE(saved.size() == 1);
    const lesson::ProgressLoad reread = lesson::parse_progress(saved.back(), &english(ui));
    CHECK(reread.status == lesson::ProgressStatus::restored);
    CHECK(reread.progress.empty());
    // And the lesson still works.
    CHECK(run_command(ui.state, json{{"cmd", "quiz_select"}, {"question", L.quiz->question_id(0)},
                                     {"option", L.quiz->option_id(0, 0)}}.dump())
              .ok);
}

TEST_CASE("[ui] lesson: reset progress by button and by command", "[ui][lesson]") {
    UiHarness ui;
    std::string stored;
    ui.state.hooks.save_progress = [&stored](const std::string& text) { stored = text; };
    show(ui, PanelId::quiz);
    auto answer_and_match = [&] {
        const lesson::QuizSession& quiz = *ui.state.lesson.quiz;
        REQUIRE(run_command(ui.state, json{{"cmd", "quiz_select"}, {"question", quiz.question_id(0)},
                                           {"option", quiz.option_id(0, 0)}}.dump())
                    .ok);
        REQUIRE(run_command(ui.state, R"({"cmd":"quiz_check","question":")" + quiz.question_id(0) + "\"}").ok);
        const std::string pair = ui.state.lesson.matching->pair_id(0);
        REQUIRE(run_command(ui.state, json{{"cmd", "match_tap"}, {"id", "term." + pair}}.dump()).ok);
        REQUIRE(run_command(ui.state, json{{"cmd", "match_tap"}, {"id", "def." + pair}}.dump()).ok);
        REQUIRE_FALSE(ui.state.lesson.progress.empty());
        ui.frame();
    };
    SECTION("the button asks first") {
        answer_and_match();
        REQUIRE(click_visible(ui, "quiz.reset_progress"));
        REQUIRE(click_visible(ui, "quiz.cancel_reset"));
        CHECK_FALSE(ui.state.lesson.progress.empty());
        REQUIRE(click_visible(ui, "quiz.reset_progress"));
        REQUIRE(click_visible(ui, "quiz.confirm_reset"));
    }
    SECTION("the matching panel's button") {
        answer_and_match();
        show(ui, PanelId::matching);
        REQUIRE(click_visible(ui, "match.reset_progress"));
        REQUIRE(click_visible(ui, "match.confirm_reset"));
    }
    SECTION("the command") {
        answer_and_match();
        REQUIRE(run_command(ui.state, R"({"cmd":"reset_progress"})").ok);
    }
    CHECK(ui.state.lesson.progress.empty());
    CHECK_FALSE(ui.state.lesson.quiz->is_checked(0));
    CHECK(ui.state.lesson.matching->matched_pairs() == 0);
    CHECK(lesson::parse_progress(stored).progress.empty());
}

TEST_CASE("[ui] lesson: match_tap and lifecycle_select refuse bad input", "[ui][lesson]") {
    UiHarness ui;
    for (const char* cmd : {R"({"cmd":"match_tap"})", R"({"cmd":"match_tap","id":"term.nope"})", R"({"cmd":"match_tap","id":5})",
                            R"({"cmd":"lifecycle_select","stage":"st-nope"})", R"({"cmd":"lifecycle_select"})"}) {
        INFO(cmd);
        const CommandResult r = run_command(ui.state, cmd);
        CHECK_FALSE(r.ok);
        CHECK_FALSE(r.error.empty());
    }
    CHECK(ui.state.lesson.matching->mistakes() == 0);
    CHECK_FALSE(ui.state.lesson.matching->selected().has_value());
    CHECK(ui.state.lesson.selected_stage.empty());
}

TEST_CASE("[ui] lesson: every lesson panel renders in both languages at desktop and phone sizes", "[ui][lesson]") {
    const std::string lang = GENERATE("en", "pt-BR");
    const auto [w, h, dpr] = GENERATE(std::tuple{1280.0f, 800.0f, 1.0f}, std::tuple{390.0f, 844.0f, 3.0f}, std::tuple{390.0f, 844.0f, 1.0f});
    INFO(lang << " at " << w << "x" << h << " dpr " << dpr);
    MissingStrings missing;
    UiHarness ui(w, h, dpr);
    set_language(ui.state, lang);
    // Open everything that can be open, so every string is drawn at least once.
    const lesson::Content& en = english(ui);
    REQUIRE(run_command(ui.state, R"({"cmd":"lifecycle_select","stage":"st-finetuning"})").ok);
    for (const auto& f : en.faq) ui.state.lesson.open_faq.insert(f.id);
    const lesson::QuizSession& quiz = *ui.state.lesson.quiz;
    const lesson::QuizQuestion& q = *en.find_question(quiz.question_id(0));
    REQUIRE(run_command(ui.state, json{{"cmd", "quiz_select"}, {"question", q.id}, {"option", first_option(q, false).id}}.dump()).ok);
    REQUIRE(run_command(ui.state, R"({"cmd":"quiz_check"})").ok);
    REQUIRE(run_command(ui.state, R"({"cmd":"quiz_show_solution"})").ok);
    ui.state.lesson.confirm_reset = true;
    REQUIRE(run_command(ui.state, json{{"cmd", "match_tap"}, {"id", "term." + ui.state.lesson.matching->pair_id(0)}}.dump()).ok);
    REQUIRE(run_command(ui.state, json{{"cmd", "match_tap"}, {"id", "def." + ui.state.lesson.matching->pair_id(1)}}.dump()).ok);

    for (PanelId p : {PanelId::lifecycle, PanelId::table, PanelId::matching, PanelId::quiz, PanelId::faq}) {
        INFO("panel " << panel_key(p));
        show(ui, p);
        int drawn = 0;
        for (const auto& [id, r] : ui.state.hits) {
            const std::string prefix = id.substr(0, id.find('.'));
            if (prefix != "lifecycle" && prefix != "table" && prefix != "match" && prefix != "quiz" && prefix != "faq") continue;
            ++drawn;
            INFO(id << " x " << r.x << " w " << r.w);
            // Nothing sticks out past the right edge of the canvas (where it would be cut off).
            CHECK(r.x >= 0);
            CHECK(r.x + r.w <= w + 0.5f);
            CHECK(r.w > 0);
            CHECK(r.h > 0);
        }
        CHECK(drawn > 0);
        // Boxes and cards are sized so that no word has to be broken across lines.
        const lesson::Content& shown = *ui.state.lesson.library->find(lang);
        if (p == PanelId::lifecycle)
            for (const auto& stage : shown.stages) {
                INFO(stage.id);
                const HitRect r = ui.state.hits["lifecycle.stage." + stage.id];
                CHECK(r.w * dpr >= std::max(WidestWord(stage.label), WidestWord(stage.sublabel)));
            }
        const json cards = lesson_json(ui)["matching"]["cards"];
        if (p == PanelId::matching)
            for (const json& card : cards) {
                INFO(card["id"]);
                const HitRect r = ui.state.hits["match.card." + card["id"].get<std::string>()];
                CHECK(r.w * dpr >= WidestWord(card["text"].get<std::string>()));
            }
    }
    for (const auto& m : missing.keys()) {
        UNSCOPED_INFO("missing UI string: " << m);
        CHECK(m.find(":lesson.") == std::string::npos);
    }
    for (const auto& k : ui.state.lesson.missing_ui_keys) UNSCOPED_INFO("missing lesson string: " << k);
    CHECK(ui.state.lesson.missing_ui_keys.empty());
}

TEST_CASE("[ui] lesson: the state snapshot describes the lesson", "[ui][lesson]") {
    UiHarness ui;
    ui.frame();
    const json l = lesson_json(ui);
    REQUIRE(l["loaded"] == true);
    CHECK(l["error"] == "");
    for (const char* key : {"current", "options", "score", "questions", "kind", "checked"}) CHECK(l["quiz"].contains(key));
    for (const char* key : {"cards", "score", "max", "mistakes", "round", "selected"}) CHECK(l["matching"].contains(key));
    CHECK(l["matching"]["cards"].size() == 2 * l["matching"]["pairs"].get<std::size_t>());
    for (const json& card : l["matching"]["cards"]) {
        const std::string id = card["id"];
        CHECK(id == (card["side"] == "term" ? "term." : "def.") + card["concept"].get<std::string>());
    }
    CHECK(l["quiz"]["options"].size() >= 2);
    for (const char* phase : {"pretraining", "finetuning", "inference"}) CHECK(l["measured"].contains(phase));
}

TEST_CASE("[ui] lesson: a course author's lesson file replaces the lesson, a broken one changes nothing", "[ui][lesson]") {
    UiHarness ui;
    reload_lesson(ui);
    const std::string builtin_title = english(ui).title;
    const int builtin_questions = ui.state.lesson.quiz->question_count();
    json authored = json::parse(lesson::embedded_content_text("en"));
    authored["title"] = "Gradient descent for historians";
    authored["quiz"].erase(authored["quiz"].size() - 1);
    const auto bytes_of = [](const std::string& text) {
        return std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size());
    };

    SECTION("a valid file takes over: its title, its quiz, its own progress") {
        std::string loaded_from;
        ui.state.hooks.load_progress = [&loaded_from] { loaded_from = "asked"; return std::string(); };
        const std::string text = authored.dump();
        CHECK(open_bytes(ui.state, bytes_of(text), "course/lesson.json", "content").empty());
        CHECK(loaded_from == "asked");  // the platform is asked for this file's own record
        const json lesson = json::parse(state_json(ui.state))["lesson"];
        CHECK(lesson["title"] == "Gradient descent for historians");
        CHECK(lesson["author_file"] == "course/lesson.json");
        CHECK(ui.state.lesson.quiz->question_count() == builtin_questions - 1);
        CHECK(has_notice(ui, "course/lesson.json: " + std::string(tr("en", "notice.opened_lesson")), false));
        ui.frame();  // every lesson panel still draws
        CHECK(pending_content_url(ui.state).empty());
    }
    SECTION("a file with a missing key is refused with the field named, and the built-in lesson stays") {
        authored.erase("title");
        const std::string text = authored.dump();
        const std::string err = open_bytes(ui.state, bytes_of(text), "course/lesson.json", "content");
        CHECK_THAT(err, Catch::Matchers::ContainsSubstring("title"));
        CHECK(english(ui).title == builtin_title);
        CHECK(ui.state.lesson.quiz->question_count() == builtin_questions);
        CHECK_FALSE(ui.state.notices.empty());
        CHECK(ui.state.notices.back().is_error);
    }
    SECTION("not JSON at all is refused the same way") {
        const std::string text = "<html>404</html>";
        CHECK_FALSE(open_bytes(ui.state, bytes_of(text), "course/lesson.json", "content").empty());
        CHECK(english(ui).title == builtin_title);
    }
}
