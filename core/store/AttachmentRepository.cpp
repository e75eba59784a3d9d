#include "store/AttachmentRepository.h"

#include "store/Errors.h"
#include "store/Page.h"
#include "store/SqlQuery.h"

#include <algorithm>
#include <set>

namespace registry::store {

using domain::Attachment;

namespace {

const char* const selectColumns = "SELECT id, sha256, content_type, bytes, file_name, uploaded_by, uploaded_at, "
                                  "owner_type, owner_id, purpose, district FROM attachments";

std::vector<Attachment> fetchAll(soci::session& sql, SqlQuery& q) {
    Attachment a;
    std::string ownerType, purpose, district;
    long long ownerId = 0;
    soci::indicator ownerInd{}, ownerIdInd{}, purposeInd{}, districtInd{};
    soci::statement st(sql);
    st.exchange(soci::into(a.id));
    st.exchange(soci::into(a.sha256));
    st.exchange(soci::into(a.contentType));
    st.exchange(soci::into(a.bytes));
    st.exchange(soci::into(a.fileName));
    st.exchange(soci::into(a.uploadedBy));
    st.exchange(soci::into(a.uploadedAt));
    st.exchange(soci::into(ownerType, ownerInd));
    st.exchange(soci::into(ownerId, ownerIdInd));
    st.exchange(soci::into(purpose, purposeInd));
    st.exchange(soci::into(district, districtInd));
    q.prepareInto(st);
    st.execute();
    std::vector<Attachment> out;
    while (st.fetch()) {
        Attachment row = a;
        row.ownerType = ownerInd == soci::i_ok ? std::optional<std::string>(ownerType) : std::nullopt;
        row.ownerId = ownerIdInd == soci::i_ok ? ownerId : 0;
        row.purpose = purposeInd == soci::i_ok ? domain::parseAttachmentPurpose(purpose) : std::nullopt;
        row.district = districtInd == soci::i_ok ? std::optional<std::string>(district) : std::nullopt;
        out.push_back(std::move(row));
    }
    return out;
}

} // namespace

Attachment AttachmentRepository::create(Attachment a) {
    return retryConflicts([&]() -> Attachment {
        Database::Session session(_db);
        auto& sql = session.sql();
        Transaction tx(session);
        sql << "INSERT INTO attachments (sha256, content_type, bytes, file_name, uploaded_by, uploaded_at, owner_type, "
               "owner_id, purpose, district) VALUES (:sha, :type, :bytes, :name, :by, :at, NULL, NULL, NULL, NULL)",
            soci::use(a.sha256), soci::use(a.contentType), soci::use(a.bytes), soci::use(a.fileName),
            soci::use(a.uploadedBy), soci::use(a.uploadedAt);
        a.id = Database::lastInsertId(sql, "attachments");
        tx.commit();
        a.ownerType.reset();
        a.ownerId = 0;
        a.purpose.reset();
        a.district.reset();
        return a;
    });
}

std::optional<Attachment> AttachmentRepository::get(long long id) {
    Database::Session session(_db);
    SqlQuery q(selectColumns);
    q.where("id = " + q.bind(id));
    return firstRow(fetchAll(session.sql(), q));
}

long long AttachmentRepository::pendingOf(const std::string& user) {
    Database::Session session(_db);
    long long count = 0;
    session.sql() << "SELECT COUNT(*) FROM attachments WHERE uploaded_by = :u AND owner_type IS NULL",
        soci::use(user), soci::into(count);
    return count;
}

std::vector<std::string> AttachmentRepository::forgetPendingBefore(const std::string& cutoff) {
    Database::Session session(_db);
    auto& sql = session.sql();
    Transaction tx(session);
    std::vector<std::string> candidates;
    {
        std::string sha;
        soci::statement st = (sql.prepare << "SELECT DISTINCT sha256 FROM attachments WHERE owner_type IS NULL AND "
                                             "uploaded_at < :cutoff",
                              soci::use(cutoff), soci::into(sha));
        st.execute();
        while (st.fetch()) candidates.push_back(sha);
    }
    if (candidates.empty()) return {};
    sql << "DELETE FROM attachments WHERE owner_type IS NULL AND uploaded_at < :cutoff", soci::use(cutoff);
    std::vector<std::string> orphaned;
    for (const auto& sha : candidates) {
        long long still = 0;
        sql << "SELECT COUNT(*) FROM attachments WHERE sha256 = :sha", soci::use(sha), soci::into(still);
        if (still == 0) orphaned.push_back(sha);
    }
    tx.commit();
    return orphaned;
}

namespace {
domain::FieldError attachedAlready(long long id) {
    return {"attachment_ids", "attached", "附件 " + std::to_string(id) + " 已用于其他记录",
            "attachment " + std::to_string(id) + " is attached to another record already"};
}
} // namespace

void AttachmentRepository::attachIn(soci::session& sql, const std::vector<std::int64_t>& input,
                                    const std::string& ownerType, long long ownerId, const std::string& district,
                                    domain::AttachmentPurpose purpose, const std::string& actor) {
    if (input.empty()) return;
    std::vector<long long> ids(input.begin(), input.end());
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    SqlQuery q(selectColumns);
    q.where("id IN " + q.bindList(ids));
    std::map<long long, Attachment> found;
    for (auto& a : fetchAll(sql, q)) found.emplace(a.id, std::move(a));
    domain::Validator v;
    for (const auto id : ids) {
        const auto it = found.find(id);
        // Another user's upload reads as absent: its id says nothing about it.
        if (it == found.end() || it->second.uploadedBy != actor) {
            v.add("attachment_ids", "not_found", "附件 " + std::to_string(id) + " 不存在(须为本人上传的附件)",
                  "attachment " + std::to_string(id) + " does not exist (it must be one you uploaded)");
        } else if (it->second.ownerType) {
            v.add(attachedAlready(id));
        }
    }
    if (!v.ok()) throw ValidationFailed(v.take());
    const std::string purposeText = domain::toString(purpose);
    for (const auto id : ids) {
        soci::statement st = (sql.prepare << "UPDATE attachments SET owner_type = :type, owner_id = :owner, "
                                             "purpose = :purpose, district = :district WHERE id = :id AND "
                                             "owner_type IS NULL",
                              soci::use(ownerType), soci::use(ownerId), soci::use(purposeText), soci::use(district),
                              soci::use(id));
        st.execute(true);
        // Named by another write in the meantime (two answers at once): this one stores nothing.
        if (st.get_affected_rows() != 1) {
            domain::Validator again;
            again.add(attachedAlready(id));
            throw ValidationFailed(again.take());
        }
    }
}

std::map<long long, std::vector<Attachment>> AttachmentRepository::ownedBy(soci::session& sql,
                                                                           const std::string& ownerType,
                                                                           const std::vector<long long>& ownerIds) {
    std::map<long long, std::vector<Attachment>> out;
    if (ownerIds.empty()) return out;
    SqlQuery q(selectColumns);
    q.where("owner_type = " + q.bind(ownerType));
    q.where("owner_id IN " + q.bindList(ownerIds));
    q.append(" ORDER BY owner_id, id");
    for (auto& a : fetchAll(sql, q)) out[a.ownerId].push_back(std::move(a));
    return out;
}

} // namespace registry::store
