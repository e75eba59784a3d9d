#include "store/PublicPrices.h"

#include "store/SqlQuery.h"

namespace registry::store {

namespace {

const char* const kColumns =
    "SELECT f.id, f.name, f.kind, f.district, p.item, p.amount_fen, p.unit, p.effective_from, p.effective_to "
    "FROM price_records p JOIN facilities f ON f.id = p.facility_id";

std::vector<PublicPriceRow> fetch(soci::session& sql, SqlQuery& q) {
    PublicPriceRow row;
    std::string kind, effectiveTo;
    soci::indicator toInd{};
    soci::statement st(sql);
    st.exchange(soci::into(row.facilityId));
    st.exchange(soci::into(row.facilityName));
    st.exchange(soci::into(kind));
    st.exchange(soci::into(row.district));
    st.exchange(soci::into(row.item));
    st.exchange(soci::into(row.amountFen));
    st.exchange(soci::into(row.unit));
    st.exchange(soci::into(row.effectiveFrom));
    st.exchange(soci::into(effectiveTo, toInd));
    q.prepareInto(st);
    st.execute();
    std::vector<PublicPriceRow> out;
    while (st.fetch()) {
        PublicPriceRow r = row;
        r.facilityKind = domain::parseEnum<domain::FacilityKind>(kind).value_or(domain::FacilityKind::FuneralHome);
        if (toInd == soci::i_ok) r.effectiveTo = effectiveTo;
        out.push_back(std::move(r));
    }
    return out;
}

/// The records in force on `today`: begun, not ended. Such a record is the current one of its item, or the
/// one a current record that begins later replaced; saying so lets the database use the index of current
/// records instead of reading every record's dates. (A chain of two records that both begin later shows
/// nothing for that item until the first of them begins.)
void inForceOn(SqlQuery& q, const std::string& today) {
    q.where("p.effective_from <= " + q.bind(today));
    q.where("(p.effective_to IS NULL OR p.effective_to >= " + q.bind(today) + ")");
    q.where("(p.superseded_by IS NULL OR p.superseded_by IN (SELECT n.id FROM price_records n WHERE "
            "n.superseded_by IS NULL AND n.effective_from > " + q.bind(today) + "))");
}

} // namespace

std::vector<PublicPriceRow> PublicPrices::current(const std::string& item, const std::optional<std::string>& district,
                                                  const std::string& today, std::size_t limit) {
    Database::Session session(_db);
    SqlQuery q(kColumns);
    q.where("p.item = " + q.bind(item));
    inForceOn(q, today);
    q.where("p.displayed = 1");
    q.where("f.status = 'operating'");
    if (district) q.where("f.district = " + q.bind(*district));
    q.append(" ORDER BY p.amount_fen, f.name, f.id LIMIT " + std::to_string(limit));
    return fetch(session.sql(), q);
}

std::vector<PublicPriceRow> PublicPrices::history(long long facilityId, const std::string& since) {
    Database::Session session(_db);
    SqlQuery q(kColumns);
    q.where("f.id = " + q.bind(facilityId));
    q.where("f.status = 'operating'");
    q.where("p.displayed = 1");
    q.where("(p.effective_to IS NULL OR p.effective_to >= " + q.bind(since) + ")");
    // A same-day correction ends the record it corrects before it began: that one was never in force.
    q.where("(p.effective_to IS NULL OR p.effective_to >= p.effective_from)");
    q.append(" ORDER BY p.item, p.effective_from, p.id");
    return fetch(session.sql(), q);
}

std::vector<PublicExportRow> PublicPrices::exportPage(const std::string& today, long long afterPriceId,
                                                     std::size_t limit) {
    Database::Session session(_db);
    SqlQuery q("SELECT p.id, f.id, f.name, f.kind, f.district, p.item, p.amount_fen, p.unit, p.effective_from, "
               "f.address, f.operator, f.lat, f.lon FROM price_records p JOIN facilities f ON f.id = p.facility_id");
    q.where("p.id > " + q.bind(afterPriceId));
    inForceOn(q, today);
    q.where("p.displayed = 1");
    q.where("f.status = 'operating'");
    q.append(" ORDER BY p.id LIMIT " + std::to_string(limit));
    PublicExportRow row;
    std::string kind;
    double lat = 0, lon = 0;
    soci::indicator latInd{}, lonInd{};
    soci::statement st(session.sql());
    st.exchange(soci::into(row.priceId));
    st.exchange(soci::into(row.price.facilityId));
    st.exchange(soci::into(row.price.facilityName));
    st.exchange(soci::into(kind));
    st.exchange(soci::into(row.price.district));
    st.exchange(soci::into(row.price.item));
    st.exchange(soci::into(row.price.amountFen));
    st.exchange(soci::into(row.price.unit));
    st.exchange(soci::into(row.price.effectiveFrom));
    st.exchange(soci::into(row.address));
    st.exchange(soci::into(row.operatorName));
    st.exchange(soci::into(lat, latInd));
    st.exchange(soci::into(lon, lonInd));
    q.prepareInto(st);
    st.execute();
    std::vector<PublicExportRow> out;
    while (st.fetch()) {
        PublicExportRow r = row;
        r.price.facilityKind = domain::parseEnum<domain::FacilityKind>(kind).value_or(domain::FacilityKind::FuneralHome);
        r.lat = latInd == soci::i_ok ? std::optional<double>(lat) : std::nullopt;
        r.lon = lonInd == soci::i_ok ? std::optional<double>(lon) : std::nullopt;
        out.push_back(std::move(r));
    }
    return out;
}

} // namespace registry::store
