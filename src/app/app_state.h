// The whole app state in one explicit struct. apply() (commands.h) is the one function that changes what
// the learner owns; panels read the state and post typed commands (command.h). What the UI writes while
// it draws is its own frame output only: hit rectangles, the accessibility capture, animation phases and
// the measured content height (docs/architecture.md).
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "app/command.h"
#include "app/frame_budget.h"
#include "app/lab.h"
#include "app/lesson_state.h"

namespace knobs {

// Things only the platform can do. Defaults do nothing, so headless tests run without a platform.
struct PlatformHooks {
    std::function<void(const std::string&)> copy_text;                          // Clipboard API on the web
    std::function<void(const std::string& name, const std::string& json)> emit;  // app events -> page
    std::function<void(const std::string& purpose)> pick_file;                   // open a file picker
    std::function<void()> copy_link;                                            // page URL + current fragment
    std::function<void(const std::string& json)> save_progress;                 // lesson progress -> localStorage
    std::function<std::string()> load_progress;                                 // "" when nothing is stored
    // Milliseconds since the Unix epoch; unset, the system clock. Progress records are stamped with it, so
    // two tabs' answers merge by time (src/lesson/progress.h); tests set a fixed clock.
    std::function<std::int64_t()> wall_clock_ms;
    std::function<void(const std::string& name, const std::vector<uint8_t>& bytes, const std::string& mime)>
        download;                                                                // save a file
    // Draws a (rows, cols) row-major matrix into the screen rectangle [x0,y0]-[x1,y1] of an ImDrawList with
    // the heatmap shader (shaders/heatmap.frag): value / scale mapped to a diverging colormap. `key` names
    // the texture and `version` changes whenever the data does. Unset (headless), the panel draws cells.
    std::function<void(void* draw_list, const std::string& key, uint64_t version, const float* data, int rows,
                       int cols, float scale, float x0, float y0, float x1, float y1)>
        heatmap;
};

// What the lab panels are editing (the lab applies it on command), kept here rather than in statics.
struct LabUi {
    TrainSettings editing;            // the pre-train panel's controls
    bool confirm_reset = false;       // "this change resets the run" dialog is open
    std::string prompt = "the ";
    SamplingConfig sampling;
    uint64_t gen_seed = 1;
    int max_tokens = 120;
    bool chat = false;
    int candidate_index = -1;         // which generated token's candidates are shown (-1: the latest)
    std::string chat_input;
    Tensor knob_tensor = Tensor::attprojw;
    int knob_layer = 0;
    bool heat_grads = false;
    float heat_zoom = 1.0f;
    bool log_y = false;
    float smoothing = 0.6f;
    bool ft_lora = true;
    int ft_rank = 4;
    float ft_alpha = 8.0f;
    int ft_steps = 150;
    CorpusChoice ft_corpus = CorpusChoice::portuguese;
    ModelSource ft_base = ModelSource::shipped;
    ModelSource save_source = ModelSource::trained;
    double hw_flops_per_s = 100e12;   // cost estimate: sustained accelerator throughput (editable)
    double hw_price_per_hour = 2.0;   // dollars per accelerator hour (editable)
};

// What a link asked for beyond plain settings (src/app/url_state.h): the scheduler, the shell and the
// platform act on these. Set by apply(); read back by capture() so a shared link asks for the same.
struct LinkOptions {
    int run_steps = 0;                 // run=N: train N steps automatically once the link is loaded
    std::string corpus_url;            // corpus_url=: same-origin .txt the platform fetches as the learner's text
    std::string content_url;           // content=: same-origin lesson .json a course author wrote (docs/content.md)
    bool embed = false;                // embed=1: the app sits inside another page
    std::vector<PanelId> hidden;       // hide=: panels the embedding page does not show
    std::vector<std::string> locked;   // lock=: link keys whose controls are read-only
    std::string host;                  // host=: origin of the embedding page ("" for none)
    std::vector<PanelId> panels;       // panel=: the panels the link named (in embed mode, the only ones shown)
};

// A screen rectangle in CSS pixels relative to the canvas, recorded when a named element was drawn, so
// browser tests and the accessibility mirror can find real pixels.
struct HitRect { float x = 0, y = 0, w = 0, h = 0; };

// One line of text or one control of the accessibility mirror (src/ui/a11y.h), in drawing order. Lesson
// panels also mark their structure: a "group" node opens a table, row, cell, option group, card set or
// panel section, and an "end" node closes the innermost one (a11y_json nests what lies between).
struct A11yNode {
    std::string role;     // "text", "heading", "button", "checkbox", "radio", "tab", "disclosure", "input", "combo",
                          // "toggle" (a button that stays pressed), "group", "end"
    std::string label;    // what the control is called (for text and headings: the line itself)
    std::string value;    // an input's or combo's value as drawn
    std::string region;   // its top-level window: "topbar", "lesson", "lab", "single", "notices", "popup", "dialog", "tooltip"
    uint32_t id = 0;      // the ImGui item id, which a11y_activate takes (0 for text, headings and structure)
    bool checked = false; // checkbox or radio on; tab selected; toggle pressed
    bool expanded = false;
    bool disabled = false;
    bool matched = false; // a matching card whose pair is found (it is then disabled too)
    HitRect rect;         // CSS px relative to the canvas (zero for text)
    // ---- structure (groups) and extra words ----
    std::string kind;         // a group's kind: "panel", "table", "row", "cell", "radiogroup", "checkboxgroup", "cards"
    std::string key;          // a group's stable name (the page keys and names elements by it)
    std::string header;       // a table cell that heads its "col" or "row"; "" for a data cell
    std::string description;  // more words: a group's hint, a matched card's partner
    std::string set;          // a card's column ("Concepts"), so the page can list each column apart
    int level = 0;            // a disclosure that is also a heading of this level (FAQ questions)
};

// Something the page reads out through its live region (quiz feedback and scores, matches), newest last.
struct A11yAnnouncement {
    uint32_t seq = 0;
    std::string text;
};

// The page asks for a capture; the next frame takes one (a captured frame costs more, so not every frame).
struct A11yMirror {
    bool capture_requested = false;
    uint64_t captured_frame = 0;      // AppState::frame of `nodes`, 0 before the first capture
    std::vector<A11yNode> nodes;
    // Activations the page asked for, applied one per frame: (item id, open for typing).
    std::vector<std::pair<uint32_t, bool>> activations;
    // Activations are numbered; ImGui acts on one the frame after it is applied, so a capture shows its
    // effect from two frames after. `captured_settled` tells the page which ones a capture already shows.
    uint32_t requested_seq = 0;       // the number of the last activation accepted
    uint32_t applied_seq = 0;         // ... handed to ImGui
    uint32_t settled_seq = 0;         // ... whose effect the panels have drawn
    uint64_t settle_frame = 0;        // the frame from which applied_seq counts as settled
    uint32_t captured_settled = 0;    // settled_seq when `nodes` was captured
    std::vector<A11yAnnouncement> announcements;  // the last few, for the page's live region
    uint32_t announce_seq = 0;
    // What training last told the live region, so each start, pause, milestone and divergence is said once.
    bool training_said_running = false;
    int training_said_milestone = 0;  // the last step milestone said (kTrainingMilestones, catalog.h)
    bool training_said_divergence = false;
};

// What the app animates, kept in the state so reduced motion can be checked headless. Under reduced
// motion every value jumps to its target and nothing here moves with time.
inline constexpr int kKnobCount = 24;  // knobs the Knobs panel shows for one tensor slice
struct Motion {
    std::array<float, kKnobCount> knob_shown{};  // each knob's drawn value, easing towards the real one
    std::string knob_source;                     // tensor and layer the knobs show; a new one jumps, not eases
    float flow_phase = 0;                        // 0..1: the dots travelling along the live lane's arrows
    double last_time_s = -1;                     // AppState::time_s of the previous frame
    float dt = 0;                                // seconds since then (capped), what animations advance by
};

struct Notice {
    std::string text;
    bool is_error = false;
    double shown_at = 0;  // AppState::time_s when it was last said
    int repeats = 1;      // how many times it was said while on the list
};
// Notices are bounded however fast they come and however long no frame is drawn (a hidden tab, a flood
// of host messages): a repeat is counted on the notice already listed, past kMaxNotices the oldest is
// dropped and counted, and a notice longer than kMaxNoticeBytes is cut (at a character boundary).
inline constexpr size_t kMaxNotices = 20;
inline constexpr size_t kMaxNoticeBytes = 600;

struct AppState {
    // ---- view ----
    Theme theme = Theme::dark;
    std::string lang = "en";          // "en" or "pt-BR"
    float dpr = 1.0f;                 // device pixels per CSS pixel
    float ui_scale = 1.0f;            // user setting, 1.0 to 2.0
    float canvas_css_w = 1280, canvas_css_h = 800;
    Layout layout = Layout::two_column;
    std::array<bool, kNumPanels> panel_open{};
    PanelId focused_lesson_panel = PanelId::about;
    PanelId focused_lab_panel = PanelId::about;
    PanelId requested_tab = PanelId::count;   // a command asked to bring this tab to front (consumed by the shell)
    std::array<PanelId, 2> requested_side_tab{PanelId::count, PanelId::count};  // the same, per column (lesson, lab)
    int auto_run_seen = 0;            // the link.run_steps value already acted on (run=N from a link)
    bool show_help = false;
    bool coarse_pointer = false;      // touch screen: frames grow to 40 CSS px touch targets
    bool visible = true;              // false while the page is hidden: no rendering, no training
    bool fonts_dirty = true;          // DPR or scale changed: the platform rebuilds the font atlas
    MotionSetting motion = MotionSetting::system;  // user setting (the page keeps it in localStorage)
    bool system_reduced_motion = false;            // the browser's prefers-reduced-motion, from the page
    Motion anim;                                   // animation state (see Motion)

    // ---- the lab ----
    Lab lab;
    LabUi lab_ui;
    LinkOptions link;                 // what the loaded link asked for (url_state.h)
    LessonState lesson;               // the lesson panels' content, games and progress (lesson_state.h)
    double frame_budget_ms = 8.0;     // training work this frame may do (the platform sets it from frame_timing)
    FrameBudget frame_timing;         // adapts frame_budget_ms to the measured frame cadence (frame_budget.h)
    double last_lab_ms = 0;           // main-thread time the last frame spent in Lab::update

    // ---- bookkeeping ----
    uint64_t frame = 0;
    double time_s = 0;                // seconds since start (monotonic), set by the loop
    bool ready = false;               // the first frame has been rendered
    float content_height_css = 0;     // the height the shown panels need (an embedding iframe's auto-height)
    std::map<std::string, HitRect> hits;
    A11yMirror a11y;                  // what screen readers get instead of the canvas (src/ui/a11y.h)
    std::vector<Notice> notices;      // newest last; see kMaxNotices
    int notices_dropped = 0;          // older notices dropped to keep the bound, since the list was last empty
    std::string user_text_name;       // the learner's own text, as the lab holds it
    size_t user_text_bytes = 0;
    PlatformHooks hooks;

    // Commands the UI produced this frame (panels, shortcuts), applied by app_apply_posted() after drawing.
    std::vector<Command> posted;

    void post(Command c) { posted.push_back(std::move(c)); }
    void notify(std::string text, bool is_error = false);
    // Read out by screen readers (the mirror's live region); nothing is shown on the canvas.
    void announce(std::string text) {
        if (text.empty()) return;
        a11y.announcements.push_back({++a11y.announce_seq, std::move(text)});
        if (a11y.announcements.size() > 8) a11y.announcements.erase(a11y.announcements.begin());
    }
};

// True when animations should stop: the learner chose it, or chose nothing and the system asks for it.
inline bool reduced_motion(const AppState& s) {
    return s.motion == MotionSetting::reduce || (s.motion == MotionSetting::system && s.system_reduced_motion);
}

inline constexpr float kTwoColumnMinWidth = 900.0f;  // CSS px: below it the shell becomes one column of tabs

}  // namespace knobs
