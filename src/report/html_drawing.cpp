#include "report/html_drawing.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <vector>

namespace termprobe {
namespace {

constexpr double kWidth = 760;    // the drawing's width, px
constexpr double kLaneLeft = 90;  // where time 0 is drawn; the lane's name sits left of it
constexpr double kLaneRight = 740;
constexpr double kLaneHeight = 70;
constexpr double kTop = 18;  // the time axis' labels

double x_of(std::int64_t us, std::int64_t span_us) {
  return kLaneLeft + (kLaneRight - kLaneLeft) * static_cast<double>(us) / static_cast<double>(span_us);
}

// The class that colours an event: the server's endings stand out.
std::string_view event_class(const ConnectionEvent& event) {
  if (!event.ending) return event.side == EventSide::server ? "srv" : "note";
  if (event.mark == "RST" || event.mark == "RST_STREAM" || event.mark == "alert") return "rst";
  return "fin";
}

struct PhaseSpan {
  std::optional<std::int64_t> from, to;
  const char* name;
  std::int64_t stream;  // 0: the connection's lane
};

// The bars, from the same events the ticks mark: the connection's on its
// lane, each stream's request and response on the stream's.
std::vector<PhaseSpan> phases(const ConnectionEvents& c) {
  const auto connected = event_time(c, "connect", 0);
  const auto tls = event_time(c, "TLS", 0);
  const auto start_sending = tls ? tls : connected;
  std::vector<PhaseSpan> out = {{std::int64_t{0}, connected, "connecting", 0},
                                {connected, tls, "TLS handshake", 0}};
  std::optional<std::int64_t> last_response;
  const std::vector<std::int64_t> lanes = c.streams.empty() ? std::vector<std::int64_t>{0} : c.streams;
  for (const std::int64_t stream : lanes) {
    const auto sent = event_time(c, "request", stream);
    const auto first = event_time(c, "first byte", stream);
    const auto complete = event_time(c, "complete", stream);
    out.push_back({start_sending, sent, "sending the request", stream});
    out.push_back({sent, first, "waiting for the response", stream});
    out.push_back({first, complete, "receiving the response", stream});
    const auto response = complete ? complete : first;
    if (response && (!last_response || *response > *last_response)) last_response = response;
  }
  out.push_back({last_response, c.ended_us, "after the response", 0});
  return out;
}

// Each phase its colour (the page's .p0 to .p5).
int phase_colour(std::string_view name) {
  constexpr std::array<std::string_view, 6> kOrder = {"connecting",
                                                      "TLS handshake",
                                                      "sending the request",
                                                      "waiting for the response",
                                                      "receiving the response",
                                                      "after the response"};
  return static_cast<int>(std::find(kOrder.begin(), kOrder.end(), name) - kOrder.begin());
}

std::string lane_svg(double y, std::string_view name, std::string_view label, std::int64_t span_us,
                     std::optional<std::int64_t> end) {
  const double x_end = x_of(end.value_or(span_us), span_us);
  return fmt::format(
      "<text x=\"4\" y=\"{:.0f}\" class=\"lane\">{}<title>{}</title></text><line x1=\"{:.1f}\" "
      "y1=\"{:.0f}\" x2=\"{:.1f}\" y2=\"{:.0f}\" class=\"laneline\"/>",
      y + 4, escape_html(name), escape_html(label), kLaneLeft, y, x_end, y);
}

std::string axis_svg(std::int64_t span_us) {
  std::string out;
  for (int i = 0; i <= 4; ++i) {
    const std::int64_t us = span_us * i / 4;
    const char* anchor = i == 0 ? "start" : (i == 4 ? "end" : "middle");
    out += fmt::format("<text x=\"{:.1f}\" y=\"12\" class=\"axis\" text-anchor=\"{}\">{}</text>",
                       x_of(us, span_us), anchor, escape_html(format_us(us)));
  }
  return out;
}

}  // namespace

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string timeline_svg(const ConnectionEvents& c) {
  const std::size_t lanes = 1 + c.streams.size();
  const double height = kTop + kLaneHeight * static_cast<double>(lanes);
  const auto lane_y = [&](std::int64_t stream) {
    std::size_t index = 0;
    for (std::size_t i = 0; i < c.streams.size(); ++i)
      if (c.streams[i] == stream) index = i + 1;
    return kTop + kLaneHeight * static_cast<double>(index) + 24;  // room above for a word, below for three
  };
  std::string svg = fmt::format(
      "<svg class=\"timeline\" width=\"{:.0f}\" height=\"{:.0f}\" viewBox=\"0 0 {:.0f} {:.0f}\" "
      "role=\"img\">",
      kWidth, height, kWidth, height);
  svg += axis_svg(c.span_us);
  // Over HTTP/2 the labels are the streams': the connection's lane has none.
  svg +=
      lane_svg(lane_y(0), "connection", c.streams.empty() ? c.label : std::string(), c.span_us, c.ended_us);
  for (const std::int64_t stream : c.streams) {
    const auto label = c.stream_labels.find(stream);
    svg += lane_svg(lane_y(stream), fmt::format("stream {}", stream),
                    label == c.stream_labels.end() ? std::string() : label->second, c.span_us, c.ended_us);
  }
  for (const PhaseSpan& p : phases(c)) {
    if (!p.from || !p.to || *p.to < *p.from) continue;
    const double x = x_of(*p.from, c.span_us);
    const double w = std::max(1.0, x_of(*p.to, c.span_us) - x);
    svg += fmt::format(
        "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"8\" class=\"phase p{}\"><title>{}: {} to "
        "{}</title></rect>",
        x, lane_y(p.stream) - 4, w, phase_colour(p.name), p.name, escape_html(format_us(*p.from)),
        escape_html(format_us(*p.to)));
  }
  // Per lane and row, where the last word ended: a word that would
  // overwrite one is left out (its tick and tooltip stay). The server's
  // endings have a row of their own, under the line, so none is left out
  // for a phase's word.
  std::map<std::int64_t, std::array<double, 3>> words_end;
  int nth = 0;
  int endings_stacked = 0;
  for (const ConnectionEvent& e : c.events) {
    if (!e.at_us) continue;
    const double x = x_of(*e.at_us, c.span_us);
    const double y = lane_y(e.stream_id);
    const int row = e.ending ? 2 : nth++ % 2;  // alternate above and below, so close marks stay readable
    const double half_width = 3.0 * static_cast<double>(e.mark.size());
    auto& ends = words_end.try_emplace(e.stream_id, std::array<double, 3>{-1e9, -1e9, -1e9}).first->second;
    const bool room = e.ending || x - half_width > ends[row];
    // Endings at one moment (close_notify then FIN) stack instead of overwriting each other.
    const double stacked =
        e.ending && x - half_width <= ends[2] ? 11 * ++endings_stacked : (endings_stacked = 0);
    const double text_y = y + std::array<double, 3>{-9, 17, 29}[row] + stacked;
    if (room) ends[row] = x + half_width + 2;
    const char* anchor = x + half_width > kWidth ? "end" : "middle";  // the last ending stays inside
    svg += fmt::format(
        "<g class=\"ev {}\"><title>{} {}</title><line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" "
        "y2=\"{:.1f}\"/><text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"{}\">{}</text></g>",
        event_class(e), escape_html(format_us(*e.at_us)), escape_html(e.text), x, y - 7, x, y + 7, x, text_y,
        anchor, room ? escape_html(e.mark) : std::string());
  }
  svg += "</svg>";
  return svg;
}

void EndTimeHistogram::add(std::int64_t us) {
  const double quarter_decades = 4.0 * (std::log10(static_cast<double>(std::max<std::int64_t>(us, 1))) - 1.0);
  const auto bin = static_cast<std::size_t>(std::clamp(quarter_decades, 0.0, static_cast<double>(kBins - 1)));
  ++bins_[bin];
  ++count_;
}

std::string EndTimeHistogram::svg() const {
  constexpr double kBar = 14, kLeft = 10, kPlot = 60;
  const std::size_t most = std::max<std::size_t>(1, *std::max_element(bins_.begin(), bins_.end()));
  std::string svg = fmt::format("<svg class=\"histogram\" width=\"{:.0f}\" height=\"{:.0f}\" role=\"img\">",
                                kLeft * 2 + kBar * static_cast<double>(kBins), kPlot + 20);
  for (std::size_t i = 0; i < kBins; ++i) {
    const auto at = static_cast<double>(i);
    const double h =
        bins_[i] == 0 ? 0 : std::max(1.0, kPlot * static_cast<double>(bins_[i]) / static_cast<double>(most));
    const auto low = static_cast<std::int64_t>(std::pow(10.0, 1.0 + at / 4.0));
    const auto high = static_cast<std::int64_t>(std::pow(10.0, 1.0 + (at + 1) / 4.0));
    svg += fmt::format(
        "<rect x=\"{:.0f}\" y=\"{:.1f}\" width=\"{:.0f}\" height=\"{:.1f}\"><title>{} to {}: "
        "{}</title></rect>",
        kLeft + kBar * at, kPlot - h, kBar - 2, h, escape_html(format_us(low)), escape_html(format_us(high)),
        bins_[i]);
    if (i % 8 == 0)
      svg += fmt::format("<text x=\"{:.0f}\" y=\"{:.0f}\" class=\"axis\">{}</text>", kLeft + kBar * at,
                         kPlot + 14, escape_html(format_us(low)));
  }
  svg += "</svg>";
  return svg;
}

}  // namespace termprobe
