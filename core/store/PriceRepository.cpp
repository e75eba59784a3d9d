#include "store/PriceRepository.h"

#include "codec/RecordJson.h"
#include "domain/Dates.h"
#include "domain/PriceItem.h"
#include "store/ChangeLog.h"
#include "store/Errors.h"
#include "store/FacilityRepository.h"
#include "store/SqlQuery.h"
#include "store/FindingRepository.h"

namespace registry::store {

using domain::PriceRecord;

namespace {

const char* const selectColumns =
    "SELECT p.id, p.facility_id, p.item, p.amount_fen, p.unit, p.effective_from, p.effective_to, p.displayed, "
    "p.bundled, p.area_m2, p.term_years, p.source, p.note, p.superseded_by, p.recorded_by, p.created_at, "
    "p.version FROM price_records p";

struct PriceRow {
    long long id = 0, facilityId = 0, amountFen = 0, termYears = 0, supersededBy = 0, version = 0;
    int displayed = 0, bundled = 0;
    double areaM2 = 0;
    std::string item, unit, effectiveFrom, effectiveTo, source, note, recordedBy, createdAt;
    soci::indicator toInd{}, areaInd{}, termInd{}, supersededInd{};

    void bind(soci::statement& st) {
        st.exchange(soci::into(id));
        st.exchange(soci::into(facilityId));
        st.exchange(soci::into(item));
        st.exchange(soci::into(amountFen));
        st.exchange(soci::into(unit));
        st.exchange(soci::into(effectiveFrom));
        st.exchange(soci::into(effectiveTo, toInd));
        st.exchange(soci::into(displayed));
        st.exchange(soci::into(bundled));
        st.exchange(soci::into(areaM2, areaInd));
        st.exchange(soci::into(termYears, termInd));
        st.exchange(soci::into(source));
        st.exchange(soci::into(note));
        st.exchange(soci::into(supersededBy, supersededInd));
        st.exchange(soci::into(recordedBy));
        st.exchange(soci::into(createdAt));
        st.exchange(soci::into(version));
    }

    PriceRecord toDomain() const {
        PriceRecord p;
        p.id = id;
        p.facilityId = facilityId;
        p.item = item;
        p.amountFen = amountFen;
        p.unit = unit;
        p.effectiveFrom = effectiveFrom;
        if (toInd == soci::i_ok) p.effectiveTo = effectiveTo;
        p.displayed = displayed != 0;
        p.bundled = bundled != 0;
        if (areaInd == soci::i_ok) p.areaM2 = areaM2;
        if (termInd == soci::i_ok) p.termYears = termYears;
        p.source = domain::parseEnum<domain::PriceSource>(source).value_or(domain::PriceSource::Inspection);
        p.note = note;
        if (supersededInd == soci::i_ok) p.supersededBy = supersededBy;
        p.recordedBy = recordedBy;
        p.createdAt = createdAt;
        p.version = version;
        return p;
    }
};

std::vector<PriceRecord> fetchAll(soci::session& sql, SqlQuery& q) {
    PriceRow row;
    soci::statement st(sql);
    row.bind(st);
    q.prepareInto(st);
    st.execute();
    std::vector<PriceRecord> out;
    while (st.fetch()) out.push_back(row.toDomain());
    return out;
}

std::optional<PriceRecord> fetchOne(soci::session& sql, SqlQuery& q) { return firstRow(fetchAll(sql, q)); }

} // namespace

namespace {

/// One record written within the caller's transaction: validated against what is stored (errors go to `v`,
/// a validator of its own, and then nothing of it is written), the current record of its item superseded, the change logged, its
/// findings stored.
std::optional<PriceRecord> createIn(Database::Session& session, const PriceRecord& input, const std::string& actor,
                                    const std::vector<domain::Finding>& findings, domain::Validator& v) {
    auto& sql = session.sql();
    PriceRecord p = input;
    if (p.unit.empty()) p.unit = domain::defaultUnit(p.item);
    for (auto& e : domain::validate(p)) v.add(std::move(e));
    // Lock the facility: concurrent prices for it queue here, so each sees the current record.
    if (p.facilityId > 0 && !loadFacility(session, p.facilityId, true))
        v.add("facility_id", "not_found", "所属设施不存在(编号 " + std::to_string(p.facilityId) + ")",
              "facility_id " + std::to_string(p.facilityId) + " does not exist");
    std::optional<PriceRecord> current;
    if (!v.has("facility_id") && !v.has("item")) {
        SqlQuery q(selectColumns);
        q.where("p.facility_id = " + q.bind(p.facilityId));
        q.where("p.item = " + q.bind(p.item));
        q.where("p.superseded_by IS NULL");
        current = fetchOne(sql, q);
    }
    if (current && !v.has("effective_from")) {
        if (p.effectiveFrom < current->effectiveFrom)
            v.add("effective_from", "before_current",
                  "生效日期不能早于现行价格的生效日期(" + current->effectiveFrom + ")",
                  "effective_from must not be before the current price's (" + current->effectiveFrom + ")");
        else if (p.effectiveFrom == current->effectiveFrom && p.note.empty())
            v.add("note", "required_for_correction",
                  "与现行价格同日生效视为更正,须填写更正说明",
                  "a price effective on the same day as the current one is a correction and needs a note");
    }
    if (!v.ok()) return std::nullopt;

    p.createdAt = domain::nowTimestamp();
    p.recordedBy = actor;
    p.version = 1;
    p.effectiveTo.reset();
    p.supersededBy.reset();
    const std::string source = domain::toString(p.source);
    int displayed = p.displayed ? 1 : 0, bundled = p.bundled ? 1 : 0;
    double area = p.areaM2.value_or(0);
    long long term = p.termYears.value_or(0);
    soci::indicator areaInd = p.areaM2 ? soci::i_ok : soci::i_null;
    soci::indicator termInd = p.termYears ? soci::i_ok : soci::i_null;

    // The current record stops being current first: the unique index allows one current per item.
    if (current) {
        sql << "UPDATE price_records SET superseded_by = id WHERE id = :id", soci::use(current->id);
    }
    sql << "INSERT INTO price_records (facility_id, item, amount_fen, unit, effective_from, effective_to, displayed, "
           "bundled, area_m2, term_years, source, note, superseded_by, recorded_by, created_at, version) VALUES "
           "(:facility, :item, :amount, :unit, :from, NULL, :displayed, :bundled, :area, :term, :source, :note, NULL, "
           ":by, :created, 1)",
        soci::use(p.facilityId), soci::use(p.item), soci::use(p.amountFen), soci::use(p.unit),
        soci::use(p.effectiveFrom), soci::use(displayed), soci::use(bundled), soci::use(area, areaInd),
        soci::use(term, termInd), soci::use(source), soci::use(p.note), soci::use(p.recordedBy),
        soci::use(p.createdAt);
    p.id = Database::lastInsertId(sql, "price_records");
    if (current) {
        PriceRecord closed = *current;
        closed.effectiveTo = domain::addDays(p.effectiveFrom, -1);
        closed.supersededBy = p.id;
        sql << "UPDATE price_records SET superseded_by = :new, effective_to = :to WHERE id = :id", soci::use(p.id),
            soci::use(*closed.effectiveTo), soci::use(closed.id);
        ChangeLog::append(sql, actor, "supersede", "price", closed.id, codec::stringify(codec::toJson(*current)),
                          codec::stringify(codec::toJson(closed)));
    }
    ChangeLog::append(sql, actor, "create", "price", p.id, std::nullopt, codec::stringify(codec::toJson(p)));
    FindingRepository::reportWithRecord(sql, findings, p.id);
    return p;
}

} // namespace

PriceRecord PriceRepository::create(const PriceRecord& input, const std::string& actor,
                                    const std::vector<domain::Finding>& findings) {
    return createMany({{input, findings}}, actor, false).front();
}

std::vector<PriceRecord> PriceRepository::createMany(const std::vector<NewPrice>& prices, const std::string& actor,
                                                     bool indexFields) {
    return retryConflicts([&]() -> std::vector<PriceRecord> {
        Database::Session session(_db);
        Transaction tx(session);
        domain::Validator v;
        std::vector<PriceRecord> out;
        for (std::size_t i = 0; i < prices.size(); ++i) {
            domain::Validator one;
            auto stored = createIn(session, prices[i].price, actor, prices[i].findings, one);
            if (stored) out.push_back(std::move(*stored));
            for (auto& e : one.take()) {
                if (indexFields) e.field = "prices[" + std::to_string(i) + "]." + e.field;
                v.add(std::move(e));
            }
        }
        if (!v.ok()) throw ValidationFailed(v.take()); // the transaction rolls back: none of them is stored
        tx.commit();
        return out;
    });
}


std::optional<PriceRecord> PriceRepository::get(long long id) {
    Database::Session session(_db);
    SqlQuery q(selectColumns);
    q.where("p.id = " + q.bind(id));
    return fetchOne(session.sql(), q);
}

Page<PriceRecord> PriceRepository::list(const PriceFilter& filter, const PageRequest& page) {
    Database::Session session(_db);
    SqlQuery q(selectColumns);
    if (filter.district) q.append(" JOIN facilities f ON f.id = p.facility_id");
    if (filter.district) q.where("f.district = " + q.bind(*filter.district));
    if (filter.facilityId) q.where("p.facility_id = " + q.bind(*filter.facilityId));
    if (filter.item) q.where("p.item = " + q.bind(*filter.item));
    if (filter.currentOnly) q.where("p.superseded_by IS NULL");
    const int limit = q.paginate(page, "p.id");
    return makePage(fetchAll(session.sql(), q), limit);
}

std::optional<PriceRecord> PriceRepository::previous(long long id) {
    Database::Session session(_db);
    SqlQuery q(selectColumns);
    q.where("p.superseded_by = " + q.bind(id));
    q.where("p.id <> " + q.bind(id));
    return fetchOne(session.sql(), q);
}

std::vector<PriceRecord> PriceRepository::previousOfMany(const std::vector<long long>& ids) {
    if (ids.empty()) return {};
    Database::Session session(_db);
    SqlQuery q(selectColumns);
    q.where("p.superseded_by IN " + q.bindList(ids));
    q.where("p.id <> p.superseded_by");
    q.append(" ORDER BY p.id");
    return fetchAll(session.sql(), q);
}

std::vector<PriceRecord> PriceRepository::currentForFacility(long long facilityId) {
    Database::Session session(_db);
    SqlQuery q(selectColumns);
    q.where("p.facility_id = " + q.bind(facilityId));
    q.where("p.superseded_by IS NULL");
    q.append(" ORDER BY p.item");
    return fetchAll(session.sql(), q);
}

std::vector<PriceRecord> PriceRepository::history(long long facilityId, const std::string& item) {
    Database::Session session(_db);
    SqlQuery q(selectColumns);
    q.where("p.facility_id = " + q.bind(facilityId));
    q.where("p.item = " + q.bind(item));
    q.append(" ORDER BY p.id");
    return fetchAll(session.sql(), q);
}

} // namespace registry::store
