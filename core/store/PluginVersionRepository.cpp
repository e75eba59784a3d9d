#include "store/PluginVersionRepository.h"

#include "codec/RecordJson.h"
#include "domain/Dates.h"
#include "store/ChangeLog.h"
#include "store/Errors.h"
#include "store/SqlQuery.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

namespace registry::store {

using domain::PluginVersion;
using domain::PluginVersionStatus;

namespace {

const char* const selectColumns =
    "SELECT id, name, version, folder, districts, sha256, source, tests_source, tests, status, note, submitted_by, "
    "submitted_at, activated_by, activated_at FROM plugin_versions";

std::string districtsJson(const std::vector<std::string>& districts) {
    Poco::JSON::Array a;
    for (const auto& d : districts) a.add(d);
    std::ostringstream out;
    a.stringify(out);
    return out.str();
}

std::vector<std::string> parseDistricts(const std::string& json) {
    std::vector<std::string> out;
    try {
        const auto parsed = Poco::JSON::Parser().parse(json).extract<Poco::JSON::Array::Ptr>();
        for (std::size_t i = 0; i < parsed->size(); ++i) out.push_back(parsed->getElement<std::string>(i));
    } catch (const Poco::Exception&) {
    } catch (const std::bad_cast&) {
    }
    return out;
}

std::vector<PluginVersion> fetchAll(soci::session& sql, SqlQuery& q) {
    PluginVersion v;
    std::string districts, status, note, activatedBy, activatedAt;
    soci::indicator noteInd = soci::i_null, byInd = soci::i_null, atInd = soci::i_null;
    soci::statement st(sql);
    st.exchange(soci::into(v.id));
    st.exchange(soci::into(v.name));
    st.exchange(soci::into(v.version));
    st.exchange(soci::into(v.folder));
    st.exchange(soci::into(districts));
    st.exchange(soci::into(v.sha256));
    st.exchange(soci::into(v.source));
    st.exchange(soci::into(v.testsSource));
    st.exchange(soci::into(v.testsJson));
    st.exchange(soci::into(status));
    st.exchange(soci::into(note, noteInd));
    st.exchange(soci::into(v.submittedBy));
    st.exchange(soci::into(v.submittedAt));
    st.exchange(soci::into(activatedBy, byInd));
    st.exchange(soci::into(activatedAt, atInd));
    q.prepareInto(st);
    st.execute();
    std::vector<PluginVersion> out;
    while (st.fetch()) {
        PluginVersion row = v;
        row.districts = parseDistricts(districts);
        row.status = domain::parsePluginVersionStatus(status).value_or(PluginVersionStatus::Draft);
        row.note = noteInd == soci::i_ok ? std::optional<std::string>(note) : std::nullopt;
        row.activatedBy = byInd == soci::i_ok ? std::optional<std::string>(activatedBy) : std::nullopt;
        row.activatedAt = atInd == soci::i_ok ? std::optional<std::string>(activatedAt) : std::nullopt;
        out.push_back(std::move(row));
    }
    return out;
}

std::optional<PluginVersion> findIn(soci::session& sql, const std::string& name, const std::string& version,
                                    bool lock) {
    SqlQuery q(selectColumns);
    q.where("name = " + q.bind(name));
    q.where("version = " + q.bind(version));
    if (lock) q.append(forUpdate(sql));
    auto rows = fetchAll(sql, q);
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
}

/// What the change log keeps of a version: never its source (it is in plugin_versions, by sha256).
std::optional<std::string> summary(const std::optional<PluginVersion>& v) {
    if (!v) return std::nullopt;
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("name", v->name);
    o->set("version", v->version);
    o->set("sha256", v->sha256);
    o->set("status", domain::toString(v->status));
    return codec::stringify(o);
}

void bumpGeneration(soci::session& sql) {
    sql << "UPDATE plugin_generation SET generation = generation + 1 WHERE id = 1";
}

void setStatus(soci::session& sql, PluginVersion& v, PluginVersionStatus status, const std::string& actor,
               const std::string& now) {
    const auto before = summary(v);
    v.status = status;
    const std::string text = domain::toString(status);
    if (status == PluginVersionStatus::Active) {
        v.activatedBy = actor;
        v.activatedAt = now;
        sql << "UPDATE plugin_versions SET status = :status, activated_by = :by, activated_at = :at WHERE id = :id",
            soci::use(text), soci::use(actor), soci::use(now), soci::use(v.id);
    } else {
        sql << "UPDATE plugin_versions SET status = :status WHERE id = :id", soci::use(text), soci::use(v.id);
    }
    ChangeLog::append(sql, actor, status == PluginVersionStatus::Active ? "activate" : "retire", "plugin_version",
                      v.id, before, summary(v));
}

std::optional<PluginVersion> activeIn(soci::session& sql, const std::string& name) {
    SqlQuery q(selectColumns);
    q.where("name = " + q.bind(name));
    q.where("status = 'active'");
    q.append(forUpdate(sql));
    auto rows = fetchAll(sql, q);
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
}

} // namespace

PluginVersionRepository::Created PluginVersionRepository::create(const PluginVersion& input,
                                                                 const std::string& actor) {
    Database::Session session(_db);
    auto& sql = session.sql();
    Transaction tx(session);
    if (auto existing = findIn(sql, input.name, input.version, true)) {
        if (existing->sha256 != input.sha256 || existing->testsSource != input.testsSource)
            throw Conflict<PluginVersion>(*existing);
        return {*existing, true};
    }
    PluginVersion v = input;
    v.status = PluginVersionStatus::Draft;
    v.submittedBy = actor;
    v.submittedAt = domain::nowTimestamp();
    v.activatedBy.reset();
    v.activatedAt.reset();
    const std::string districts = districtsJson(v.districts), status = domain::toString(v.status);
    const std::string note = v.note.value_or("");
    soci::indicator noteInd = v.note ? soci::i_ok : soci::i_null;
    sql << "INSERT INTO plugin_versions (name, version, folder, districts, sha256, source, tests_source, tests, "
           "status, note, submitted_by, submitted_at) VALUES (:name, :version, :folder, :districts, :sha, :source, "
           ":tests_source, :tests, :status, :note, :by, :at)",
        soci::use(v.name), soci::use(v.version), soci::use(v.folder), soci::use(districts), soci::use(v.sha256),
        soci::use(v.source), soci::use(v.testsSource), soci::use(v.testsJson), soci::use(status),
        soci::use(note, noteInd), soci::use(v.submittedBy), soci::use(v.submittedAt);
    v.id = Database::lastInsertId(sql, "plugin_versions");
    ChangeLog::append(sql, actor, "create", "plugin_version", v.id, std::nullopt, summary(v));
    tx.commit();
    return {v, false};
}

std::optional<PluginVersion> PluginVersionRepository::find(const std::string& name, const std::string& version) {
    Database::Session session(_db);
    return findIn(session.sql(), name, version, false);
}

std::vector<PluginVersion> PluginVersionRepository::versions(const std::string& name) {
    Database::Session session(_db);
    SqlQuery q(selectColumns);
    q.where("name = " + q.bind(name));
    q.append(" ORDER BY id DESC");
    return fetchAll(session.sql(), q);
}

std::vector<PluginVersion> PluginVersionRepository::active() {
    Database::Session session(_db);
    SqlQuery q(selectColumns);
    q.where("status = 'active'");
    q.append(" ORDER BY name");
    return fetchAll(session.sql(), q);
}

PluginVersion PluginVersionRepository::activate(const std::string& name, const std::string& version,
                                                const std::string& actor) {
    Database::Session session(_db);
    auto& sql = session.sql();
    Transaction tx(session);
    auto target = findIn(sql, name, version, true);
    if (!target) throw NotFound("plugin " + name + " has no version " + version);
    if (target->status == PluginVersionStatus::Active) return *target;
    const std::string now = domain::nowTimestamp();
    if (auto previous = activeIn(sql, name)) setStatus(sql, *previous, PluginVersionStatus::Retired, actor, now);
    setStatus(sql, *target, PluginVersionStatus::Active, actor, now);
    bumpGeneration(sql);
    tx.commit();
    return *target;
}

bool PluginVersionRepository::deactivate(const std::string& name, const std::string& actor) {
    Database::Session session(_db);
    auto& sql = session.sql();
    Transaction tx(session);
    auto previous = activeIn(sql, name);
    if (!previous) return false;
    setStatus(sql, *previous, PluginVersionStatus::Retired, actor, domain::nowTimestamp());
    bumpGeneration(sql);
    tx.commit();
    return true;
}

long long PluginVersionRepository::generation() {
    Database::Session session(_db);
    long long generation = 0;
    session.sql() << "SELECT generation FROM plugin_generation WHERE id = 1", soci::into(generation);
    return generation;
}

} // namespace registry::store
