// The catalog in the state JSON (src/app/catalog.h): the lists the page glue reads instead of keeping its
// own copies, so they must be exactly the app's.
#include <algorithm>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/app.h"
#include "app/catalog.h"
#include "app/commands.h"
#include "app/i18n.h"
#include "catch_amalgamated.hpp"

using namespace knobs;

TEST_CASE("[ui] state().catalog: the panels in tab order, the languages, the training milestones", "[ui]") {
    AppState s;
    app_init(s);
    const auto state = nlohmann::json::parse(state_json(s));
    REQUIRE(state.contains("catalog"));
    const auto& catalog = state["catalog"];

    std::vector<std::string> panels;
    for (int i = 0; i < kNumPanels; ++i) panels.push_back(panel_key(static_cast<PanelId>(i)));
    CHECK(catalog["panels"].get<std::vector<std::string>>() == panels);
    CHECK(panels.front() == "lifecycle");
    CHECK(panels.back() == "cost");
    for (const std::string& key : panels) {
        PanelId id{};
        CHECK(panel_from_key(key, &id));  // every id the page may send back is one the app reads
    }

    CHECK(catalog["languages"].get<std::vector<std::string>>() == supported_languages());
    for (const std::string& lang : catalog["languages"].get<std::vector<std::string>>())
        CHECK(is_supported_language(lang));

    const std::vector<int> milestones(std::begin(kTrainingMilestones), std::end(kTrainingMilestones));
    CHECK(catalog["training_milestones"].get<std::vector<int>>() == milestones);
    CHECK(std::is_sorted(milestones.begin(), milestones.end()));  // the glue reports them in this order

    // The same lists whatever the state: the catalog describes the app, not the learner's session.
    REQUIRE(run_command(s, R"({"cmd": "set_lang", "lang": "pt-BR"})").ok);
    CHECK(nlohmann::json::parse(state_json(s))["catalog"] == catalog);
}
