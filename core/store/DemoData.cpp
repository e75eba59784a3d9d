#include "store/DemoData.h"

#include "codec/RecordJson.h"
#include "domain/Dates.h"
#include "domain/District.h"
#include "domain/PriceItem.h"

#include <Poco/JSON/Object.h>

#include <random>
#include <stdexcept>

namespace registry::store {

using namespace registry::domain;

namespace {

// mt19937_64's output sequence is fixed by the C++ standard; the std distributions are not, so values are
// drawn with plain modulo arithmetic to stay identical across standard libraries.
class Random {
public:
    explicit Random(std::uint64_t seed) : _engine(seed) {}
    std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : _engine() % n; }
    long long between(long long lo, long long hi) { return lo + static_cast<long long>(below(static_cast<std::uint64_t>(hi - lo + 1))); }
    bool chance(int percent) { return below(100) < static_cast<std::uint64_t>(percent); }
    double jitter(double spread) { return (static_cast<double>(below(2000001)) / 1000000.0 - 1.0) * spread; }
    template <class T> const T& pick(const std::vector<T>& v) { return v[below(v.size())]; }

private:
    std::mt19937_64 _engine;
};

struct Centre {
    double lat, lon;
};

Centre centreOf(const std::string& code) {
    static const std::vector<std::pair<std::string, Centre>> centres{
        {"110101", {39.93, 116.42}}, {"110102", {39.91, 116.37}}, {"110105", {39.95, 116.49}},
        {"110106", {39.86, 116.29}}, {"110107", {39.91, 116.22}}, {"110108", {39.96, 116.30}},
        {"110109", {39.94, 116.10}}, {"110111", {39.75, 116.14}}, {"110112", {39.91, 116.66}},
        {"110113", {40.13, 116.65}}, {"110114", {40.22, 116.23}}, {"110115", {39.73, 116.34}},
        {"110116", {40.32, 116.63}}, {"110117", {40.14, 117.12}}, {"110118", {40.38, 116.84}},
        {"110119", {40.46, 115.97}},
    };
    for (const auto& [c, centre] : centres)
        if (c == code) return centre;
    return {39.9, 116.4};
}

const std::vector<std::string> placeNames{"温泉", "西山", "长青", "福田", "万安", "金山", "华夏", "天寿", "静安",
                                          "永安", "常青", "怀思", "仙居", "松柏", "龙泉", "凤凰", "桃园", "古城",
                                          "南山", "北岭", "东湖", "青龙", "白鹤", "紫云"};
const std::vector<std::string> townships{"城关镇", "东风街道", "新华街道", "马坊镇", "王平镇", "大石窝镇",
                                         "十三陵镇", "长辛店镇", "台湖镇", "庙城镇", "康庄镇", "峪口镇"};

// Per 50 facilities of a district: how many of each kind.
const std::vector<std::pair<FacilityKind, int>> kindMix{
    {FacilityKind::FuneralHome, 3},          {FacilityKind::Crematorium, 2},
    {FacilityKind::OperatingCemetery, 10},   {FacilityKind::PublicWelfareCemetery, 10},
    {FacilityKind::RuralPublicWelfareCemetery, 12}, {FacilityKind::Columbarium, 7},
    {FacilityKind::FuneralServiceStation, 6},
};

std::vector<std::string> itemsFor(FacilityKind kind) {
    switch (kind) {
    case FacilityKind::FuneralHome:
        return {"basic.transport", "basic.storage", "basic.cremation", "basic.ash_storage", "ext.farewell_hall",
                "ext.cosmetic",    "ext.embalming", "goods.urn",       "goods.shroud",      "goods.wreath"};
    case FacilityKind::Crematorium: return {"basic.transport", "basic.cremation", "basic.ash_storage", "goods.urn"};
    case FacilityKind::Columbarium:
        return {"cemetery.niche", "basic.ash_storage", "cemetery.maintenance", "goods.urn"};
    case FacilityKind::FuneralServiceStation:
        return {"basic.transport", "basic.storage", "goods.shroud", "goods.wreath", "ext.cosmetic"};
    default: return {"cemetery.plot", "cemetery.niche", "cemetery.maintenance", "goods.urn", "goods.wreath"};
    }
}

// Illustrative typical amounts in fen; some records go above the illustrative caps on purpose.
long long typicalFen(const std::string& item, FacilityKind kind) {
    if (item == "basic.transport") return 20000;
    if (item == "basic.storage") return 3000;
    if (item == "basic.cremation") return 60000;
    if (item == "basic.ash_storage") return 10000;
    if (item == "ext.farewell_hall") return 80000;
    if (item == "ext.cosmetic") return 30000;
    if (item == "ext.embalming") return 40000;
    if (item == "cemetery.plot") {
        if (kind == FacilityKind::RuralPublicWelfareCemetery) return 0;
        return kind == FacilityKind::OperatingCemetery ? 8000000 : 1500000;
    }
    if (item == "cemetery.niche") return 300000;
    if (item == "cemetery.maintenance") return 5000;
    if (item == "goods.urn") return 80000;
    if (item == "goods.shroud") return 60000;
    return 15000; // wreath
}

const std::string illustrativeBasis = "示例数据,非官方限价 (illustrative demo value, not an official cap)";

} // namespace

bool registryIsEmpty(Database& db) {
    Database::Session session(db);
    for (const char* table : {"facilities", "burial_sites", "price_records"}) {
        long long any = 0;
        session.sql() << std::string("SELECT COUNT(*) FROM (SELECT id FROM ") + table + " LIMIT 1) t", soci::into(any);
        if (any > 0) return false;
    }
    return true;
}

DemoDataReport loadDemoData(Database& db, const DemoDataOptions& options) {
    if (options.scale < 1 || options.scale > 1000) throw std::invalid_argument("scale must be between 1 and 1000");
    const auto windowStart = parseDate(options.window.start), windowEnd = parseDate(options.window.end);
    if (!windowStart || !windowEnd || *windowEnd < *windowStart)
        throw std::invalid_argument("the plan window must be two dates, start before end");
    const std::string today = options.today.empty() ? todayUtc() : options.today;
    const long long todayDays = *parseDate(today);
    const auto& all = districts();
    const std::size_t facilitiesPerDistrict = 50 * static_cast<std::size_t>(options.scale);
    const std::size_t sitesPerDistrict = 62 * static_cast<std::size_t>(options.scale);
    const std::size_t expected = all.size() * (facilitiesPerDistrict * 14 + sitesPerDistrict * 2);

    auto writer = BulkWriter::open(db, options.strategy);
    for (const char* table : {"facilities", "burial_sites", "price_records"})
        if (writer->maxId(table) != 0)
            throw std::runtime_error(std::string("the registry already holds ") + table +
                                     ": demo data is only loaded into an empty registry");

    Random rng(options.seed);
    DemoDataReport report;
    const std::string now = nowTimestamp();
    std::size_t written = 0;
    auto tick = [&](std::size_t n) {
        written += n;
        if (options.progress && (written % 5000 < n)) options.progress(std::min(written, expected), expected);
    };

    // Facilities and, per facility, the chains of price records.
    struct PendingPrice {
        long long facilityId;
        std::string item;
        FacilityKind kind;
    };
    std::vector<PendingPrice> priceChains;
    writer->setTable("facilities", {{"id", ColumnType::Integer}, {"code", ColumnType::Text}, {"name", ColumnType::Text},
                                    {"kind", ColumnType::Text}, {"district", ColumnType::Text},
                                    {"address", ColumnType::Text}, {"operator", ColumnType::Text},
                                    {"approval_no", ColumnType::Text}, {"status", ColumnType::Text},
                                    {"plan_action", ColumnType::Text}, {"plan_phase", ColumnType::Text},
                                    {"capacity_total", ColumnType::Integer}, {"capacity_used", ColumnType::Integer},
                                    {"area_m2", ColumnType::Real}, {"lat", ColumnType::Real}, {"lon", ColumnType::Real},
                                    {"notes", ColumnType::Text}, {"version", ColumnType::Integer},
                                    {"created_at", ColumnType::Text}, {"updated_at", ColumnType::Text}});
    long long facilityId = 0;
    for (const auto& d : all) {
        const Centre centre = centreOf(d.code);
        std::size_t n = 0;
        for (std::size_t round = 0; n < facilitiesPerDistrict; ++round)
            for (const auto& [kind, count] : kindMix)
                for (int k = 0; k < count && n < facilitiesPerDistrict; ++k, ++n) {
                    ++facilityId;
                    char code[32];
                    std::snprintf(code, sizeof code, "F-%s-%04zu", d.code.c_str(), n + 1);
                    const std::string place = rng.pick(placeNames);
                    std::string name = d.nameZh + place + zhName(kind);
                    if (round > 0 || k > 0) name += "(" + std::to_string(n + 1) + "号)";
                    const bool cemetery = kind == FacilityKind::OperatingCemetery ||
                                          kind == FacilityKind::PublicWelfareCemetery ||
                                          kind == FacilityKind::RuralPublicWelfareCemetery ||
                                          kind == FacilityKind::Columbarium;
                    auto status = rng.chance(85) ? FacilityStatus::Operating
                                                 : allEnumValues<FacilityStatus>()[rng.below(5)];
                    // The plan allows no new funeral homes; a few demo records break that for plugins to find.
                    PlanAction action = kind == FacilityKind::FuneralHome && rng.chance(90)
                                            ? PlanAction::Retain
                                            : allEnumValues<PlanAction>()[rng.below(6)];
                    const auto phase = allEnumValues<PlanPhase>()[rng.below(3)];
                    BulkValue capTotal, capUsed;
                    if (cemetery) {
                        const long long total = rng.between(500, 20000);
                        capTotal = total;
                        capUsed = rng.between(0, total);
                    }
                    writer->addRow({facilityId, std::string(code), name, toString(kind), d.code,
                                    "北京市" + d.nameZh + rng.pick(townships) + place + "路" +
                                        std::to_string(rng.between(1, 300)) + "号",
                                    place + "殡葬服务有限公司", "京民殡批〔" + std::to_string(rng.between(2005, 2021)) +
                                                                 "〕" + std::to_string(rng.between(1, 99)) + "号",
                                    toString(status), toString(action), toString(phase), capTotal, capUsed,
                                    static_cast<double>(rng.between(2000, 200000)),
                                    centre.lat + rng.jitter(0.05), centre.lon + rng.jitter(0.05),
                                    std::string("演示数据"), 1LL, now, now});
                    for (const auto& item : itemsFor(kind)) priceChains.push_back({facilityId, item, kind});
                    // An unauthorised fee item at a few facilities, for the plugins to flag.
                    if (rng.chance(3)) priceChains.push_back({facilityId, "fee.service_misc", kind});
                    ++report.facilities;
                    tick(1);
                }
        writer->execute("UPDATE code_sequences SET next_value = " + std::to_string(n + 1) + " WHERE scope = 'F-" +
                        d.code + "'");
    }

    // Burial sites with a progress log consistent with their status (and a few that are not).
    writer->setTable("burial_sites",
                     {{"id", ColumnType::Integer}, {"code", ColumnType::Text}, {"kind", ColumnType::Text},
                      {"district", ColumnType::Text}, {"township", ColumnType::Text}, {"village", ColumnType::Text},
                      {"location", ColumnType::Text}, {"lat", ColumnType::Real}, {"lon", ColumnType::Real},
                      {"grave_count", ColumnType::Integer}, {"zones", ColumnType::Text},
                      {"protected_relic", ColumnType::Integer}, {"measure", ColumnType::Text},
                      {"status", ColumnType::Text}, {"target_date", ColumnType::Text},
                      {"responsible_unit", ColumnType::Text}, {"version", ColumnType::Integer},
                      {"created_at", ColumnType::Text}, {"updated_at", ColumnType::Text}});
    struct PendingProgress {
        long long siteId;
        long long graves;
        BurialSiteStatus status;
        std::string targetDate;
    };
    std::vector<PendingProgress> progress;
    long long siteId = 0;
    for (const auto& d : all) {
        const Centre centre = centreOf(d.code);
        for (std::size_t n = 0; n < sitesPerDistrict; ++n) {
            ++siteId;
            char code[32];
            std::snprintf(code, sizeof code, "B-%s-%05zu", d.code.c_str(), n + 1);
            const auto kind = rng.chance(40) ? BurialSiteKind::HistoricalBurialPoint : BurialSiteKind::ScatteredGraves;
            const auto status = allEnumValues<BurialSiteStatus>()[rng.below(5)];
            const long long graves = kind == BurialSiteKind::ScatteredGraves ? rng.between(1, 12) : rng.between(10, 400);
            std::vector<Zone> zones;
            for (auto z : allEnumValues<Zone>())
                if (rng.chance(18)) zones.push_back(z);
            const bool relic = rng.chance(3);
            BulkValue measure;
            if (status != BurialSiteStatus::Surveyed || rng.chance(30))
                measure = toString(relic ? Measure::RetainProtect : allEnumValues<Measure>()[rng.below(5)]);
            const std::string target = formatDate(*windowStart + static_cast<long long>(rng.below(
                                                                     static_cast<std::uint64_t>(*windowEnd - *windowStart + 1))));
            const std::string village = rng.pick(placeNames) + "村";
            writer->addRow({siteId, std::string(code), toString(kind), d.code, rng.pick(townships), village,
                            village + (kind == BurialSiteKind::ScatteredGraves ? "村北散坟" : "历史埋葬点"),
                            centre.lat + rng.jitter(0.08), centre.lon + rng.jitter(0.08), graves, joinZones(zones),
                            relic ? 1LL : 0LL, measure, toString(status), target, d.nameZh + "民政局",
                            1LL, now, now});
            progress.push_back({siteId, graves, status, target});
            ++report.burialSites;
            tick(1);
        }
        writer->execute("UPDATE code_sequences SET next_value = " + std::to_string(sitesPerDistrict + 1) +
                        " WHERE scope = 'B-" + d.code + "'");
    }

    writer->setTable("burial_site_progress",
                     {{"site_id", ColumnType::Integer}, {"entry_date", ColumnType::Text},
                      {"graves_handled", ColumnType::Integer}, {"status", ColumnType::Text},
                      {"note", ColumnType::Text}, {"recorded_by", ColumnType::Text}, {"created_at", ColumnType::Text}});
    for (const auto& p : progress) {
        const int steps = static_cast<int>(p.status);
        if (steps == 0) continue;
        long long handled = 0;
        const long long finalHandled = p.status >= BurialSiteStatus::Completed
                                           ? (rng.chance(5) ? p.graves / 2 : p.graves) // a few inconsistent ones
                                           : (p.status == BurialSiteStatus::InProgress ? p.graves / 3 : 0);
        long long date = std::min<long long>(*parseDate(p.targetDate), todayDays) - 30 * steps;
        for (int s = 1; s <= steps; ++s) {
            const auto status = static_cast<BurialSiteStatus>(s);
            const long long graves = s == std::min(steps, 3) ? finalHandled - handled : 0;
            handled += graves;
            writer->addRow({p.siteId, formatDate(std::min(date, todayDays)), graves, toString(status),
                            std::string("演示数据:") + zhName(status), std::string("demo"), now});
            date += 30;
            ++report.progressEntries;
        }
        tick(1);
    }

    // Price records: chains of 1–4 per facility and item, newest inserted first so that each older record's
    // superseded_by already exists when it is written (MySQL checks foreign keys row by row).
    writer->setTable("price_records", priceRecordColumns());
    long long priceId = 0;
    for (const auto& chain : priceChains) {
        const int length = static_cast<int>(rng.between(1, 4));
        const auto* catalogue = findPriceItem(chain.item);
        const std::string unit = catalogue ? catalogue->unit : "per_item";
        const long long base = catalogue ? typicalFen(chain.item, chain.kind) : 20000;
        std::vector<std::string> starts;
        long long day = *parseDate("2019-01-01") + rng.between(0, 700);
        for (int k = 0; k < length && day < todayDays; ++k) {
            starts.push_back(formatDate(day));
            day += rng.between(120, 500);
        }
        const long long firstId = priceId + 1;
        priceId += static_cast<long long>(starts.size());
        // Drawn newest first; written once the chain is whole, so that an inspection that follows the
        // facility's own filing can see what was filed: nine in ten find the filed price (the tenth is what
        // common.filed-price-mismatch is for).
        std::vector<std::vector<BulkValue>> rows(starts.size());
        for (int k = static_cast<int>(starts.size()) - 1; k >= 0; --k) {
            const long long id = firstId + k;
            long long amount = base == 0 ? (rng.chance(10) ? 500000 : 0) : base * (90 + rng.between(0, 25)) / 100;
            if (rng.chance(4)) amount = amount * 3 / 2; // above the illustrative cap
            BulkValue to, supersededBy, area, term;
            if (k + 1 < static_cast<int>(starts.size())) {
                to = addDays(starts[static_cast<std::size_t>(k) + 1], -1);
                supersededBy = id + 1;
            }
            if (chain.item == "cemetery.plot") {
                area = rng.chance(10) ? 2.5 : 0.8 + static_cast<double>(rng.below(3)) / 10.0;
                term = rng.chance(5) ? 50LL : 20LL;
            }
            rows[static_cast<std::size_t>(k)] = {id, chain.facilityId, chain.item, amount, unit,
                                                  starts[static_cast<std::size_t>(k)], to, rng.chance(95) ? 1LL : 0LL,
                                                  rng.chance(3) ? 1LL : 0LL, area, term,
                                                  toString(rng.chance(70) ? PriceSource::Inspection : PriceSource::SelfReport),
                                                  std::string(""), supersededBy, std::string("demo"), now, 1LL};
        }
        constexpr std::size_t amountColumn = 3, sourceColumn = 11;
        const std::string inspection = toString(PriceSource::Inspection), selfReport = toString(PriceSource::SelfReport);
        for (std::size_t k = 1; k < rows.size(); ++k)
            if (rows[k][sourceColumn] == BulkValue(inspection) && rows[k - 1][sourceColumn] == BulkValue(selfReport) &&
                (firstId + static_cast<long long>(k)) % 10 != 0)
                rows[k][amountColumn] = rows[k - 1][amountColumn];
        for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
            writer->addRow(*it);
            ++report.prices;
        }
        tick(starts.size());
    }

    writer->setTable("reference_prices",
                     {{"item", ColumnType::Text}, {"district", ColumnType::Text}, {"cap_fen", ColumnType::Integer},
                      {"effective_from", ColumnType::Text}, {"effective_to", ColumnType::Text},
                      {"basis", ColumnType::Text}, {"version", ColumnType::Integer}, {"created_at", ColumnType::Text},
                      {"updated_at", ColumnType::Text}});
    for (const auto& item : priceItems()) {
        if (item.regime == PriceRegime::Market && item.category != PriceCategory::Cemetery) continue;
        const long long cap = typicalFen(item.code, FacilityKind::PublicWelfareCemetery) * 110 / 100;
        writer->addRow({item.code, BulkValue{}, cap, std::string("2019-01-01"), BulkValue{}, illustrativeBasis, 1LL,
                        now, now});
        ++report.referencePrices;
    }
    // Two districts with caps of their own, lower than the citywide one.
    for (const char* code : {"110108", "110117"}) {
        writer->addRow({std::string("basic.cremation"), std::string(code), 55000LL, std::string("2021-01-01"),
                        BulkValue{}, illustrativeBasis, 1LL, now, now});
        ++report.referencePrices;
    }

    writer->setTable("inspections", {{"subject_type", ColumnType::Text}, {"subject_id", ColumnType::Integer},
                                     {"district", ColumnType::Text}, {"inspection_date", ColumnType::Text},
                                     {"result", ColumnType::Text}, {"checklist", ColumnType::Text},
                                     {"notes", ColumnType::Text}, {"inspector", ColumnType::Text},
                                     {"created_at", ColumnType::Text}, {"version", ColumnType::Integer}});
    for (std::size_t di = 0; di < all.size(); ++di)
        for (int k = 0; k < 5 * options.scale; ++k) {
            const long long subject = static_cast<long long>(di * facilitiesPerDistrict) + rng.between(1, static_cast<long long>(facilitiesPerDistrict));
            const bool issues = rng.chance(30);
            writer->addRow({std::string("facility"), subject, all[di].code, formatDate(todayDays - rng.between(1, 700)),
                            std::string(issues ? "issues_found" : "pass"),
                            std::string(issues ? R"({"price_list_displayed":false,"receipts_issued":true})"
                                               : R"({"price_list_displayed":true,"receipts_issued":true})"),
                            std::string(issues ? "价目表未公示(演示数据)" : "检查合格(演示数据)"),
                            std::string("demo"), now, 1LL});
            ++report.inspections;
        }

    Poco::JSON::Object::Ptr summary = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    summary->set("scale", options.scale);
    summary->set("seed", static_cast<long long>(options.seed));
    summary->set("facilities", report.facilities);
    summary->set("burial_sites", report.burialSites);
    summary->set("prices", report.prices);
    writer->setTable("change_log", {{"at", ColumnType::Text}, {"actor", ColumnType::Text}, {"action", ColumnType::Text},
                                    {"entity", ColumnType::Text}, {"entity_id", ColumnType::Integer},
                                    {"before_json", ColumnType::Text}, {"after_json", ColumnType::Text}});
    writer->addRow({now, std::string("demo-data"), std::string("bulk_load"), std::string("registry"), 0LL, BulkValue{},
                    codec::stringify(summary)});
    writer->commit();
    if (options.progress) options.progress(expected, expected);
    return report;
}

} // namespace registry::store
