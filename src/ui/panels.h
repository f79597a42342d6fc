// One function per panel: ShowX(AppState&, bool* open). The shell decides where each one sits. Panels read
// the state and post typed commands (AppState::post); they never change what the learner owns themselves
// (a test in tests/ui/layers.test.cpp checks the source).
#pragma once
#include "app/app_state.h"

namespace knobs {

void ShowTopBar(AppState& s);
void ShowAbout(AppState& s, bool* open);
// the lesson
void ShowLifecycle(AppState& s, bool* open);
void ShowComparisonTable(AppState& s, bool* open);
void ShowMatching(AppState& s, bool* open);
void ShowQuiz(AppState& s, bool* open);
void ShowFaq(AppState& s, bool* open);
// the lab
void ShowPretrain(AppState& s, bool* open);
void ShowKnobs(AppState& s, bool* open);
void ShowInference(AppState& s, bool* open);
void ShowFinetune(AppState& s, bool* open);
void ShowWeightsFile(AppState& s, bool* open);
void ShowCost(AppState& s, bool* open);

// Lays out the top bar and the two columns (or one column of tabs on narrow screens) for this frame.
void DrawShell(AppState& s);

}  // namespace knobs
