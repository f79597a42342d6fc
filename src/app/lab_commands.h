// Lab commands for the page API, links and tests ({"cmd":"lab_play"} ...), and the lab's part of the state
// snapshot. The panels call the Lab directly; everything outside C++ goes through here.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "app/app_state.h"
#include "app/commands.h"

namespace knobs {

// True when `name` is a lab command (then `out` holds its result).
bool run_lab_command(AppState& s, const std::string& name, const nlohmann::json& args, CommandResult& out);
nlohmann::json lab_state_json(const AppState& s);

}  // namespace knobs
