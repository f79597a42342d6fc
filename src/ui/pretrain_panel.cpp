// Pre-train: pick a corpus and a model size, turn the hyperparameter knobs, press play and watch the
// loss (the error) fall while live samples turn from noise into sentences.
#include <cmath>
#include <cstdio>
#include <string>

#include "app/i18n.h"
#include "app/url_state.h"
#include "core/utf8.h"
#include "ui/chart.h"
#include "ui/panels.h"
#include "ui/shortcuts.h"
#include "ui/style.h"
#include "ui/widgets.h"

namespace knobs {

namespace {
std::string fmt_count(double v) { return format_value(v); }

void SizeAndCorpus(AppState& s) {
    const auto& L = s.lang;
    TrainSettings& e = s.lab_ui.editing;
    ImGui::SeparatorText(tr(L, "pretrain.data"));
    const char* corpus_names[] = {tr(L, "corpus.english"), tr(L, "corpus.portuguese"), tr(L, "corpus.course"),
                                  tr(L, "corpus.user")};
    int c = static_cast<int>(e.corpus);
    FitNextItemWidth(s, 220, tr(L, "pretrain.corpus"));
    if (ImGui::Combo(tr(L, "pretrain.corpus"), &c, corpus_names, 4)) e.corpus = static_cast<CorpusChoice>(c);
    RecordHit(s, "pretrain.corpus");
    ImGui::SameLine();
    HelpMarker(tr(L, "pretrain.corpus_help"));
    if (e.corpus == CorpusChoice::user) {
        ImGui::TextWrapped("%s", tr(L, "pretrain.user_text_hint"));
        if (ImGui::Button(tr(L, "pretrain.open_text"))) {
            if (s.hooks.pick_file) s.hooks.pick_file("text");
        }
        RecordHit(s, "pretrain.open_text");
        if (!s.user_text_name.empty())
            FlowText(s.user_text_name + " (" + format_value(static_cast<double>(s.user_text_bytes)) + ")", -1.0f, /*dimmed=*/true);
    }

    ImGui::SeparatorText(tr(L, "pretrain.model"));
    const char* sizes[] = {"S", "M", "L", tr(L, "pretrain.custom")};
    for (int i = 0; i < 4; ++i) {
        if (i) SameLineIfFits(RadioButtonWidth(sizes[i]));
        if (ImGui::RadioButton(sizes[i], static_cast<int>(e.size) == i)) e.size = static_cast<SizePreset>(i);
        RecordHit(s, std::string("pretrain.size.") + size_key(static_cast<SizePreset>(i)));
    }
    ModelConfig cfg = e.config();
    if (e.size == SizePreset::custom) {
        FitNextItemWidth(s, 160, tr(L, "pretrain.layers"));
        ImGui::SliderInt(tr(L, "pretrain.layers"), &e.custom.n_layer, kMinLayers, kMaxLayers);
        FitNextItemWidth(s, 160, tr(L, "pretrain.heads"));
        ImGui::SliderInt(tr(L, "pretrain.heads"), &e.custom.n_head, kMinHeads, kMaxHeads);
        FitNextItemWidth(s, 160, tr(L, "pretrain.width"));
        ImGui::SliderInt(tr(L, "pretrain.width"), &e.custom.n_embd, kMinWidth, kMaxWidth);
        FitNextItemWidth(s, 160, tr(L, "pretrain.context"));
        ImGui::SliderInt(tr(L, "pretrain.context"), &e.custom.block_size, kMinContext, kMaxContext);
        cfg = e.custom;
    }
    const std::string problem = validate(cfg);
    if (!problem.empty()) {
        WrappedColoured(palette(s.theme).bad, problem.c_str());
    } else {
        ImGui::Text("%s: %s", tr(L, "pretrain.param_count"), fmt_count(static_cast<double>(param_count(cfg))).c_str());
        char shape[64];
        std::snprintf(shape, sizeof shape, "(L=%d, H=%d, C=%d, T=%d)", cfg.n_layer, cfg.n_head, cfg.n_embd, cfg.block_size);
        FlowText(shape, -1.0f, /*dimmed=*/true);
        SameLineIfFits(ImGui::CalcTextSize("(?)").x);
        HelpMarker(tr(L, "pretrain.param_help"));
    }
}

void Hyperparameters(AppState& s) {
    const auto& L = s.lang;
    TrainSettings& e = s.lab_ui.editing;
    ImGui::SeparatorText(tr(L, "pretrain.hyper"));
    FitNextItemWidth(s, 220, tr(L, "pretrain.lr"));
    ImGui::SliderFloat(tr(L, "pretrain.lr"), &e.lr, 1e-5f, 10.0f, "%.5f", ImGuiSliderFlags_Logarithmic);
    RecordHit(s, "pretrain.lr");
    ImGui::SameLine();
    HelpMarker(tr(L, "pretrain.lr_help"));
    FitNextItemWidth(s, 220, tr(L, "pretrain.batch"));
    ImGui::SliderInt(tr(L, "pretrain.batch"), &e.batch_size, 1, 64);
    ImGui::SameLine();
    HelpMarker(tr(L, "pretrain.batch_help"));
    if (ImGui::TreeNode(tr(L, "pretrain.more"))) {
        FitNextItemWidth(s, 200, tr(L, "pretrain.warmup"));
        ImGui::SliderInt(tr(L, "pretrain.warmup"), &e.warmup_steps, 0, 500);
        FitNextItemWidth(s, 200, tr(L, "pretrain.total_steps"));
        ImGui::SliderInt(tr(L, "pretrain.total_steps"), &e.total_steps, 10, 20000);
        FitNextItemWidth(s, 200, tr(L, "pretrain.wd"));
        ImGui::SliderFloat(tr(L, "pretrain.wd"), &e.weight_decay, 0.0f, 0.5f, "%.3f");
        FitNextItemWidth(s, 200, tr(L, "pretrain.clip"));
        ImGui::SliderFloat(tr(L, "pretrain.clip"), &e.grad_clip, 0.0f, 5.0f, "%.2f");
        ImGui::SameLine();
        HelpMarker(tr(L, "pretrain.clip_help"));
        int seed = static_cast<int>(e.seed);
        FitNextItemWidth(s, 200, tr(L, "pretrain.seed"));
        if (ImGui::InputInt(tr(L, "pretrain.seed"), &seed)) e.seed = static_cast<uint64_t>(std::max(0, seed));
        ImGui::SameLine();
        HelpMarker(tr(L, "pretrain.seed_help"));
        ImGui::TreePop();
    }
}

void ApplyEditing(AppState& s) {
    Lab& lab = s.lab;
    const TrainSettings& e = s.lab_ui.editing;
    // Nothing new, or the same settings already failed (their message is on screen): do nothing.
    if (e == lab.settings() && (lab.pretrain().params != 0 || !lab.pretrain().error.empty())) return;
    // A link's text is still being fetched: applying now would only say "open a text first".
    if (e.corpus == CorpusChoice::user && !pending_corpus_url(s).empty()) return;
    if (lab.settings_need_reset(e) && lab.pretrain().step > 0) {
        if (!s.lab_ui.confirm_reset) {
            s.lab_ui.confirm_reset = true;
            ImGui::OpenPopup("##confirm_reset");
        }
        return;
    }
    lab.apply_settings(e);
}

void ConfirmResetPopup(AppState& s) {
    const auto& L = s.lang;
    if (ImGui::BeginPopupModal("##confirm_reset", nullptr, ImGuiWindowFlags_AlwaysAutoResize)) {
        ImGui::TextUnformatted(tr(L, "pretrain.confirm_title"));
        ImGui::TextWrapped("%s", tr(L, "pretrain.confirm_text"));
        if (ImGui::Button(tr(L, "pretrain.confirm_yes"))) {
            s.lab.pause();
            s.lab.apply_settings(s.lab_ui.editing);
            s.lab_ui.confirm_reset = false;
            ImGui::CloseCurrentPopup();
        }
        RecordHit(s, "pretrain.confirm_yes");
        ImGui::SameLine();
        if (ImGui::Button(tr(L, "pretrain.confirm_no"))) {
            s.lab_ui.editing = s.lab.settings();
            s.lab_ui.confirm_reset = false;
            ImGui::CloseCurrentPopup();
        }
        RecordHit(s, "pretrain.confirm_no");
        ImGui::EndPopup();
    }
}

void Controls(AppState& s) {
    const auto& L = s.lang;
    Lab& lab = s.lab;
    const PretrainView& v = lab.pretrain();
    ImGui::SeparatorText(tr(L, "pretrain.controls"));
    if (!v.running) {
        if (ImGui::Button(tr(L, "pretrain.play"))) lab.play();
    } else {
        if (ImGui::Button(tr(L, "pretrain.pause"))) lab.pause();
    }
    RecordHit(s, "pretrain.play");
    ImGui::SameLine();
    if (ImGui::Button(tr(L, "pretrain.step"))) lab.step_once();
    RecordHit(s, "pretrain.step");
    ImGui::SameLine();
    if (ImGui::Button(tr(L, "pretrain.reset"))) lab.reset();
    RecordHit(s, "pretrain.reset");
    ImGui::SameLine();
    HelpMarker(shortcut_help_text(s, ShortcutScope::pretrain).c_str());

    // Keyboard shortcuts (src/ui/shortcuts.cpp), while this panel's column has the focus.
    if (ImGui::IsWindowFocused(ImGuiFocusedFlags_RootAndChildWindows)) HandleShortcuts(s, ShortcutScope::pretrain);

    if (!v.error.empty()) ImGui::TextColored(palette(s.theme).bad, "%s", v.error.c_str());
    if (!v.divergence.empty()) {
        ImGui::PushStyleColor(ImGuiCol_Text, palette(s.theme).bad);
        ImGui::TextWrapped("%s %s", "✗", v.divergence.c_str());
        ImGui::PopStyleColor();
        if (v.can_restore && ImGui::Button(tr(L, "pretrain.restore"))) lab.restore_last_good();
        RecordHit(s, "pretrain.restore");
    }

    // Status line: every number here is measured. It wraps on a narrow screen rather than run off the panel.
    if (v.preparing) {
        ImGui::Text("%s %.0f%%", tr(L, "pretrain.preparing"), 100.0 * v.prepare_progress);
        ImGui::SameLine();
        HelpMarker(tr(L, "pretrain.preparing_help"));
    }
    const float gap = Px(s, 18);
    ImGui::Text("%s %d", tr(L, "pretrain.step_label"), v.step);
    FlowText(std::string(tr(L, "pretrain.tokens_seen")) + " " + format_value(static_cast<double>(v.tokens_seen)), gap);
    FlowText(std::string(tr(L, "pretrain.tokens")) + "/s " + format_value(v.tokens_per_s), gap);
    if (v.in_worker) {
        FlowText(tr(L, "pretrain.in_worker"), gap, /*dimmed=*/true);
        ImGui::SameLine();
        HelpMarker(tr(L, "pretrain.in_worker_help"));
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.1f s", v.train_seconds);
    FlowText(buf, gap);
    if (v.step > 0) {
        std::snprintf(buf, sizeof buf, "%s %.3f", tr(L, "pretrain.loss"), v.last_loss);
        ImGui::TextUnformatted(buf);
        if (std::isfinite(v.last_val) && v.last_val > 0) {
            std::snprintf(buf, sizeof buf, "%s %.3f", tr(L, "pretrain.val_loss"), v.last_val);
            FlowText(buf, gap);
        }
        std::snprintf(buf, sizeof buf, "lr %.2e", v.lr_now);
        FlowText(buf, gap);
        FlowText(std::string(tr(L, "pretrain.checksum")) + " " + checksum_text(v.checksum), gap, /*dimmed=*/true);
    }
}

void Charts(AppState& s) {
    const auto& L = s.lang;
    const PretrainView& v = s.lab.pretrain();
    const Palette& pal = palette(s.theme);
    ImGui::SeparatorText(tr(L, "pretrain.loss_chart"));
    ImGui::Checkbox(tr(L, "pretrain.log_y"), &s.lab_ui.log_y);
    ImGui::SameLine();
    FitNextItemWidth(s, 140, tr(L, "pretrain.smoothing"));
    ImGui::SliderFloat(tr(L, "pretrain.smoothing"), &s.lab_ui.smoothing, 0.0f, 0.98f, "%.2f");
    ImGui::SameLine();
    HelpMarker(tr(L, "pretrain.loss_help"));
    LineChart chart;
    chart.lang = s.lang;
    chart.id = "loss";
    chart.empty_text = tr(L, "pretrain.chart_empty");
    chart.x_label = tr(L, "pretrain.step_label");
    chart.y_label = tr(L, "pretrain.loss");
    chart.log_y = s.lab_ui.log_y;
    chart.smoothing = s.lab_ui.smoothing;
    chart.height_px = Px(s, 190);
    ChartSeries train{tr(L, "pretrain.train"), ImGui::ColorConvertFloat4ToU32(pal.accent), {}, {}, false};
    ChartSeries val{tr(L, "pretrain.validation"), ImGui::ColorConvertFloat4ToU32(pal.warn), {}, {}, true};
    for (const auto& p : v.history) {
        train.x.push_back(static_cast<float>(p.step));
        train.y.push_back(p.train);
        if (std::isfinite(p.val)) {
            val.x.push_back(static_cast<float>(p.step));
            val.y.push_back(p.val);
        }
    }
    chart.series = {train, val};
    chart.Draw();

    if (!v.quality.empty()) {
        ImGui::SeparatorText(tr(L, "pretrain.quality"));
        ImGui::SameLine();
        HelpMarker(tr(L, "pretrain.quality_help"));
        LineChart q;
        q.lang = s.lang;
        q.id = "quality";
        q.x_label = tr(L, "pretrain.seconds");
        q.y_label = tr(L, "pretrain.grammatical");
        q.height_px = Px(s, 140);
        ChartSeries g{tr(L, "pretrain.grammatical"), ImGui::ColorConvertFloat4ToU32(pal.good), {}, {}, false};
        for (const auto& p : v.quality) {
            g.x.push_back(p.seconds);
            g.y.push_back(p.grammatical * 100.0f);
        }
        q.series = {g};
        q.Draw();
    }

    ImGui::SeparatorText(tr(L, "pretrain.samples"));
    if (v.samples.empty()) {
        TextDim(tr(L, "pretrain.samples_empty"));
    } else {
        const Sample& last = v.samples.back();
        ImGui::TextDisabled("%s %d", tr(L, "pretrain.step_label"), last.step);
        ImGui::PushStyleColor(ImGuiCol_ChildBg, pal.panel_alt);
        ImGui::BeginChild("##sample", ImVec2(0, Px(s, 90)), ImGuiChildFlags_Border);
        ImGui::TextWrapped("%s", last.text.c_str());
        ImGui::EndChild();
        ImGui::PopStyleColor();
    }
    if (!v.history.empty() && ImGui::Button(tr(L, "pretrain.export_csv"))) {
        if (s.hooks.download) {
            const std::string csv = s.lab.loss_csv();
            s.hooks.download("knobs-loss.csv", std::vector<uint8_t>(csv.begin(), csv.end()), "text/csv");
        }
    }
}
}  // namespace

void ShowPretrain(AppState& s, bool* open) {
    (void)open;
    ImGui::TextWrapped("%s", tr(s.lang, "pretrain.intro"));
    SizeAndCorpus(s);
    Hyperparameters(s);
    ApplyEditing(s);
    ConfirmResetPopup(s);
    Controls(s);
    Charts(s);
}

}  // namespace knobs
