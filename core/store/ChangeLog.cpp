#include "store/ChangeLog.h"

#include "domain/Dates.h"
#include "store/SqlQuery.h"

namespace registry::store {

void ChangeLog::append(soci::session& sql, const std::string& actor, const std::string& action,
                       const std::string& entity, long long entityId, const std::optional<std::string>& before,
                       const std::optional<std::string>& after) {
    const std::string at = domain::nowTimestamp();
    const std::string beforeText = before.value_or("");
    const std::string afterText = after.value_or("");
    soci::indicator beforeInd = before ? soci::i_ok : soci::i_null;
    soci::indicator afterInd = after ? soci::i_ok : soci::i_null;
    sql << "INSERT INTO change_log (at, actor, action, entity, entity_id, before_json, after_json) "
           "VALUES (:at, :actor, :action, :entity, :id, :before, :after)",
        soci::use(at), soci::use(actor), soci::use(action), soci::use(entity), soci::use(entityId),
        soci::use(beforeText, beforeInd), soci::use(afterText, afterInd);
}

Page<ChangeEntry> ChangeLog::list(const ChangeFilter& filter, const PageRequest& page) {
    Database::Session session(_db);
    SqlQuery q("SELECT id, at, actor, action, entity, entity_id, before_json, after_json FROM change_log");
    if (filter.entity) q.where("entity = " + q.bind(*filter.entity));
    if (filter.entityId) q.where("entity_id = " + q.bind(*filter.entityId));
    const int limit = q.paginate(page, "id");

    ChangeEntry row;
    std::string before, after;
    soci::indicator beforeInd, afterInd;
    soci::statement st(session.sql());
    st.exchange(soci::into(row.id));
    st.exchange(soci::into(row.at));
    st.exchange(soci::into(row.actor));
    st.exchange(soci::into(row.action));
    st.exchange(soci::into(row.entity));
    st.exchange(soci::into(row.entityId));
    st.exchange(soci::into(before, beforeInd));
    st.exchange(soci::into(after, afterInd));
    q.prepareInto(st);
    st.execute();
    std::vector<ChangeEntry> rows;
    while (st.fetch()) {
        row.beforeJson = beforeInd == soci::i_ok ? std::optional<std::string>(before) : std::nullopt;
        row.afterJson = afterInd == soci::i_ok ? std::optional<std::string>(after) : std::nullopt;
        rows.push_back(row);
    }
    return makePage(std::move(rows), limit);
}

} // namespace registry::store
