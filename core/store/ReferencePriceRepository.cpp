#include "store/ReferencePriceRepository.h"

#include "codec/RecordJson.h"
#include "domain/Dates.h"
#include "store/ChangeLog.h"
#include "store/Errors.h"
#include "store/SqlQuery.h"

namespace registry::store {

using domain::ReferencePrice;

namespace {

const char* const selectColumns = "SELECT id, item, district, cap_fen, effective_from, effective_to, basis, version, "
                                  "created_at, updated_at FROM reference_prices";

struct ReferenceRow {
    long long id = 0, capFen = 0, version = 0;
    std::string item, district, effectiveFrom, effectiveTo, basis, createdAt, updatedAt;
    soci::indicator districtInd{}, toInd{};

    void bind(soci::statement& st) {
        st.exchange(soci::into(id));
        st.exchange(soci::into(item));
        st.exchange(soci::into(district, districtInd));
        st.exchange(soci::into(capFen));
        st.exchange(soci::into(effectiveFrom));
        st.exchange(soci::into(effectiveTo, toInd));
        st.exchange(soci::into(basis));
        st.exchange(soci::into(version));
        st.exchange(soci::into(createdAt));
        st.exchange(soci::into(updatedAt));
    }

    ReferencePrice toDomain() const {
        ReferencePrice r;
        r.id = id;
        r.item = item;
        if (districtInd == soci::i_ok) r.district = district;
        r.capFen = capFen;
        r.effectiveFrom = effectiveFrom;
        if (toInd == soci::i_ok) r.effectiveTo = effectiveTo;
        r.basis = basis;
        r.version = version;
        r.createdAt = createdAt;
        r.updatedAt = updatedAt;
        return r;
    }
};

std::vector<ReferencePrice> fetchAll(soci::session& sql, SqlQuery& q) {
    ReferenceRow row;
    soci::statement st(sql);
    row.bind(st);
    q.prepareInto(st);
    st.execute();
    std::vector<ReferencePrice> out;
    while (st.fetch()) out.push_back(row.toDomain());
    return out;
}

void requireValid(const ReferencePrice& r) {
    auto errors = domain::validate(r);
    if (!errors.empty()) throw ValidationFailed(std::move(errors));
}

} // namespace

ReferencePrice ReferencePriceRepository::create(const ReferencePrice& input, const std::string& actor) {
    requireValid(input);
    ReferencePrice r = input;
    r.createdAt = r.updatedAt = domain::nowTimestamp();
    r.version = 1;
    std::string district = r.district.value_or(""), to = r.effectiveTo.value_or("");
    soci::indicator districtInd = r.district ? soci::i_ok : soci::i_null;
    soci::indicator toInd = r.effectiveTo ? soci::i_ok : soci::i_null;
    Database::Session session(_db);
    auto& sql = session.sql();
    Transaction tx(session);
    sql << "INSERT INTO reference_prices (item, district, cap_fen, effective_from, effective_to, basis, version, "
           "created_at, updated_at) VALUES (:item, :district, :cap, :from, :to, :basis, 1, :created, :updated)",
        soci::use(r.item), soci::use(district, districtInd), soci::use(r.capFen), soci::use(r.effectiveFrom),
        soci::use(to, toInd), soci::use(r.basis), soci::use(r.createdAt), soci::use(r.updatedAt);
    r.id = Database::lastInsertId(sql, "reference_prices");
    ChangeLog::append(sql, actor, "create", "reference_price", r.id, std::nullopt, codec::stringify(codec::toJson(r)));
    tx.commit();
    return r;
}

std::optional<ReferencePrice> ReferencePriceRepository::get(long long id) {
    Database::Session session(_db);
    SqlQuery q(selectColumns);
    q.where("id = " + q.bind(id));
    return firstRow(fetchAll(session.sql(), q));
}

Page<ReferencePrice> ReferencePriceRepository::list(const ReferencePriceFilter& filter, const PageRequest& page) {
    Database::Session session(_db);
    SqlQuery q(selectColumns);
    if (filter.item) q.where("item = " + q.bind(*filter.item));
    if (filter.district) q.where("district = " + q.bind(*filter.district));
    const int limit = q.paginate(page, "id");
    return makePage(fetchAll(session.sql(), q), limit);
}

ReferencePrice ReferencePriceRepository::update(const ReferencePrice& changed, long long expectedVersion,
                                                const std::string& actor) {
    Database::Session session(_db);
    auto& sql = session.sql();
    Transaction tx(session);
    SqlQuery q(selectColumns);
    q.where("id = " + q.bind(changed.id));
    q.append(forUpdate(sql));
    auto found = fetchAll(sql, q);
    if (found.empty()) throw NotFound("reference price " + std::to_string(changed.id) + " does not exist");
    const ReferencePrice before = found.front();
    if (before.version != expectedVersion) throw Conflict<ReferencePrice>(before);
    requireValid(changed);
    ReferencePrice r = changed;
    r.createdAt = before.createdAt;
    r.updatedAt = domain::nowTimestamp();
    r.version = before.version + 1;
    std::string district = r.district.value_or(""), to = r.effectiveTo.value_or("");
    soci::indicator districtInd = r.district ? soci::i_ok : soci::i_null;
    soci::indicator toInd = r.effectiveTo ? soci::i_ok : soci::i_null;
    soci::statement st = (sql.prepare << "UPDATE reference_prices SET item = :item, district = :district, cap_fen = :cap, "
                                         "effective_from = :from, effective_to = :to, basis = :basis, "
                                         "version = version + 1, updated_at = :updated WHERE id = :id AND version = :v",
                          soci::use(r.item), soci::use(district, districtInd), soci::use(r.capFen),
                          soci::use(r.effectiveFrom), soci::use(to, toInd), soci::use(r.basis),
                          soci::use(r.updatedAt), soci::use(r.id), soci::use(expectedVersion));
    st.execute(true);
    if (st.get_affected_rows() != 1) throw Conflict<ReferencePrice>(before);
    ChangeLog::append(sql, actor, "update", "reference_price", r.id, codec::stringify(codec::toJson(before)),
                      codec::stringify(codec::toJson(r)));
    tx.commit();
    return r;
}

std::optional<ReferencePrice> ReferencePriceRepository::capFor(const std::string& item,
                                                               const std::optional<std::string>& district,
                                                               const std::string& date) {
    Database::Session session(_db);
    SqlQuery q(selectColumns);
    q.where("item = " + q.bind(item));
    q.where("effective_from <= " + q.bind(date));
    q.where("(effective_to IS NULL OR effective_to >= " + q.bind(date) + ")");
    if (district)
        q.where("(district IS NULL OR district = " + q.bind(*district) + ")");
    else
        q.where("district IS NULL");
    // A district's own cap wins over the citywide one; among equals, the latest to take effect.
    q.append(" ORDER BY CASE WHEN district IS NULL THEN 1 ELSE 0 END, effective_from DESC, id DESC LIMIT 1");
    return firstRow(fetchAll(session.sql(), q));
}

} // namespace registry::store
