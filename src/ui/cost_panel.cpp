// Cost and latency: FLOPs spent on training vs. inference since the page opened, ms per token measured for
// small, medium and large models, and an honest, labelled extrapolation to 7B and 70B parameters.
#include <cmath>
#include <string>

#include "app/i18n.h"
#include "ui/chart.h"
#include "ui/panels.h"
#include "ui/style.h"
#include "ui/widgets.h"

namespace knobs {

void ShowCost(AppState& s, bool* open) {
    (void)open;
    const auto& L = s.lang;
    const Lab& lab = s.lab;
    const LabUi& u = s.lab_ui;
    const Palette& pal = palette(s.theme);
    const CostView& c = lab.cost();
    const double train_flops = c.pretrain.flops + c.finetune.flops;
    const double train_seconds = c.pretrain.seconds + c.finetune.seconds;
    ImGui::TextWrapped("%s", tr(L, "cost.intro"));

    ImGui::SeparatorText(tr(L, "cost.counters"));
    ImGui::SameLine();
    HelpMarker(tr(L, "cost.counters_help"));
    if (ImGui::BeginTable("##flops", 3, ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg)) {
        ImGui::TableSetupColumn("");
        ImGui::TableSetupColumn("FLOPs");
        ImGui::TableSetupColumn(tr(L, "cost.wall_time"));
        ImGui::TableHeadersRow();
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextWrapped("%s", tr(L, "cost.training"));  // wraps in a narrow column rather than being cut
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(format_value(train_flops).c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(format_seconds(train_seconds).c_str());
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextWrapped("%s (%llu %s)", tr(L, "cost.inference"), static_cast<unsigned long long>(c.inference.tokens),
                           tr(L, "cost.tokens"));
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(format_value(c.inference.flops).c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(format_seconds(c.inference.seconds).c_str());
        ImGui::EndTable();
    }
    if (c.inference.flops > 0 && train_flops > 0)
        ImGui::Text("%s %s : 1", tr(L, "cost.ratio"), format_value(train_flops / c.inference.flops).c_str());

    ImGui::SeparatorText(tr(L, "cost.latency"));
    ImGui::BeginDisabled(c.measuring);
    if (ImGui::Button(tr(L, c.measuring ? "cost.measuring" : "cost.measure"))) s.post(cmd::MeasureLatency{});
    RecordHit(s, "cost.measure");
    ImGui::EndDisabled();
    ImGui::SameLine();
    HelpMarker(tr(L, "cost.measure_help"));
    double measured_flops_per_s = 0;
    if (!c.latency.empty()) {
        if (ImGui::BeginTable("##lat", 4, ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg)) {
            ImGui::TableSetupColumn(tr(L, "cost.model"));
            ImGui::TableSetupColumn(tr(L, "cost.params"));
            ImGui::TableSetupColumn("ms/token");
            ImGui::TableSetupColumn("FLOPs/token");
            ImGui::TableHeadersRow();
            for (const auto& r : c.latency) {
                ImGui::TableNextRow();
                ImGui::TableNextColumn();
                ImGui::TextWrapped("%s", r.label.c_str());
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(format_value(static_cast<double>(r.params)).c_str());
                ImGui::TableNextColumn();
                ImGui::Text("%.3f", r.ms_per_token);
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(format_value(r.flops_per_token).c_str());
                measured_flops_per_s = std::max(measured_flops_per_s, r.flops_per_token / (r.ms_per_token / 1000.0));
            }
            ImGui::EndTable();
        }
        LineChart chart;
        chart.lang = s.lang;
        chart.id = "latency";
        chart.x_label = tr(L, "cost.params");
        chart.y_label = "ms/token";
        chart.log_x = true;
        chart.height_px = Px(s, 150);
        ChartSeries pts{tr(L, "cost.measured"), ImGui::ColorConvertFloat4ToU32(pal.accent), {}, {}, true};
        for (const auto& r : c.latency) {
            pts.x.push_back(static_cast<float>(r.params));
            pts.y.push_back(static_cast<float>(r.ms_per_token));
        }
        chart.series = {pts};
        chart.Draw();
    }

    ImGui::SeparatorText(tr(L, "cost.estimate"));
    ImGui::PushStyleColor(ImGuiCol_Text, pal.warn);
    ImGui::TextWrapped("%s", tr(L, "cost.estimate_label"));
    ImGui::PopStyleColor();
    float tflops = static_cast<float>(u.hw_flops_per_s / 1e12);
    FitNextItemWidth(s, 160, tr(L, "cost.throughput"));
    bool assumptions_changed =
        ImGui::SliderFloat(tr(L, "cost.throughput"), &tflops, 1.0f, 2000.0f, "%.0f TFLOP/s", ImGuiSliderFlags_Logarithmic);
    float price = static_cast<float>(u.hw_price_per_hour);
    FitNextItemWidth(s, 160, tr(L, "cost.price"));
    assumptions_changed |= ImGui::SliderFloat(tr(L, "cost.price"), &price, 0.1f, 100.0f, "$%.2f/h", ImGuiSliderFlags_Logarithmic);
    if (assumptions_changed) s.post(cmd::SetCostAssumptions{tflops * 1e12, price});
    if (ImGui::BeginTable("##est", 4, ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg)) {
        ImGui::TableSetupColumn(tr(L, "cost.model"));
        ImGui::TableSetupColumn("FLOPs/token (2N)");
        ImGui::TableSetupColumn("ms/token");
        ImGui::TableSetupColumn(tr(L, "cost.per_million"));
        ImGui::TableHeadersRow();
        for (double n : {7e9, 70e9}) {
            const double flops = 2 * n;
            const double sec = flops / u.hw_flops_per_s;
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::Text("%s", n < 1e10 ? "7B" : "70B");
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(format_value(flops).c_str());
            ImGui::TableNextColumn();
            ImGui::Text("%.3f", sec * 1000);
            ImGui::TableNextColumn();
            ImGui::Text("$%.4f", u.hw_price_per_hour / 3600.0 * sec * 1e6);
        }
        ImGui::EndTable();
    }
    if (measured_flops_per_s > 0)
        ImGui::TextWrapped(tr(L, "cost.here"), format_value(measured_flops_per_s).c_str(),
                           2 * 7e9 / measured_flops_per_s, 2 * 70e9 / measured_flops_per_s);
    TextDim(tr(L, "cost.assumptions"));
}

}  // namespace knobs
