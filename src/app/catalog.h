// The lists the app and its page both need, kept once, here: the panel ids in tab order, the languages,
// and the training step milestones. The page gets them in the state JSON (state().catalog,
// docs/page-api.md) and the glue (web/glue/) reads them from there, so a new panel, language or
// milestone needs no second copy in JavaScript.
#pragma once

namespace knobs {

class JsonWriter;

// The steps at which training reports progress: the page's "training" event ("steps", with the milestone
// as `target`) and the screen reader's announcement of the largest milestone a frame passed (app.cpp).
inline constexpr int kTrainingMilestones[] = {100, 250, 500, 1000, 2000, 5000, 10000, 20000};

// Writes the catalog as one JSON object: {"panels": [...], "languages": [...], "training_milestones": [...]}.
void write_catalog(JsonWriter& w);

}  // namespace knobs
