#include "store/SqlQuery.h"

#include <algorithm>

namespace registry::store {

void SqlQuery::where(const std::string& condition) {
    _text += _hasWhere ? " AND " : " WHERE ";
    _text += condition;
    _hasWhere = true;
}

std::string SqlQuery::bind(const std::string& value) {
    _strings.push_back(value);
    _order.emplace_back(true, _strings.size() - 1);
    return ":p" + std::to_string(_order.size());
}

std::string SqlQuery::bind(long long value) {
    _numbers.push_back(value);
    _order.emplace_back(false, _numbers.size() - 1);
    return ":p" + std::to_string(_order.size());
}

std::string SqlQuery::bindList(const std::vector<long long>& values) {
    // Written as literals: an integer cannot carry SQL, and SOCI's SQLite backend finds each named
    // parameter by a linear search, so binding an audit batch's 500 ids cost 125 000 comparisons a query.
    std::string list;
    for (long long value : values) list += (list.empty() ? "(" : ", ") + std::to_string(value);
    return list + ")";
}

std::string SqlQuery::bindContains(const std::string& value) {
    std::string escaped = "%";
    for (char c : value) {
        if (c == '%' || c == '_' || c == '!') escaped += '!';
        escaped += c;
    }
    return bind(escaped + "%");
}

void SqlQuery::prepareInto(soci::statement& st) {
    st.alloc();
    st.prepare(_text);
    bindTo(st);
}

void SqlQuery::bindTo(soci::statement& st) {
    for (std::size_t i = 0; i < _order.size(); ++i) {
        const auto name = "p" + std::to_string(i + 1);
        if (_order[i].first)
            st.exchange(soci::use(_strings[_order[i].second], name));
        else
            st.exchange(soci::use(_numbers[_order[i].second], name));
    }
    st.define_and_bind();
}

int SqlQuery::paginate(const PageRequest& page, const std::string& idColumn) {
    where(idColumn + " > " + bind(page.afterId));
    const int limit = std::clamp(page.limit, 1, maxPageLimit);
    append(" ORDER BY " + idColumn + " LIMIT " + std::to_string(limit + 1));
    return limit;
}

std::map<std::string, long long> fetchCounts(soci::session& sql, SqlQuery& q) {
    std::string key;
    long long count = 0;
    soci::statement st(sql);
    st.exchange(soci::into(key));
    st.exchange(soci::into(count));
    q.prepareInto(st);
    st.execute();
    std::map<std::string, long long> out;
    while (st.fetch()) out[key] = count;
    return out;
}

std::map<std::string, long long> countBy(soci::session& sql, const std::string& table, const std::string& column,
                                         const std::string& condition, const std::optional<std::string>& district) {
    const std::string key = "COALESCE(" + column + ", '')";
    SqlQuery q("SELECT " + key + ", COUNT(*) FROM " + table);
    if (!condition.empty()) q.where(condition);
    if (district) q.where("district = " + q.bind(*district));
    q.append(" GROUP BY " + key);
    return fetchCounts(sql, q);
}

std::string forUpdate(soci::session& sql) { return sql.get_backend_name() == "mysql" ? " FOR UPDATE" : ""; }

} // namespace registry::store
