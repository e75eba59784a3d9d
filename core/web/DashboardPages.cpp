// The dashboard: per district, facilities by kind and plan action, burial-site progress against the
// three-year plan (inline SVG bars), open findings by severity and the last audit.

#include "domain/Dates.h"
#include "domain/District.h"
#include "store/Database.h"
#include "service/Permissions.h"
#include "web/Forms.h"
#include "web/Views.h"
#include "web/WebUi.h"

#include <soci/soci.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>

namespace registry::web {
namespace {

using Counts = std::map<std::string, long long>;

/// `SELECT key, COUNT(*) FROM table [WHERE district = :d] GROUP BY key` as a map.
Counts countBy(soci::session& sql, const std::string& table, const std::string& column, const std::string& where,
               const std::optional<std::string>& district) {
    std::string text = "SELECT COALESCE(" + column + ", ''), COUNT(*) FROM " + table;
    std::string conditions = where;
    if (district) conditions += std::string(conditions.empty() ? "" : " AND ") + "district = :d";
    if (!conditions.empty()) text += " WHERE " + conditions;
    text += " GROUP BY COALESCE(" + column + ", '')";
    std::string key;
    long long count = 0;
    std::string d = district.value_or("");
    soci::statement st = district ? (sql.prepare << text, soci::use(d), soci::into(key), soci::into(count))
                                  : (sql.prepare << text, soci::into(key), soci::into(count));
    st.execute();
    Counts out;
    while (st.fetch()) out[key] = count;
    return out;
}

template <class E> mstch::array countRows(const Request& req, const Counts& counts) {
    mstch::array rows;
    long long max = 1;
    for (const auto& [k, n] : counts) max = std::max(max, n);
    for (const auto& e : domain::EnumTraits<E>::entries) {
        const auto found = counts.find(std::string(e.code));
        const long long n = found == counts.end() ? 0 : found->second;
        rows.push_back(mstch::map{{"label", std::string(req.en() ? e.en : e.zh)},
                                  {"code", std::string(e.code)},
                                  {"count", std::to_string(n)}});
    }
    return rows;
}

struct SiteProgress {
    std::string district;
    long long graves = 0, handled = 0, sites = 0, done = 0;
};

std::vector<SiteProgress> siteProgress(soci::session& sql, const std::optional<std::string>& district) {
    std::string text =
        "SELECT s.district, COUNT(*), SUM(s.grave_count), "
        "SUM(CASE WHEN s.status IN ('completed', 'accepted') THEN 1 ELSE 0 END), "
        "COALESCE(SUM(p.handled), 0) FROM burial_sites s LEFT JOIN (SELECT site_id, SUM(graves_handled) AS handled "
        "FROM burial_site_progress GROUP BY site_id) p ON p.site_id = s.id";
    if (district) text += " WHERE s.district = :d";
    text += " GROUP BY s.district ORDER BY s.district";
    SiteProgress row;
    std::string d = district.value_or("");
    soci::statement st = district ? (sql.prepare << text, soci::use(d), soci::into(row.district), soci::into(row.sites),
                                     soci::into(row.graves), soci::into(row.done), soci::into(row.handled))
                                  : (sql.prepare << text, soci::into(row.district), soci::into(row.sites),
                                     soci::into(row.graves), soci::into(row.done), soci::into(row.handled));
    st.execute();
    std::vector<SiteProgress> out;
    while (st.fetch()) out.push_back(row);
    return out;
}

/// What the dashboard counts, for one scope (a district, or "" for the city).
struct Tallies {
    Counts kinds, planActions, severities;
    std::vector<SiteProgress> sites;
};

Tallies count(soci::session& sql, const std::optional<std::string>& district) {
    Tallies t;
    t.kinds = countBy(sql, "facilities", "kind", "", district);
    t.planActions = countBy(sql, "facilities", "plan_action", "", district);
    t.severities = countBy(sql, "findings", "severity", "status IN ('open', 'acknowledged')", district);
    t.sites = siteProgress(sql, district);
    return t;
}

/// Tallies reused per scope, so that many people looking at the dashboard cost one count every few
/// seconds, not one each: until this server commits a write (an edit shows at once to whoever made it)
/// and for at most WebSettings::dashboardCacheSeconds (writes through other instances or the CLI).
/// Thread-safe.
class TallyCache {
public:
    explicit TallyCache(int seconds) : _ttl(std::chrono::seconds(seconds)) {}

    Tallies get(store::Database& db, const std::optional<std::string>& district) {
        const auto now = std::chrono::steady_clock::now();
        const std::uint64_t commits = db.commits(); // read before counting: a write meanwhile stales it
        const std::string scope = district.value_or("");
        if (_ttl.count() > 0) {
            std::lock_guard<std::mutex> lock(_mutex);
            const auto found = _entries.find(scope);
            if (found != _entries.end() && found->second.commits == commits && now - found->second.at < _ttl)
                return found->second.tallies;
        }
        store::Database::Session session(db);
        Tallies fresh = count(session.sql(), district);
        if (_ttl.count() > 0) {
            std::lock_guard<std::mutex> lock(_mutex);
            _entries[scope] = {now, commits, fresh};
        }
        return fresh;
    }

private:
    struct Entry {
        std::chrono::steady_clock::time_point at;
        std::uint64_t commits = 0;
        Tallies tallies;
    };
    std::chrono::steady_clock::duration _ttl;
    std::mutex _mutex;
    std::map<std::string, Entry> _entries; // at most 17 scopes
};

/// Share of the plan window gone by today, 0–100.
double expectedPercent(const domain::PlanWindow& window) {
    const auto start = domain::parseDate(window.start), end = domain::parseDate(window.end),
               today = domain::parseDate(domain::todayUtc());
    if (!start || !end || !today || *end <= *start) return 100;
    return std::clamp(100.0 * static_cast<double>(*today - *start) / static_cast<double>(*end - *start), 0.0, 100.0);
}

std::string percentText(double p) { return std::to_string(static_cast<int>(std::floor(p + 0.5))) + "%"; }

void dashboard(WebUi& ui, Request& req, TallyCache& cache) {
    const auto district = service::listScope(req.principal(), req.query("district"));
    const Tallies tallies = cache.get(ui.api().db, district);
    store::Database::Session session(ui.api().db);
    auto& sql = session.sql();
    mstch::map view;
    view["scope"] = district ? districtName(req, *district) : req.t("citywide");
    view["kinds"] = countRows<domain::FacilityKind>(req, tallies.kinds);
    view["plan_actions"] = countRows<domain::PlanAction>(req, tallies.planActions);
    view["severities"] = countRows<domain::Severity>(req, tallies.severities);

    // The bars: one per district, handled graves against all graves; the marker is where the plan
    // should be by today if the work went evenly across the window.
    const double expected = expectedPercent(ui.api().window);
    const int barWidth = 400, rowHeight = 34, labelWidth = 110;
    mstch::array bars;
    const auto& rows = tallies.sites;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& r = rows[i];
        const double percent = r.graves > 0 ? std::min(100.0, 100.0 * static_cast<double>(r.handled) / static_cast<double>(r.graves)) : 0;
        const int y = static_cast<int>(i) * rowHeight;
        bars.push_back(mstch::map{
            {"district", districtName(req, r.district)},
            {"code", r.district},
            {"y", std::to_string(y)},
            {"text_y", std::to_string(y + 18)},
            {"bar_y", std::to_string(y + 4)},
            {"bar_x", std::to_string(labelWidth)},
            {"bar_width", std::to_string(barWidth)},
            {"done_width", std::to_string(static_cast<int>(barWidth * percent / 100.0))},
            {"value_x", std::to_string(labelWidth + barWidth + 8)},
            {"percent", percentText(percent)},
            {"handled", std::to_string(r.handled)},
            {"graves", std::to_string(r.graves)},
            {"sites", std::to_string(r.sites)},
            {"sites_done", std::to_string(r.done)},
            {"behind", percent + 0.5 < expected},
        });
    }
    view["bars"] = bars;
    view["has_bars"] = !rows.empty();
    view["chart_height"] = std::to_string(std::max<std::size_t>(rows.size(), 1) * rowHeight);
    view["chart_width"] = std::to_string(labelWidth + barWidth + 70);
    view["expected_x"] = std::to_string(labelWidth + static_cast<int>(barWidth * expected / 100.0));
    view["expected_percent"] = percentText(expected);
    view["plan_start"] = ui.api().window.start;
    view["plan_end"] = ui.api().window.end;

    // The last audit of this scope (citywide runs count for every district).
    std::string d = district.value_or(""), status, auditDate, createdAt;
    long long id = 0, checked = 0, total = 0, findingsNew = 0, findingsResolved = 0;
    soci::indicator finishedInd = soci::i_null;
    std::string finishedAt;
    const std::string text = std::string("SELECT id, status, audit_date, created_at, finished_at, records_checked, "
                                         "records_total, findings_new, findings_resolved FROM audit_runs") +
                             (district ? " WHERE district IS NULL OR district = :d" : "") + " ORDER BY id DESC LIMIT 1";
    soci::statement st = district
                             ? (sql.prepare << text, soci::use(d), soci::into(id), soci::into(status), soci::into(auditDate),
                                soci::into(createdAt), soci::into(finishedAt, finishedInd), soci::into(checked),
                                soci::into(total), soci::into(findingsNew), soci::into(findingsResolved))
                             : (sql.prepare << text, soci::into(id), soci::into(status), soci::into(auditDate),
                                soci::into(createdAt), soci::into(finishedAt, finishedInd), soci::into(checked),
                                soci::into(total), soci::into(findingsNew), soci::into(findingsResolved));
    if (st.execute(true)) {
        const auto parsed = domain::parseEnum<domain::AuditStatus>(status);
        view["audit"] = mstch::map{
            {"id", std::to_string(id)},
            {"status", parsed ? enumLabel(req, *parsed) : status},
            {"audit_date", auditDate},
            {"finished_at", finishedInd == soci::i_ok ? timeText(req, finishedAt) : std::string("—")},
            {"checked", std::to_string(checked)},
            {"total", std::to_string(total)},
            {"findings_new", std::to_string(findingsNew)},
            {"findings_resolved", std::to_string(findingsResolved)},
        };
    }
    ui.render(req, "dashboard", view, 200, "dashboard_title");
}

} // namespace

void addDashboardPages(WebUi& ui) {
    auto cache = std::make_shared<TallyCache>(ui.settings().dashboardCacheSeconds);
    ui.get("/", [&ui, cache](Request& req) { dashboard(ui, req, *cache); });
}

} // namespace registry::web
