#include "service/Changes.h"

#include "service/Permissions.h"
#include "service/Refusal.h"
#include "store/BurialSiteRepository.h"
#include "store/FacilityRepository.h"

#include <Poco/JSON/Parser.h>

namespace registry::service {

namespace {
Poco::JSON::Object::Ptr parseObject(const std::optional<std::string>& text) {
    if (!text) return nullptr;
    try {
        Poco::JSON::Parser parser;
        return parser.parse(*text).extract<Poco::JSON::Object::Ptr>();
    } catch (const Poco::Exception&) {
        return nullptr;
    }
}
ChangeFilter recordFilter(const std::string& entity, long long id) {
    ChangeFilter filter;
    filter.entity = entity;
    filter.entityId = id;
    return filter;
}

PageRequest fullPage() {
    PageRequest page;
    page.limit = store::maxPageLimit;
    return page;
}
} // namespace

Page<ChangeEntry> Changes::list(const Principal& who, const ChangeFilter& filter, const PageRequest& page) {
    require(who, Action::ReadChangeLog, std::nullopt);
    return store::ChangeLog(_c.db).list(filter, page);
}

void Changes::requireReadable(const Principal& who, const std::string& entity, long long id) {
    std::optional<std::string> district;
    if (entity == "facility") {
        const auto f = store::FacilityRepository(_c.db).get(id);
        if (!f) throw NotFound("facility");
        district = f->district;
    } else if (entity == "burial_site") {
        const auto s = store::BurialSiteRepository(_c.db, _c.window).get(id);
        if (!s) throw NotFound("burial site");
        district = s->district;
    } else {
        // Other records' histories span districts only through the whole log.
        require(who, Action::ReadChangeLog, std::nullopt);
        return;
    }
    require(who, Action::Read, district);
}

std::vector<ChangeEntry> Changes::ofRecord(const Principal& who, const std::string& entity, long long id) {
    requireReadable(who, entity, id);
    return store::ChangeLog(_c.db).list(recordFilter(entity, id), fullPage()).items;
}

Poco::JSON::Object::Ptr Changes::recordAtVersion(const Principal& who, const std::string& entity, long long id,
                                                 long long version) {
    requireReadable(who, entity, id);
    const auto filter = recordFilter(entity, id);
    auto page = fullPage();
    store::ChangeLog log(_c.db);
    for (;;) {
        const auto result = log.list(filter, page);
        for (const auto& e : result.items) {
            const auto after = parseObject(e.afterJson);
            if (after && after->has("version") && after->getValue<long long>("version") == version) return after;
        }
        if (!result.nextAfterId) return nullptr;
        page.afterId = *result.nextAfterId;
    }
}

} // namespace registry::service
