// The dashboard: per district, facilities by kind and plan action, burial-site progress against the
// three-year plan (inline SVG bars), rectification notices (open, overdue, due within a week; each count a
// link to the filtered notice list), open findings by severity and the last audit.

#include "domain/Dates.h"
#include "domain/District.h"
#include "service/Dashboard.h"
#include "service/Permissions.h"
#include "web/Forms.h"
#include "web/Views.h"
#include "web/WebUi.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>

namespace registry::web {
namespace {

using service::CountsByKey;
using Tallies = service::DashboardTallies;

template <class E> mstch::array countRows(const Request& req, const CountsByKey& counts) {
    mstch::array rows;
    for (const auto& e : domain::EnumTraits<E>::entries) {
        const auto found = counts.find(std::string(e.code));
        const long long n = found == counts.end() ? 0 : found->second;
        rows.push_back(mstch::map{{"label", std::string(req.en() ? e.en : e.zh)},
                                  {"code", std::string(e.code)},
                                  {"count", std::to_string(n)}});
    }
    return rows;
}

/// Tallies reused per scope, so that many people looking at the dashboard cost one count every few
/// seconds, not one each: until this server commits a write (an edit shows at once to whoever made it)
/// and for at most WebSettings::dashboardCacheSeconds (writes through other instances or the CLI).
/// Thread-safe.
class TallyCache {
public:
    explicit TallyCache(int seconds) : _ttl(std::chrono::seconds(seconds)) {}

    Tallies get(store::Database& db, service::Dashboard& dashboard, const auth::Principal& who,
                const std::optional<std::string>& district, const std::string& today) {
        const auto now = std::chrono::steady_clock::now();
        const std::uint64_t commits = db.commits(); // read before counting: a write meanwhile stales it
        const std::string scope = district.value_or("") + "@" + today; // notices are counted on a day
        if (_ttl.count() > 0) {
            std::lock_guard<std::mutex> lock(_mutex);
            const auto found = _entries.find(scope);
            if (found != _entries.end() && found->second.commits == commits && now - found->second.at < _ttl)
                return found->second.tallies;
        }
        Tallies fresh = dashboard.tallies(who, district);
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
    std::map<std::string, Entry> _entries; // 17 scopes a day
};

/// Share of the plan window gone by today, 0–100.
double expectedPercent(const domain::PlanWindow& window) {
    const auto start = domain::parseDate(window.start), end = domain::parseDate(window.end),
               today = domain::parseDate(domain::todayUtc());
    if (!start || !end || !today || *end <= *start) return 100;
    return std::clamp(100.0 * static_cast<double>(*today - *start) / static_cast<double>(*end - *start), 0.0, 100.0);
}

std::string percentText(double p) { return std::to_string(static_cast<int>(std::floor(p + 0.5))) + "%"; }

/// One row per district in scope (every district for the city, zeros included), each count with the link
/// to the notice list that shows exactly those notices.
mstch::array noticeRows(const Request& req, const std::optional<std::string>& scope,
                        const std::vector<store::DistrictNoticeCounts>& counts) {
    mstch::array rows;
    for (const auto& d : domain::districts()) {
        if (scope && *scope != d.code) continue;
        store::DistrictNoticeCounts n;
        for (const auto& c : counts)
            if (c.district == d.code) n = c;
        const std::string list = "/notices?district=" + std::string(d.code);
        rows.push_back(mstch::map{
            {"district", districtName(req, d.code)},
            {"open", std::to_string(n.open)},
            {"overdue", std::to_string(n.overdue)},
            {"due_soon", std::to_string(n.dueSoon)},
            {"has_overdue", n.overdue > 0},
            {"open_link", list + "&open=true"},
            {"overdue_link", list + "&overdue=true"},
            {"due_soon_link", list + "&due_within_days=" + std::to_string(service::Dashboard::dueSoonDays)},
        });
    }
    return rows;
}

void dashboard(WebUi& ui, Request& req, TallyCache& cache) {
    // An operator's home is its facility: the city's and the district's counts are not its business.
    if (service::isOperator(req.principal()))
        return ui.redirect(req, "/facilities/" + std::to_string(req.principal().facilityId.value_or(0)));
    const std::string today = ui.api().todayDate(); // as service::Notices dates notices
    service::Dashboard dashboard(ui.services(), today);
    const auto district = dashboard.scope(req.principal(), req.query("district"));
    const Tallies tallies = cache.get(ui.api().db, dashboard, req.principal(), district, today);
    mstch::map view;
    view["scope"] = district ? districtName(req, *district) : req.t("citywide");
    view["kinds"] = countRows<domain::FacilityKind>(req, tallies.facilityKinds);
    view["plan_actions"] = countRows<domain::PlanAction>(req, tallies.planActions);
    view["severities"] = countRows<domain::Severity>(req, tallies.openSeverities);
    view["notices"] = noticeRows(req, district, tallies.notices);
    view["today"] = today;

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
            {"sites_done", std::to_string(r.sitesDone)},
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

    // The last audit of this scope (citywide runs count for every district), read fresh.
    if (const auto run = dashboard.lastAudit(req.principal(), district)) {
        view["audit"] = mstch::map{
            {"id", std::to_string(run->id)},
            {"status", enumLabel(req, run->status)},
            {"audit_date", run->auditDate},
            {"finished_at", run->finishedAt ? timeText(req, *run->finishedAt) : std::string("—")},
            {"checked", std::to_string(run->recordsChecked)},
            {"total", std::to_string(run->recordsTotal)},
            {"findings_new", std::to_string(run->findingsNew)},
            {"findings_resolved", std::to_string(run->findingsResolved)},
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
