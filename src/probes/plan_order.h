// What probes hand in as they end, put back in plan order. With several
// connections in flight (-c) a short probe ends before a long one started
// ahead of it; a check file's report lists its entries in the file's order
// all the same. An item of the oldest probe not yet ended goes out at once;
// one of a later probe is held until every probe before it has ended. What
// is held is what ended behind a slower earlier probe: never more than the
// plan's items, and no more than the in-flight probes' while each ends in
// about the time of the one before.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "probes/plan.h"

namespace termprobe {

template <typename Item>
class PlanOrder {
 public:
  using Emit = std::function<void(Item&)>;

  PlanOrder(const std::vector<PlannedProbe>& plan, Emit emit) : emit_(std::move(emit)) {
    std::size_t first = 0;
    for (const auto& planned : plan) {
      first_of_.push_back(first);
      first += planned.repeat;
    }
  }

  // One item (an HTTP/2 stream's, a round's) of probe `id`.
  void add(const ProbeId& id, Item item) {
    const std::size_t at = ordinal(id);
    if (at == next_)
      emit_(item);
    else
      held_[at].push_back(std::move(item));
  }

  // Probe `id` will add nothing more.
  void ended(const ProbeId& id) {
    const std::size_t at = ordinal(id);
    if (at != next_) {
      ended_.insert(at);
      return;
    }
    // Invariant: every item of a probe before next_ has gone out.
    for (++next_;; ++next_) {
      release(next_);
      if (ended_.erase(next_) == 0) break;  // still running: its next items go out as they come
    }
  }

  // The run is over (or was stopped: a probe never started never ends): all that is held, in order.
  void flush() {
    while (!held_.empty()) release(held_.begin()->first);
  }

  std::size_t held() const {
    std::size_t count = 0;
    for (const auto& [at, items] : held_) count += items.size();
    return count;
  }

 private:
  std::size_t ordinal(const ProbeId& id) const { return first_of_.at(id.spec) + id.repeat; }

  void release(std::size_t at) {
    const auto found = held_.find(at);
    if (found == held_.end()) return;
    std::vector<Item> items = std::move(found->second);
    held_.erase(found);
    for (Item& item : items) emit_(item);
  }

  Emit emit_;
  std::vector<std::size_t> first_of_;              // the ordinal of each spec's first repetition
  std::size_t next_ = 0;                           // the oldest probe (by ordinal) not yet ended
  std::map<std::size_t, std::vector<Item>> held_;  // items of probes after next_, by ordinal
  std::set<std::size_t> ended_;                    // probes after next_ that have ended
};

}  // namespace termprobe
