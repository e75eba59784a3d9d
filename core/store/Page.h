#pragma once
// Keyset pagination: lists are ordered by id and continue after the last id seen, so a page costs the
// same at the end of a million rows as at the start.

#include <optional>
#include <vector>

namespace registry::store {

struct PageRequest {
    int limit = 50;        // 1..500 (clamped)
    long long afterId = 0; // 0: from the start
};

template <class T> struct Page {
    std::vector<T> items;
    std::optional<long long> nextAfterId; // set when more rows follow
};

constexpr int maxPageLimit = 500;

/// The first of `rows`, if any: what a lookup by a unique key returns.
template <class T> std::optional<T> firstRow(std::vector<T> rows) {
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
}

/// A page from rows fetched with SqlQuery::paginate (at most limit + 1 of them, in id order): the extra
/// row only tells that more follow.
template <class T> Page<T> makePage(std::vector<T> rows, int limit) {
    Page<T> out;
    out.items = std::move(rows);
    if (static_cast<int>(out.items.size()) > limit) {
        out.items.resize(static_cast<std::size_t>(limit));
        out.nextAfterId = out.items.back().id;
    }
    return out;
}

} // namespace registry::store
