#include "store/PriceImport.h"

#include "codec/Csv.h"
#include "codec/RecordJson.h"
#include "domain/Dates.h"
#include "domain/Money.h"
#include "domain/PriceItem.h"
#include "store/ChangeLog.h"

#include <Poco/JSON/Object.h>
#include <Poco/NumberParser.h>
#include <Poco/String.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <set>

namespace registry::store {

using domain::PriceRecord;

namespace {

/// What the import keeps of a valid row between its two passes over the file (20 bytes, not the record).
struct Entry {
    std::uint32_t group;      // index into the (facility, item) groups
    std::uint32_t date;       // effective_from as YYYYMMDD
    std::uint32_t line;
    std::int32_t next = -1;   // the row of the same group that supersedes it (by date), or -1
    bool note = false;        // it has a note (a price the same day as the current one is a correction)
};

std::uint32_t dateNumber(const std::string& iso) { // "YYYY-MM-DD", checked by domain::validate
    return static_cast<std::uint32_t>(std::stoul(iso.substr(0, 4)) * 10000 + std::stoul(iso.substr(5, 2)) * 100 +
                                      std::stoul(iso.substr(8, 2)));
}

std::string dateText(std::uint32_t n) {
    char text[16];
    std::snprintf(text, sizeof text, "%04u-%02u-%02u", n / 10000, n / 100 % 100, n % 100);
    return text;
}

struct Current {
    long long id;
    std::string effectiveFrom;
};

class Problems {
public:
    explicit Problems(std::vector<ImportProblem>& out, std::size_t max) : _out(out), _max(max) {}
    void add(std::size_t line, std::string field, std::string zh, std::string en) {
        ++_count;
        if (_out.size() < _max) _out.push_back({line, std::move(field), std::move(zh), std::move(en)});
    }
    std::size_t count() const { return _count; }

private:
    std::vector<ImportProblem>& _out;
    std::size_t _max;
    std::size_t _count = 0;
};

std::optional<bool> parseFlag(std::string value) {
    value = Poco::toLower(Poco::trim(value));
    if (value == "true" || value == "1" || value == "yes" || value == "y" || value == "是") return true;
    if (value == "false" || value == "0" || value == "no" || value == "n" || value == "否") return false;
    return std::nullopt;
}

} // namespace

ImportReport importPrices(Database& db, const std::string& csvUtf8, const ImportOptions& options) {
    ImportReport report;
    Problems problems(report.problems, options.maxProblems);
    // Two passes over the text, a row at a time: the first checks every row and keeps 20 bytes of each
    // valid one (Entry); the second, once all are valid, parses them again and writes them in chunks inside
    // the one transaction. Memory stays flat however long the file (a million rows used to take 1 GB).
    codec::CsvReader reader(csvUtf8);
    codec::CsvRow header, c;
    try {
        if (!reader.next(header)) {
            problems.add(0, "", "文件为空,须有标题行和数据行", "the file is empty: it needs a header row and data rows");
            return report;
        }
    } catch (const std::invalid_argument& e) {
        problems.add(0, "", std::string("CSV 格式错误:") + e.what(), std::string("malformed CSV: ") + e.what());
        return report;
    }

    // Header: column name → index.
    std::map<std::string, std::size_t> column;
    static const std::set<std::string> known{"facility_id", "facility_code", "item",     "amount_fen", "amount_yuan",
                                             "unit",        "effective_from", "displayed", "bundled",  "area_m2",
                                             "term_years",  "source",        "note"};
    for (std::size_t i = 0; i < header.cells.size(); ++i) {
        const std::string name = Poco::toLower(Poco::trim(header.cells[i]));
        if (!known.count(name))
            problems.add(header.line, name, "未知的列:" + name, "unknown column: " + name);
        else if (column.count(name))
            problems.add(header.line, name, "列重复:" + name, "column given twice: " + name);
        else
            column[name] = i;
    }
    const auto need = [&](const std::string& a, const std::string& b) {
        if (!column.count(a) && (b.empty() || !column.count(b)))
            problems.add(header.line, a, "缺少必需的列:" + a + (b.empty() ? "" : " 或 " + b),
                         "missing column: " + a + (b.empty() ? "" : " or " + b));
    };
    if (!options.facilityId) need("facility_id", "facility_code");
    need("item", "");
    need("amount_fen", "amount_yuan");
    need("effective_from", "");
    need("displayed", "");
    need("bundled", "");
    if (problems.count() > 0) return report;

    // Facilities and current prices, for the checks against what is stored.
    std::map<long long, std::string> districtOfFacility;
    std::map<std::string, long long> facilityByCode;
    std::map<std::pair<long long, std::string>, Current> current;
    {
        Database::Session session(db);
        long long id = 0;
        std::string code, district, item, from;
        soci::statement facilities = (session.sql().prepare << "SELECT id, code, district FROM facilities",
                                      soci::into(id), soci::into(code), soci::into(district));
        facilities.execute();
        while (facilities.fetch()) {
            districtOfFacility[id] = district;
            facilityByCode[code] = id;
        }
        long long facility = 0;
        soci::statement prices =
            (session.sql().prepare << "SELECT id, facility_id, item, effective_from FROM price_records "
                                      "WHERE superseded_by IS NULL",
             soci::into(id), soci::into(facility), soci::into(item), soci::into(from));
        prices.execute();
        while (prices.fetch()) current[{facility, item}] = {id, from};
    }

    const auto cell = [&](const codec::CsvRow& row, const std::string& name) -> std::string {
        auto it = column.find(name);
        if (it == column.end() || it->second >= row.cells.size()) return "";
        return Poco::trim(row.cells[it->second]);
    };

    // One data row as a record; its problems go to `problems` (ok false when it has any).
    const auto readRow = [&](const codec::CsvRow& c, Problems& problems, bool& ok) -> PriceRecord {
        const std::size_t line = c.line;
        if (c.cells.size() > header.cells.size())
            problems.add(line, "", "此行的列数多于标题行", "the row has more cells than the header");
        PriceRecord p;
        ok = true;
        // Facility by id or by code.
        const std::string idText = cell(c, "facility_id"), codeText = cell(c, "facility_code");
        Poco::Int64 facilityId = 0;
        if (options.facilityId) {
            // An operator's own facility, or nothing: the same answer for another facility as for none, so
            // that an operator learns nothing of other facilities.
            const long long own = *options.facilityId;
            const auto code = facilityByCode.find(codeText);
            // Each facility cell given must name its own facility; none given means its own.
            const bool idOwn = idText.empty() || idText == std::to_string(own);
            const bool codeOwn = codeText.empty() || (code != facilityByCode.end() && code->second == own);
            if (idOwn && codeOwn) {
                facilityId = own;
            } else {
                problems.add(line, idText.empty() ? "facility_code" : "facility_id", "只能报送本单位的价格",
                             "you may only file prices of your own facility");
                ok = false;
            }
        } else if (!idText.empty()) {
            if (!Poco::NumberParser::tryParse64(idText, facilityId) || !districtOfFacility.count(facilityId)) {
                problems.add(line, "facility_id", "设施不存在:" + idText, "no facility with id " + idText);
                ok = false;
            }
        } else if (!codeText.empty()) {
            auto it = facilityByCode.find(codeText);
            if (it == facilityByCode.end()) {
                problems.add(line, "facility_code", "设施编号不存在:" + codeText, "no facility with code " + codeText);
                ok = false;
            } else {
                facilityId = it->second;
            }
        } else {
            problems.add(line, "facility_id", "须填写设施编号", "facility_id or facility_code is required");
            ok = false;
        }
        if (ok && options.district && districtOfFacility[facilityId] != *options.district) {
            problems.add(line, "facility_id", "只能导入本区(" + *options.district + ")设施的价格",
                         "you may only import prices of your own district's facilities (" + *options.district + ")");
            ok = false;
        }
        p.facilityId = facilityId;
        p.item = cell(c, "item");
        // Amount in fen, or in yuan with at most two decimals.
        const std::string fen = cell(c, "amount_fen"), yuan = cell(c, "amount_yuan");
        Poco::Int64 amount = 0;
        if (!fen.empty()) {
            if (!Poco::NumberParser::tryParse64(fen, amount)) {
                problems.add(line, "amount_fen", "金额(分)须为整数:" + fen, "amount_fen must be a whole number: " + fen);
                ok = false;
            }
        } else if (!yuan.empty()) {
            if (auto parsed = domain::parseYuan(yuan)) {
                amount = *parsed;
            } else {
                problems.add(line, "amount_yuan", "金额(元)须为最多两位小数的数字:" + yuan,
                             "amount_yuan must be a number with at most two decimals: " + yuan);
                ok = false;
            }
        } else {
            problems.add(line, "amount_fen", "须填写金额", "amount_fen or amount_yuan is required");
            ok = false;
        }
        p.amountFen = amount;
        p.unit = cell(c, "unit");
        if (p.unit.empty()) p.unit = domain::defaultUnit(p.item);
        p.effectiveFrom = cell(c, "effective_from");
        for (const char* flag : {"displayed", "bundled"}) {
            const auto value = parseFlag(cell(c, flag));
            if (!value) {
                problems.add(line, flag, std::string(flag) + " 须为 true/false(或 是/否)",
                             std::string(flag) + " must be true or false");
                ok = false;
            } else {
                (std::string(flag) == "displayed" ? p.displayed : p.bundled) = *value;
            }
        }
        if (const auto area = cell(c, "area_m2"); !area.empty()) {
            double value = 0;
            if (Poco::NumberParser::tryParseFloat(area, value)) {
                p.areaM2 = value;
            } else {
                problems.add(line, "area_m2", "面积须为数值:" + area, "area_m2 must be a number: " + area);
                ok = false;
            }
        }
        if (const auto term = cell(c, "term_years"); !term.empty()) {
            Poco::Int64 value = 0;
            if (Poco::NumberParser::tryParse64(term, value)) {
                p.termYears = value;
            } else {
                problems.add(line, "term_years", "年限须为整数:" + term, "term_years must be a whole number: " + term);
                ok = false;
            }
        }
        const std::string source = cell(c, "source");
        if (options.facilityId) {
            p.source = domain::PriceSource::SelfReport;
            if (!source.empty() && source != domain::toString(p.source)) {
                const auto refused = domain::operatorSourceRefused(source);
                problems.add(line, refused.field, refused.messageZh, refused.messageEn);
                ok = false;
            }
        } else if (!source.empty()) {
            if (auto parsed = domain::parseEnum<domain::PriceSource>(source)) {
                p.source = *parsed;
            } else {
                problems.add(line, "source", "source 须为 " + domain::allowedValues<domain::PriceSource>(),
                             "source must be one of " + domain::allowedValues<domain::PriceSource>());
                ok = false;
            }
        } else {
            p.source = domain::PriceSource::Import;
        }
        p.note = cell(c, "note");
        for (const auto& e : domain::validate(p)) {
            if (e.field == "facility_id" && !ok) continue;
            // The CSV has no "attributes": its columns are area_m2 and term_years.
            const std::string prefix = "attributes.";
            const std::string column = e.field.rfind(prefix, 0) == 0 ? e.field.substr(prefix.size()) : e.field;
            problems.add(line, column, e.messageZh, e.messageEn);
            ok = false;
        }
        return p;
    };

    // Pass 1: every row checked; of the valid ones, their (facility, item) group, date and line.
    std::vector<Entry> entries;
    std::map<std::pair<long long, std::string>, std::uint32_t> groupOf;
    std::vector<std::pair<long long, std::string>> groupKeys;
    std::vector<std::vector<std::uint32_t>> members; // per group, its rows (indexes into entries)
    try {
        while (reader.next(c)) {
            ++report.rows;
            bool ok = true;
            const PriceRecord p = readRow(c, problems, ok);
            if (ok && options.validate)
                if (auto refusal = options.validate(p)) {
                    problems.add(c.line, "", *refusal, *refusal);
                    ok = false;
                }
            if (ok) {
                auto [at, added] = groupOf.try_emplace({p.facilityId, p.item}, static_cast<std::uint32_t>(groupKeys.size()));
                if (added) {
                    groupKeys.push_back(at->first);
                    members.emplace_back();
                }
                members[at->second].push_back(static_cast<std::uint32_t>(entries.size()));
                entries.push_back({at->second, dateNumber(p.effectiveFrom), static_cast<std::uint32_t>(c.line), -1,
                                   !p.note.empty()});
            }
            // Progress in bytes of the two passes: checking is the first half, writing the second.
            if (options.progress && report.rows % 10000 == 0) options.progress(reader.position(), 2 * csvUtf8.size());
        }
    } catch (const std::invalid_argument& e) {
        problems.add(0, "", std::string("CSV 格式错误:") + e.what(), std::string("malformed CSV: ") + e.what());
        return report;
    }

    // Per facility and item: in date order, each after the one before and after the stored current one.
    for (std::size_t g = 0; g < members.size(); ++g) {
        auto& rows = members[g];
        std::stable_sort(rows.begin(), rows.end(), [&](std::uint32_t a, std::uint32_t b) { return entries[a].date < entries[b].date; });
        for (std::size_t k = 1; k < rows.size(); ++k) {
            const auto& e = entries[rows[k]];
            const auto& before = entries[rows[k - 1]];
            if (e.date == before.date)
                problems.add(e.line, "effective_from",
                             "与第 " + std::to_string(before.line) + " 行同一设施、同一项目、同一生效日期",
                             "same facility, item and effective_from as line " + std::to_string(before.line));
            entries[rows[k - 1]].next = static_cast<std::int32_t>(rows[k]);
        }
        auto found = current.find(groupKeys[g]);
        if (found != current.end()) {
            const auto& first = entries[rows.front()];
            const std::uint32_t currentDate = dateNumber(found->second.effectiveFrom);
            if (first.date < currentDate)
                problems.add(first.line, "effective_from",
                             "生效日期早于现行价格的生效日期(" + found->second.effectiveFrom + ")",
                             "effective_from is before the current price's (" + found->second.effectiveFrom + ")");
            else if (first.date == currentDate && !first.note)
                problems.add(first.line, "note", "与现行价格同日生效视为更正,须填写 note",
                             "a price effective the same day as the current one is a correction and needs a note");
            ++report.superseded;
        }
    }
    if (report.rows == 0) problems.add(0, "", "文件中没有数据行", "the file has no data rows");
    if (problems.count() > 0 || options.dryRun) return report;

    // All rows valid. Pass 2: parsed again and written in file order, in chunks, inside one transaction. A
    // row's superseded_by names a row written after it, so foreign keys are checked at the commit (SQLite)
    // or not row by row (MySQL, as a dump's load does): every id they name is written here, or is the stored
    // current price.
    auto writer = BulkWriter::open(db, options.strategy);
    const bool sqlite = db.backend() == Backend::Sqlite;
    writer->execute(sqlite ? "PRAGMA defer_foreign_keys = ON" : "SET foreign_key_checks = 0");
    const long long base = writer->lockMaxId("price_records");
    const std::string now = domain::nowTimestamp();
    const auto idOf = [base](std::size_t entry) { return base + 1 + static_cast<long long>(entry); };
    const long long next = base + static_cast<long long>(entries.size());
    // Current prices stop being current first: one current record per facility and item is enforced.
    for (std::size_t g = 0; g < groupKeys.size(); ++g)
        if (auto found = current.find(groupKeys[g]); found != current.end())
            writer->execute("UPDATE price_records SET superseded_by = id WHERE id = " + std::to_string(found->second.id));
    writer->setTable("price_records", priceRecordColumns());
    codec::CsvReader again(csvUtf8);
    again.next(header);
    Problems none(report.problems, 0); // every row passed already
    std::size_t index = 0;
    while (again.next(c)) {
        bool ok = true;
        const PriceRecord p = readRow(c, none, ok);
        const Entry& e = entries[index];
        BulkValue to, supersededBy, area, term;
        if (e.next >= 0) {
            to = domain::addDays(dateText(entries[static_cast<std::size_t>(e.next)].date), -1);
            supersededBy = idOf(static_cast<std::size_t>(e.next));
        }
        if (p.areaM2) area = *p.areaM2;
        if (p.termYears) term = static_cast<long long>(*p.termYears);
        writer->addRow({idOf(index), static_cast<long long>(p.facilityId), p.item, static_cast<long long>(p.amountFen),
                        p.unit, p.effectiveFrom, to, p.displayed ? 1LL : 0LL, p.bundled ? 1LL : 0LL, area, term,
                        domain::toString(p.source), p.note, supersededBy, options.actor, now, 1LL});
        ++index;
        if (options.progress && index % 10000 == 0) options.progress(csvUtf8.size() + again.position(), 2 * csvUtf8.size());
    }
    for (std::size_t g = 0; g < groupKeys.size(); ++g)
        if (auto found = current.find(groupKeys[g]); found != current.end()) {
            const std::size_t first = members[g].front();
            writer->execute("UPDATE price_records SET superseded_by = " + std::to_string(idOf(first)) +
                            ", effective_to = '" + domain::addDays(dateText(entries[first].date), -1) +
                            "' WHERE id = " + std::to_string(found->second.id));
        }
    if (!sqlite) writer->execute("SET foreign_key_checks = 1");
    // One change-log entry describes the whole import (a million rows are not a million log entries).
    Poco::JSON::Object::Ptr summary = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    summary->set("rows", entries.size());
    summary->set("first_id", base + 1);
    summary->set("last_id", next);
    summary->set("superseded", report.superseded);
    writer->setTable("change_log", {{"at", ColumnType::Text}, {"actor", ColumnType::Text}, {"action", ColumnType::Text},
                                    {"entity", ColumnType::Text}, {"entity_id", ColumnType::Integer},
                                    {"before_json", ColumnType::Text}, {"after_json", ColumnType::Text}});
    writer->addRow({now, options.actor, std::string("import"), std::string("price"), base + 1, BulkValue{},
                    codec::stringify(summary)});
    writer->commit();
    report.stored = true;
    report.firstId = base + 1;
    report.lastId = next;
    if (options.progress) options.progress(2 * csvUtf8.size(), 2 * csvUtf8.size());
    return report;
}

} // namespace registry::store
