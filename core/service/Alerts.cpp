#include "service/Alerts.h"

#include "domain/District.h"
#include "store/NoticeRepository.h"

namespace registry::service {

namespace {

std::string districtZh(const std::string& code) {
    const auto* d = domain::findDistrict(code);
    return d ? d->nameZh : code;
}
std::string districtEn(const std::string& code) {
    const auto* d = domain::findDistrict(code);
    return d ? d->nameEn : code;
}

std::string subjectZh(const domain::Notice& n) {
    return domain::zhName(n.subjectType) + " " + std::to_string(n.subjectId);
}
std::string subjectEn(const domain::Notice& n) {
    return domain::enName(n.subjectType) + " " + std::to_string(n.subjectId);
}

const char* const footerZh = "此邮件由殡葬设施登记系统自动发送，请勿直接回复。";
const char* const footerEn = "This mail was sent by the funeral registry; please do not reply to it.";

} // namespace

store::MailDraft Alerts::noticeAnswered(const domain::Notice& n, const domain::NoticeResponse& response,
                                        const std::string& answeredBy) const {
    store::MailDraft m;
    m.eventKey = "notice-answered:" + std::to_string(n.id);
    m.district = n.district;
    m.subject = "【整改通知书已答复】" + n.number + " / Notice answered";
    m.body = "整改通知书 " + n.number + "（" + districtZh(n.district) + "，" + subjectZh(n) + "）已由 " + answeredBy +
             " 答复，请安排复查验收。\n\n答复内容：\n" + response.text + "\n\n" + footerZh +
             "\n\n----\n\nRectification notice " + n.number + " (" + districtEn(n.district) + ", " + subjectEn(n) +
             ") was answered by " + answeredBy + ". Please re-inspect and verify it.\n\nThe answer is quoted above.\n\n" +
             footerEn + "\n";
    return m;
}

store::MailDraft Alerts::noticeOverdue(const domain::Notice& n, const std::string& today) const {
    store::MailDraft m;
    m.eventKey = "notice-overdue:" + std::to_string(n.id) + ":" + n.deadline;
    m.district = n.district;
    if (n.subjectType == domain::SubjectType::Facility) m.facilityId = n.subjectId;
    m.subject = "【整改通知书逾期】" + n.number + " / Notice overdue";
    m.body = "整改通知书 " + n.number + "（" + districtZh(n.district) + "，" + subjectZh(n) + "）的整改期限为 " +
             n.deadline + "，截至 " + today + " 尚未验收，已逾期。\n\n整改要求：\n" + n.requirements + "\n\n" + footerZh +
             "\n\n----\n\nRectification notice " + n.number + " (" + districtEn(n.district) + ", " + subjectEn(n) +
             ") was due on " + n.deadline + " and is not verified as of " + today +
             ": it is overdue.\n\nThe requirements are quoted above.\n\n" + footerEn + "\n";
    return m;
}

store::MailDraft Alerts::auditViolations(long long auditId, const std::string& district, long long count) const {
    store::MailDraft m;
    const std::string id = std::to_string(auditId), n = std::to_string(count);
    m.eventKey = "audit-violations:" + id + ":" + district;
    m.district = district;
    m.subject = "【审计发现新违规】" + districtZh(district) + " " + n + " 项 / New violations: " + n;
    m.body = "价格合规审计（编号 " + id + "）在" + districtZh(district) + "发现 " + n +
             " 项新的违规问题，请登录系统查看审计报告并处理。\n\n" + footerZh + "\n\n----\n\nPrice-compliance audit " + id +
             " found " + n + " new violation" + (count == 1 ? "" : "s") + " in " + districtEn(district) +
             ". Please sign in to read the audit report and deal with them.\n\n" + footerEn + "\n";
    return m;
}

int Alerts::recordOverdue(store::Database& db, const std::string& today) const {
    int recorded = 0;
    store::MailOutbox outbox(db);
    // In pages, so that a backlog of overdue notices is worked through without holding much in memory.
    for (;;) {
        const auto notices = store::NoticeRepository(db).overdueWithoutAlert(today, 200);
        int added = 0;
        for (const auto& n : notices)
            if (outbox.enqueue(noticeOverdue(n, today))) ++added;
        recorded += added;
        if (notices.size() < 200 || added == 0) break;
    }
    if (recorded > 0) wake();
    return recorded;
}

} // namespace registry::service
