// A value or a sentence saying why there is none. The lesson API never throws (the wasm build cannot
// catch exceptions), so every fallible constructor returns one of these instead.
#pragma once
#include <optional>
#include <string>
#include <utility>

namespace knobs::lesson {

template <class T>
struct Result {
    std::optional<T> value;
    std::string error;  // empty exactly when value is set

    static Result ok(T v) { return Result{std::move(v), {}}; }
    static Result fail(std::string why) { return Result{std::nullopt, std::move(why)}; }
    explicit operator bool() const { return value.has_value(); }
};

}  // namespace knobs::lesson
