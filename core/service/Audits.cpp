#include "service/Audits.h"

#include "audit/AuditReport.h"
#include "service/AuditService.h"
#include "domain/District.h"
#include "service/Permissions.h"
#include "service/Refusal.h"

namespace registry::service {

service::AuditService& Audits::service() {
    if (!_c.audits)
        throw Unavailable("本服务未加载插件，不能运行审计", "this server runs without plugins, so it cannot run audits");
    return *_c.audits;
}

domain::AuditRun Audits::start(const Principal& who, const DraftSource<std::optional<std::string>>& source) {
    requireOwn(who, Action::RunAudit);
    auto draft = source();
    auto district = draft.value;
    domain::Validator errors;
    for (auto& e : draft.decodeErrors) errors.add(e);
    if (district && !errors.has("district")) errors.district("district", *district, false);
    failIfInvalid(errors.take());
    if (!district) district = who.district;
    require(who, Action::RunAudit, district);
    return service().request(district, who.username);
}

domain::AuditRun Audits::runHere(const Principal& who, service::AuditService& here, const std::optional<std::string>& district,
                                 const std::function<void(long long, long long)>& progress) {
    if (district && !domain::findDistrict(*district))
        throw Invalid({{"district", "enum", "区代码无效:" + *district, "not a district code: " + *district}});
    const auto scope = district ? district : who.district;
    require(who, Action::RunAudit, scope);
    return here.runNow(scope, who.username, progress);
}

Page<domain::AuditRun> Audits::list(const Principal& who, AuditRunFilter filter, const PageRequest& page) {
    filter.district = listScope(who, filter.district);
    return store::AuditRunRepository(_c.db).list(filter, page);
}

domain::AuditRun Audits::get(const Principal& who, long long id) {
    auto run = store::AuditRunRepository(_c.db).get(id);
    if (!run) throw NotFound("audit");
    require(who, Action::Read, run->district);
    return std::move(*run);
}

domain::AuditRun Audits::latestSucceeded(const Principal& who) {
    auto run = store::AuditRunRepository(_c.db).latestSucceeded();
    if (!run) throw NotFound("succeeded audit");
    require(who, Action::Read, run->district);
    return std::move(*run);
}

bool Audits::mayCancel(const Principal& who, const domain::AuditRun& run) const {
    return !run.finished() && may(who, Action::RunAudit, run.district);
}

bool Audits::mayStart(const Principal& who) const { return mayOwn(who, Action::RunAudit); }

domain::AuditRun Audits::cancel(const Principal& who, long long id) {
    const auto run = get(who, id);
    require(who, Action::RunAudit, run.district);
    const bool asked = !run.finished() && service().cancel(run.id);
    auto current = store::AuditRunRepository(_c.db).get(run.id);
    if (!current) throw NotFound("audit");
    if (!asked && current->finished())
        throw Conflict<domain::AuditRun>(*current,
                                         "该审计已结束(" + domain::zhName(current->status) + ")，不能再取消",
                                         "the audit has finished (" + domain::toString(current->status) +
                                             "); there is nothing to cancel");
    return std::move(*current); // cancelled, or stopping at its next batch
}

Poco::JSON::Object::Ptr Audits::report(const Principal& who, long long id) { return report(who, get(who, id)); }

Poco::JSON::Object::Ptr Audits::report(const Principal& who, const domain::AuditRun& run) {
    require(who, Action::Read, run.district);
    if (run.status != domain::AuditStatus::Succeeded)
        throw Conflict<domain::AuditRun>(run,
                                         "审计 #" + std::to_string(run.id) + " 的状态是" + domain::zhName(run.status) +
                                             "，只有已完成的审计才有报告",
                                         "audit " + std::to_string(run.id) + " is " + domain::toString(run.status) +
                                             "; only a succeeded audit has a report");
    // A district principal sees their district's part of a citywide audit.
    return audit::reportJson(run, who.district);
}

} // namespace registry::service
