#include "store/BurialSiteRepository.h"

#include "store/AttachmentRepository.h"

#include "codec/RecordJson.h"
#include "domain/Dates.h"
#include "store/ChangeLog.h"
#include "store/CodeSequence.h"
#include "store/Errors.h"
#include "store/SqlQuery.h"
#include "store/FindingRepository.h"

namespace registry::store {

using domain::BurialSite;
using domain::ProgressEntry;

namespace {

// graves_handled is the sum of the progress log, computed on read rather than stored twice.
const char* const selectColumns =
    "SELECT s.id, s.code, s.kind, s.district, s.township, s.village, s.location, s.lat, s.lon, s.grave_count, "
    "(SELECT COALESCE(SUM(p.graves_handled), 0) FROM burial_site_progress p WHERE p.site_id = s.id), "
    "s.zones, s.protected_relic, s.measure, s.status, s.target_date, s.responsible_unit, s.version, "
    "s.created_at, s.updated_at FROM burial_sites s";

struct SiteRow {
    long long id = 0, graveCount = 0, gravesHandled = 0, version = 0;
    int protectedRelic = 0;
    std::string code, kind, district, township, village, location, zones, measure, status, targetDate,
        responsibleUnit, createdAt, updatedAt;
    double lat = 0, lon = 0;
    soci::indicator latInd{}, lonInd{}, measureInd{};

    void bind(soci::statement& st) {
        st.exchange(soci::into(id));
        st.exchange(soci::into(code));
        st.exchange(soci::into(kind));
        st.exchange(soci::into(district));
        st.exchange(soci::into(township));
        st.exchange(soci::into(village));
        st.exchange(soci::into(location));
        st.exchange(soci::into(lat, latInd));
        st.exchange(soci::into(lon, lonInd));
        st.exchange(soci::into(graveCount));
        st.exchange(soci::into(gravesHandled));
        st.exchange(soci::into(zones));
        st.exchange(soci::into(protectedRelic));
        st.exchange(soci::into(measure, measureInd));
        st.exchange(soci::into(status));
        st.exchange(soci::into(targetDate));
        st.exchange(soci::into(responsibleUnit));
        st.exchange(soci::into(version));
        st.exchange(soci::into(createdAt));
        st.exchange(soci::into(updatedAt));
    }

    BurialSite toDomain() const {
        BurialSite s;
        s.id = id;
        s.code = code;
        s.kind = domain::parseEnum<domain::BurialSiteKind>(kind).value_or(domain::BurialSiteKind::HistoricalBurialPoint);
        s.district = district;
        s.township = township;
        s.village = village;
        s.location = location;
        if (latInd == soci::i_ok) s.lat = lat;
        if (lonInd == soci::i_ok) s.lon = lon;
        s.graveCount = graveCount;
        s.gravesHandled = gravesHandled;
        s.zones = domain::splitZones(zones).value_or(std::vector<domain::Zone>{});
        s.protectedRelic = protectedRelic != 0;
        if (measureInd == soci::i_ok) s.measure = domain::parseEnum<domain::Measure>(measure);
        s.status = domain::parseEnum<domain::BurialSiteStatus>(status).value_or(domain::BurialSiteStatus::Surveyed);
        s.targetDate = targetDate;
        s.responsibleUnit = responsibleUnit;
        s.version = version;
        s.createdAt = createdAt;
        s.updatedAt = updatedAt;
        return s;
    }
};

struct SiteValues {
    std::string kind, zones, measure, status;
    double lat, lon;
    int protectedRelic;
    soci::indicator latInd, lonInd, measureInd;

    explicit SiteValues(const BurialSite& s)
        : kind(domain::toString(s.kind)), zones(domain::joinZones(s.zones)),
          measure(s.measure ? domain::toString(*s.measure) : ""), status(domain::toString(s.status)),
          lat(s.lat.value_or(0)), lon(s.lon.value_or(0)), protectedRelic(s.protectedRelic ? 1 : 0),
          latInd(s.lat ? soci::i_ok : soci::i_null), lonInd(s.lon ? soci::i_ok : soci::i_null),
          measureInd(s.measure ? soci::i_ok : soci::i_null) {}
};


} // namespace

std::optional<BurialSite> loadBurialSite(Database::Session& session, long long id, bool lockForUpdate) {
    return loadKeptById<SiteRow>(session, selectColumns, "s.id", id, lockForUpdate);
}

BurialSite BurialSiteRepository::create(const BurialSite& input, const std::string& actor, const std::vector<domain::Finding>& findings) {
    return retryConflicts([&]() -> BurialSite {
        BurialSite s = input;
        if (s.targetDate.empty()) s.targetDate = _window.end;
        auto errors = domain::validate(s, _window);
        if (!errors.empty()) throw ValidationFailed(std::move(errors));
        s.gravesHandled = 0;
        s.createdAt = s.updatedAt = domain::nowTimestamp();
        s.version = 1;
        Database::Session session(_db);
        auto& sql = session.sql();
        Transaction tx(session);
        s.code = nextCode(sql, "B-" + s.district, 5);
        SiteValues v(s);
        sql << "INSERT INTO burial_sites (code, kind, district, township, village, location, lat, lon, grave_count, "
               "zones, protected_relic, measure, status, target_date, responsible_unit, version, created_at, updated_at) "
               "VALUES (:code, :kind, :district, :township, :village, :location, :lat, :lon, :graves, :zones, :relic, "
               ":measure, :status, :target, :unit, 1, :created, :updated)",
            soci::use(s.code), soci::use(v.kind), soci::use(s.district), soci::use(s.township), soci::use(s.village),
            soci::use(s.location), soci::use(v.lat, v.latInd), soci::use(v.lon, v.lonInd), soci::use(s.graveCount),
            soci::use(v.zones), soci::use(v.protectedRelic), soci::use(v.measure, v.measureInd), soci::use(v.status),
            soci::use(s.targetDate), soci::use(s.responsibleUnit), soci::use(s.createdAt), soci::use(s.updatedAt);
        s.id = Database::lastInsertId(sql, "burial_sites");
        ChangeLog::append(sql, actor, "create", "burial_site", s.id, std::nullopt, codec::stringify(codec::toJson(s)));
        FindingRepository::reportWithRecord(sql, findings, s.id);
        tx.commit();
        return s;
    });
}

std::optional<BurialSite> BurialSiteRepository::get(long long id) {
    Database::Session session(_db);
    return loadBurialSite(session, id);
}

Page<BurialSite> BurialSiteRepository::list(const BurialSiteFilter& filter, const PageRequest& page) {
    Database::Session session(_db);
    SqlQuery q(selectColumns);
    if (filter.district) q.where("s.district = " + q.bind(*filter.district));
    if (filter.kind) q.where("s.kind = " + q.bind(domain::toString(*filter.kind)));
    if (filter.status) q.where("s.status = " + q.bind(domain::toString(*filter.status)));
    if (filter.measure) q.where("s.measure = " + q.bind(domain::toString(*filter.measure)));
    if (filter.overdueOnly) {
        const std::string today = filter.today.empty() ? domain::todayUtc() : filter.today;
        q.where("s.target_date < " + q.bind(today) + " AND s.status NOT IN ('completed', 'accepted')");
    }
    const int limit = q.paginate(page, "s.id");

    SiteRow row;
    soci::statement st(session.sql());
    row.bind(st);
    q.prepareInto(st);
    st.execute();
    std::vector<BurialSite> rows;
    while (st.fetch()) {
        rows.push_back(row.toDomain());
    }
    return makePage(std::move(rows), limit);
}

BurialSite BurialSiteRepository::update(const BurialSite& changed, long long expectedVersion,
                                        const std::string& actor, const std::vector<domain::Finding>& findings) {
    return retryConflicts([&]() -> BurialSite {
        Database::Session session(_db);
        auto& sql = session.sql();
        Transaction tx(session);
        auto before = loadBurialSite(session, changed.id, true);
        if (!before) throw NotFound("burial site " + std::to_string(changed.id) + " does not exist");
        if (before->version != expectedVersion) throw Conflict<BurialSite>(*before);

        BurialSite s = changed;
        if (s.targetDate.empty()) s.targetDate = before->targetDate;
        domain::Validator v;
        for (auto& e : domain::validate(s, _window)) v.add(std::move(e));
        if (auto err = domain::checkStatusChange(before->status, s.status)) v.add(*err);
        if (!v.has("grave_count") && s.graveCount < before->gravesHandled)
            v.add("grave_count", "below_handled", "坟墓数量不能少于已处置数(" + std::to_string(before->gravesHandled) + ")",
                  "grave_count must not be below the graves already handled (" + std::to_string(before->gravesHandled) +
                      ")");
        if (!v.ok()) throw ValidationFailed(v.take());

        s.code = before->code;
        s.gravesHandled = before->gravesHandled;
        s.createdAt = before->createdAt;
        s.updatedAt = domain::nowTimestamp();
        s.version = before->version + 1;
        SiteValues values(s);
        soci::statement st =
            (sql.prepare << "UPDATE burial_sites SET kind = :kind, district = :district, township = :township, "
                            "village = :village, location = :location, lat = :lat, lon = :lon, grave_count = :graves, "
                            "zones = :zones, protected_relic = :relic, measure = :measure, status = :status, "
                            "target_date = :target, responsible_unit = :unit, version = version + 1, "
                            "updated_at = :updated WHERE id = :id AND version = :expected",
             soci::use(values.kind), soci::use(s.district), soci::use(s.township), soci::use(s.village),
             soci::use(s.location), soci::use(values.lat, values.latInd), soci::use(values.lon, values.lonInd),
             soci::use(s.graveCount), soci::use(values.zones), soci::use(values.protectedRelic),
             soci::use(values.measure, values.measureInd), soci::use(values.status), soci::use(s.targetDate),
             soci::use(s.responsibleUnit), soci::use(s.updatedAt), soci::use(s.id), soci::use(expectedVersion));
        st.execute(true);
        if (st.get_affected_rows() != 1) throw Conflict<BurialSite>(*before);
        ChangeLog::append(sql, actor, "update", "burial_site", s.id, codec::stringify(codec::toJson(*before)),
                          codec::stringify(codec::toJson(s)));
        FindingRepository::reportWithRecord(sql, findings, s.id);
        tx.commit();
        return s;
    });
}

std::pair<ProgressEntry, BurialSite> BurialSiteRepository::appendProgress(const ProgressEntry& input,
                                                                         const std::string& actor,
                                                                         const std::vector<domain::Finding>& findings) {
    return retryConflicts([&]() -> std::pair<ProgressEntry, BurialSite> {
        Database::Session session(_db);
        auto& sql = session.sql();
        Transaction tx(session);
        auto before = loadBurialSite(session, input.siteId, true);
        if (!before) throw NotFound("burial site " + std::to_string(input.siteId) + " does not exist");
        auto errors = domain::validate(input, *before);
        if (!errors.empty()) throw ValidationFailed(std::move(errors));

        ProgressEntry e = input;
        e.recordedBy = actor;
        e.createdAt = domain::nowTimestamp();
        std::string status = e.status ? domain::toString(*e.status) : "";
        soci::indicator statusInd = e.status ? soci::i_ok : soci::i_null;
        sql << "INSERT INTO burial_site_progress (site_id, entry_date, graves_handled, status, note, recorded_by, "
               "created_at) VALUES (:site, :date, :graves, :status, :note, :by, :created)",
            soci::use(e.siteId), soci::use(e.date), soci::use(e.gravesHandled), soci::use(status, statusInd),
            soci::use(e.note), soci::use(e.recordedBy), soci::use(e.createdAt);
        e.id = Database::lastInsertId(sql, "burial_site_progress");
        AttachmentRepository::attachIn(sql, e.attachmentIds, "progress", e.id, before->district,
                                       domain::AttachmentPurpose::Progress, actor);
        e.attachments = std::move(AttachmentRepository::ownedBy(sql, "progress", {e.id})[e.id]);

        BurialSite after = *before;
        after.gravesHandled += e.gravesHandled;
        if (e.status && *e.status != before->status) {
            after.status = *e.status;
            after.version = before->version + 1;
            after.updatedAt = e.createdAt;
            sql << "UPDATE burial_sites SET status = :status, version = version + 1, updated_at = :updated WHERE id = :id",
                soci::use(status), soci::use(after.updatedAt), soci::use(after.id);
        }
        ChangeLog::append(sql, actor, "append_progress", "burial_site", after.id, codec::stringify(codec::toJson(*before)),
                          codec::stringify(codec::toJson(after)));
        FindingRepository::reportWithRecord(sql, findings, after.id);
        tx.commit();
        return {e, after};
    });
}

std::vector<ProgressEntry> BurialSiteRepository::progress(long long siteId) {
    Database::Session session(_db);
    auto& sql = session.sql();
    ProgressEntry e;
    std::string status;
    soci::indicator statusInd;
    soci::statement st = (sql.prepare << "SELECT id, site_id, entry_date, graves_handled, status, note, recorded_by, "
                                         "created_at FROM burial_site_progress WHERE site_id = :site ORDER BY id",
                          soci::into(e.id), soci::into(e.siteId), soci::into(e.date), soci::into(e.gravesHandled),
                          soci::into(status, statusInd), soci::into(e.note), soci::into(e.recordedBy),
                          soci::into(e.createdAt), soci::use(siteId));
    st.execute();
    std::vector<ProgressEntry> out;
    std::vector<long long> ids;
    while (st.fetch()) {
        e.status = statusInd == soci::i_ok ? domain::parseEnum<domain::BurialSiteStatus>(status) : std::nullopt;
        out.push_back(e);
        ids.push_back(e.id);
    }
    auto files = AttachmentRepository::ownedBy(sql, "progress", ids);
    for (auto& entry : out) entry.attachments = std::move(files[entry.id]);
    return out;
}

std::optional<long long> BurialSiteRepository::siteOfProgress(long long entryId) {
    Database::Session session(_db);
    long long site = 0;
    soci::indicator ind{};
    session.sql() << "SELECT site_id FROM burial_site_progress WHERE id = :id", soci::into(site, ind), soci::use(entryId);
    if (!session.sql().got_data() || ind != soci::i_ok) return std::nullopt;
    return site;
}

} // namespace registry::store
