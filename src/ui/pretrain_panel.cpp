// Pre-train: pick a corpus and a model size, turn the hyperparameter knobs, press play and watch the
// loss (the error) fall while live samples turn from noise into sentences.
#include <cmath>
#include <cstdio>
#include <string>

#include "app/i18n.h"
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
    const TrainSettings& e = s.lab_ui.editing;
    ImGui::SeparatorText(tr(L, "pretrain.data"));
    const ChoiceLabel corpora[] = {{"english", tr(L, "corpus.english")}, {"portuguese", tr(L, "corpus.portuguese")},
                                   {"course", tr(L, "corpus.course")}, {"user", tr(L, "corpus.user")}};
    SettingControl(s, "corpus", 220, -1, corpora);
    if (e.corpus == CorpusChoice::user) {
        ImGui::TextWrapped("%s", tr(L, "pretrain.user_text_hint"));
        if (ImGui::Button(tr(L, "pretrain.open_text"))) s.post(cmd::PickFile{"text"});
        RecordHit(s, "pretrain.open_text");
        if (!s.user_text_name.empty())
            FlowText(s.user_text_name + " (" + format_value(static_cast<double>(s.user_text_bytes)) + ")", -1.0f, /*dimmed=*/true);
    }

    ImGui::SeparatorText(tr(L, "pretrain.model"));
    const ChoiceLabel sizes[] = {{"S", "S"}, {"M", "M"}, {"L", "L"}, {"custom", tr(L, "pretrain.custom")}};
    SettingRadios(s, "size", sizes, "pretrain.size");
    ModelConfig cfg = e.config();
    if (e.size == SizePreset::custom) {
        for (const char* key : {"layers", "heads", "width", "context"}) SettingControl(s, key, 160);
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
    ImGui::SeparatorText(tr(s.lang, "pretrain.hyper"));
    SettingControl(s, "lr", 220);
    SettingControl(s, "batch", 220);
    if (ImGui::TreeNode(tr(s.lang, "pretrain.more"))) {
        for (const char* key : {"warmup", "steps", "wd", "clip", "seed", "samples"}) SettingControl(s, key, 200);
        ImGui::TreePop();
    }
}

// A change that needs a new run waits for the learner's answer (lab_ui.confirm_reset, set by apply()).
void ConfirmResetPopup(AppState& s) {
    const auto& L = s.lang;
    if (s.lab_ui.confirm_reset && !ImGui::IsPopupOpen("##confirm_reset")) ImGui::OpenPopup("##confirm_reset");
    if (ImGui::BeginPopupModal("##confirm_reset", nullptr, ImGuiWindowFlags_AlwaysAutoResize)) {
        ImGui::TextUnformatted(tr(L, "pretrain.confirm_title"));
        ImGui::TextWrapped("%s", tr(L, "pretrain.confirm_text"));
        if (ImGui::Button(tr(L, "pretrain.confirm_yes"))) {
            s.post(cmd::ConfirmSettingsReset{true});
            ImGui::CloseCurrentPopup();
        }
        RecordHit(s, "pretrain.confirm_yes");
        ImGui::SameLine();
        if (ImGui::Button(tr(L, "pretrain.confirm_no"))) {
            s.post(cmd::ConfirmSettingsReset{false});
            ImGui::CloseCurrentPopup();
        }
        RecordHit(s, "pretrain.confirm_no");
        ImGui::EndPopup();
    }
}

void Controls(AppState& s) {
    const auto& L = s.lang;
    const PretrainView& v = s.lab.pretrain();
    ImGui::SeparatorText(tr(L, "pretrain.controls"));
    if (!v.running) {
        if (ImGui::Button(tr(L, "pretrain.play"))) s.post(cmd::Play{});
    } else {
        if (ImGui::Button(tr(L, "pretrain.pause"))) s.post(cmd::Pause{});
    }
    RecordHit(s, "pretrain.play");
    ImGui::SameLine();
    if (ImGui::Button(tr(L, "pretrain.step"))) s.post(cmd::StepOnce{});
    RecordHit(s, "pretrain.step");
    ImGui::SameLine();
    if (ImGui::Button(tr(L, "pretrain.reset"))) s.post(cmd::ResetRun{});
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
        if (v.can_restore && ImGui::Button(tr(L, "pretrain.restore"))) s.post(cmd::RestoreLastGood{});
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
    bool log_y = s.lab_ui.log_y;
    float smoothing = s.lab_ui.smoothing;
    bool view_changed = ImGui::Checkbox(tr(L, "pretrain.log_y"), &log_y);
    ImGui::SameLine();
    FitNextItemWidth(s, 140, tr(L, "pretrain.smoothing"));
    view_changed |= ImGui::SliderFloat(tr(L, "pretrain.smoothing"), &smoothing, 0.0f, 0.98f, "%.2f");
    if (view_changed) s.post(cmd::SetChartView{log_y, smoothing});
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
    if (!v.history.empty() && ImGui::Button(tr(L, "pretrain.export_csv"))) s.post(cmd::ExportLossCsv{});
}
}  // namespace

void ShowPretrain(AppState& s, bool* open) {
    (void)open;
    ImGui::TextWrapped("%s", tr(s.lang, "pretrain.intro"));
    SizeAndCorpus(s);
    Hyperparameters(s);
    ConfirmResetPopup(s);
    Controls(s);
    Charts(s);
}

}  // namespace knobs
