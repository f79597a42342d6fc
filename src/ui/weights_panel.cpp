// The weights file is the model: download it, open it again (or someone else's), and look inside it.
// A bad file gets its specific reason and the current model stays where it is.
#include <cstdio>
#include <string>

#include "app/i18n.h"
#include "ui/chart.h"
#include "ui/panels.h"
#include "ui/style.h"
#include "ui/widgets.h"

namespace knobs {

namespace {
// A table of named byte ranges of the file: name, offset, then a last column the caller draws.
template <class Rows, class DrawLast>
void OffsetTable(const char* id, const char* name_header, const char* offset_header, const char* last_header,
                 const Rows& rows, DrawLast draw_last) {
    if (!ImGui::BeginTable(id, 3, ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp))
        return;
    ImGui::TableSetupColumn(name_header);
    ImGui::TableSetupColumn(offset_header);
    ImGui::TableSetupColumn(last_header);
    ImGui::TableHeadersRow();
    for (const auto& r : rows) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(r.name.c_str());
        ImGui::TableNextColumn();
        ImGui::Text("%zu", r.offset);
        ImGui::TableNextColumn();
        draw_last(r);
    }
    ImGui::EndTable();
}
}  // namespace

void ShowWeightsFile(AppState& s, bool* open) {
    (void)open;
    const auto& L = s.lang;
    const Lab& lab = s.lab;
    const LabUi& u = s.lab_ui;
    const Palette& pal = palette(s.theme);
    const WeightsView& w = lab.weights();
    ImGui::TextWrapped("%s", tr(L, "weights.intro"));

    ImGui::SeparatorText(tr(L, "weights.save"));
    const ModelSource sources[] = {ModelSource::trained, ModelSource::tuned, ModelSource::shipped, ModelSource::opened};
    const char* names[] = {tr(L, "source.trained"), tr(L, "source.tuned"), tr(L, "source.shipped"), tr(L, "source.opened")};
    for (int i = 0; i < 4; ++i) {
        if (i) SameLineIfFits(RadioButtonWidth(names[i]));
        ImGui::BeginDisabled(!lab.has_model(sources[i]));
        if (ImGui::RadioButton(names[i], u.save_source == sources[i]) && u.save_source != sources[i])
            s.post(cmd::SetSaveSource{sources[i]});
        ImGui::EndDisabled();
    }
    ImGui::BeginDisabled(!lab.has_model(u.save_source));
    if (ImGui::Button(tr(L, "weights.download"))) s.post(cmd::SaveWeights{});
    RecordHit(s, "weights.download");
    ImGui::EndDisabled();

    ImGui::SeparatorText(tr(L, "weights.open"));
    if (ImGui::Button(tr(L, "weights.open_button"))) s.post(cmd::PickFile{"weights"});
    RecordHit(s, "weights.open_button");
    FlowText(tr(L, "weights.drop_hint"), -1.0f, /*dimmed=*/true);
    if (!w.open_error.empty()) {
        ImGui::PushStyleColor(ImGuiCol_Text, pal.bad);
        ImGui::TextWrapped("✗ %s", w.open_error.c_str());
        ImGui::PopStyleColor();
        TextDim(tr(L, "weights.kept"));
    } else if (!w.opened_name.empty()) {
        WrappedColoured(pal.good, (std::string("✓ ") + tr(L, "weights.opened") + " " + w.opened_name).c_str());
    }

    // Anatomy of the chosen model's file.
    if (!lab.has_model(u.save_source)) return;
    const WeightsAnatomy& a = lab.anatomy(u.save_source);
    ImGui::SeparatorText(tr(L, "weights.anatomy"));
    ImGui::SameLine();
    HelpMarker(tr(L, "weights.anatomy_help"));
    if (!a.ok()) {
        WrappedColoured(pal.bad, a.message.c_str());
        return;
    }
    const size_t params = a.header.params.empty() ? param_count(a.header.config) : a.header.params.size();
    ImGui::Text("%s: %s %s", tr(L, "weights.file_size"), format_value(static_cast<double>(a.file_bytes)).c_str(),
                tr(L, "weights.bytes"));
    char body[160];
    std::snprintf(body, sizeof body, "%s × 4 %s = %s %s", format_value(static_cast<double>(params)).c_str(),
                  tr(L, "weights.bytes"), format_value(static_cast<double>(params) * 4).c_str(), tr(L, "weights.body"));
    ImGui::TextWrapped("%s", body);
    ImGui::Text("%s %s", tr(L, "weights.checksum"), checksum_text(a.stored_checksum).c_str());
    OffsetTable("##sections", tr(L, "weights.section"), tr(L, "weights.offset"), tr(L, "weights.size"), a.sections,
                [](const auto& r) { ImGui::Text("%zu", r.size); });
    if (ImGui::TreeNode(tr(L, "weights.header_fields"))) {
        OffsetTable("##fields", tr(L, "weights.field"), tr(L, "weights.offset"), tr(L, "weights.value"), a.fields,
                    [](const auto& r) { ImGui::TextWrapped("%s", r.value.c_str()); });
        ImGui::TreePop();
    }
    if (ImGui::TreeNode(tr(L, "weights.tensors"))) {
        for (const auto& r : a.tensors) ImGui::BulletText("%s %s · %zu B", r.name.c_str(), r.value.c_str(), r.size);
        ImGui::TreePop();
    }
}

}  // namespace knobs
