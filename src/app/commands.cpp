#include "app/commands.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "app/i18n.h"
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
    json j{{"ok", r.ok}};
    if (!r.ok) j["error"] = r.error;
    if (r.data) j["data"] = *r.data;
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string state_json(const AppState& s) {
    json j;
    j["ready"] = s.ready;
    j["frame"] = s.frame;
    // Same-origin files a link named that the page still has to fetch and hand to knobs_open_bytes.
    j["fetch"] = {{"content", pending_content_url(s)}, {"linked_text", pending_corpus_url(s)}};
    // The scheduler's view of the page: measured frame cadence and the training budget it allows.
    j["frame_timing"] = {{"idle_interval_ms", s.frame_timing.idle_interval_ms},
                         {"interval_ms", s.frame_timing.interval_ms},
                         {"ui_ms", s.frame_timing.ui_ms},
                         {"train_budget_ms", s.frame_budget_ms}};
    j["theme"] = s.theme == Theme::dark ? "dark" : "light";
    j["lang"] = s.lang;
    j["layout"] = s.layout == Layout::two_column ? "two-column" : "tabs";
    j["dpr"] = s.dpr;
    j["ui_scale"] = s.ui_scale;
    j["reduced_motion"] = reduced_motion(s);
    j["motion"] = {{"setting", motion_setting_key(s.motion)}, {"system_reduced", s.system_reduced_motion}};
    j["canvas"] = {{"w", s.canvas_css_w}, {"h", s.canvas_css_h}};
    j["visible"] = s.visible;
    j["help"] = s.show_help;
    j["coarse_pointer"] = s.coarse_pointer;
    json panels = json::array();
    for (int i = 0; i < kNumPanels; ++i)
        if (s.panel_open[i]) panels.push_back(panel_key(static_cast<PanelId>(i)));
    j["panels"] = panels;
    json hits = json::object();
    for (const auto& [id, r] : s.hits) hits[id] = {r.x, r.y, r.w, r.h};
    j["hit"] = hits;
    json notices = json::array();
    for (const auto& n : s.notices) notices.push_back({{"text", n.text}, {"error", n.is_error}});
    j["notices"] = notices;
    j["lesson"] = lesson_state_json(s);
    j["lab"] = lab_state_json(s);
    j["embed"] = {{"embedded", s.link.embed}, {"content_height", s.content_height_css}};
    {
        // The link to this state (what the "link" command returns) and, when it cannot reproduce the state
        // exactly, why not ("your own text is not in the link").
        const ShareCheck share = share_check(s);
        j["fragment"] = share.fragment;
        j["link_notes"] = share.reasons;
    }
    // Strings from files or users may hold invalid UTF-8; replace rather than throw.
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace knobs
