// Fine-tune: start from a trained model and specialise it on domain text, either every weight (full) or
// small LoRA adapters beside a frozen base, whose checksum stays untouched.
#include <cmath>
#include <cstdio>
#include <string>

#include "app/i18n.h"
#include "ui/chart.h"
#include "ui/panels.h"
#include "ui/style.h"
#include "ui/widgets.h"

namespace knobs {

void ShowFinetune(AppState& s, bool* open) {
    (void)open;
    const auto& L = s.lang;
    const Lab& lab = s.lab;
    const LabUi& u = s.lab_ui;
    const Palette& pal = palette(s.theme);
    const FinetuneView& f = lab.finetune();
    ImGui::TextWrapped("%s", tr(L, "finetune.intro"));

    ImGui::SeparatorText(tr(L, "finetune.base"));
    const ModelSource sources[] = {ModelSource::shipped, ModelSource::trained, ModelSource::opened};
    const char* names[] = {tr(L, "source.shipped"), tr(L, "source.trained"), tr(L, "source.opened")};
    for (int i = 0; i < 3; ++i) {
        if (i) SameLineIfFits(RadioButtonWidth(names[i]));
        ImGui::BeginDisabled(!lab.has_model(sources[i]));
        if (ImGui::RadioButton(names[i], u.ft_base == sources[i]) && u.ft_base != sources[i])
            s.post(cmd::SetFinetuneBase{sources[i]});
        ImGui::EndDisabled();
    }
    ImGui::SeparatorText(tr(L, "finetune.domain"));
    const ChoiceLabel corpora[] = {{"portuguese", tr(L, "corpus.portuguese")}, {"course", tr(L, "corpus.course")},
                                   {"user", tr(L, "corpus.user")}};
    SettingRadios(s, "ftcorpus", corpora, "finetune.corpus");

    ImGui::SeparatorText(tr(L, "finetune.method"));
    // Full first, so LoRA and its help marker end the line together.
    const ChoiceLabel methods[] = {{"full", tr(L, "finetune.full")}, {"lora", "LoRA"}};
    SettingRadios(s, "ft", methods, "finetune");
    SameLineIfFits(ImGui::CalcTextSize("(?)").x);
    HelpMarker(tr(L, "finetune.lora_help"));
    if (u.ft_lora) {
        SettingControl(s, "rank", 160);
        SettingControl(s, "alpha", 160);
    }
    SettingControl(s, "ftsteps", 160);

    // Trainable vs total, computed from the base's configuration before anything runs.
    if (lab.has_model(u.ft_base)) {
        const size_t total = lab.param_count(u.ft_base);
        const size_t adapters = u.ft_lora ? lab.lora_count(u.ft_base, u.ft_rank) : 0;
        const size_t trainable = u.ft_lora ? adapters : total;
        char line[160];
        std::snprintf(line, sizeof line, "%s %s / %s (%.2f%%)", tr(L, "finetune.trainable"),
                      format_value(static_cast<double>(trainable)).c_str(),
                      format_value(static_cast<double>(total + adapters)).c_str(), 100.0 * trainable / (total + adapters));
        ImGui::TextWrapped("%s", line);
    }

    ImGui::BeginDisabled(!lab.has_model(u.ft_base));
    if (!f.running) {
        if (ImGui::Button(tr(L, "finetune.start"))) s.post(cmd::StartFinetune{});
    } else if (ImGui::Button(tr(L, "finetune.pause"))) {
        s.post(cmd::PauseFinetune{});
    }
    RecordHit(s, "finetune.start");
    ImGui::EndDisabled();
    if (!f.error.empty()) ImGui::TextColored(pal.bad, "%s", f.error.c_str());

    if (f.total == 0) return;
    if (f.preparing) {
        ImGui::Text("%s %.0f%%", tr(L, "pretrain.preparing"), 100.0 * f.prepare_progress);
        ImGui::SameLine();
        HelpMarker(tr(L, "pretrain.preparing_help"));
    }
    ImGui::Text("%s %d / %d · %s %.3f", tr(L, "pretrain.step_label"), f.step, f.steps_target, tr(L, "pretrain.loss"), f.loss);
    LineChart chart;
    chart.lang = s.lang;
    chart.id = "ftloss";
    chart.empty_text = tr(L, "finetune.chart_empty");
    chart.x_label = tr(L, "pretrain.step_label");
    chart.y_label = tr(L, "pretrain.loss");
    chart.smoothing = 0.5f;
    chart.height_px = Px(s, 130);
    ChartSeries ser{tr(L, "pretrain.train"), ImGui::ColorConvertFloat4ToU32(pal.accent), {}, {}, false};
    for (const auto& p : f.history) {
        ser.x.push_back(static_cast<float>(p.step));
        ser.y.push_back(p.train);
    }
    chart.series = {ser};
    chart.Draw();

    ImGui::SeparatorText(tr(L, "finetune.base_checksum"));
    ImGui::SameLine();
    HelpMarker(tr(L, f.lora ? "finetune.checksum_lora_help" : "finetune.checksum_full_help"));
    ImGui::Text("%s %s", tr(L, "inference.before"), checksum_text(f.base_checksum_before).c_str());
    ImGui::Text("%s %s", tr(L, "finetune.now"), checksum_text(f.base_checksum_now).c_str());
    const bool same = f.base_checksum_now == f.base_checksum_before;
    ImGui::TextColored(same ? pal.good : pal.warn, "%s %s", same ? "✓" : "≠",
                       tr(L, same ? "finetune.base_untouched" : "finetune.base_changed"));

    ImGui::SeparatorText(tr(L, "finetune.forgetting"));
    ImGui::SameLine();
    HelpMarker(tr(L, "finetune.forgetting_help"));
    if (!f.preparing) ImGui::Text("%s %.3f", tr(L, "finetune.before_tuning"), f.forgetting_before);
    if (f.forgetting_after > 0) {
        char after[96];
        std::snprintf(after, sizeof after, "%s %.3f (%+.3f)", tr(L, "finetune.after_tuning"), f.forgetting_after,
                      f.forgetting_after - f.forgetting_before);
        FlowText(after, Px(s, 20));
    }
    if (!f.tuned_output.empty()) {
        ImGui::SeparatorText(tr(L, "finetune.side_by_side"));
        const float w = (ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ItemSpacing.x) * 0.5f;
        const bool narrow = w < Px(s, 160);
        ImGui::BeginChild("##base_out", ImVec2(narrow ? 0 : w, Px(s, 110)), ImGuiChildFlags_Border);
        ImGui::TextDisabled("%s", tr(L, "finetune.base_output"));
        ImGui::TextWrapped("%s", f.base_output.c_str());
        ImGui::EndChild();
        if (!narrow) ImGui::SameLine();
        ImGui::BeginChild("##tuned_out", ImVec2(narrow ? 0 : w, Px(s, 110)), ImGuiChildFlags_Border);
        ImGui::TextDisabled("%s", tr(L, "finetune.tuned_output"));
        ImGui::TextWrapped("%s", f.tuned_output.c_str());
        ImGui::EndChild();
    }
}

}  // namespace knobs
