#include "store/NoticeRepository.h"

#include "codec/RecordJson.h"
#include "domain/Dates.h"
#include "store/AttachmentRepository.h"
#include "store/ChangeLog.h"
#include "store/CodeSequence.h"
#include "store/Errors.h"
#include "store/FindingRepository.h"
#include "store/SqlQuery.h"
#include "store/Subjects.h"

#include <algorithm>
#include <map>

namespace registry::store {

using domain::Notice;

namespace {

const char* const selectColumns =
    "SELECT id, number, district, subject_type, subject_id, requirements, deadline, status, issued_by, issued_on, "
    "response_text, responded_by, responded_at, result, verification_note, verified_by, verified_at, version, "
    "created_at, updated_at FROM notices";

std::vector<Notice> fetchAll(soci::session& sql, SqlQuery& q) {
    Notice n;
    std::string subjectType, status, respondedAt, result, verifiedAt;
    soci::indicator respondedInd{}, resultInd{}, verifiedInd{};
    soci::statement st(sql);
    st.exchange(soci::into(n.id));
    st.exchange(soci::into(n.number));
    st.exchange(soci::into(n.district));
    st.exchange(soci::into(subjectType));
    st.exchange(soci::into(n.subjectId));
    st.exchange(soci::into(n.requirements));
    st.exchange(soci::into(n.deadline));
    st.exchange(soci::into(status));
    st.exchange(soci::into(n.issuedBy));
    st.exchange(soci::into(n.issuedOn));
    st.exchange(soci::into(n.responseText));
    st.exchange(soci::into(n.respondedBy));
    st.exchange(soci::into(respondedAt, respondedInd));
    st.exchange(soci::into(result, resultInd));
    st.exchange(soci::into(n.verificationNote));
    st.exchange(soci::into(n.verifiedBy));
    st.exchange(soci::into(verifiedAt, verifiedInd));
    st.exchange(soci::into(n.version));
    st.exchange(soci::into(n.createdAt));
    st.exchange(soci::into(n.updatedAt));
    q.prepareInto(st);
    st.execute();
    std::vector<Notice> out;
    while (st.fetch()) {
        Notice row = n;
        row.subjectType = domain::parseEnum<domain::SubjectType>(subjectType).value_or(domain::SubjectType::Facility);
        row.status = domain::parseEnum<domain::NoticeStatus>(status).value_or(domain::NoticeStatus::Issued);
        row.respondedAt = respondedInd == soci::i_ok ? std::optional<std::string>(respondedAt) : std::nullopt;
        row.result = resultInd == soci::i_ok ? domain::parseEnum<domain::VerificationResult>(result) : std::nullopt;
        row.verifiedAt = verifiedInd == soci::i_ok ? std::optional<std::string>(verifiedAt) : std::nullopt;
        out.push_back(std::move(row));
    }
    // The findings each names, in one query for the lot.
    if (!out.empty()) {
        std::vector<long long> ids;
        std::map<long long, Notice*> byId;
        for (auto& notice : out) {
            ids.push_back(notice.id);
            byId[notice.id] = &notice;
        }
        SqlQuery links("SELECT notice_id, finding_id FROM notice_findings");
        links.where("notice_id IN " + links.bindList(ids));
        links.append(" ORDER BY notice_id, finding_id");
        long long noticeId = 0, findingId = 0;
        soci::statement ls(sql);
        ls.exchange(soci::into(noticeId));
        ls.exchange(soci::into(findingId));
        links.prepareInto(ls);
        ls.execute();
        while (ls.fetch()) byId[noticeId]->findingIds.push_back(findingId);
        for (auto& [owner, files] : AttachmentRepository::ownedBy(sql, "notice", ids))
            byId[owner]->attachments = std::move(files);
    }
    return out;
}

std::optional<Notice> fetchOne(soci::session& sql, SqlQuery& q) { return firstRow(fetchAll(sql, q)); }

std::optional<Notice> loadNotice(soci::session& sql, long long id, bool lockForUpdate) {
    SqlQuery q(selectColumns);
    q.where("id = " + q.bind(id));
    if (lockForUpdate) q.append(forUpdate(sql));
    return fetchOne(sql, q);
}

/// Every finding named must be an open or acknowledged finding about the subject; errors go to `v`.
void checkFindings(soci::session& sql, const Notice& n, domain::Validator& v) {
    std::vector<long long> ids(n.findingIds.begin(), n.findingIds.end());
    SqlQuery q("SELECT f.id, f.subject_type, f.subject_id, f.status, p.facility_id FROM findings f "
               "LEFT JOIN price_records p ON f.subject_type = 'price' AND p.id = f.subject_id");
    q.where("f.id IN " + q.bindList(ids));
    long long id = 0, subjectId = 0, priceFacility = 0;
    std::string subjectType, status;
    soci::indicator priceInd{};
    soci::statement st(sql);
    st.exchange(soci::into(id));
    st.exchange(soci::into(subjectType));
    st.exchange(soci::into(subjectId));
    st.exchange(soci::into(status));
    st.exchange(soci::into(priceFacility, priceInd));
    q.prepareInto(st);
    st.execute();
    std::map<long long, bool> fits;
    std::map<long long, std::string> statusOf;
    while (st.fetch()) {
        const bool aboutFacility = n.subjectType == domain::SubjectType::Facility &&
                                   ((subjectType == "facility" && subjectId == n.subjectId) ||
                                    (subjectType == "price" && priceInd == soci::i_ok && priceFacility == n.subjectId));
        const bool aboutSite = n.subjectType == domain::SubjectType::BurialSite && subjectType == "burial_site" &&
                               subjectId == n.subjectId;
        fits[id] = aboutFacility || aboutSite;
        statusOf[id] = status;
    }
    for (const auto finding : n.findingIds) {
        const std::string text = std::to_string(finding);
        if (!fits.count(finding) || !fits[finding])
            v.add("finding_ids", "not_of_subject", "问题 " + text + " 不存在或不属于该通知对象",
                  "finding " + text + " does not exist or is not about this subject");
        else if (statusOf[finding] != "open" && statusOf[finding] != "acknowledged")
            v.add("finding_ids", "closed", "问题 " + text + " 已处理(" + statusOf[finding] + "),不能再列入通知",
                  "finding " + text + " is " + statusOf[finding] + " already");
    }
}

void update(soci::session& sql, const Notice& n, long long expectedVersion) {
    const std::string status = domain::toString(n.status);
    std::string result = n.result ? domain::toString(*n.result) : "";
    soci::indicator resultInd = n.result ? soci::i_ok : soci::i_null;
    std::string respondedAt = n.respondedAt.value_or(""), verifiedAt = n.verifiedAt.value_or("");
    soci::indicator respondedInd = n.respondedAt ? soci::i_ok : soci::i_null;
    soci::indicator verifiedInd = n.verifiedAt ? soci::i_ok : soci::i_null;
    soci::statement st =
        (sql.prepare << "UPDATE notices SET deadline = :deadline, status = :status, response_text = :response, "
                        "responded_by = :respondedBy, responded_at = :respondedAt, result = :result, "
                        "verification_note = :note, verified_by = :verifiedBy, verified_at = :verifiedAt, "
                        "version = version + 1, updated_at = :updated WHERE id = :id AND version = :v",
         soci::use(n.deadline), soci::use(status), soci::use(n.responseText), soci::use(n.respondedBy),
         soci::use(respondedAt, respondedInd), soci::use(result, resultInd), soci::use(n.verificationNote),
         soci::use(n.verifiedBy), soci::use(verifiedAt, verifiedInd), soci::use(n.updatedAt), soci::use(n.id),
         soci::use(expectedVersion));
    st.execute(true);
    if (st.get_affected_rows() != 1) throw Conflict<Notice>(n);
}

/// Attaches the uploads named by an answer or a verdict, and lists them on the notice as now stored.
void attach(soci::session& sql, Notice& n, const std::vector<std::int64_t>& ids, domain::AttachmentPurpose purpose,
            const std::string& actor) {
    if (ids.empty()) return;
    AttachmentRepository::attachIn(sql, ids, "notice", n.id, n.district, purpose, actor);
    n.attachments = std::move(AttachmentRepository::ownedBy(sql, "notice", {n.id})[n.id]);
}

} // namespace

Notice NoticeRepository::issue(const Notice& input, const std::string& today, const std::string& actor) {
    return retryConflicts([&]() -> Notice {
        domain::Validator v;
        for (auto& e : domain::validateNew(input, today)) v.add(std::move(e));
        Notice n = input;
        Database::Session session(_db);
        auto& sql = session.sql();
        Transaction tx(session);
        if (!v.has("subject_id") && !v.has("subject_type")) {
            const auto district = subjectDistrict(session, n.subjectType, n.subjectId);
            if (district)
                n.district = *district;
            else
                v.add("subject_id", "not_found", "通知对象不存在(编号 " + std::to_string(n.subjectId) + ")",
                      "subject " + domain::toString(n.subjectType) + " " + std::to_string(n.subjectId) + " does not exist");
            if (district && !v.has("finding_ids")) checkFindings(sql, n, v);
        }
        if (!v.ok()) throw ValidationFailed(v.take());
        const std::string year = today.substr(0, 4);
        const std::string code = nextCode(sql, "N-" + year + "-" + n.district, 4);
        n.number = domain::noticeNumber(year, n.district, std::stoll(code.substr(code.rfind('-') + 1)));
        n.status = domain::NoticeStatus::Issued;
        n.issuedBy = actor;
        n.issuedOn = today;
        n.responseText.clear();
        n.respondedBy.clear();
        n.respondedAt.reset();
        n.result.reset();
        n.verificationNote.clear();
        n.verifiedBy.clear();
        n.verifiedAt.reset();
        n.version = 1;
        n.createdAt = n.updatedAt = domain::nowTimestamp();
        const std::string subjectType = domain::toString(n.subjectType), status = domain::toString(n.status);
        const std::string empty;
        sql << "INSERT INTO notices (number, district, subject_type, subject_id, requirements, deadline, status, "
               "issued_by, issued_on, response_text, responded_by, responded_at, result, verification_note, verified_by, "
               "verified_at, version, created_at, updated_at) VALUES (:number, :district, :type, :subject, :requirements, "
               ":deadline, :status, :by, :on, :response, :respondedBy, NULL, NULL, :note, :verifiedBy, NULL, 1, :created, "
               ":updated)",
            soci::use(n.number), soci::use(n.district), soci::use(subjectType), soci::use(n.subjectId),
            soci::use(n.requirements), soci::use(n.deadline), soci::use(status), soci::use(n.issuedBy),
            soci::use(n.issuedOn), soci::use(empty), soci::use(empty), soci::use(empty), soci::use(empty),
            soci::use(n.createdAt), soci::use(n.updatedAt);
        n.id = Database::lastInsertId(sql, "notices");
        std::sort(n.findingIds.begin(), n.findingIds.end());
        n.findingIds.erase(std::unique(n.findingIds.begin(), n.findingIds.end()), n.findingIds.end());
        for (const auto finding : n.findingIds) {
            const long long findingId = finding;
            sql << "INSERT INTO notice_findings (notice_id, finding_id) VALUES (:n, :f)", soci::use(n.id), soci::use(findingId);
        }
        ChangeLog::append(sql, actor, "issue", "notice", n.id, std::nullopt, codec::stringify(codec::toJson(n)));
        tx.commit();
        return n;
    });
}

std::optional<Notice> NoticeRepository::get(long long id) {
    Database::Session session(_db);
    return loadNotice(session.sql(), id, false);
}

Page<Notice> NoticeRepository::list(const NoticeFilter& filter, const PageRequest& page) {
    Database::Session session(_db);
    SqlQuery q(selectColumns);
    if (filter.district) q.where("district = " + q.bind(*filter.district));
    if (filter.status) q.where("status = " + q.bind(domain::toString(*filter.status)));
    if (filter.subjectType) q.where("subject_type = " + q.bind(domain::toString(*filter.subjectType)));
    if (filter.subjectId) q.where("subject_id = " + q.bind(*filter.subjectId));
    if (filter.overdueOn || filter.openOnly || filter.dueFrom || filter.dueBefore) q.where("status <> 'verified'");
    if (filter.overdueOn) q.where("deadline < " + q.bind(*filter.overdueOn));
    if (filter.dueFrom) q.where("deadline >= " + q.bind(*filter.dueFrom));
    if (filter.dueBefore) q.where("deadline < " + q.bind(*filter.dueBefore));
    const int limit = q.paginate(page, "id");
    return makePage(fetchAll(session.sql(), q), limit);
}

Notice NoticeRepository::respond(long long id, const domain::NoticeResponse& response, const std::string& actor,
                                 const std::optional<MailDraft>& alert) {
    return retryConflicts([&]() -> Notice {
        auto errors = domain::validate(response);
        if (!errors.empty()) throw ValidationFailed(std::move(errors));
        Database::Session session(_db);
        auto& sql = session.sql();
        Transaction tx(session);
        const auto before = loadNotice(sql, id, true);
        if (!before) throw NotFound("notice " + std::to_string(id) + " does not exist");
        if (before->status != domain::NoticeStatus::Issued) throw Conflict<Notice>(*before);
        Notice n = *before;
        n.status = domain::NoticeStatus::Responded;
        n.responseText = response.text;
        n.respondedBy = actor;
        n.respondedAt = n.updatedAt = domain::nowTimestamp();
        update(sql, n, before->version);
        n.version = before->version + 1;
        attach(sql, n, response.attachmentIds, domain::AttachmentPurpose::NoticeResponse, actor);
        ChangeLog::append(sql, actor, "respond", "notice", id, codec::stringify(codec::toJson(*before)),
                          codec::stringify(codec::toJson(n)));
        if (alert) {
            MailDraft mail = *alert;
            mail.eventKey += ":" + std::to_string(n.version);
            MailOutbox::enqueueIn(sql, mail);
        }
        tx.commit();
        return n;
    });
}

std::vector<Notice> NoticeRepository::overdueWithoutAlert(const std::string& today, int limit) {
    Database::Session session(_db);
    auto& sql = session.sql();
    const std::string key = session.backend() == Backend::MySql
                                ? "CONCAT('notice-overdue:', notices.id, ':', notices.deadline)"
                                : "'notice-overdue:' || notices.id || ':' || notices.deadline";
    SqlQuery q(selectColumns);
    q.where("status <> 'verified'");
    q.where("deadline < " + q.bind(today));
    q.where("NOT EXISTS (SELECT 1 FROM mail_outbox m WHERE m.event_key = " + key + ")");
    q.append(" ORDER BY id LIMIT " + std::to_string(limit));
    return fetchAll(sql, q);
}

Notice NoticeRepository::verify(long long id, const domain::NoticeVerification& verification, const std::string& actor) {
    return retryConflicts([&]() -> Notice {
        Database::Session session(_db);
        auto& sql = session.sql();
        Transaction tx(session);
        const auto before = loadNotice(sql, id, true);
        if (!before) throw NotFound("notice " + std::to_string(id) + " does not exist");
        if (before->status == domain::NoticeStatus::Verified) throw Conflict<Notice>(*before);
        Notice n = *before;
        n.result = verification.result;
        n.verificationNote = verification.note;
        n.verifiedBy = actor;
        n.verifiedAt = n.updatedAt = domain::nowTimestamp();
        const bool rectified = verification.result == domain::VerificationResult::Rectified;
        if (rectified) {
            n.status = domain::NoticeStatus::Verified;
        } else {
            // Back to the unit, with the new deadline; its answer is in the change log.
            n.status = domain::NoticeStatus::Issued;
            n.deadline = verification.deadline.value_or(n.deadline);
        }
        update(sql, n, before->version);
        n.version = before->version + 1;
        attach(sql, n, verification.attachmentIds, domain::AttachmentPurpose::NoticeVerification, actor);
        ChangeLog::append(sql, actor, "verify", "notice", id, codec::stringify(codec::toJson(*before)),
                          codec::stringify(codec::toJson(n)));
        if (rectified)
            for (const auto finding : n.findingIds)
                FindingRepository::setStatusIn(sql, finding, domain::FindingStatus::Resolved,
                                               "整改通知 " + n.number + " 验收:已整改", actor);
        tx.commit();
        return n;
    });
}

} // namespace registry::store
