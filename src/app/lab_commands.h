// The lab's half of the one write path: parsing the page API's lab commands ({"cmd":"lab_play"} ...) into
// typed commands, applying the lab's commands, and the lab's part of the state snapshot.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "app/app_state.h"
#include "app/commands.h"
#include "app/json_writer.h"

namespace knobs {

// True when `name` is a lab command (then `out` holds the parsed command or its refusal).
bool parse_lab_command(const std::string& name, const nlohmann::json& args, ParsedCommand& out);

// The lab's commands (called by apply() in commands.cpp).
CommandResult apply_command(AppState& s, const cmd::Play&);
CommandResult apply_command(AppState& s, const cmd::Pause&);
CommandResult apply_command(AppState& s, const cmd::StepOnce&);
CommandResult apply_command(AppState& s, const cmd::ResetRun&);
CommandResult apply_command(AppState& s, const cmd::RestoreLastGood&);
CommandResult apply_command(AppState& s, const cmd::ConfirmSettingsReset&);
CommandResult apply_command(AppState& s, const cmd::ExportLossCsv&);
CommandResult apply_command(AppState& s, const cmd::SetInferenceSource&);
CommandResult apply_command(AppState& s, const cmd::Generate&);
CommandResult apply_command(AppState& s, const cmd::StopGeneration&);
CommandResult apply_command(AppState& s, const cmd::ChatSend&);
CommandResult apply_command(AppState& s, const cmd::ChatClear&);
CommandResult apply_command(AppState& s, const cmd::StartFinetune&);
CommandResult apply_command(AppState& s, const cmd::PauseFinetune&);
CommandResult apply_command(AppState& s, const cmd::SaveWeights&);
CommandResult apply_command(AppState& s, const cmd::MeasureLatency&);
CommandResult apply_command(AppState& s, const cmd::SetChartView&);
CommandResult apply_command(AppState& s, const cmd::SetHeatmapView&);
CommandResult apply_command(AppState& s, const cmd::SetCostAssumptions&);
CommandResult apply_command(AppState& s, const cmd::SetFinetuneBase&);
CommandResult apply_command(AppState& s, const cmd::SetSaveSource&);
CommandResult apply_command(AppState& s, const cmd::SetChatInput&);
CommandResult apply_command(AppState& s, const cmd::SelectCandidate&);

// After a pre-training setting changed (or once a frame while the pre-train panel is open): hands the
// edited settings to the lab when that needs no new run, and otherwise asks first (lab_ui.confirm_reset),
// as the panel's dialog does. A run that has not started yet takes them at once.
void sync_training_settings(AppState& s);

// Writes the "lab" value of state_json().
void write_lab_state(JsonWriter& w, const AppState& s);

}  // namespace knobs
