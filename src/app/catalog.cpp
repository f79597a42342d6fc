#include "app/catalog.h"

#include <string>

#include "app/app_state.h"
#include "app/i18n.h"
#include "app/json_writer.h"

namespace knobs {

void write_catalog(JsonWriter& w) {
    w.begin_object();
    w.key("panels").begin_array();  // PanelId's order, which is the order of the tabs
    for (int i = 0; i < kNumPanels; ++i) w.value(panel_key(static_cast<PanelId>(i)));
    w.end_array();
    w.key("languages").begin_array();
    for (const std::string& lang : supported_languages()) w.value(lang);
    w.end_array();
    w.key("training_milestones").begin_array();
    for (int step : kTrainingMilestones) w.value(step);
    w.end_array();
    w.end_object();
}

}  // namespace knobs
