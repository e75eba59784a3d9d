#include "store/InspectionRepository.h"

#include "codec/RecordJson.h"
#include "domain/Dates.h"
#include "store/AttachmentRepository.h"
#include "store/BurialSiteRepository.h"
#include "store/ChangeLog.h"
#include "store/Errors.h"
#include "store/FacilityRepository.h"
#include "store/SqlQuery.h"
#include "store/Subjects.h"

#include <Poco/JSON/Parser.h>

namespace registry::store {

using domain::Inspection;

namespace {

const char* const selectColumns = "SELECT id, subject_type, subject_id, district, inspection_date, result, checklist, "
                                   "notes, inspector, created_at, version FROM inspections";

std::vector<Inspection> fetchAll(soci::session& sql, SqlQuery& q) {
    Inspection i;
    std::string subjectType, result;
    soci::statement st(sql);
    st.exchange(soci::into(i.id));
    st.exchange(soci::into(subjectType));
    st.exchange(soci::into(i.subjectId));
    st.exchange(soci::into(i.district));
    st.exchange(soci::into(i.date));
    st.exchange(soci::into(result));
    st.exchange(soci::into(i.checklistJson));
    st.exchange(soci::into(i.notes));
    st.exchange(soci::into(i.inspector));
    st.exchange(soci::into(i.createdAt));
    st.exchange(soci::into(i.version));
    q.prepareInto(st);
    st.execute();
    std::vector<Inspection> out;
    std::vector<long long> ids;
    while (st.fetch()) {
        i.subjectType = domain::parseEnum<domain::SubjectType>(subjectType).value_or(domain::SubjectType::Facility);
        i.result = domain::parseEnum<domain::InspectionResult>(result).value_or(domain::InspectionResult::Pass);
        out.push_back(i);
        ids.push_back(i.id);
    }
    auto files = AttachmentRepository::ownedBy(sql, "inspection", ids);
    for (auto& inspection : out) inspection.attachments = std::move(files[inspection.id]);
    return out;
}

} // namespace

Inspection InspectionRepository::create(const Inspection& input, const std::string& actor) {
    return retryConflicts([&]() -> Inspection {
        domain::Validator v;
        for (auto& e : domain::validate(input)) v.add(std::move(e));
        Inspection i = input;
        Database::Session session(_db);
        auto& sql = session.sql();
        Transaction tx(session);
        if (!v.has("subject_id") && !v.has("subject_type")) {
            const auto district = subjectDistrict(session, i.subjectType, i.subjectId);
            if (district)
                i.district = *district;
            else
                v.add("subject_id", "not_found", "检查对象不存在(编号 " + std::to_string(i.subjectId) + ")",
                      "subject " + domain::toString(i.subjectType) + " " + std::to_string(i.subjectId) + " does not exist");
        }
        if (!v.has("checklist")) {
            try {
                if (Poco::JSON::Parser().parse(i.checklistJson.empty() ? "{}" : i.checklistJson).type() !=
                    typeid(Poco::JSON::Object::Ptr))
                    throw Poco::JSON::JSONException("not an object");
            } catch (const Poco::Exception&) {
                v.add("checklist", "format", "检查清单须为 JSON 对象(检查项 → 结果)",
                      "checklist must be a JSON object of check to answer");
            }
        }
        if (!v.ok()) throw ValidationFailed(v.take());
        i.inspector = actor;
        i.createdAt = domain::nowTimestamp();
        i.version = 1;
        const std::string subjectType = domain::toString(i.subjectType), result = domain::toString(i.result);
        sql << "INSERT INTO inspections (subject_type, subject_id, district, inspection_date, result, checklist, notes, "
               "inspector, created_at, version) VALUES (:type, :subject, :district, :date, :result, :checklist, :notes, "
               ":inspector, :created, 1)",
            soci::use(subjectType), soci::use(i.subjectId), soci::use(i.district), soci::use(i.date), soci::use(result),
            soci::use(i.checklistJson), soci::use(i.notes), soci::use(i.inspector), soci::use(i.createdAt);
        i.id = Database::lastInsertId(sql, "inspections");
        AttachmentRepository::attachIn(sql, i.attachmentIds, "inspection", i.id, i.district,
                                       domain::AttachmentPurpose::Inspection, actor);
        i.attachments = std::move(AttachmentRepository::ownedBy(sql, "inspection", {i.id})[i.id]);
        ChangeLog::append(sql, actor, "create", "inspection", i.id, std::nullopt, codec::stringify(codec::toJson(i)));
        tx.commit();
        return i;
    });
}

std::optional<Inspection> InspectionRepository::get(long long id) {
    Database::Session session(_db);
    SqlQuery q(selectColumns);
    q.where("id = " + q.bind(id));
    return firstRow(fetchAll(session.sql(), q));
}

Page<Inspection> InspectionRepository::list(const InspectionFilter& filter, const PageRequest& page) {
    Database::Session session(_db);
    SqlQuery q(selectColumns);
    if (filter.subjectType) q.where("subject_type = " + q.bind(domain::toString(*filter.subjectType)));
    if (filter.subjectId) q.where("subject_id = " + q.bind(*filter.subjectId));
    if (filter.district) q.where("district = " + q.bind(*filter.district));
    const int limit = q.paginate(page, "id");
    return makePage(fetchAll(session.sql(), q), limit);
}

} // namespace registry::store
