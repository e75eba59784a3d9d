// /api/v1/burial-sites: historical burial sites and scattered graves, their forward-only rectification
// status, and the append-only progress log.

#include "codec/RecordDecode.h"
#include "domain/Dates.h"
#include "http/Api.h"
#include "http/Responses.h"
#include "store/BurialSiteRepository.h"

namespace registry::http {

using auth::Action;
using domain::BurialSiteStatus;

void addBurialSiteRoutes(Router& router, ApiContext& context) {
    router.add("GET", "/api/v1/burial-sites", [&context](Exchange& ex) {
        store::BurialSiteFilter filter;
        filter.district = ex.listDistrict(districtParam(ex));
        filter.kind = ex.queryEnum<domain::BurialSiteKind>("kind");
        filter.status = ex.queryEnum<BurialSiteStatus>("status");
        filter.measure = ex.queryEnum<domain::Measure>("measure");
        filter.overdueOnly = ex.queryFlag("overdue");
        const auto page = store::BurialSiteRepository(context.db, context.window).list(filter, ex.page());
        Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
        for (const auto& s : page.items) items->add(codec::toJson(s));
        ex.sendPage(items, page.nextAfterId);
    });

    router.add("POST", "/api/v1/burial-sites", [&context](Exchange& ex) {
        ex.require(Action::WriteRecord);
        const auto body = ex.jsonBody();
        domain::Validator errors;
        auto site = codec::decodeBurialSite(*body, errors);
        if (site.targetDate.empty()) site.targetDate = context.window.end;
        failIfInvalid(errors, domain::validate(site, context.window));
        ex.require(Action::WriteRecord, site.district);
        if (site.status == BurialSiteStatus::Accepted) ex.require(Action::AcceptBurialSite, site.district);
        if (context.checks)
            if (auto refusal = context.checks->validateBurialSite(site)) throw pluginRefusal(*refusal);
        const auto created = store::BurialSiteRepository(context.db, context.window).create(site, ex.principal().username);
        auto out = codec::toJson(created);
        out->set("checks", context.checks ? context.checks->checkBurialSite(created) : Poco::JSON::Array::Ptr(new Poco::JSON::Array));
        ex.response().set("Location", "/api/v1/burial-sites/" + std::to_string(created.id));
        ex.sendRecord(201, out, created.version);
    });

    router.add("GET", "/api/v1/burial-sites/{id}", [&context](Exchange& ex) {
        const auto site = store::BurialSiteRepository(context.db, context.window).get(ex.id());
        if (!site) throw HttpError::notFound(ex.request().getURI());
        ex.require(Action::Read, site->district);
        ex.sendRecord(200, codec::toJson(*site), site->version);
    });

    router.add("PUT", "/api/v1/burial-sites/{id}", [&context](Exchange& ex) {
        store::BurialSiteRepository sites(context.db, context.window);
        const auto current = sites.get(ex.id());
        if (!current) throw HttpError::notFound(ex.request().getURI());
        ex.require(Action::WriteRecord, current->district);
        const long long expected = ex.ifMatch();
        const auto body = ex.jsonBody();
        domain::Validator errors;
        auto changed = codec::decodeBurialSite(*body, errors);
        if (changed.targetDate.empty()) changed.targetDate = current->targetDate;
        auto validation = domain::validate(changed, context.window);
        if (auto err = domain::checkStatusChange(current->status, changed.status)) validation.push_back(*err);
        failIfInvalid(errors, validation);
        ex.require(Action::WriteRecord, changed.district);
        if (changed.status == BurialSiteStatus::Accepted && current->status != BurialSiteStatus::Accepted)
            ex.require(Action::AcceptBurialSite, changed.district);
        changed.id = current->id;
        changed.gravesHandled = current->gravesHandled;
        if (context.checks)
            if (auto refusal = context.checks->validateBurialSite(changed)) throw pluginRefusal(*refusal);
        try {
            const auto updated = sites.update(changed, expected, ex.principal().username);
            auto out = codec::toJson(updated);
            out->set("checks", context.checks ? context.checks->checkBurialSite(updated) : Poco::JSON::Array::Ptr(new Poco::JSON::Array));
            ex.sendRecord(200, out, updated.version);
        } catch (const store::Conflict<domain::BurialSite>& e) {
            throw conflict(e.current());
        }
    });

    router.add("GET", "/api/v1/burial-sites/{id}/progress", [&context](Exchange& ex) {
        store::BurialSiteRepository sites(context.db, context.window);
        const auto site = sites.get(ex.id());
        if (!site) throw HttpError::notFound(ex.request().getURI());
        ex.require(Action::Read, site->district);
        Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
        for (const auto& e : sites.progress(site->id)) items->add(codec::toJson(e));
        Poco::JSON::Object::Ptr body = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        body->set("items", items);
        body->set("next_cursor", Poco::Dynamic::Var());
        ex.sendJson(200, body);
    });

    router.add("POST", "/api/v1/burial-sites/{id}/progress", [&context](Exchange& ex) {
        store::BurialSiteRepository sites(context.db, context.window);
        const auto site = sites.get(ex.id());
        if (!site) throw HttpError::notFound(ex.request().getURI());
        ex.require(Action::WriteRecord, site->district);
        const auto body = ex.jsonBody();
        domain::Validator errors;
        auto entry = codec::decodeProgressEntry(*body, errors);
        entry.siteId = site->id;
        failIfInvalid(errors, domain::validate(entry, *site));
        if (entry.status == BurialSiteStatus::Accepted && site->status != BurialSiteStatus::Accepted)
            ex.require(Action::AcceptBurialSite, site->district);
        if (context.checks) {
            // The site as it will be after this entry is what the district's rules judge.
            auto future = *site;
            future.gravesHandled += entry.gravesHandled;
            if (entry.status) future.status = *entry.status;
            if (auto refusal = context.checks->validateBurialSite(future)) throw pluginRefusal(*refusal);
        }
        const auto [stored, after] = sites.appendProgress(entry, ex.principal().username);
        Poco::JSON::Object::Ptr out = codec::toJson(stored);
        out->set("site", codec::toJson(after));
        out->set("checks", context.checks ? context.checks->checkBurialSite(after) : Poco::JSON::Array::Ptr(new Poco::JSON::Array));
        ex.response().set("ETag", "\"" + std::to_string(after.version) + "\"");
        ex.sendJson(201, out);
    });
}

} // namespace registry::http
