#include "app/commands.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "app/catalog.h"
#include "app/i18n.h"
#include "app/json_writer.h"
#include "app/lab_commands.h"
#include "app/presets.h"
#include "app/url_state.h"
#include "core/utf8.h"

namespace knobs {

using nlohmann::json;

void set_theme(AppState& s, Theme t) { s.theme = t; }

bool set_language(AppState& s, const std::string& lang) {
    if (!is_supported_language(lang)) return false;
    s.lang = lang;
    return true;
}

void open_panel(AppState& s, PanelId p) {
    s.panel_open[static_cast<int>(p)] = true;
    s.requested_tab = p;
    s.requested_side_tab[panel_side(p) == Side::lesson ? 0 : 1] = p;
}

void set_canvas_size(AppState& s, float css_w, float css_h, float dpr) {
    // Guard against zero or absurd values from a collapsed iframe or a broken browser report.
    css_w = std::clamp(std::isfinite(css_w) ? css_w : 0.0f, 1.0f, 16384.0f);
    css_h = std::clamp(std::isfinite(css_h) ? css_h : 0.0f, 1.0f, 16384.0f);
    dpr = std::clamp(std::isfinite(dpr) ? dpr : 1.0f, 0.5f, 4.0f);
    if (dpr != s.dpr) s.fonts_dirty = true;
    s.canvas_css_w = css_w;
    s.canvas_css_h = css_h;
    s.dpr = dpr;
    s.layout = css_w >= kTwoColumnMinWidth ? Layout::two_column : Layout::tabs;
}

void set_ui_scale(AppState& s, float scale) {
    scale = std::clamp(std::isfinite(scale) ? scale : 1.0f, 1.0f, 2.0f);
    if (scale != s.ui_scale) s.fonts_dirty = true;
    s.ui_scale = scale;
}

const char* motion_setting_key(MotionSetting m) {
    switch (m) {
        case MotionSetting::reduce: return "reduce";
        case MotionSetting::full: return "full";
        case MotionSetting::system: break;
    }
    return "system";
}

bool motion_setting_from_key(const std::string& key, MotionSetting* out) {
    for (MotionSetting m : {MotionSetting::system, MotionSetting::reduce, MotionSetting::full})
        if (key == motion_setting_key(m)) {
            *out = m;
            return true;
        }
    return false;
}

std::string open_bytes(AppState& s, std::span<const uint8_t> bytes, const std::string& name, const std::string& purpose) {
    if (purpose == "weights" || purpose == "shipped") {
        std::string err = s.lab.open(bytes, name, purpose == "shipped");
        if (!err.empty()) s.notify(err, true);
        else if (purpose == "weights") s.notify(name + ": " + tr(s.lang, "notice.opened_weights"));
        return err;
    }
    if (purpose == "text") {
        SanitizedText t = sanitize_user_text(bytes);
        if (!t.ok()) {
            const std::string err = name + ": " + t.error;
            s.notify(err, true);
            return err;
        }
        s.user_text_name = name;
        s.user_text_bytes = t.text.size();
        s.link.corpus_url.clear();  // the learner's own text replaces the one a link pointed to
        s.lab.set_user_text(std::move(t.text), name);
        s.lab_ui.editing.corpus = CorpusChoice::user;
        s.notify(name + ": " + tr(s.lang, "notice.opened_text"));
        return {};
    }
    if (purpose == "content") return open_author_lesson(s, bytes, name);
    if (purpose == "linked_text") return open_linked_text(s, bytes);
    return "unknown purpose \"" + purpose + "\"";
}

namespace {
CommandResult fail(std::string msg) { return {false, std::move(msg)}; }

const json* arg(const json& j, const char* key) {
    auto it = j.find(key);
    return it == j.end() ? nullptr : &*it;
}
}  // namespace

CommandResult run_command(AppState& s, const std::string& text) {
    json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) return fail("command is not a JSON object");
    const json* cmd = arg(j, "cmd");
    if (!cmd || !cmd->is_string()) return fail("command has no \"cmd\" string");
    const std::string name = cmd->get<std::string>();

    if (name == "set_theme") {
        const json* t = arg(j, "theme");
        if (!t || !t->is_string()) return fail("set_theme needs \"theme\": \"dark\" or \"light\"");
        if (*t == "dark") set_theme(s, Theme::dark);
        else if (*t == "light") set_theme(s, Theme::light);
        else return fail("unknown theme (use \"dark\" or \"light\")");
        return {};
    }
    if (name == "set_lang") {
        const json* l = arg(j, "lang");
        if (!l || !l->is_string() || !set_language(s, l->get<std::string>()))
            return fail("set_lang needs \"lang\": \"en\" or \"pt-BR\"");
        return {};
    }
    if (name == "open_panel") {
        const json* p = arg(j, "panel");
        PanelId id;
        if (!p || !p->is_string() || !panel_from_key(p->get<std::string>(), &id))
            return fail("open_panel needs a known \"panel\" id");
        open_panel(s, id);
        return {};
    }
    if (name == "set_ui_scale") {
        const json* v = arg(j, "scale");
        if (!v || !v->is_number()) return fail("set_ui_scale needs a number \"scale\" from 1 to 2");
        set_ui_scale(s, v->get<float>());
        return {};
    }
    if (name == "set_motion") {
        const json* v = arg(j, "motion");
        MotionSetting m;
        if (!v || !v->is_string() || !motion_setting_from_key(v->get<std::string>(), &m))
            return fail("set_motion needs \"motion\": \"system\", \"reduce\" or \"full\"");
        s.motion = m;
        return {};
    }
    if (name == "set_system_motion") {
        // The page reports the browser's prefers-reduced-motion, at start and whenever it changes.
        const json* v = arg(j, "reduce");
        if (!v || !v->is_boolean()) return fail("set_system_motion needs a boolean \"reduce\"");
        s.system_reduced_motion = v->get<bool>();
        return {};
    }
    if (name == "set_pointer") {
        const json* v = arg(j, "coarse");
        if (!v || !v->is_boolean()) return fail("set_pointer needs a boolean \"coarse\"");
        s.coarse_pointer = v->get<bool>();
        return {};
    }
    if (name == "toggle_help") {
        s.show_help = !s.show_help;
        return {};
    }
    if (name == "notify") {
        // The page's own messages (a file too large to open, "link copied") appear with the app's notices.
        const json* t = arg(j, "text");
        const json* e = arg(j, "error");
        if (!t || !t->is_string() || t->get_ref<const std::string&>().empty())
            return fail("notify needs a non-empty string \"text\"");
        if (t->get_ref<const std::string&>().size() > 1000) return fail("notify's \"text\" is longer than 1000 bytes");
        if (e && !e->is_boolean()) return fail("notify's \"error\" must be true or false");
        s.notify(t->get<std::string>(), e && e->get<bool>());
        return {};
    }
    if (name == "load_link") {
        const json* f = arg(j, "fragment");
        if (!f || !f->is_string()) return fail("load_link needs a string \"fragment\" (\"#v=2&...\")");
        UrlDecode d = decode_fragment(f->get<std::string>());
        if (d.refused) return fail(d.notices.empty() ? "the link was refused" : d.notices.front());
        for (const auto& n : d.notices) s.notify(n);
        for (const auto& n : apply(s, d.state)) s.notify(n);
        return {};
    }
    if (name == "link") {
        CommandResult r;
        r.data = share_check(s).fragment;
        return r;
    }
    if (name == "load_preset") {
        const json* id = arg(j, "id");
        if (!id || !id->is_string()) return fail("load_preset needs a string \"id\"");
        bool ok = false;
        std::vector<std::string> notices = load_preset(s, id->get<std::string>(), &ok);
        if (!ok) return fail(notices.empty() ? "unknown preset" : notices.front());
        for (const auto& n : notices) s.notify(n);
        return {};
    }
    if (CommandResult lesson_result; run_lesson_command(s, name, j, lesson_result)) return lesson_result;
    if (CommandResult lab_result; run_lab_command(s, name, j, lab_result)) return lab_result;
    return fail("unknown command \"" + name + "\"");
}

std::string command_result_json(const CommandResult& r) {
    JsonWriter w;
    w.begin_object().field("ok", r.ok);
    if (!r.ok) w.field("error", r.error);
    if (r.data) w.field("data", *r.data);
    w.end_object();
    return w.take();
}

std::string state_json(const AppState& s) {
    JsonWriter w(8192);  // a little above the usual snapshot, so the text grows in one step
    w.begin_object();
    w.field("ready", s.ready).field("frame", s.frame);
    // Same-origin files a link named that the page still has to fetch and hand to knobs_open_bytes.
    w.key("fetch").begin_object();
    w.field("content", pending_content_url(s)).field("linked_text", pending_corpus_url(s));
    w.end_object();
    // The scheduler's view of the page: measured frame cadence and the training budget it allows.
    w.key("frame_timing").begin_object();
    w.field("idle_interval_ms", s.frame_timing.idle_interval_ms).field("interval_ms", s.frame_timing.interval_ms);
    w.field("ui_ms", s.frame_timing.ui_ms).field("train_budget_ms", s.frame_budget_ms);
    w.end_object();
    w.field("theme", s.theme == Theme::dark ? "dark" : "light").field("lang", s.lang);
    w.field("layout", s.layout == Layout::two_column ? "two-column" : "tabs");
    w.field("dpr", s.dpr).field("ui_scale", s.ui_scale).field("reduced_motion", reduced_motion(s));
    w.key("motion").begin_object();
    w.field("setting", motion_setting_key(s.motion)).field("system_reduced", s.system_reduced_motion);
    w.end_object();
    w.key("canvas").begin_object().field("w", s.canvas_css_w).field("h", s.canvas_css_h).end_object();
    w.field("visible", s.visible).field("help", s.show_help).field("coarse_pointer", s.coarse_pointer);
    w.key("panels").begin_array();
    for (int i = 0; i < kNumPanels; ++i)
        if (s.panel_open[i]) w.value(panel_key(static_cast<PanelId>(i)));
    w.end_array();
    w.key("hit").begin_object();
    for (const auto& [id, r] : s.hits) {
        w.key(id).begin_array();
        w.value(r.x).value(r.y).value(r.w).value(r.h);
        w.end_array();
    }
    w.end_object();
    w.key("notices").begin_array();
    for (const auto& n : s.notices) w.begin_object().field("text", n.text).field("error", n.is_error).end_object();
    w.end_array();
    w.key("lesson");
    write_lesson_state(w, s);
    w.key("lab");
    write_lab_state(w, s);
    w.key("embed").begin_object();
    w.field("embedded", s.link.embed).field("content_height", s.content_height_css);
    w.end_object();
    {
        // The link to this state (what the "link" command returns) and, when it cannot reproduce the state
        // exactly, why not ("your own text is not in the link").
        const ShareCheck share = share_check(s);
        w.field("fragment", share.fragment);
        w.key("link_notes").begin_array();
        for (const auto& reason : share.reasons) w.value(reason);
        w.end_array();
    }
    w.key("catalog"); write_catalog(w);
    // Strings from files or users may hold invalid UTF-8: the writer replaces it rather than fail.
    w.end_object();
    return w.take();
}

}  // namespace knobs
