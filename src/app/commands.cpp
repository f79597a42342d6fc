#include "app/commands.h"

#include <algorithm>
#include <cmath>
#include <concepts>
#include <optional>
#include <type_traits>
#include <variant>
#include <nlohmann/json.hpp>

#include "app/catalog.h"
#include "app/i18n.h"
#include "app/json_writer.h"
#include "app/lab_commands.h"
#include "app/presets.h"
#include "app/settings.h"
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
    // The shell brings the tab to the front on the next frame; the panel is the focused one from now on.
    if (panel_side(p) == Side::lesson) s.focused_lesson_panel = p;
    else s.focused_lab_panel = p;
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
const json* arg(const json& j, const char* key) {
    auto it = j.find(key);
    return it == j.end() ? nullptr : &*it;
}

// A JSON value as a settings-table value: whole numbers stay whole, so an integer row can take them.
std::optional<SettingValue> setting_value_from_json(const json& v) {
    if (v.is_boolean()) return SettingValue(v.get<bool>());
    if (v.is_number_integer()) return SettingValue(static_cast<long long>(v.get<double>()));
    if (v.is_number()) return SettingValue(v.get<double>());
    if (v.is_string()) return SettingValue(v.get<std::string>());
    return std::nullopt;
}

// The page API's view commands (set_theme, set_lang ...) as typed commands; false for other names.
bool parse_view_command(const std::string& name, const json& j, ParsedCommand& out) {
    if (name == "set_theme") {
        const json* t = arg(j, "theme");
        if (!t || !t->is_string()) out = std::string("set_theme needs \"theme\": \"dark\" or \"light\"");
        else if (*t == "dark") out = cmd::SetTheme{Theme::dark};
        else if (*t == "light") out = cmd::SetTheme{Theme::light};
        else out = std::string("unknown theme (use \"dark\" or \"light\")");
    } else if (name == "set_lang") {
        const json* l = arg(j, "lang");
        if (!l || !l->is_string() || !is_supported_language(l->get<std::string>()))
            out = std::string("set_lang needs \"lang\": \"en\" or \"pt-BR\"");
        else out = cmd::SetLanguage{l->get<std::string>()};
    } else if (name == "open_panel") {
        const json* p = arg(j, "panel");
        PanelId id;
        if (!p || !p->is_string() || !panel_from_key(p->get<std::string>(), &id))
            out = std::string("open_panel needs a known \"panel\" id");
        else out = cmd::OpenPanel{id};
    } else if (name == "set_ui_scale") {
        const json* v = arg(j, "scale");
        if (!v || !v->is_number()) out = std::string("set_ui_scale needs a number \"scale\" from 1 to 2");
        else out = cmd::SetUiScale{v->get<float>()};
    } else if (name == "set_motion") {
        const json* v = arg(j, "motion");
        MotionSetting m;
        if (!v || !v->is_string() || !motion_setting_from_key(v->get<std::string>(), &m))
            out = std::string("set_motion needs \"motion\": \"system\", \"reduce\" or \"full\"");
        else out = cmd::SetMotion{m};
    } else if (name == "set_system_motion") {
        // The page reports the browser's prefers-reduced-motion, at start and whenever it changes.
        const json* v = arg(j, "reduce");
        if (!v || !v->is_boolean()) out = std::string("set_system_motion needs a boolean \"reduce\"");
        else out = cmd::SetSystemMotion{v->get<bool>()};
    } else if (name == "set_pointer") {
        const json* v = arg(j, "coarse");
        if (!v || !v->is_boolean()) out = std::string("set_pointer needs a boolean \"coarse\"");
        else out = cmd::SetPointer{v->get<bool>()};
    } else if (name == "toggle_help") {
        out = cmd::ToggleHelp{};
    } else if (name == "file_refused") {
        const json* p = arg(j, "purpose");
        const json* t = arg(j, "text");
        if (!p || !p->is_string() || (p->get_ref<const std::string&>() != "weights" && p->get_ref<const std::string&>() != "text"))
            out = std::string("file_refused needs a \"purpose\": \"weights\" or \"text\"");
        else if (!t || !t->is_string() || t->get_ref<const std::string&>().empty() || t->get_ref<const std::string&>().size() > 1000)
            out = std::string("file_refused needs a \"text\" of 1 to 1000 bytes");
        else out = cmd::FileRefused{p->get<std::string>(), t->get<std::string>()};
    } else if (name == "notify") {
        // The page's own messages (a file too large to open, "link copied") appear with the app's notices.
        const json* t = arg(j, "text");
        const json* e = arg(j, "error");
        if (!t || !t->is_string() || t->get_ref<const std::string&>().empty())
            out = std::string("notify needs a non-empty string \"text\"");
        else if (t->get_ref<const std::string&>().size() > 1000) out = std::string("notify's \"text\" is longer than 1000 bytes");
        else if (e && !e->is_boolean()) out = std::string("notify's \"error\" must be true or false");
        else out = cmd::Notify{t->get<std::string>(), e && e->get<bool>()};
    } else if (name == "load_link") {
        const json* f = arg(j, "fragment");
        if (!f || !f->is_string()) out = std::string("load_link needs a string \"fragment\" (\"#v=2&...\")");
        else out = cmd::LoadLink{f->get<std::string>()};
    } else if (name == "load_preset") {
        const json* id = arg(j, "id");
        if (!id || !id->is_string()) out = std::string("load_preset needs a string \"id\"");
        else out = cmd::LoadPreset{id->get<std::string>()};
    } else if (name == "set_setting") {
        const json* k = arg(j, "key");
        const json* v = arg(j, "value");
        std::optional<SettingValue> value = v ? setting_value_from_json(*v) : std::nullopt;
        if (!k || !k->is_string() || !value)
            out = std::string("set_setting needs a string \"key\" and a \"value\" (number, boolean or string)");
        else out = cmd::SetSetting{k->get<std::string>(), std::move(*value)};
    } else {
        return false;
    }
    return true;
}

// ---- the view ----
// The top bar's theme and language buttons are settings-table rows too: one path for locks and checks.
CommandResult apply_command(AppState& s, const cmd::SetSetting& c);
CommandResult apply_command(AppState& s, const cmd::SetTheme& c) {
    return apply_command(s, cmd::SetSetting{"theme", std::string(c.theme == Theme::light ? "light" : "dark")});
}
CommandResult apply_command(AppState& s, const cmd::SetLanguage& c) {
    return apply_command(s, cmd::SetSetting{"lang", c.lang});
}
CommandResult apply_command(AppState& s, const cmd::OpenPanel& c) {
    if (static_cast<int>(c.panel) < 0 || static_cast<int>(c.panel) >= kNumPanels) return CommandResult::refused("no such panel");
    open_panel(s, c.panel);
    return {};
}
CommandResult apply_command(AppState& s, const cmd::PanelShown& c) {
    if (static_cast<int>(c.panel) < 0 || static_cast<int>(c.panel) >= kNumPanels) return CommandResult::refused("no such panel");
    if (panel_side(c.panel) == Side::lesson) s.focused_lesson_panel = c.panel;
    else s.focused_lab_panel = c.panel;
    s.panel_open[static_cast<int>(c.panel)] = true;
    return {};
}
CommandResult apply_command(AppState& s, const cmd::SetMotion& c) {
    s.motion = c.motion;
    return {};
}
CommandResult apply_command(AppState& s, const cmd::SetSystemMotion& c) {
    s.system_reduced_motion = c.reduce;
    return {};
}
CommandResult apply_command(AppState& s, const cmd::SetPointer& c) {
    s.coarse_pointer = c.coarse;
    return {};
}
CommandResult apply_command(AppState& s, const cmd::SetUiScale& c) {
    set_ui_scale(s, c.scale);
    return {};
}
CommandResult apply_command(AppState& s, const cmd::ToggleHelp&) {
    s.show_help = !s.show_help;
    return {};
}
CommandResult apply_command(AppState& s, const cmd::Notify& c) {
    if (c.text.empty() || c.text.size() > 1000) return CommandResult::refused("a notice needs 1 to 1000 bytes of text");
    s.notify(c.text, c.error);
    return {};
}
CommandResult apply_command(AppState& s, const cmd::FileRefused& c) {
    s.notify(c.text, /*is_error=*/true);
    if (c.purpose == "weights") s.lab.refuse_open(c.text);
    return {};
}
CommandResult apply_command(AppState& s, const cmd::DismissNotices&) {
    s.notices.clear();
    s.notices_dropped = 0;
    return {};
}
CommandResult apply_command(AppState& s, const cmd::LoadLink& c) {
    UrlDecode d = decode_fragment(c.fragment);
    if (d.refused) return CommandResult::refused(d.notices.empty() ? "the link was refused" : d.notices.front());
    for (const auto& n : d.notices) s.notify(n);
    for (const auto& n : apply(s, d.state)) s.notify(n);
    return {};
}
CommandResult apply_command(AppState& s, const cmd::LoadPreset& c) {
    if (!find_preset(c.id)) {
        bool ok = false;
        std::vector<std::string> notices = load_preset(s, c.id, &ok);  // unknown: only says which ids exist
        return CommandResult::refused(notices.empty() ? "unknown preset" : notices.front());
    }
    bool ok = false;
    for (const auto& n : load_preset(s, c.id, &ok)) s.notify(n);
    return {};
}
CommandResult apply_command(AppState& s, const cmd::CopyLink&) {
    const ShareCheck share = share_check(s);
    if (s.hooks.copy_link) {
        s.hooks.copy_link();
    } else if (s.hooks.copy_text) {
        s.hooks.copy_text(share.fragment);
        s.notify(tr(s.lang, "notice.link_copied"));
    }
    for (const auto& reason : share.reasons) s.notify(reason);
    return {};
}
CommandResult apply_command(AppState& s, const cmd::PickFile& c) {
    if (c.purpose != "weights" && c.purpose != "text") return CommandResult::refused("a file picker opens for \"weights\" or \"text\"");
    if (s.hooks.pick_file) s.hooks.pick_file(c.purpose);
    return {};
}

CommandResult apply_command(AppState& s, const cmd::OpenFile& c) {
    if (std::string why = open_bytes(s, c.bytes, c.name, c.purpose); !why.empty()) return CommandResult::refused(why);
    return {};
}

// ---- settings ----
CommandResult apply_command(AppState& s, const cmd::SetSetting& c) {
    const SettingSpec* spec = find_setting(c.key);
    if (!spec) return CommandResult::refused("set_setting: " + quoted_value(c.key) + " is not a setting");
    if (setting_locked(s, spec->key)) {
        // The control is drawn read-only, so this comes from a key press, the page or a script: say why.
        const std::string why = locked_message(s, spec->key);
        s.notify(why);
        return CommandResult::refused(why);
    }
    if (std::string why = check_setting_value(*spec, c.value); !why.empty()) return CommandResult::refused(why);
    const SettingValue value = normalize_setting_value(*spec, c.value);
    const bool chat_before = s.lab_ui.chat;
    store_setting(s, *spec, value);
    if (spec->group == SettingGroup::pretrain && s.lab.pretrain().params != 0) sync_training_settings(s);
    if (s.lab_ui.chat != chat_before) s.lab.stop_generation();  // as switching the panel's chat mode does
    return {};
}

template <class C>
concept Appliable = requires(AppState& s, const C& c) {
    { apply_command(s, c) } -> std::same_as<CommandResult>;
};
}  // namespace

CommandResult apply(AppState& s, const Command& c) {
    return std::visit(
        [&](const auto& command) -> CommandResult {
            static_assert(Appliable<std::decay_t<decltype(command)>>, "every Command has an apply_command");
            return apply_command(s, command);
        },
        c);
}

CommandResult run_command(AppState& s, const std::string& text) {
    json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) return CommandResult::refused("command is not a JSON object");
    const json* name_arg = arg(j, "cmd");
    if (!name_arg || !name_arg->is_string()) return CommandResult::refused("command has no \"cmd\" string");
    const std::string name = name_arg->get<std::string>();
    if (name == "link") {  // a question, not a change
        CommandResult r;
        r.data = share_check(s).fragment;
        return r;
    }
    ParsedCommand parsed;
    if (!parse_view_command(name, j, parsed) && !parse_lesson_command(name, j, parsed) &&
        !parse_lab_command(name, j, parsed))
        return CommandResult::refused("unknown command \"" + name + "\"");
    if (const auto* why = std::get_if<std::string>(&parsed)) return CommandResult::refused(*why);
    return knobs::apply(s, std::get<Command>(parsed));
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
    for (const auto& n : s.notices) w.begin_object().field("text", n.text).field("error", n.is_error).field("repeats", n.repeats).end_object();
    w.end_array();
    w.field("notices_dropped", s.notices_dropped);
    w.key("lesson");
    write_lesson_state(w, s);
    w.key("lab");
    write_lab_state(w, s);
    w.key("settings");
    write_settings_state(w, s);
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
    w.key("catalog");
    write_catalog(w);  // the lists the page shares with the app (catalog.h)
    // Strings from files or users may hold invalid UTF-8: the writer replaces it rather than fail.
    w.end_object();
    return w.take();
}

}  // namespace knobs
