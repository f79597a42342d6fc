// Lab commands for the page API, links and tests ({"cmd":"lab_play"} ...), and the lab's part of the state
// snapshot. The panels call the Lab directly; everything outside C++ goes through here.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "app/app_state.h"
#include "app/commands.h"
#include "app/json_writer.h"

namespace knobs {

// True when `name` is a lab command (then `out` holds its result).
bool run_lab_command(AppState& s, const std::string& name, const nlohmann::json& args, CommandResult& out);
// Writes the "lab" value of state_json().
void write_lab_state(JsonWriter& w, const AppState& s);

}  // namespace knobs
