// The comparison table: pre-training vs. fine-tuning vs. inference, first as the content states it, then
// as measured live in this page from the lab's cost ledgers: FLOPs, wall time, tokens, and the weights
// checksum before and after, which is what "do the weights change?" looks like in numbers.
// Wide panels show one table with a column per phase; narrow ones stack a small table per phase, so no
// cell is ever squeezed below a readable width.
#include <cstdio>
#include <iterator>
#include <optional>
#include <string>

#include "app/commands.h"
#include "app/i18n.h"
#include "app/lesson_state.h"
#include "ui/a11y.h"
#include "ui/chart.h"
#include "ui/panels.h"
#include "ui/style.h"
#include "ui/widgets.h"

namespace knobs {

namespace {

using lesson::Phase;

enum class Measure { status, flops, time, tokens, checksum_before, checksum_after, changed, count };
constexpr const char* kMeasureKeys[] = {"lesson.table_status",          "lesson.table_flops",
                                        "lesson.table_time",            "lesson.table_tokens",
                                        "lesson.table_checksum_before", "lesson.table_checksum_after",
                                        "lesson.table_changed"};
static_assert(std::size(kMeasureKeys) == static_cast<std::size_t>(Measure::count), "one label per measured row");

const ActivityLedger* ledger_for(const CostView& cost, std::optional<Phase> phase) {
    if (!phase) return nullptr;
    switch (*phase) {
        case Phase::pretraining: return &cost.pretrain;
        case Phase::finetuning: return &cost.finetune;
        case Phase::inference: return &cost.inference;
        case Phase::count: break;
    }
    return nullptr;
}

LabActivity activity_for(Phase p) {
    switch (p) {
        case Phase::pretraining: return LabActivity::pretraining;
        case Phase::finetuning: return LabActivity::finetuning;
        case Phase::inference: return LabActivity::inference;
        case Phase::count: break;
    }
    return LabActivity::idle;
}

PanelId panel_for(Phase p) {
    switch (p) {
        case Phase::pretraining: return PanelId::pretrain;
        case Phase::finetuning: return PanelId::finetune;
        case Phase::inference: return PanelId::inference;
        case Phase::count: break;
    }
    return PanelId::about;
}

// One measured value of one phase, drawn into the current table cell.
void MeasuredCell(AppState& s, Measure m, const std::string& column_id) {
    const auto& L = s.lang;
    const Palette& pal = palette(s.theme);
    const std::optional<Phase> phase = lesson::phase_from_id(column_id);
    const ActivityLedger* a = ledger_for(s.lab.cost(), phase);
    if (!a) {
        ImGui::TextUnformatted("—");
        return;
    }
    const bool active = s.lab.activity() == activity_for(*phase);
    // The lab marks pre-training "started" as soon as a run has fresh weights; it has run once it spent
    // work. Inference writes its "after" checksum when a generation finishes; until then it is unknown.
    const bool ran = a->started && (a->flops > 0 || a->tokens > 0);
    const bool after_known = ran && a->checksum_after != 0;
    switch (m) {
        case Measure::status:
            if (active) {
                WrappedColoured(pal.accent, tr(L, "lesson.table_running"));
            } else if (ran) {
                WrappedColoured(pal.good, tr(L, "lesson.table_measured_yes"));
            } else {
                // Honest about the empty column, and one tap away from filling it.
                ImGui::TextWrapped("%s", tr(L, "lesson.table_not_run"));
                ImGui::PushID(column_id.c_str());
                if (ImGui::Button(lesson_text(s, "button_show_me"))) s.post(cmd::OpenPanel{panel_for(*phase)});
                RecordHit(s, "table.try." + column_id);
                ImGui::PopID();
            }
            return;
        case Measure::flops:
            ImGui::TextUnformatted(ran ? format_value(a->flops).c_str() : "—");
            return;
        case Measure::time:
            if (ran) ImGui::TextUnformatted(format_seconds(a->seconds).c_str());
            else ImGui::TextUnformatted("—");
            return;
        case Measure::tokens:
            ImGui::TextUnformatted(ran ? format_value(static_cast<double>(a->tokens)).c_str() : "—");
            return;
        case Measure::checksum_before:
            ImGui::TextWrapped("%s", ran ? checksum_text(a->checksum_before).c_str() : "—");
            return;
        case Measure::checksum_after:
            if (after_known) ImGui::TextWrapped("%s", checksum_text(a->checksum_after).c_str());
            else ImGui::TextWrapped("%s", ran ? tr(L, "lesson.table_pending") : "—");
            return;
        case Measure::changed: {
            if (!after_known) {
                ImGui::TextUnformatted("—");
                return;
            }
            // An icon and a word, so the answer does not depend on telling colours apart.
            const bool changed = a->checksum_before != a->checksum_after;
            const std::string text = std::string(changed ? "✓ " : "✗ ") + tr(L, changed ? "lesson.changed_yes" : "lesson.changed_no");
            WrappedColoured(changed ? pal.warn : pal.good, text.c_str());
            RecordHit(s, "table.changed." + column_id);
            return;
        }
        case Measure::count: return;
    }
}

void HeaderCell(const char* text) {
    ImGui::TextWrapped("%s", text);  // wrapped, unlike TableHeader(), so long titles are never cut
}

void WideLayout(AppState& s, const lesson::Comparison& cmp) {
    const auto& L = s.lang;
    const int cols = 1 + static_cast<int>(cmp.columns.size());
    const ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp;
    // The mirror gets real tables: a header row of column headers, and each row headed by its aspect.
    auto setup = [&] {
        ImGui::TableSetupColumn("##aspect", ImGuiTableColumnFlags_WidthStretch, 0.8f);
        for (const auto& c : cmp.columns) ImGui::TableSetupColumn(("##" + c.id).c_str(), ImGuiTableColumnFlags_WidthStretch, 1.0f);
        ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
        a11y_table_row();
        ImGui::TableNextColumn();
        a11y_table_cell("col");
        HeaderCell(cmp.aspect_header.c_str());
        for (const auto& c : cmp.columns) {
            ImGui::TableNextColumn();
            a11y_table_cell("col");
            HeaderCell(c.title.c_str());
        }
    };
    a11y_begin("table", "", 0, "table.content");  // named by the panel's title
    if (ImGui::BeginTable("##comparison", cols, flags)) {
        setup();
        for (const auto& row : cmp.rows) {
            ImGui::TableNextRow();
            a11y_table_row();
            ImGui::TableNextColumn();
            a11y_table_cell("row");
            ImGui::TextWrapped("%s", row.aspect.c_str());
            for (const auto& cell : row.cells) {
                ImGui::TableNextColumn();
                a11y_table_cell();
                ImGui::TextWrapped("%s", cell.c_str());
            }
        }
        a11y_table_end_row();
        ImGui::EndTable();
    }
    a11y_end();
    RecordHit(s, "table.content");

    ImGui::Spacing();
    a11y_begin("table", "", -1, "table.measured");  // its caption: the title and the help under it
    WrappedColoured(palette(s.theme).accent, tr(L, "lesson.table_measured"));
    TextDim(tr(L, "lesson.table_measured_help"));
    if (ImGui::BeginTable("##measured", cols, flags)) {
        setup();
        for (int m = 0; m < static_cast<int>(Measure::count); ++m) {
            ImGui::TableNextRow();
            a11y_table_row();
            ImGui::TableNextColumn();
            a11y_table_cell("row");
            ImGui::TextWrapped("%s", tr(L, kMeasureKeys[m]));
            for (const auto& c : cmp.columns) {
                ImGui::TableNextColumn();
                a11y_table_cell();
                MeasuredCell(s, static_cast<Measure>(m), c.id);
            }
        }
        a11y_table_end_row();
        ImGui::EndTable();
    }
    a11y_end();
    RecordHit(s, "table.measured");
}

void NarrowLayout(AppState& s, const lesson::Comparison& cmp) {
    const auto& L = s.lang;
    const Palette& pal = palette(s.theme);
    const ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp;
    for (std::size_t ci = 0; ci < cmp.columns.size(); ++ci) {
        const auto& col = cmp.columns[ci];
        ImGui::PushID(col.id.c_str());
        ImGui::Spacing();
        a11y_begin("table", "", 1, "table.phase." + col.id);  // captioned by the phase's title
        WrappedColoured(pal.accent, col.title.c_str());
        if (ImGui::BeginTable("##phase", 2, flags)) {
            ImGui::TableSetupColumn("##aspect", ImGuiTableColumnFlags_WidthStretch, 0.8f);
            ImGui::TableSetupColumn("##value", ImGuiTableColumnFlags_WidthStretch, 1.2f);
            for (const auto& row : cmp.rows) {
                ImGui::TableNextRow();
                a11y_table_row();
                ImGui::TableNextColumn();
                a11y_table_cell("row");
                ImGui::TextWrapped("%s", row.aspect.c_str());
                ImGui::TableNextColumn();
                a11y_table_cell();
                ImGui::TextWrapped("%s", row.cells[ci].c_str());
            }
            ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
            a11y_table_row();
            ImGui::TableNextColumn();
            a11y_table_cell("col");  // one header for the measured rows under it; the empty cell beside it is not one
            HeaderCell(tr(L, "lesson.table_measured"));
            ImGui::TableNextColumn();
            for (int m = 0; m < static_cast<int>(Measure::count); ++m) {
                ImGui::TableNextRow();
                a11y_table_row();
                ImGui::TableNextColumn();
                a11y_table_cell("row");
                ImGui::TextWrapped("%s", tr(L, kMeasureKeys[m]));
                ImGui::TableNextColumn();
                a11y_table_cell();
                MeasuredCell(s, static_cast<Measure>(m), col.id);
            }
            a11y_table_end_row();
            ImGui::EndTable();
        }
        a11y_end();
        ImGui::PopID();
    }
    RecordHit(s, "table.measured");
    ImGui::Spacing();
    TextDim(tr(L, "lesson.table_measured_help"));
}

}  // namespace

void ShowComparisonTable(AppState& s, bool* open) {
    (void)open;
    const LessonState& lesson_state = s.lesson;
    const lesson::Content* content = lesson_content(s);
    const Palette& pal = palette(s.theme);
    if (!content) {
        WrappedColoured(pal.bad, tr(s.lang, "lesson.unavailable"));
        TextDim(lesson_state.error.c_str());
        return;
    }
    const lesson::Comparison& cmp = content->comparison;
    A11yGroup mirror_panel("panel", "", 1, "table");  // a section named by the title
    WrappedColoured(pal.accent, cmp.title.c_str());
    ImGui::Spacing();
    // Four columns need about 120 CSS px each to keep words whole; below that, one table per phase.
    const bool wide = ImGui::GetContentRegionAvail().x >= Px(s, 120) * static_cast<float>(1 + cmp.columns.size());
    if (wide) WideLayout(s, cmp);
    else NarrowLayout(s, cmp);
}

}  // namespace knobs
