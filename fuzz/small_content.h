// A small but complete lesson content file cut from a full one: the first few entries of every list and
// every UI string. The shipped files are ~40 KB; mutating them is slow and most mutations land in prose.
// The cut keeps what the schema needs (five concepts for a matching round, a quiz, cells only for kept
// columns), so a cut file parses on its own, and the cut of a translation validates against the cut of
// its reference. Used by the seed generator and by fuzz_content (as a second, small reference).
#pragma once
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace knobs::fuzzing {

inline std::string small_content(std::string_view full_json) {
    using nlohmann::ordered_json;
    ordered_json doc = ordered_json::parse(full_json, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded() || !doc.is_object()) return {};
    auto keep_first = [](ordered_json& list, std::size_t n) {
        if (list.is_array() && list.size() > n) list.erase(list.begin() + static_cast<std::ptrdiff_t>(n), list.end());
    };
    keep_first(doc["sections"], 1);
    keep_first(doc["stages"], 2);
    keep_first(doc["concepts"], 5);  // a matching round needs five pairs
    keep_first(doc["quiz"], 2);
    keep_first(doc["faq"], 1);
    keep_first(doc["takeaways"], 1);
    ordered_json& cmp = doc["comparison"];
    if (cmp.is_object()) {
        keep_first(cmp["columns"], 2);
        keep_first(cmp["rows"], 1);
        ordered_json kept = ordered_json::object();
        if (cmp["rows"].is_array() && !cmp["rows"].empty() && cmp["columns"].is_array()) {
            ordered_json& cells = cmp["rows"][0]["cells"];
            for (const auto& column : cmp["columns"])
                if (column.contains("id") && column["id"].is_string() && cells.is_object() && cells.contains(column["id"].get<std::string>()))
                    kept[column["id"].get<std::string>()] = cells[column["id"].get<std::string>()];
            cells = kept;
        }
    }
    return doc.dump(1);
}

}  // namespace knobs::fuzzing
