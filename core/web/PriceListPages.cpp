// A facility's price list on one form (价格备案): every catalogue item in a row, prefilled with what is on
// file, one effective date for the list. Only the rows that differ from the current record are filed, all
// in one transaction (service::Prices::fileList); the checks of every filed price are shown at once. It is
// the operator's way of filing its own prices (always a self-report) and an inspector's for a facility.

#include "domain/Dates.h"
#include "domain/Money.h"
#include "domain/PriceItem.h"
#include "service/Facilities.h"
#include "service/Permissions.h"
#include "service/Prices.h"
#include "service/Refusal.h"
#include "web/FormDecode.h"
#include "web/Forms.h"
#include "web/Views.h"

#include <Poco/NumberParser.h>

#include <map>

namespace registry::web {
namespace {

using service::Action;

/// One row of the form: the item, what the user typed (or what is on file), and its errors.
struct Row {
    const domain::PriceItem* item = nullptr;
    std::string amount, area, term;
    bool displayed = true, bundled = false;
    std::vector<std::string> errors;
    bool hasAttributes() const { return item->code == "cemetery.plot"; }
};

std::string numberText(double value) {
    std::string text = std::to_string(value);
    text.erase(text.find_last_not_of('0') + 1);
    if (!text.empty() && text.back() == '.') text.pop_back();
    return text;
}

/// "1980.00": an amount as the user edits it (no currency sign, no grouping).
std::string amountText(long long fen) {
    const std::string cents = std::to_string(100 + fen % 100).substr(1);
    return std::to_string(fen / 100) + "." + cents;
}

/// The rows as the facility's current prices fill them.
std::vector<Row> rowsOnFile(const std::map<std::string, domain::PriceRecord>& current) {
    std::vector<Row> rows;
    for (const auto& item : domain::priceItems()) {
        Row row;
        row.item = &item;
        if (const auto found = current.find(item.code); found != current.end()) {
            const auto& p = found->second;
            row.amount = amountText(p.amountFen);
            row.displayed = p.displayed;
            row.bundled = p.bundled;
            if (p.areaM2) row.area = numberText(*p.areaM2);
            if (p.termYears) row.term = std::to_string(*p.termYears);
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

std::string fieldName(const char* what, const Row& row) { return std::string(what) + "_" + row.item->code; }

mstch::array rowsView(const Request& req, const domain::Facility& facility, const std::vector<Row>& rows,
                      const std::map<std::string, domain::PriceRecord>& current) {
    mstch::array out;
    for (const auto& row : rows) {
        const auto& item = *row.item;
        const auto found = current.find(item.code);
        std::string errors;
        for (const auto& e : row.errors) errors += (errors.empty() ? "" : ";") + e;
        out.push_back(mstch::map{
            {"code", item.code},
            {"id", "pl-" + item.code},
            {"name", req.en() ? item.nameEn : item.nameZh},
            {"unit", req.en() ? item.unit : domain::unitZh(item.unit)},
            {"regime", enumLabel(req, domain::effectiveRegime(item, facility.kind))},
            {"amount", row.amount},
            {"displayed", row.displayed},
            {"bundled", row.bundled},
            {"attributes", row.hasAttributes()},
            {"area", row.area},
            {"term", row.term},
            {"on_file", found != current.end() ? yuan(found->second.amountFen) + "(" + found->second.effectiveFrom + ")"
                                               : std::string("—")},
            {"error", errors},
            {"has_error", !errors.empty()},
        });
    }
    return out;
}

/// A posted row as a record, or nullopt when it is empty or says what is on file already.
std::optional<domain::PriceRecord> postedRecord(const Request& req, Row& row, domain::PriceSource source,
                                                const std::map<std::string, domain::PriceRecord>& current) {
    row.amount = Poco::trim(req.field(fieldName("amount", row)));
    row.displayed = !req.field(fieldName("displayed", row)).empty();
    row.bundled = !req.field(fieldName("bundled", row)).empty();
    if (row.hasAttributes()) {
        row.area = Poco::trim(req.field(fieldName("area", row)));
        row.term = Poco::trim(req.field(fieldName("term", row)));
    }
    if (row.amount.empty()) return std::nullopt;
    domain::PriceRecord p;
    p.item = row.item->code;
    p.unit = row.item->unit;
    p.displayed = row.displayed;
    p.bundled = row.bundled;
    p.source = source;
    if (const auto fen = domain::parseYuan(row.amount))
        p.amountFen = *fen;
    else
        row.errors.push_back(req.t("err_amount_yuan"));
    double area = 0;
    if (!row.area.empty()) {
        if (Poco::NumberParser::tryParseFloat(row.area, area))
            p.areaM2 = area;
        else
            row.errors.push_back(req.t("plot_area_m2") + ":" + req.t("err_number"));
    }
    int term = 0;
    if (!row.term.empty()) {
        if (Poco::NumberParser::tryParse(row.term, term))
            p.termYears = term;
        else
            row.errors.push_back(req.t("term_years") + ":" + req.t("err_integer"));
    }
    const auto found = current.find(p.item);
    if (found != current.end() && row.errors.empty()) {
        const auto& c = found->second;
        // The area as the form showed it: a stored area with more decimals than the form shows is unchanged.
        const auto shown = [](const std::optional<double>& a) { return a ? numberText(*a) : std::string(); };
        if (c.amountFen == p.amountFen && c.displayed == p.displayed && c.bundled == p.bundled &&
            shown(c.areaM2) == shown(p.areaM2) && c.termYears == p.termYears)
            return std::nullopt; // unchanged: nothing to file
    }
    return p;
}

mstch::map filedView(const Request& req, const service::Written<domain::PriceRecord>& filed, bool& violation) {
    const auto* item = domain::findPriceItem(filed.record.item);
    const auto checks = checksView(req, filed.checks, violation);
    return mstch::map{{"id", std::to_string(filed.record.id)},
                      {"item", item ? (req.en() ? item->nameEn : item->nameZh) : filed.record.item},
                      {"amount", yuan(filed.record.amountFen)},
                      {"unit", req.en() ? filed.record.unit : domain::unitZh(filed.record.unit)},
                      {"effective_from", filed.record.effectiveFrom},
                      {"checks", checks},
                      {"has_checks", !checks.empty()}};
}

void priceList(WebUi& ui, Request& req) {
    const auto& who = req.principal();
    const auto facility = service::Facilities(ui.services()).get(who, req.id());
    service::requireFacility(who, Action::WriteRecord, facility.id, facility.district);
    service::Prices prices(ui.services());
    std::map<std::string, domain::PriceRecord> current;
    for (auto& p : prices.currentForFacility(who, facility.id)) current.emplace(p.item, std::move(p));
    auto rows = rowsOnFile(current);
    const std::string back = "/facilities/" + std::to_string(facility.id);
    mstch::map view{{"title", req.t("price_list_title") + ":" + facility.name},
                    {"action", back + "/price-list"},
                    {"cancel", back},
                    {"effective_from", domain::todayUtc()},
                    {"note", std::string()}};
    std::vector<std::string> general;
    if (req.request().getMethod() == "POST") {
        const std::string from = Poco::trim(req.field("effective_from"));
        const std::string note = Poco::trim(req.field("note"));
        view["effective_from"] = from;
        view["note"] = note;
        std::vector<domain::PriceRecord> filing;
        std::vector<std::size_t> rowOf; // filing index → row
        bool rowErrors = false;
        for (std::size_t i = 0; i < rows.size(); ++i) {
            // An operator's list is its self-report; an inspector's is what the inspection found.
            auto record = postedRecord(req, rows[i],
                                       service::isOperator(who) ? domain::PriceSource::SelfReport
                                                                : domain::PriceSource::Inspection,
                                       current);
            rowErrors = rowErrors || !rows[i].errors.empty();
            if (!record) continue;
            record->effectiveFrom = from;
            record->note = note;
            filing.push_back(std::move(*record));
            rowOf.push_back(i);
        }
        if (!rowErrors && filing.empty()) general.push_back(req.t("price_list_nothing_changed"));
        if (!rowErrors && !filing.empty()) {
            try {
                const auto filed = prices.fileList(who, facility.id, [&] {
                    return service::Draft<std::vector<domain::PriceRecord>>{filing, {}};
                });
                bool violation = false;
                mstch::array saved;
                for (const auto& one : filed) saved.push_back(filedView(req, one, violation));
                mstch::map done{{"title", req.t("price_list_saved_title") + ":" + facility.name},
                                {"saved", saved},
                                {"violation", violation},
                                {"facility_href", back}};
                return ui.render(req, "price_list_saved", done, 200);
            } catch (const service::Invalid& e) {
                for (const auto& error : e.errors()) {
                    const auto text = req.en() ? error.messageEn : error.messageZh;
                    // "prices[3].amount_fen" → the row of the fourth filed price.
                    std::size_t index = 0;
                    if (std::sscanf(error.field.c_str(), "prices[%zu]", &index) == 1 && index < rowOf.size())
                        rows[rowOf[index]].errors.push_back(text);
                    else
                        general.push_back(text);
                }
            }
        }
    }
    mstch::array errors;
    for (const auto& g : general) errors.push_back(mstch::map{{"text", g}});
    for (const auto& row : rows)
        for (const auto& e : row.errors)
            errors.push_back(mstch::map{{"text", (req.en() ? row.item->nameEn : row.item->nameZh) + ":" + e},
                                        {"href", "#pl-" + row.item->code}});
    view["rows"] = rowsView(req, facility, rows, current);
    view["form_errors"] = errors;
    view["form_error_count"] = errors.empty() ? std::string() : std::to_string(errors.size());
    view["self_report"] = service::isOperator(who);
    ui.render(req, "price_list", view, errors.empty() ? 200 : 422);
}

} // namespace

void addPriceListPages(WebUi& ui) {
    ui.get("/facilities/{id}/price-list", [&ui](Request& req) { priceList(ui, req); });
    ui.post("/facilities/{id}/price-list", [&ui](Request& req) { priceList(ui, req); });
}

} // namespace registry::web
