#include "ui/chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <utility>

#include "app/i18n.h"
#include "ui/a11y.h"

namespace knobs {

std::vector<double> nice_ticks(double lo, double hi, int max_ticks) {
    std::vector<double> ticks;
    if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi) || max_ticks < 2) return ticks;
    const double raw = (hi - lo) / (max_ticks - 1);
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    double step = mag;
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * mag >= raw) {
            step = m * mag;
            break;
        }
    for (double t = std::ceil(lo / step) * step; t <= hi + step * 1e-9; t += step)
        ticks.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
    return ticks;
}

std::string format_value(double v) {
    char buf[32];
    const double a = std::abs(v);
    if (!std::isfinite(v)) return v != v ? "–" : (v > 0 ? "∞" : "−∞");
    // A value that rounds to 1000 of one unit takes the next (999,999 is "1M", not "1e+03k").
    if (a >= 999.5e12) std::snprintf(buf, sizeof buf, "%.3gP", v / 1e15);
    else if (a >= 999.5e9) std::snprintf(buf, sizeof buf, "%.3gT", v / 1e12);
    else if (a >= 999.5e6) std::snprintf(buf, sizeof buf, "%.3gG", v / 1e9);
    else if (a >= 999.5e3) std::snprintf(buf, sizeof buf, "%.3gM", v / 1e6);
    else if (a >= 1e4) std::snprintf(buf, sizeof buf, "%.3gk", v / 1e3);
    else if (a >= 100 || a == 0) std::snprintf(buf, sizeof buf, "%.0f", v);
    else if (a >= 1) std::snprintf(buf, sizeof buf, "%.3g", v);
    else std::snprintf(buf, sizeof buf, "%.2g", v);
    return buf;
}

std::string format_seconds(double seconds) {
    char buf[32];
    if (!std::isfinite(seconds) || seconds < 0) return "–";
    if (seconds == 0) return "0 s";
    if (seconds < 0.9995e-3) std::snprintf(buf, sizeof buf, "%.3g µs", seconds * 1e6);
    else if (seconds < 0.9995) std::snprintf(buf, sizeof buf, "%.3g ms", seconds * 1e3);
    else if (seconds < 999.5) std::snprintf(buf, sizeof buf, "%.3g s", seconds);
    else std::snprintf(buf, sizeof buf, "%.0f s", seconds);
    return buf;
}

std::vector<float> smooth_ema(const std::vector<float>& y, float alpha) {
    std::vector<float> out(y.size());
    alpha = std::clamp(alpha, 0.0f, 0.99f);
    float acc = std::numeric_limits<float>::quiet_NaN();
    for (size_t i = 0; i < y.size(); ++i) {
        if (!std::isfinite(y[i])) {
            out[i] = y[i];
            continue;
        }
        acc = std::isfinite(acc) ? alpha * acc + (1 - alpha) * y[i] : y[i];
        out[i] = acc;
    }
    return out;
}

namespace {
std::string fill_in(std::string text, const std::vector<std::pair<std::string, std::string>>& values) {
    for (const auto& [key, value] : values) {
        const std::string token = "{" + key + "}";
        for (size_t at = text.find(token); at != std::string::npos; at = text.find(token, at + value.size()))
            text.replace(at, token.size(), value);
    }
    return text;
}
}  // namespace

std::string chart_summary(const LineChart& chart) {
    std::string out = fill_in(tr(chart.lang, "chart.summary"), {{"y", chart.y_label}, {"x", chart.x_label}});
    for (const ChartSeries& s : chart.series) {
        size_t n = 0;
        double x0 = 0, x1 = 0, last = 0, lo = 0, hi = 0;
        for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
            if (!std::isfinite(s.y[i]) || !std::isfinite(s.x[i])) continue;
            if (n == 0) x0 = s.x[i], lo = hi = s.y[i];
            x1 = s.x[i];
            last = s.y[i];
            lo = std::min(lo, static_cast<double>(s.y[i]));
            hi = std::max(hi, static_cast<double>(s.y[i]));
            ++n;
        }
        out += " ";
        if (n == 0) {
            out += fill_in(tr(chart.lang, "chart.series_empty"), {{"name", s.label}});
            continue;
        }
        out += fill_in(tr(chart.lang, "chart.series"),
                       {{"name", s.label}, {"n", std::to_string(n)}, {"x", chart.x_label}, {"x0", format_value(x0)},
                        {"x1", format_value(x1)}, {"last", format_value(last)}, {"min", format_value(lo)}, {"max", format_value(hi)}});
    }
    return out;
}

bool LineChart::Draw() {
    ImGui::PushID(id.c_str());
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    const float width = std::max(ImGui::GetContentRegionAvail().x, 50.0f);
    const ImVec2 size(width, height_px);
    ImGui::InvisibleButton("##chart", size);
    if (a11y_capturing()) a11y_note(chart_summary(*this));
    const bool hovered = ImGui::IsItemHovered();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImGuiStyle& st = ImGui::GetStyle();
    const ImU32 text_col = ImGui::GetColorU32(ImGuiCol_Text);
    const ImU32 dim_col = ImGui::GetColorU32(ImGuiCol_TextDisabled);
    const ImU32 grid_col = ImGui::GetColorU32(ImGuiCol_Border);
    const float fs = ImGui::GetFontSize();

    // Data bounds over all series (after smoothing, which is what is drawn).
    std::vector<std::vector<float>> ys;
    double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = x0, y1 = -x0;
    auto tx = [&](double v) { return log_x ? std::log10(std::max(v, 1e-30)) : v; };
    auto ty = [&](double v) { return log_y ? std::log10(std::max(v, 1e-30)) : v; };
    for (const auto& s : series) {
        ys.push_back(s.points ? s.y : smooth_ema(s.y, smoothing));
        const auto& yy = ys.back();
        for (size_t i = 0; i < s.x.size() && i < yy.size(); ++i) {
            if (!std::isfinite(yy[i]) || !std::isfinite(s.x[i])) continue;
            if (log_y && yy[i] <= 0) continue;
            x0 = std::min(x0, tx(s.x[i]));
            x1 = std::max(x1, tx(s.x[i]));
            y0 = std::min(y0, ty(yy[i]));
            y1 = std::max(y1, ty(yy[i]));
        }
    }
    const bool empty = !(x1 >= x0) || !(y1 >= y0);
    if (!empty) {
        if (x1 == x0) x1 = x0 + 1;
        if (y1 == y0) {
            y0 -= 0.5;
            y1 += 0.5;
        }
        const double pad = (y1 - y0) * 0.06;
        y0 -= pad;
        y1 += pad;
    }

    // Plot area leaves room for tick labels on the left and below, and the legend on top.
    const float left = fs * 3.2f, bottom = fs * 1.6f, top = fs * 1.5f, right = fs * 0.6f;
    const ImVec2 p0(origin.x + left, origin.y + top), p1(origin.x + size.x - right, origin.y + size.y - bottom);
    dl->AddRectFilled(p0, p1, ImGui::GetColorU32(ImGuiCol_FrameBg), st.FrameRounding * 0.5f);
    auto sx = [&](double v) { return static_cast<float>(p0.x + (tx(v) - x0) / (x1 - x0) * (p1.x - p0.x)); };
    auto sy = [&](double v) { return static_cast<float>(p1.y - (ty(v) - y0) / (y1 - y0) * (p1.y - p0.y)); };

    if (!empty) {
        const int max_y_ticks = std::max(2, static_cast<int>((p1.y - p0.y) / (fs * 1.8f)));
        if (log_y) {
            for (int e = static_cast<int>(std::floor(y0)); e <= static_cast<int>(std::ceil(y1)); ++e) {
                for (int m : {1, 2, 5}) {
                    double v = m * std::pow(10.0, e);
                    if (std::log10(v) < y0 || std::log10(v) > y1) continue;
                    float y = sy(v);
                    dl->AddLine(ImVec2(p0.x, y), ImVec2(p1.x, y), grid_col);
                    std::string lbl = format_value(v);
                    dl->AddText(ImVec2(origin.x + left - ImGui::CalcTextSize(lbl.c_str()).x - fs * 0.3f, y - fs * 0.5f), dim_col, lbl.c_str());
                }
            }
        } else {
            for (double v : nice_ticks(y0, y1, max_y_ticks)) {
                float y = sy(v);
                dl->AddLine(ImVec2(p0.x, y), ImVec2(p1.x, y), grid_col);
                std::string lbl = format_value(v);
                dl->AddText(ImVec2(origin.x + left - ImGui::CalcTextSize(lbl.c_str()).x - fs * 0.3f, y - fs * 0.5f), dim_col, lbl.c_str());
            }
        }
        const int max_x_ticks = std::max(2, static_cast<int>((p1.x - p0.x) / (fs * 4.5f)));
        const double xl0 = log_x ? std::pow(10.0, x0) : x0, xl1 = log_x ? std::pow(10.0, x1) : x1;
        std::vector<double> xt;
        if (log_x) {
            for (int e = static_cast<int>(std::ceil(x0)); e <= static_cast<int>(std::floor(x1)); ++e) xt.push_back(std::pow(10.0, e));
        } else {
            xt = nice_ticks(xl0, xl1, max_x_ticks);
        }
        for (double v : xt) {
            float x = sx(v);
            dl->AddLine(ImVec2(x, p1.y), ImVec2(x, p1.y + fs * 0.25f), dim_col);
            std::string lbl = format_value(v);
            dl->AddText(ImVec2(x - ImGui::CalcTextSize(lbl.c_str()).x * 0.5f, p1.y + fs * 0.2f), dim_col, lbl.c_str());
        }
        dl->PushClipRect(p0, p1, true);
        const float thick = std::max(1.5f, fs * 0.12f);
        for (size_t si = 0; si < series.size(); ++si) {
            const auto& s = series[si];
            const auto& yy = ys[si];
            ImVec2 prev;
            bool have_prev = false;
            for (size_t i = 0; i < s.x.size() && i < yy.size(); ++i) {
                if (!std::isfinite(yy[i]) || (log_y && yy[i] <= 0)) {
                    have_prev = false;
                    continue;
                }
                ImVec2 p(sx(s.x[i]), sy(yy[i]));
                if (s.points) dl->AddCircleFilled(p, thick * 2.0f, s.color);
                else if (have_prev) dl->AddLine(prev, p, s.color, thick);
                prev = p;
                have_prev = true;
            }
        }
        dl->PopClipRect();
    } else {
        const float wrap = std::max(fs, (p1.x - p0.x) - fs);
        const ImVec2 size = ImGui::CalcTextSize(empty_text.c_str(), nullptr, false, wrap);
        dl->AddText(ImGui::GetFont(), fs, ImVec2((p0.x + p1.x - size.x) * 0.5f, (p0.y + p1.y - size.y) * 0.5f), dim_col,
                    empty_text.c_str(), nullptr, wrap);
    }

    // Legend (top) and axis labels.
    float lx = p0.x;
    for (const auto& s : series) {
        dl->AddRectFilled(ImVec2(lx, origin.y + fs * 0.35f), ImVec2(lx + fs * 0.8f, origin.y + fs * 1.05f), s.color, 2.0f);
        dl->AddText(ImVec2(lx + fs, origin.y + fs * 0.15f), text_col, s.label.c_str());
        lx += fs * 1.6f + ImGui::CalcTextSize(s.label.c_str()).x;
    }
    if (!y_label.empty()) {
        const float w = ImGui::CalcTextSize(y_label.c_str()).x;
        dl->AddText(ImVec2(p1.x - w, origin.y + fs * 0.15f), dim_col, y_label.c_str());
    }
    if (!x_label.empty()) {
        const float w = ImGui::CalcTextSize(x_label.c_str()).x;
        dl->AddText(ImVec2(p1.x - w, p1.y - fs * 1.2f), dim_col, x_label.c_str());
    }

    // Hover: a vertical rule and each series' nearest point.
    if (hovered && !empty) {
        const ImVec2 m = ImGui::GetIO().MousePos;
        if (m.x >= p0.x && m.x <= p1.x) {
            dl->AddLine(ImVec2(m.x, p0.y), ImVec2(m.x, p1.y), dim_col);
            ImGui::BeginTooltip();
            for (size_t si = 0; si < series.size(); ++si) {
                const auto& s = series[si];
                const auto& yy = ys[si];
                size_t best = s.x.size();
                float best_d = std::numeric_limits<float>::max();
                for (size_t i = 0; i < s.x.size() && i < yy.size(); ++i) {
                    if (!std::isfinite(yy[i])) continue;
                    float d = std::abs(sx(s.x[i]) - m.x);
                    if (d < best_d) {
                        best_d = d;
                        best = i;
                    }
                }
                if (best == s.x.size()) continue;
                dl->AddCircle(ImVec2(sx(s.x[best]), sy(yy[best])), fs * 0.3f, s.color, 0, 2.0f);
                ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(s.color), "%s", s.label.c_str());
                ImGui::SameLine();
                ImGui::Text("%s = %s, %s = %.4g", x_label.empty() ? "x" : x_label.c_str(),
                            format_value(s.x[best]).c_str(), y_label.empty() ? "y" : y_label.c_str(), yy[best]);
            }
            ImGui::EndTooltip();
        }
    }
    ImGui::PopID();
    return hovered;
}

}  // namespace knobs
