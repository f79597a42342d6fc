#include "app/app.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>

#include "app/catalog.h"
#include "app/commands.h"
#include "app/i18n.h"
#include "app/lab_commands.h"
#include "app/url_state.h"
#include "core/utf8.h"
#include "lesson/content.h"

namespace knobs {

namespace {
// run=N in a link: train until exactly step N, so the receiver sees the sender's curve bit for bit.
void start_auto_run(AppState& s) {
    if (s.link.run_steps == s.auto_run_seen) return;
    if (!pending_corpus_url(s).empty()) return;  // the linked text is on its way; run once it is in
    s.auto_run_seen = s.link.run_steps;
    if (s.link.run_steps <= 0) return;
    if (s.lab.pretrain().params == 0) s.lab.apply_settings(s.lab_ui.editing);
    s.lab.play_until(s.link.run_steps);  // the link's own request, not a learner's command
}

std::string loss_text(float loss) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", loss);
    return buf;
}

// Training as a screen reader hears it (the live region): started, paused with where it got to, each step
// milestone with its loss, and a divergence. Said once each, from the lab's state after this frame's work.
void announce_training(AppState& s) {
    const PretrainView& v = s.lab.pretrain();
    A11yMirror& a = s.a11y;
    const bool running = v.running;
    const std::string step = std::to_string(v.step), loss = loss_text(v.last_loss);
    const std::pair<std::string_view, std::string_view> where[] = {{"step", step}, {"loss", loss}};
    if (v.step < a.training_said_milestone) a.training_said_milestone = 0;  // a reset or a new run
    if (running && !a.training_said_running) s.announce(tr(s.lang, "a11y.training_started"));
    // Several steps run per frame: say the largest milestone this frame passed, with where training is.
    int passed = 0;
    for (int m : kTrainingMilestones)
        if (v.step >= m && a.training_said_milestone < m) passed = m;
    if (passed > 0) {
        a.training_said_milestone = passed;
        s.announce(lesson::fill_placeholders(tr(s.lang, "a11y.training_milestone"), where));
    }
    if (!v.divergence.empty() && !a.training_said_divergence) {
        s.announce(tr(s.lang, "a11y.training_diverged"));
        a.training_said_divergence = true;
    } else if (!running && a.training_said_running && v.divergence.empty()) {
        s.announce(lesson::fill_placeholders(tr(s.lang, "a11y.training_paused"), where));
    }
    if (v.divergence.empty()) a.training_said_divergence = false;
    a.training_said_running = running;
}
// Notices leave by themselves; the UI only draws them.
void expire_notices(AppState& s) {
    constexpr double kInfoSeconds = 6, kErrorSeconds = 12;  // errors stay longer
    std::erase_if(s.notices, [&](const Notice& n) { return s.time_s - n.shown_at > (n.is_error ? kErrorSeconds : kInfoSeconds); });
    if (s.notices.empty()) s.notices_dropped = 0;
}

}  // namespace

void app_init(AppState& s) {
    s.lab_ui.editing = s.lab.settings();
    s.focused_lesson_panel = PanelId::lifecycle;
    s.focused_lab_panel = PanelId::pretrain;
}

void AppState::notify(std::string text, bool is_error) {
    if (text.size() > kMaxNoticeBytes) {
        text.resize(utf8_prefix_length(text, kMaxNoticeBytes - 3));
        text += "…";
    }
    const auto same = std::find_if(notices.begin(), notices.end(), [&](const Notice& n) { return n.is_error == is_error && n.text == text; });
    if (same != notices.end()) {
        Notice again = std::move(*same);
        notices.erase(same);
        ++again.repeats;
        again.shown_at = time_s;  // it is news again: shown as long as a new one
        notices.push_back(std::move(again));
        return;
    }
    notices.push_back({std::move(text), is_error, time_s});
    if (notices.size() > kMaxNotices) {
        notices.erase(notices.begin());
        ++notices_dropped;
    }
}

void app_update(AppState& s, double now_s) {
    s.time_s = now_s;
    expire_notices(s);
    ensure_lesson(s);  // once: the platform has wired its hooks (saved progress) by the first frame
    // While the pre-train panel is open, edited settings reach the lab as soon as they need no new run
    // (and a run that must restart asks first), as they did when the panel applied them itself.
    if (s.panel_open[static_cast<int>(PanelId::pretrain)]) sync_training_settings(s);
    start_auto_run(s);
    // Bounded work first, so the UI shows this frame's results; the budget keeps the page responsive.
    const auto lab_start = std::chrono::steady_clock::now();
    s.lab.set_worker_rest_ms(s.frame_timing.worker_rest_ms);
    s.lab.update(s.frame_budget_ms);
    s.last_lab_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - lab_start).count();
    announce_training(s);
}

void app_apply_posted(AppState& s) {
    // Take the list first: a command's effects can never see a half-applied list. A refusal here needs no
    // notice of its own: a panel only posts what its controls allow, and the refusals a learner must hear
    // (a locked setting) are said by apply() itself.
    std::vector<Command> posted;
    posted.swap(s.posted);
    for (const Command& c : posted) knobs::apply(s, c);
    ++s.frame;
}

}  // namespace knobs
