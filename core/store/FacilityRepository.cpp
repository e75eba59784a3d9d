#include "store/FacilityRepository.h"

#include "codec/RecordJson.h"
#include "domain/Dates.h"
#include "store/ChangeLog.h"
#include "store/CodeSequence.h"
#include "store/Errors.h"
#include "store/SqlQuery.h"
#include "store/FindingRepository.h"

namespace registry::store {

using domain::Facility;

namespace {

const char* const selectColumns =
    "SELECT id, code, name, kind, district, address, operator, approval_no, status, plan_action, plan_phase, "
    "capacity_total, capacity_used, area_m2, lat, lon, notes, version, created_at, updated_at FROM facilities";

// One row's buffers, bound once to a statement and refilled by each fetch.
struct FacilityRow {
    long long id = 0, capacityTotal = 0, capacityUsed = 0, version = 0;
    std::string code, name, kind, district, address, op, approvalNo, status, planAction, planPhase, notes,
        createdAt, updatedAt;
    double areaM2 = 0, lat = 0, lon = 0;
    soci::indicator planActionInd{}, planPhaseInd{}, totalInd{}, usedInd{}, areaInd{}, latInd{}, lonInd{};

    void bind(soci::statement& st) {
        st.exchange(soci::into(id));
        st.exchange(soci::into(code));
        st.exchange(soci::into(name));
        st.exchange(soci::into(kind));
        st.exchange(soci::into(district));
        st.exchange(soci::into(address));
        st.exchange(soci::into(op));
        st.exchange(soci::into(approvalNo));
        st.exchange(soci::into(status));
        st.exchange(soci::into(planAction, planActionInd));
        st.exchange(soci::into(planPhase, planPhaseInd));
        st.exchange(soci::into(capacityTotal, totalInd));
        st.exchange(soci::into(capacityUsed, usedInd));
        st.exchange(soci::into(areaM2, areaInd));
        st.exchange(soci::into(lat, latInd));
        st.exchange(soci::into(lon, lonInd));
        st.exchange(soci::into(notes));
        st.exchange(soci::into(version));
        st.exchange(soci::into(createdAt));
        st.exchange(soci::into(updatedAt));
    }

    Facility toDomain() const {
        Facility f;
        f.id = id;
        f.code = code;
        f.name = name;
        f.kind = domain::parseEnum<domain::FacilityKind>(kind).value_or(domain::FacilityKind::FuneralHome);
        f.district = district;
        f.address = address;
        f.operatorName = op;
        f.approvalNo = approvalNo;
        f.status = domain::parseEnum<domain::FacilityStatus>(status).value_or(domain::FacilityStatus::Operating);
        if (planActionInd == soci::i_ok) f.planAction = domain::parseEnum<domain::PlanAction>(planAction);
        if (planPhaseInd == soci::i_ok) f.planPhase = domain::parseEnum<domain::PlanPhase>(planPhase);
        if (totalInd == soci::i_ok) f.capacityTotal = capacityTotal;
        if (usedInd == soci::i_ok) f.capacityUsed = capacityUsed;
        if (areaInd == soci::i_ok) f.areaM2 = areaM2;
        if (latInd == soci::i_ok) f.lat = lat;
        if (lonInd == soci::i_ok) f.lon = lon;
        f.notes = notes;
        f.version = version;
        f.createdAt = createdAt;
        f.updatedAt = updatedAt;
        return f;
    }
};

// The writable columns as bound values with their null indicators.
struct FacilityValues {
    std::string kind, status, planAction, planPhase;
    long long capacityTotal, capacityUsed;
    double areaM2, lat, lon;
    soci::indicator planActionInd, planPhaseInd, totalInd, usedInd, areaInd, latInd, lonInd;

    explicit FacilityValues(const Facility& f)
        : kind(domain::toString(f.kind)), status(domain::toString(f.status)),
          planAction(f.planAction ? domain::toString(*f.planAction) : ""),
          planPhase(f.planPhase ? domain::toString(*f.planPhase) : ""), capacityTotal(f.capacityTotal.value_or(0)),
          capacityUsed(f.capacityUsed.value_or(0)), areaM2(f.areaM2.value_or(0)), lat(f.lat.value_or(0)),
          lon(f.lon.value_or(0)), planActionInd(f.planAction ? soci::i_ok : soci::i_null),
          planPhaseInd(f.planPhase ? soci::i_ok : soci::i_null),
          totalInd(f.capacityTotal ? soci::i_ok : soci::i_null), usedInd(f.capacityUsed ? soci::i_ok : soci::i_null),
          areaInd(f.areaM2 ? soci::i_ok : soci::i_null), latInd(f.lat ? soci::i_ok : soci::i_null),
          lonInd(f.lon ? soci::i_ok : soci::i_null) {}
};

void requireValid(const Facility& f) {
    auto errors = domain::validate(f);
    if (!errors.empty()) throw ValidationFailed(std::move(errors));
}

} // namespace

std::optional<Facility> loadFacility(Database::Session& session, long long id, bool lockForUpdate) {
    return loadKeptById<FacilityRow>(session, selectColumns, "id", id, lockForUpdate);
}

Facility FacilityRepository::create(const Facility& input, const std::string& actor, const std::vector<domain::Finding>& findings) {
    return retryConflicts([&]() -> Facility {
        requireValid(input);
        Facility f = input;
        f.createdAt = f.updatedAt = domain::nowTimestamp();
        f.version = 1;
        Database::Session session(_db);
        auto& sql = session.sql();
        Transaction tx(session);
        f.code = nextCode(sql, "F-" + f.district, 4);
        FacilityValues v(f);
        sql << "INSERT INTO facilities (code, name, kind, district, address, operator, approval_no, status, plan_action, "
               "plan_phase, capacity_total, capacity_used, area_m2, lat, lon, notes, version, created_at, updated_at) "
               "VALUES (:code, :name, :kind, :district, :address, :op, :approval, :status, :action, :phase, :total, "
               ":used, :area, :lat, :lon, :notes, 1, :created, :updated)",
            soci::use(f.code), soci::use(f.name), soci::use(v.kind), soci::use(f.district), soci::use(f.address),
            soci::use(f.operatorName), soci::use(f.approvalNo), soci::use(v.status), soci::use(v.planAction, v.planActionInd),
            soci::use(v.planPhase, v.planPhaseInd), soci::use(v.capacityTotal, v.totalInd),
            soci::use(v.capacityUsed, v.usedInd), soci::use(v.areaM2, v.areaInd), soci::use(v.lat, v.latInd),
            soci::use(v.lon, v.lonInd), soci::use(f.notes), soci::use(f.createdAt), soci::use(f.updatedAt);
        f.id = Database::lastInsertId(sql, "facilities");
        ChangeLog::append(sql, actor, "create", "facility", f.id, std::nullopt, codec::stringify(codec::toJson(f)));
        FindingRepository::reportWithRecord(sql, findings, f.id);
        tx.commit();
        return f;
    });
}

std::optional<Facility> FacilityRepository::get(long long id) {
    Database::Session session(_db);
    return loadFacility(session, id);
}

std::vector<Facility> FacilityRepository::getMany(const std::vector<long long>& ids) {
    std::vector<Facility> rows;
    if (ids.empty()) return rows;
    Database::Session session(_db);
    SqlQuery q(selectColumns);
    q.where("id IN " + q.bindList(ids));
    q.append(" ORDER BY id");
    FacilityRow row;
    soci::statement st(session.sql());
    row.bind(st);
    q.prepareInto(st);
    st.execute();
    while (st.fetch()) rows.push_back(row.toDomain());
    return rows;
}

Page<Facility> FacilityRepository::list(const FacilityFilter& filter, const PageRequest& page) {
    Database::Session session(_db);
    SqlQuery q(selectColumns);
    if (filter.id) q.where("id = " + q.bind(*filter.id));
    if (filter.district) q.where("district = " + q.bind(*filter.district));
    if (filter.kind) q.where("kind = " + q.bind(domain::toString(*filter.kind)));
    if (filter.status) q.where("status = " + q.bind(domain::toString(*filter.status)));
    if (filter.planAction) q.where("plan_action = " + q.bind(domain::toString(*filter.planAction)));
    if (!filter.q.empty()) {
        // Placeholders bound in the order they appear.
        std::string condition = "(name LIKE " + q.bindContains(filter.q) + " ESCAPE '!'";
        if (filter.searchCode) condition += " OR code LIKE " + q.bindContains(filter.q) + " ESCAPE '!'";
        condition += " OR address LIKE " + q.bindContains(filter.q) + " ESCAPE '!')";
        q.where(condition);
    }
    const int limit = q.paginate(page, "id");

    FacilityRow row;
    soci::statement st(session.sql());
    row.bind(st);
    q.prepareInto(st);
    st.execute();
    std::vector<Facility> rows;
    while (st.fetch()) {
        rows.push_back(row.toDomain());
    }
    return makePage(std::move(rows), limit);
}

Facility FacilityRepository::update(const Facility& changed, long long expectedVersion, const std::string& actor,
                                    const std::vector<domain::Finding>& findings) {
    return retryConflicts([&]() -> Facility {
        Database::Session session(_db);
        auto& sql = session.sql();
        Transaction tx(session);
        auto before = loadFacility(session, changed.id, true);
        if (!before) throw NotFound("facility " + std::to_string(changed.id) + " does not exist");
        if (before->version != expectedVersion) throw Conflict<Facility>(*before);
        requireValid(changed);

        Facility f = changed;
        f.code = before->code;
        f.createdAt = before->createdAt;
        f.updatedAt = domain::nowTimestamp();
        f.version = before->version + 1;
        FacilityValues v(f);
        soci::statement st =
            (sql.prepare << "UPDATE facilities SET name = :name, kind = :kind, district = :district, address = :address, "
                            "operator = :op, approval_no = :approval, status = :status, plan_action = :action, "
                            "plan_phase = :phase, capacity_total = :total, capacity_used = :used, area_m2 = :area, "
                            "lat = :lat, lon = :lon, notes = :notes, version = version + 1, updated_at = :updated "
                            "WHERE id = :id AND version = :expected",
             soci::use(f.name), soci::use(v.kind), soci::use(f.district), soci::use(f.address), soci::use(f.operatorName),
             soci::use(f.approvalNo), soci::use(v.status), soci::use(v.planAction, v.planActionInd),
             soci::use(v.planPhase, v.planPhaseInd), soci::use(v.capacityTotal, v.totalInd),
             soci::use(v.capacityUsed, v.usedInd), soci::use(v.areaM2, v.areaInd), soci::use(v.lat, v.latInd),
             soci::use(v.lon, v.lonInd), soci::use(f.notes), soci::use(f.updatedAt), soci::use(f.id),
             soci::use(expectedVersion));
        st.execute(true);
        if (st.get_affected_rows() != 1) throw Conflict<Facility>(*before);
        ChangeLog::append(sql, actor, "update", "facility", f.id, codec::stringify(codec::toJson(*before)),
                          codec::stringify(codec::toJson(f)));
        // An operator's district is its facility's: a facility that moves takes its operators along, each
        // change a new version of the user, in the change log.
        if (before->district != f.district) {
            std::vector<long long> operators;
            long long userId = 0;
            soci::statement st = (sql.prepare << "SELECT id FROM users WHERE facility_id = :id", soci::use(f.id),
                                  soci::into(userId));
            st.execute();
            while (st.fetch()) operators.push_back(userId);
            for (const auto id : operators) {
                sql << "UPDATE users SET district = :district, version = version + 1, updated_at = :now WHERE id = :id",
                    soci::use(f.district), soci::use(f.updatedAt), soci::use(id);
                ChangeLog::append(sql, actor, "move_with_facility", "user", id,
                                  "{\"district\":\"" + before->district + "\"}", "{\"district\":\"" + f.district + "\"}");
            }
        }
        FindingRepository::reportWithRecord(sql, findings, f.id);
        tx.commit();
        return f;
    });
}

} // namespace registry::store
