#include "ui/a11y.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "imgui.h"
#include "imgui_internal.h"
#include "ui/hooks/item_sink.h"

namespace knobs {

namespace {

std::string trim(std::string_view t) {
    size_t a = 0, b = t.size();
    auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (a < b && blank(t[a])) ++a;
    while (b > a && blank(t[b - 1])) --b;
    return std::string(t.substr(a, b - a));
}

// The visible part of an ImGui label: "Train##run" -> "Train", "Lesson###lesson" -> "Lesson".
std::string visible_label(const char* label) {
    if (!label) return "";
    return trim(std::string_view(label, static_cast<size_t>(ImGui::FindRenderedTextEnd(label) - label)));
}

// Which top-level window the current item is in; the page names and orders regions by this.
std::string current_region(const ImGuiContext& g) {
    const ImGuiWindow* w = g.CurrentWindow ? g.CurrentWindow->RootWindow : nullptr;
    if (!w) return "";
    if (w->Flags & ImGuiWindowFlags_Tooltip) return "tooltip";
    if (w->Flags & ImGuiWindowFlags_Modal) return "dialog";
    if (w->Flags & ImGuiWindowFlags_Popup) return "popup";
    std::string name = w->Name;
    if (name.rfind("##", 0) == 0) name.erase(0, 2);
    return name;
}

}  // namespace

// Turns the hook calls and the text log into nodes. Text logged between two items is plain text; text
// logged between an item's item_add and its item_info is that item drawing itself (its label, and for
// inputs, sliders and combos its value in ImGui's "{...}" log decoration).
//
// ImGui ends logging at the End() of every top-level window (popups and tooltips too) and clears its
// buffer. So the log is a "clipboard" log: ending it hands the buffer to io.SetClipboardTextFn, which
// the listener takes over for the capture frame to collect the text (anything else copied in that
// frame still reaches the real clipboard). The next hook or note starts logging again.
class A11yCapture::Listener final : public ItemSink {
public:
    Listener(ImGuiContext& g, float dpr, std::vector<A11yNode>& out) : g_(g), inv_dpr_(1.0f / dpr), out_(out) {
        saved_set_clipboard_ = g_.IO.SetClipboardTextFn;
        saved_clipboard_data_ = g_.IO.ClipboardUserData;
        g_.IO.SetClipboardTextFn = [](void* self, const char* text) { static_cast<Listener*>(self)->on_clipboard(text); };
        g_.IO.ClipboardUserData = this;
        resume_log();
    }

    ~Listener() override {
        g_.IO.SetClipboardTextFn = saved_set_clipboard_;
        g_.IO.ClipboardUserData = saved_clipboard_data_;
    }
    Listener(const Listener&) = delete;
    Listener& operator=(const Listener&) = delete;

    // Logging stopped at a window's End(): start again, so what comes next is captured too.
    void resume_log() {
        if (!g_.LogEnabled) ImGui::LogToClipboard(0);  // depth 0: logging must not open closed tree nodes
    }

    void end_log() {
        ImGui::LogFinish();  // hands the rest of the buffer to on_clipboard
    }

    void item_add(ImGuiID id, const ImRect& bb, const ImGuiLastItemData* item_data) override {
        resume_log();
        const int now = log_size();
        settle_pending(now);
        emit_text(consumed_, now);
        consumed_ = now;
        // Text belongs to the window that was current at the hook before it; every window reports
        // itself here when it begins, so a window's text never runs into the next window's.
        text_region_ = current_region(g_);
        if (ImGui::FindWindowByID(id)) return;  // a window registering itself, not a control
        pending_.id = id;
        pending_.log_start = now;
        pending_.rect = to_css(bb);
        pending_.disabled = item_data && (item_data->InFlags & ImGuiItemFlags_Disabled);
        pending_.region = current_region(g_);
        if (id == announced_id_ && announced_node_ >= 0) {
            // A tab told its label before claiming its rectangle: the node exists; complete it.
            pending_.node = announced_node_;
            out_[static_cast<size_t>(announced_node_)].rect = pending_.rect;
            out_[static_cast<size_t>(announced_node_)].disabled = pending_.disabled;
        }
        announced_id_ = 0;
        announced_node_ = -1;
    }

    void item_info(ImGuiID id, const char* label, ImGuiItemStatusFlags flags) override {
        resume_log();
        if (ImGui::FindWindowByID(id)) return;
        const int now = log_size();
        if (pending_.id == id && pending_.node < 0) {
            const std::string own(log_at(pending_.log_start), log_at(now));
            add_control(id, visible_label(label), flags, trim(own), pending_.rect, pending_.disabled, pending_.region);
            pending_ = Pending{};
            consumed_ = now;
            return;
        }
        // Told before item_add (tab items do this): make the node now, finish it when the item is added.
        settle_pending(now);
        emit_text(consumed_, now);
        consumed_ = now;
        text_region_ = current_region(g_);
        announced_node_ = add_control(id, visible_label(label), flags, "", HitRect{}, false, current_region(g_));
        announced_id_ = announced_node_ >= 0 ? id : 0;
    }

    void finish() {
        end_log();
        emit_logged();
        while (!open_.empty()) end_group();  // a panel that forgot an end must not swallow the rest
    }

    // Structure: everything logged so far belongs before the group's start.
    void begin_group(const char* kind, const std::string& label, int take_lines, const std::string& key) {
        flush();
        stop_taking();
        A11yNode n;
        n.role = "group";
        n.kind = kind;
        n.label = label;
        n.key = key.empty() ? std::to_string(ImGui::GetID(kind)) : key;
        n.region = current_region(g_);
        out_.push_back(std::move(n));
        const bool table = std::string_view(kind) == "table" || (!open_.empty() && open_.back().table);
        open_.push_back({static_cast<int>(out_.size()) - 1, take_lines, table});
    }

    void end_group() {
        if (open_.empty()) return;
        flush();
        A11yNode n;
        n.role = "end";
        n.kind = out_[static_cast<size_t>(open_.back().node)].kind;
        n.region = out_[static_cast<size_t>(open_.back().node)].region;
        out_.push_back(std::move(n));
        open_.pop_back();
    }

    // The kind of the innermost open group ("" for none).
    std::string innermost() const { return open_.empty() ? "" : out_[static_cast<size_t>(open_.back().node)].kind; }

    void set_header(const char* header) {
        if (!open_.empty()) out_[static_cast<size_t>(open_.back().node)].header = header ? header : "";
    }

private:
    struct Open {
        int node = -1;     // the group's node in out_
        int take = 0;      // text lines still to take as its label or description (-1: all)
        bool table = false;  // inside a table, whose cells ImGui logs with "|" marks
    };

    void flush() {
        resume_log();
        emit_logged();
    }

    // Turns what the text log holds since the last call into nodes.
    void emit_logged() {
        const int now = log_size();
        settle_pending(now);
        emit_text(consumed_, now);
        consumed_ = now;
    }

    // A control or a nested group ends what the innermost group takes as its label.
    void stop_taking() {
        if (!open_.empty()) open_.back().take = 0;
    }

    struct Pending {
        ImGuiID id = 0;
        int log_start = 0;
        int node = -1;  // set when the node was made at item_info time
        HitRect rect;
        bool disabled = false;
        std::string region;
    };

    // The text logged so far: what was collected from ended logs, then ImGui's current buffer, which is
    // moved over on every look so offsets stay valid across a window's End().
    int log_size() {
        collect(g_.LogBuffer.c_str());
        g_.LogBuffer.clear();
        return static_cast<int>(log_.size());
    }
    const char* log_at(int offset) const { return log_.data() + offset; }
    void collect(const char* text) {
        if (text) log_ += text;
    }

    void on_clipboard(const char* text) {
        if (g_.LogEnabled && text == g_.LogBuffer.c_str()) {
            collect(text);  // LogFinish handing over the log
        } else if (saved_set_clipboard_) {
            saved_set_clipboard_(saved_clipboard_data_, text);  // the learner copied something
        }
    }

    HitRect to_css(const ImRect& bb) const {
        return {bb.Min.x * inv_dpr_, bb.Min.y * inv_dpr_, (bb.Max.x - bb.Min.x) * inv_dpr_, (bb.Max.y - bb.Min.y) * inv_dpr_};
    }

    // An item that reported no item_info by the time the next one came. Combos are such items; their
    // text is "{value} label". For a node made early (a tab), its own text is its label: only that is
    // skipped, since what follows (the selected tab's panel) is content.
    void settle_pending(int now) {
        if (!pending_.id) return;
        if (pending_.node >= 0) {
            const std::string_view own(log_at(pending_.log_start), static_cast<size_t>(now - pending_.log_start));
            const std::string& label = out_[static_cast<size_t>(pending_.node)].label;
            size_t at = 0;
            while (at < own.size() && (own[at] == ' ' || own[at] == '\n')) ++at;
            if (own.substr(at, label.size()) == label) consumed_ = pending_.log_start + static_cast<int>(at + label.size());
        } else {
            // Only its first line is the item's own: notes and text may follow before the next item.
            const std::string_view logged(log_at(pending_.log_start), static_cast<size_t>(now - pending_.log_start));
            size_t first = 0;
            while (first < logged.size() && (logged[first] == ' ' || logged[first] == '\n')) ++first;
            const size_t line_end = std::min(logged.find('\n', first), logged.size());
            const std::string own = trim(logged.substr(first, line_end - first));
            const size_t close = own.find('}');
            if (!own.empty() && own[0] == '{' && close != std::string::npos) {
                A11yNode n;
                n.role = "combo";
                n.value = trim(std::string_view(own).substr(1, close - 1));
                n.label = trim(std::string_view(own).substr(close + 1));
                n.id = pending_.id;
                n.rect = pending_.rect;
                n.disabled = pending_.disabled;
                n.region = pending_.region;
                stop_taking();
                out_.push_back(std::move(n));
                consumed_ = pending_.log_start + static_cast<int>(line_end);
            }
        }
        pending_ = Pending{};
    }

    // Returns the node's index, or -1 for a control with nothing to call it by (an unlabelled
    // InvisibleButton): a screen reader could only say "button", which helps nobody.
    int add_control(ImGuiID id, std::string label, ImGuiItemStatusFlags flags, const std::string& own, HitRect rect,
                    bool disabled, std::string region) {
        A11yNode n;
        n.id = id;
        n.rect = rect;
        n.disabled = disabled;
        n.region = std::move(region);
        n.label = std::move(label);
        const ImGuiTabBar* bar = g_.CurrentTabBar;
        if (bar && ImGui::TabBarFindTabByID(const_cast<ImGuiTabBar*>(bar), id)) {
            n.role = "tab";
            n.checked = bar->VisibleTabId == id;
        } else if (own.rfind("(x)", 0) == 0 || own.rfind("( )", 0) == 0) {
            n.role = "radio";  // RadioButton logs "(x)" or "( )" before its label
            n.checked = own[1] == 'x';
        } else if (flags & ImGuiItemStatusFlags_Checkable) {
            n.role = "checkbox";
            n.checked = (flags & ImGuiItemStatusFlags_Checked) != 0;
        } else if (flags & ImGuiItemStatusFlags_Openable) {
            n.role = "disclosure";
            n.expanded = (flags & ImGuiItemStatusFlags_Opened) != 0;
        } else if (flags & ImGuiItemStatusFlags_Inputable) {
            n.role = "input";
            const size_t open = own.find('{'), close = own.find('}', open == std::string::npos ? 0 : open);
            if (open != std::string::npos && close != std::string::npos)
                n.value = trim(std::string_view(own).substr(open + 1, close - open - 1));
        } else {
            n.role = "button";
        }
        if (n.label.empty()) return -1;
        stop_taking();
        out_.push_back(std::move(n));
        return static_cast<int>(out_.size()) - 1;
    }

    // Plain text: one node per logged line (ImGui starts a new line when the drawing position moves down).
    void emit_text(int from, int to) {
        if (to <= from) return;
        const std::string_view text(log_at(from), static_cast<size_t>(to - from));
        const std::string& region = text_region_;
        size_t start = 0;
        while (start <= text.size()) {
            size_t end = text.find('\n', start);
            if (end == std::string_view::npos) end = text.size();
            std::string line = trim(text.substr(start, end - start));
            // ImGui marks every table cell with a "|" in its log; the mirror has real cells instead.
            if (!open_.empty() && open_.back().table) {
                const size_t a = line.find_first_not_of("| "), b = line.find_last_not_of("| ");
                line = a == std::string::npos ? std::string() : line.substr(a, b - a + 1);
            }
            if (!line.empty() && !open_.empty() && open_.back().take != 0) {
                A11yNode& group = out_[static_cast<size_t>(open_.back().node)];
                if (group.label.empty()) group.label = line;
                else group.description += (group.description.empty() ? "" : " ") + line;
                if (open_.back().take > 0) --open_.back().take;
                start = end + 1;
                continue;
            }
            // ImGui::SeparatorText logs its title as "--- title": a section heading. A plain Separator
            // logs a row of dashes, which says nothing.
            const bool heading = line.rfind("---", 0) == 0;
            if (heading) line = trim(std::string_view(line).substr(line.find_first_not_of('-') == std::string::npos ? line.size() : 3));
            if (!line.empty()) {
                A11yNode n;
                n.role = heading ? "heading" : "text";
                n.label = std::move(line);
                n.region = region;
                out_.push_back(std::move(n));
            }
            start = end + 1;
        }
    }

    ImGuiContext& g_;
    float inv_dpr_;
    std::vector<A11yNode>& out_;
    Pending pending_;
    int consumed_ = 0;          // log offset up to which text is accounted for
    ImGuiID announced_id_ = 0;  // an item that told its label before item_add
    int announced_node_ = -1;
    std::string text_region_;  // the region text logged since the last hook belongs to
    std::string log_;          // every line logged this frame
    std::vector<Open> open_;   // groups begun and not yet ended, innermost last
    void (*saved_set_clipboard_)(void*, const char*) = nullptr;
    void* saved_clipboard_data_ = nullptr;
};

A11yCapture::A11yCapture(AppState& s) : s_(s) {
    ImGuiContext* g = ImGui::GetCurrentContext();
    A11yMirror& m = s.a11y;
    // The panels drew an applied activation's effect last frame: capture what they show now.
    if (m.settled_seq != m.applied_seq && s.frame >= m.settle_frame) {
        m.settled_seq = m.applied_seq;
        m.capture_requested = true;
    }
    const bool capture = m.capture_requested;
    m.capture_requested = false;
    a11y_apply_activation(s);
    if (!capture || !g || g->LogEnabled || g->TestEngine) return;
    m.nodes.clear();
    m.captured_settled = m.settled_seq;
    listener_ = new Listener(*g, s.dpr > 0 ? s.dpr : 1.0f, s.a11y.nodes);
    g->TestEngine = listener_;
    g->TestEngineHookItems = true;
}

A11yCapture::~A11yCapture() {
    if (!listener_) return;
    ImGuiContext& g = *ImGui::GetCurrentContext();
    listener_->finish();
    g.TestEngine = nullptr;
    g.TestEngineHookItems = false;
    delete listener_;
    s_.a11y.captured_frame = s_.frame + 1;  // AppState::frame counts from 0 and grows after DrawShell
}

bool a11y_capturing() {
    const ImGuiContext* g = ImGui::GetCurrentContext();
    return g && g->TestEngine && g->TestEngineHookItems;
}

void a11y_note(const std::string& text) {
    if (!a11y_capturing() || text.empty()) return;
    if (!ImGui::GetCurrentContext()->LogEnabled) ImGui::LogToClipboard(0);
    ImGui::LogText("\n%s\n", text.c_str());
}

void a11y_describe_last_item(AppState& s, const char* role, bool checked) {
    A11yItem item;
    item.role = role;
    item.checked = checked;
    a11y_describe_last_item(s, item);
}

void a11y_describe_last_item(AppState& s, const A11yItem& item) {
    if (!a11y_capturing() || s.a11y.nodes.empty()) return;
    A11yNode& n = s.a11y.nodes.back();
    if (n.id == 0 || n.id != ImGui::GetItemID()) return;  // unlabelled, so not in the mirror
    n.role = item.role;
    n.checked = item.checked;
    n.expanded = item.expanded;
    n.disabled = n.disabled || item.disabled;
    n.matched = item.matched;
    n.level = item.level;
    if (!item.label.empty()) n.label = item.label;
    n.description = item.description;
    n.set = item.set;
}

namespace {
A11yCapture::Listener* listening() {
    return a11y_capturing() ? static_cast<A11yCapture::Listener*>(static_cast<ItemSink*>(ImGui::GetCurrentContext()->TestEngine)) : nullptr;
}
}  // namespace

void a11y_begin(const char* kind, const std::string& label, int take_lines, const std::string& key) {
    if (auto* l = listening()) l->begin_group(kind, label, take_lines, key);
}

void a11y_end() {
    if (auto* l = listening()) l->end_group();
}

void a11y_table_row() {
    auto* l = listening();
    if (!l) return;
    a11y_table_end_row();
    l->begin_group("row", "", 0, "");
}

void a11y_table_cell(const char* header) {
    auto* l = listening();
    if (!l) return;
    if (l->innermost() == "cell") l->end_group();
    l->begin_group("cell", "", 0, "");
    l->set_header(header);
}

void a11y_table_end_row() {
    auto* l = listening();
    if (!l) return;
    if (l->innermost() == "cell") l->end_group();
    if (l->innermost() == "row") l->end_group();
}

void a11y_apply_activation(AppState& s) {
    A11yMirror& m = s.a11y;
    if (m.activations.empty() || !ImGui::GetCurrentContext()) return;
    const auto [id, for_input] = m.activations.front();
    m.activations.erase(m.activations.begin());
    ImGui::ActivateItemByID(id);
    if (for_input) ImGui::GetCurrentContext()->NavNextActivateFlags = ImGuiActivateFlags_PreferInput;
    ++m.applied_seq;
    m.settle_frame = s.frame + 2;
    // ImGui acts on the activation next frame, when the item comes again; an item scrolled out of view
    // would be clipped before it could, unless that frame is a capture (logging turns clipping off).
    m.capture_requested = true;
}

uint32_t a11y_activate(AppState& s, uint32_t id, bool for_input) {
    for (const A11yNode& n : s.a11y.nodes) {
        if (n.id != id || n.id == 0) continue;
        if (n.disabled) return 0;
        s.a11y.activations.emplace_back(id, for_input);
        return ++s.a11y.requested_seq;
    }
    return 0;
}

std::string a11y_json(const AppState& s) {
    using nlohmann::json;
    // Groups nest: a stack of the arrays being filled, the outermost (the capture's "nodes") first.
    std::vector<json> stack(1, json::array());
    for (const A11yNode& n : s.a11y.nodes) {
        if (n.role == "end") {
            if (stack.size() < 2) continue;  // an end without its begin
            json children = std::move(stack.back());
            stack.pop_back();
            stack.back().back()["children"] = std::move(children);
            continue;
        }
        json j = {{"role", n.role}, {"label", n.label}, {"region", n.region}};
        if (n.id != 0) {
            j["id"] = n.id;
            j["rect"] = {n.rect.x, n.rect.y, n.rect.w, n.rect.h};
        }
        if (!n.value.empty() || n.role == "input" || n.role == "combo") j["value"] = n.value;
        if (n.role == "checkbox" || n.role == "radio" || n.role == "tab" || n.role == "page") j["checked"] = n.checked;
        if (n.role == "toggle") j["pressed"] = n.checked;
        if (n.role == "disclosure") j["expanded"] = n.expanded;
        if (n.disabled) j["disabled"] = true;
        if (n.matched) j["matched"] = true;
        if (n.level > 0) j["level"] = n.level;
        if (!n.description.empty()) j["description"] = n.description;
        if (!n.set.empty()) j["set"] = n.set;
        if (n.role == "group") {
            j["kind"] = n.kind;
            j["key"] = n.key;
            if (!n.header.empty()) j["header"] = n.header;
            j["children"] = json::array();
            stack.back().push_back(std::move(j));
            stack.push_back(json::array());
            continue;
        }
        stack.back().push_back(std::move(j));
    }
    while (stack.size() > 1) {  // begins without their end
        json children = std::move(stack.back());
        stack.pop_back();
        stack.back().back()["children"] = std::move(children);
    }
    json said = json::array();
    for (const A11yAnnouncement& a : s.a11y.announcements) said.push_back({{"seq", a.seq}, {"text", a.text}});
    return json{{"frame", s.a11y.captured_frame},
                {"lang", s.lang},
                {"settled", s.a11y.captured_settled},
                {"nodes", std::move(stack.front())},
                {"announcements", std::move(said)}}
        .dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace knobs
