#include "service/Prices.h"

#include "service/RecordChecks.h"
#include "domain/Dates.h"
#include "domain/PriceItem.h"
#include "service/Permissions.h"
#include "service/StoreErrors.h"
#include "store/FacilityRepository.h"

#include <algorithm>

namespace registry::service {

namespace {
std::optional<std::string> facilityDistrict(Context& c, long long facilityId) {
    const auto facility = store::FacilityRepository(c.db).get(facilityId);
    if (!facility) return std::nullopt;
    return facility->district;
}

/// May `who` do `action` on the prices of `facilityId`? A facility that does not exist is not found.
void requireOnFacility(Context& c, const Principal& who, Action action, long long facilityId) {
    const auto district = facilityDistrict(c, facilityId);
    if (!district) throw NotFound("facility");
    requireFacility(who, action, facilityId, *district);
}

/// An operator's filing is a self-report: one that says it is something else is refused, saying why.
void fileAsSelfReport(domain::PriceRecord& price, domain::FieldErrors& decodeErrors) {
    constexpr auto selfReport = domain::PriceSource::SelfReport;
    const auto sourceError = std::find_if(decodeErrors.begin(), decodeErrors.end(),
                                          [](const auto& e) { return e.field == "source"; });
    if (sourceError != decodeErrors.end()) {
        if (sourceError->code == "required") decodeErrors.erase(sourceError); // left out: it is a self-report
    } else if (price.source != selfReport) {
        decodeErrors.push_back(domain::operatorSourceRefused(domain::toString(price.source)));
    }
    price.source = selfReport;
}
} // namespace

Page<domain::PriceRecord> Prices::list(const Principal& who, PriceFilter filter, const PageRequest& page) {
    if (isOperator(who)) {
        // Its own facility's prices, whatever else it asked for; naming another facility is not found.
        const long long own = who.facilityId.value_or(0);
        requireOnFacility(_c, who, Action::Read, filter.facilityId.value_or(own));
        if (filter.district && filter.district != who.district) throw NotFound("facility");
        filter.facilityId = own;
        filter.district.reset();
    } else {
        filter.district = listScope(who, filter.district);
    }
    return store::PriceRepository(_c.db).list(filter, page);
}

domain::PriceRecord Prices::get(const Principal& who, long long id) {
    auto price = store::PriceRepository(_c.db).get(id);
    if (!price) throw NotFound("price");
    requireOnFacility(_c, who, Action::Read, price->facilityId);
    return std::move(*price);
}

namespace {
/// One record made ready to store: its errors (decoding and validation), or a plugin's refusal, or the
/// verdict of the checks on it as it will be stored (run before any transaction begins).
struct Prepared {
    domain::FieldErrors errors;
    std::optional<std::string> refusal;
    service::RecordChecks::Verdict verdict;
};

Prepared prepare(Context& c, const Principal& who, domain::PriceRecord& price, domain::FieldErrors decodeErrors) {
    Prepared out;
    if (isOperator(who)) fileAsSelfReport(price, decodeErrors);
    out.errors = mergeErrors(std::move(decodeErrors), domain::validate(price));
    if (!out.errors.empty()) return out;
    if (price.unit.empty()) price.unit = domain::defaultUnit(price.item);
    if (!c.checks) return out;
    if ((out.refusal = c.checks->validatePrice(price))) return out;
    auto asStored = price;
    asStored.recordedBy = who.username;
    asStored.createdAt = domain::nowTimestamp();
    asStored.version = 1;
    asStored.effectiveTo.reset();
    asStored.supersededBy.reset();
    out.verdict = c.checks->checkPrice(asStored);
    return out;
}
} // namespace

Written<domain::PriceRecord> Prices::create(const Principal& who, const DraftSource<domain::PriceRecord>& source) {
    if (!isOperator(who)) requireOwn(who, Action::WriteRecord);
    auto draft = source();
    auto& price = draft.value;
    if (isOperator(who)) {
        // Its own facility (left out: its own), before any talk of fields; another is refused.
        if (price.facilityId <= 0) {
            price.facilityId = who.facilityId.value_or(0);
            auto& errors = draft.decodeErrors;
            errors.erase(std::remove_if(errors.begin(), errors.end(),
                                        [](const auto& e) { return e.field == "facility_id" && e.code == "required"; }),
                         errors.end());
        }
        requireFacility(who, Action::WriteRecord, price.facilityId, who.district.value_or(""));
    } else if (price.facilityId > 0) {
        if (const auto district = facilityDistrict(_c, price.facilityId))
            require(who, Action::WriteRecord, district);
    }
    auto prepared = prepare(_c, who, price, std::move(draft.decodeErrors));
    failIfInvalid(prepared.errors);
    if (prepared.refusal) throw RefusedByPlugin(*prepared.refusal);
    auto created = storeWrite<domain::PriceRecord>(
        [&] { return store::PriceRepository(_c.db).create(price, who.username, prepared.verdict.toStore); });
    return {std::move(created), std::move(prepared.verdict.reported)};
}

std::vector<Written<domain::PriceRecord>> Prices::fileList(const Principal& who, long long facilityId,
                                                           const DraftSource<std::vector<domain::PriceRecord>>& source) {
    requireOnFacility(_c, who, Action::WriteRecord, facilityId);
    auto draft = source();
    auto& prices = draft.value;
    domain::FieldErrors errors = std::move(draft.decodeErrors);
    if (prices.empty())
        errors.push_back({"prices", "required", "价格表中至少须填写一项价格", "the price list needs at least one price"});
    std::vector<Prepared> prepared;
    for (std::size_t i = 0; i < prices.size(); ++i) {
        prices[i].facilityId = facilityId;
        prepared.push_back(prepare(_c, who, prices[i], {}));
        const std::string prefix = "prices[" + std::to_string(i) + "]";
        for (auto e : prepared.back().errors) {
            e.field = prefix + "." + e.field;
            errors.push_back(std::move(e));
        }
        if (const auto& refusal = prepared.back().refusal)
            errors.push_back({prefix, "refused_by_plugin", *refusal, *refusal});
    }
    failIfInvalid(errors);
    std::vector<store::PriceRepository::NewPrice> rows;
    for (std::size_t i = 0; i < prices.size(); ++i) rows.push_back({prices[i], prepared[i].verdict.toStore});
    // One transaction for the whole list: all of it is on file, or none of it.
    const auto stored = storeWrite<domain::PriceRecord>(
        [&] { return store::PriceRepository(_c.db).createMany(rows, who.username); });
    std::vector<Written<domain::PriceRecord>> out;
    for (std::size_t i = 0; i < stored.size(); ++i) out.push_back({stored[i], std::move(prepared[i].verdict.reported)});
    return out;
}

std::vector<domain::PriceRecord> Prices::currentForFacility(const Principal& who, long long facilityId) {
    requireOnFacility(_c, who, Action::Read, facilityId);
    return store::PriceRepository(_c.db).currentForFacility(facilityId);
}

std::vector<domain::PriceRecord> Prices::history(const Principal& who, long long facilityId, const std::string& item) {
    requireOnFacility(_c, who, Action::Read, facilityId);
    return store::PriceRepository(_c.db).history(facilityId, item);
}

Page<domain::ReferencePrice> ReferencePrices::list(const Principal&, const ReferencePriceFilter& filter,
                                                   const PageRequest& page) {
    // Caps are public knowledge within the bureau: every signed-in role reads every district's.
    return store::ReferencePriceRepository(_c.db).list(filter, page);
}

domain::ReferencePrice ReferencePrices::get(const Principal&, long long id) {
    auto reference = store::ReferencePriceRepository(_c.db).get(id);
    if (!reference) throw NotFound("reference price");
    return std::move(*reference);
}

domain::ReferencePrice ReferencePrices::create(const Principal& who, const DraftSource<domain::ReferencePrice>& source) {
    requireOwn(who, Action::WriteReference);
    auto draft = source();
    failIfInvalid(mergeErrors(std::move(draft.decodeErrors), domain::validate(draft.value)));
    require(who, Action::WriteReference, draft.value.district);
    return storeWrite<domain::ReferencePrice>(
        [&] { return store::ReferencePriceRepository(_c.db).create(draft.value, who.username); });
}

domain::ReferencePrice ReferencePrices::update(const Principal& who, long long id,
                                               const DraftSource<domain::ReferencePrice>& source) {
    requireOwn(who, Action::WriteReference);
    store::ReferencePriceRepository references(_c.db);
    const auto current = references.get(id);
    if (!current) throw NotFound("reference price");
    require(who, Action::WriteReference, current->district);
    auto draft = source();
    failIfInvalid(mergeErrors(std::move(draft.decodeErrors), domain::validate(draft.value)));
    require(who, Action::WriteReference, draft.value.district);
    draft.value.id = id;
    return storeWrite<domain::ReferencePrice>(
        [&] { return references.update(draft.value, draft.expectedVersion, who.username); });
}

} // namespace registry::service
