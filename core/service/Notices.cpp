#include "service/Notices.h"

#include "domain/Dates.h"
#include "service/Alerts.h"
#include "service/Inspections.h"
#include "service/Permissions.h"
#include "service/StoreErrors.h"

namespace registry::service {

namespace {
std::string statusZh(domain::NoticeStatus s) { return domain::zhName(s); }
} // namespace

domain::Notice Notices::dated(domain::Notice notice) const {
    notice.isOverdue = domain::overdue(notice, _today);
    return notice;
}

domain::Notice Notices::load(const Principal& who, long long id, Action action) {
    auto notice = store::NoticeRepository(_c.db).get(id);
    if (!notice) throw NotFound("notice");
    if (isOperator(who)) {
        // Only notices to its own facility; any other is not found.
        if (notice->subjectType != domain::SubjectType::Facility) throw NotFound("notice");
        requireFacility(who, Action::Read, notice->subjectId, notice->district);
        requireFacility(who, action, notice->subjectId, notice->district);
    } else {
        require(who, Action::Read, notice->district);
        require(who, action, notice->district);
    }
    return dated(std::move(*notice));
}

domain::Notice Notices::issue(const Principal& who, const DraftSource<domain::Notice>& source) {
    requireOwn(who, Action::IssueNotice);
    auto draft = source();
    auto& notice = draft.value;
    bool subjectDecoded = notice.subjectId > 0 && notice.subjectType != domain::SubjectType::Price;
    for (const auto& e : draft.decodeErrors)
        subjectDecoded = subjectDecoded && e.field != "subject_id" && e.field != "subject_type";
    if (subjectDecoded) requireIssuer(who, notice.subjectType, notice.subjectId);
    failIfInvalid(mergeErrors(std::move(draft.decodeErrors), domain::validateNew(notice, _today)));
    return dated(storeWrite<domain::Notice>(
        [&] { return store::NoticeRepository(_c.db).issue(notice, _today, who.username); }));
}

void Notices::requireIssuer(const Principal& who, domain::SubjectType type, long long subjectId) const {
    requireOwn(who, Action::IssueNotice);
    if (subjectId <= 0 || type == domain::SubjectType::Price) return;
    if (const auto district = Inspections(_c).subjectDistrict(type, subjectId))
        require(who, Action::IssueNotice, district);
}

domain::Notice Notices::get(const Principal& who, long long id) { return load(who, id, Action::Read); }

NoticeFilter Notices::scope(const Principal& who, NoticeFilter filter, const NoticeTiming& timing) const {
    if (isOperator(who)) {
        if (filter.district && filter.district != who.district) throw NotFound("notice");
        if ((filter.subjectType && filter.subjectType != domain::SubjectType::Facility) ||
            (filter.subjectId && filter.subjectId != who.facilityId))
            throw NotFound("notice");
        filter.district = who.district;
        filter.subjectType = domain::SubjectType::Facility;
        filter.subjectId = who.facilityId.value_or(0);
    } else {
        filter.district = listScope(who, filter.district);
    }
    if (timing.overdue) filter.overdueOn = _today;
    if (timing.dueWithinDays) {
        if (*timing.dueWithinDays < 1 || *timing.dueWithinDays > maxDueWithinDays)
            throw Invalid({{"due_within_days", "range", "due_within_days 须在 1 到 366 之间",
                            "due_within_days must be from 1 to 366"}});
        filter.dueFrom = _today;
        filter.dueBefore = domain::addDays(_today, *timing.dueWithinDays);
    }
    return filter;
}

Page<domain::Notice> Notices::listScoped(const NoticeFilter& scoped, const PageRequest& page) {
    auto found = store::NoticeRepository(_c.db).list(scoped, page);
    for (auto& n : found.items) n = dated(std::move(n));
    return found;
}

Page<domain::Notice> Notices::list(const Principal& who, NoticeFilter filter, const NoticeTiming& timing,
                                   const PageRequest& page) {
    return listScoped(scope(who, std::move(filter), timing), page);
}

domain::Notice Notices::respond(const Principal& who, long long id, const DraftSource<domain::NoticeResponse>& source) {
    const auto current = load(who, id, Action::AnswerNotice);
    if (current.status != domain::NoticeStatus::Issued)
        throw Conflict<domain::Notice>(current, "该通知当前为“" + statusZh(current.status) + "”，不能答复",
                                       "the notice is " + domain::toString(current.status) + "; it takes no answer now");
    auto draft = source();
    failIfInvalid(mergeErrors(std::move(draft.decodeErrors), domain::validate(draft.value)));
    // The district's users are told in the answer's own transaction.
    std::optional<store::MailDraft> alert;
    if (_c.alerts) alert = _c.alerts->noticeAnswered(current, draft.value, who.username);
    auto answered = dated(storeWrite<domain::Notice>(
        [&] { return store::NoticeRepository(_c.db).respond(id, draft.value, who.username, alert); }));
    if (_c.alerts) _c.alerts->wake();
    return answered;
}

domain::Notice Notices::verify(const Principal& who, long long id, const DraftSource<domain::NoticeVerification>& source) {
    const auto current = load(who, id, Action::VerifyNotice);
    if (current.status == domain::NoticeStatus::Verified)
        throw Conflict<domain::Notice>(current, "该通知已验收", "the notice is verified already");
    auto draft = source();
    failIfInvalid(mergeErrors(std::move(draft.decodeErrors), domain::validate(draft.value, _today)));
    return dated(storeWrite<domain::Notice>(
        [&] { return store::NoticeRepository(_c.db).verify(id, draft.value, who.username); }));
}

} // namespace registry::service
