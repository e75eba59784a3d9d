#pragma once
// Internal to core/store: a SELECT assembled from optional filters, with its bound values kept alive for
// the statement's lifetime. Values are always bound, never spliced into the text, except the integers of
// bindList.

#include "store/Database.h"
#include "store/Page.h"

#include <soci/soci.h>

#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace registry::store {

class SqlQuery {
public:
    explicit SqlQuery(std::string base) : _text(std::move(base)) {}

    /// Adds "AND <condition>" (or "WHERE" first); `condition` uses the placeholders returned by bind().
    void where(const std::string& condition);
    std::string bind(const std::string& value);
    std::string bind(long long value);
    /// `%value%` for LIKE with '!' as the escape character.
    std::string bindContains(const std::string& value);
    /// "(1, 2, ...)" for `column IN <list>`: integers as literals (see SqlQuery.cpp); `values` must not be
    /// empty.
    std::string bindList(const std::vector<long long>& values);

    void append(const std::string& text) { _text += text; }

    /// Keyset pagination on `idColumn`: rows after page.afterId in id order, one more than the clamped
    /// limit (see makePage). Returns the clamped limit. Call last, after every where().
    int paginate(const PageRequest& page, const std::string& idColumn);
    const std::string& text() const { return _text; }

    /// Prepares `st` with the text and binds every value (call after the into() exchanges).
    void prepareInto(soci::statement& st);
    /// Binds every value to `st`, already prepared with this text (a KeptStatement), after its into()s.
    void bindTo(soci::statement& st);

private:
    std::string _text;
    bool _hasWhere = false;
    std::deque<std::string> _strings;
    std::deque<long long> _numbers;
    std::deque<std::pair<bool, std::size_t>> _order; // (isString, index) in placeholder order
};

/// The rows of `q`, a SELECT of exactly (a text key, a count), as a map from key to count.
std::map<std::string, long long> fetchCounts(soci::session& sql, SqlQuery& q);

/// Rows of `table` per value of `column` ("" for NULL), of `district` if given, meeting `condition` if not
/// empty. `table`, `column` and `condition` are the caller's constants, never input.
std::map<std::string, long long> countBy(soci::session& sql, const std::string& table, const std::string& column,
                                         const std::string& condition,
                                         const std::optional<std::string>& district = std::nullopt);

/// " FOR UPDATE" on MySQL, "" on SQLite (whose write transactions are exclusive already).
std::string forUpdate(soci::session& sql);

/// The one record `select` (the columns and FROM of Row) finds with `idColumn` = `id`, read through a
/// statement kept on the connection (one text for the plain read, one for the locking one), or nullopt.
template <class Row>
auto loadKeptById(Database::Session& session, const char* select, const std::string& idColumn, long long id,
                  bool lockForUpdate) -> std::optional<decltype(std::declval<Row&>().toDomain())> {
    Row row;
    SqlQuery q(select);
    q.where(idColumn + " = " + q.bind(id));
    if (lockForUpdate) q.append(forUpdate(session.sql()));
    auto st = session.keep(q.text());
    row.bind(*st);
    q.bindTo(*st);
    st->execute();
    if (!st->fetch()) return std::nullopt;
    return row.toDomain();
}

} // namespace registry::store
