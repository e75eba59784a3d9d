#include "service/AuditRunner.h"

#include "service/Alerts.h"

#include "service/RecordChecks.h"
#include "service/StorePluginData.h"
#include "domain/Dates.h"
#include "domain/LogText.h"
#include "store/AuditResults.h"
#include "store/AuditRunRepository.h"
#include "store/BurialSiteRepository.h"
#include "store/Errors.h"
#include "store/FacilityRepository.h"
#include "store/PluginVersionRepository.h"
#include "store/PriceRepository.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Logger.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <tuple>

namespace registry::service {

namespace {

using Clock = std::chrono::steady_clock;

/// One query's worth of records of one kind.
struct Batch {
    std::vector<domain::PriceRecord> prices;
    std::vector<domain::Facility> facilities;
    std::vector<domain::BurialSite> sites;
};

/// Batches from the reading thread to the workers; bounded, so reading never runs far ahead.
class BatchQueue {
public:
    explicit BatchQueue(std::size_t capacity) : _capacity(capacity) {}

    void push(Batch batch) {
        std::unique_lock<std::mutex> lock(_mutex);
        _notFull.wait(lock, [&] { return _batches.size() < _capacity || _closed; });
        if (_closed) return;
        _batches.push_back(std::move(batch));
        _notEmpty.notify_one();
    }
    /// The next batch; false once the queue is closed and drained.
    bool pop(Batch& out) {
        std::unique_lock<std::mutex> lock(_mutex);
        _notEmpty.wait(lock, [&] { return !_batches.empty() || _closed; });
        if (_batches.empty()) return false;
        out = std::move(_batches.front());
        _batches.pop_front();
        _notFull.notify_one();
        return true;
    }
    void close() {
        std::lock_guard<std::mutex> lock(_mutex);
        _closed = true;
        _notEmpty.notify_all();
        _notFull.notify_all();
    }
    /// Drops what is queued (the run is stopping).
    void clear() {
        std::lock_guard<std::mutex> lock(_mutex);
        _batches.clear();
        _notFull.notify_all();
    }

private:
    std::size_t _capacity;
    std::mutex _mutex;
    std::condition_variable _notEmpty, _notFull;
    std::deque<Batch> _batches;
    bool _closed = false;
};

/// What the workers share.
struct Shared {
    std::atomic<long long> checked{0};
    std::atomic<bool> stop{false};
    std::mutex mutex; // guards error, perDistrict, and serialises staging writes
    std::exception_ptr error;
    std::map<std::string, long long> perDistrict;
};

/// Evaluates the batches of one worker thread.
class Worker {
public:
    Worker(store::Database& db, plugins::PluginHost& host, plugins::PluginRun& pluginRun, const domain::AuditRun& run,
           const RunnerSettings& settings, Shared& shared)
        : _db(db), _host(host), _pluginRun(pluginRun), _run(run), _settings(settings), _shared(shared), _data(db) {}

    void operator()(BatchQueue& queue) {
        try {
            Batch batch;
            while (queue.pop(batch)) {
                if (_shared.stop) continue; // drain without work
                evaluate(batch);
                if (_staged.size() >= _settings.stageRows) stage();
            }
            if (!_shared.stop) stage();
            std::lock_guard<std::mutex> lock(_shared.mutex);
            for (const auto& [district, n] : _perDistrict) _shared.perDistrict[district] += n;
        } catch (...) {
            std::lock_guard<std::mutex> lock(_shared.mutex);
            if (!_shared.error) _shared.error = std::current_exception();
            _shared.stop = true;
            queue.clear();
        }
    }

private:
    void evaluate(const Batch& batch) {
        // Reference prices are read once per worker; facilities and previous prices once per batch, in
        // two queries rather than two per record.
        StorePluginData& data = _data;
        data.forgetRecords();
        data.preload(batch.prices);
        // One sandbox process for the whole batch, in one exchange; the records go into Lua as they are,
        // without a JSON view.
        plugins::PluginHost::Lease lease = _host.lease();
        std::vector<plugins::Subject> subjects;
        std::vector<long long> ids;
        subjects.reserve(batch.prices.size() + batch.facilities.size() + batch.sites.size());
        for (const auto& price : batch.prices) {
            if (const domain::Facility* facility = data.facilityOf(price.facilityId)) {
                plugins::Subject subject{domain::SubjectType::Price, nullptr, facility->district};
                subject.price = &price;
                subject.facility = facility;
                subjects.push_back(subject);
                ids.push_back(price.id);
            } else {
                ++_shared.checked; // a price without its facility: nothing to run on
            }
        }
        for (const auto& facility : batch.facilities) {
            plugins::Subject subject{domain::SubjectType::Facility, nullptr, facility.district};
            subject.facility = &facility;
            subjects.push_back(subject);
            ids.push_back(facility.id);
        }
        for (const auto& site : batch.sites) {
            plugins::Subject subject{domain::SubjectType::BurialSite, nullptr, site.district};
            subject.site = &site;
            subjects.push_back(subject);
            ids.push_back(site.id);
        }
        _host.runChecksBatch(subjects, data, _run.auditDate, &_pluginRun, lease,
                             [&](std::size_t i, std::vector<plugins::Finding>& reported) {
                                 stageFindings(subjects[i], ids[i], reported);
                                 ++_shared.checked;
                             });
    }

    void stageFindings(const plugins::Subject& subject, long long subjectId, const std::vector<plugins::Finding>& reported) {
        ++_perDistrict[subject.district];
        const std::size_t first = _staged.size();
        for (const auto& f : reported) {
            auto finding = storedFinding(f, subject, subjectId);
            finding.auditId = _run.id;
            // A rule that reports the same record twice is one finding: the last report stands.
            const auto same = std::find_if(_staged.begin() + static_cast<std::ptrdiff_t>(first), _staged.end(),
                                           [&](const domain::Finding& s) {
                                               return s.plugin == finding.plugin && s.rule == finding.rule;
                                           });
            if (same != _staged.end())
                *same = std::move(finding);
            else
                _staged.push_back(std::move(finding));
        }
    }

    void stage() {
        if (_staged.empty()) return;
        std::lock_guard<std::mutex> lock(_shared.mutex); // one staging write at a time
        store::stageAuditFindings(_db, _settings.bulkStrategy, _run.id, _staged);
        _staged.clear();
    }

    store::Database& _db;
    plugins::PluginHost& _host;
    plugins::PluginRun& _pluginRun;
    const domain::AuditRun& _run;
    const RunnerSettings& _settings;
    Shared& _shared;
    StorePluginData _data;
    std::vector<domain::Finding> _staged;
    std::map<std::string, long long> _perDistrict;
};

/// "1.25"
std::string seconds(Clock::duration d) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f", std::chrono::duration<double>(d).count());
    return text;
}

std::string describe(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
        return "unknown error";
    }
}

/// The decision record of an audit: [{"name","version","sha256"}] of the plugins it ran (those that apply
/// to its district, for a district's audit), in name order;
/// with `later`, also those of a later set (a version activated while it ran) that differ.
std::string pluginSetJson(const plugins::PluginSet& set, const std::optional<std::string>& district,
                          const plugins::PluginSet* later = nullptr) {
    std::map<std::tuple<std::string, std::string, std::string>, bool> seen;
    for (const auto* each : {&set, later})
        if (each)
            for (const auto& p : each->plugins)
                if (!district || p->appliesTo(*district)) seen[{p->manifest.name, p->manifest.version, p->sha256}] = true;
    Poco::JSON::Array out;
    for (const auto& [key, unused] : seen) {
        Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        o->set("name", std::get<0>(key));
        o->set("version", std::get<1>(key));
        o->set("sha256", std::get<2>(key));
        out.add(o);
    }
    std::ostringstream text;
    out.stringify(text);
    return text.str();
}

} // namespace

AuditRunner::AuditRunner(store::Database& db, plugins::PluginHost& host, RunnerSettings settings)
    : _db(db), _host(host), _settings(std::move(settings)) {
    _settings.workers = std::max(1, _settings.workers);
    _settings.batchRows = std::clamp(_settings.batchRows, 1, store::maxPageLimit);
    _settings.stageRows = std::max<std::size_t>(1, _settings.stageRows);
}

domain::AuditRun AuditRunner::run(long long auditId, const Progress& progress) {
    auto& log = Poco::Logger::get("registry.audit");
    store::AuditRunRepository runs(_db);
    const auto queued = runs.get(auditId);
    if (!queued) throw store::NotFound("audit " + std::to_string(auditId) + " does not exist");
    if (queued->status != domain::AuditStatus::Queued) return *queued;

    const long long total = store::countAuditSubjects(_db, queued->district);
    if (!runs.start(auditId, _settings.instanceId, total)) return *runs.get(auditId);
    const domain::AuditRun run = *runs.get(auditId);
    log.information("audit " + std::to_string(auditId) + " started (" +
                    (run.district ? *run.district : std::string("citywide")) + ", " + std::to_string(total) +
                    " records)");

    // A dry run's version runs alone, in a host of its own with the same limits and sandbox: the server's
    // plugins are not touched, and nothing else reports.
    std::unique_ptr<plugins::PluginHost> dryHost;
    std::optional<std::string> replaces;
    if (run.dryRun()) {
        try {
            store::PluginVersionRepository versions(_db);
            const auto version = versions.find(*run.dryRunPlugin, run.dryRunVersion.value_or(""));
            if (!version)
                throw std::runtime_error("plugin " + *run.dryRunPlugin + " has no version " +
                                         run.dryRunVersion.value_or(""));
            for (const auto& active : versions.active())
                if (active.name == version->name) replaces = active.version;
            if (!replaces)
                for (const auto& plugin : _host.registry().current()->plugins)
                    if (plugin->manifest.name == version->name) replaces = plugin->manifest.version;
            dryHost = std::make_unique<plugins::PluginHost>(_host.settings());
            const auto loaded = dryHost->registry().setManaged({{version->file(), version->source}});
            if (loaded.active != 1) {
                std::string why = loaded.error;
                for (const auto& status : dryHost->plugins())
                    if (!status.error.empty()) why = status.error;
                throw std::runtime_error("plugin " + version->name + " " + version->version + " does not load: " + why);
            }
        } catch (const std::exception& e) {
            runs.finish(auditId, domain::AuditStatus::Failed, {}, "{}", e.what());
            log.error("dry run " + std::to_string(auditId) + " failed: " + domain::logSafe(e.what()));
            return *runs.get(auditId);
        }
    }
    plugins::PluginHost& host = dryHost ? *dryHost : _host;
    const auto pluginSet = host.registry().current();
    runs.setPlugins(auditId, pluginSetJson(*pluginSet, run.district));

    const auto startedAt = Clock::now();
    plugins::PluginRun pluginRun = host.newRun();
    Shared shared;
    BatchQueue queue(static_cast<std::size_t>(_settings.workers) * 2);
    std::vector<std::thread> threads;
    std::vector<std::unique_ptr<Worker>> workers;
    for (int i = 0; i < _settings.workers; ++i) {
        workers.push_back(std::make_unique<Worker>(_db, host, pluginRun, run, _settings, shared));
        threads.emplace_back([&queue, worker = workers.back().get()] { (*worker)(queue); });
    }

    bool cancelled = false;
    auto lastProgress = Clock::now();
    auto report = [&](bool force) {
        const auto now = Clock::now();
        if (!force && now - lastProgress < std::chrono::milliseconds(_settings.progressIntervalMs)) return;
        lastProgress = now;
        if (runs.progress(auditId, shared.checked) && !cancelled) {
            cancelled = true;
            shared.stop = true;
            queue.clear();
        }
        if (progress) progress(shared.checked, total);
    };

    try {
        const store::PageRequest first{_settings.batchRows, 0};
        // Current prices, then facilities, then burial sites: each kind by id, one page at a time.
        store::PriceFilter priceFilter;
        priceFilter.district = run.district;
        priceFilter.currentOnly = true;
        store::PriceRepository prices(_db);
        for (auto page = first; !shared.stop;) {
            auto rows = prices.list(priceFilter, page);
            if (rows.items.empty()) break;
            Batch batch;
            batch.prices = std::move(rows.items);
            queue.push(std::move(batch));
            report(false);
            if (!rows.nextAfterId) break;
            page.afterId = *rows.nextAfterId;
        }
        store::FacilityFilter facilityFilter;
        facilityFilter.district = run.district;
        store::FacilityRepository facilities(_db);
        for (auto page = first; !shared.stop;) {
            auto rows = facilities.list(facilityFilter, page);
            if (rows.items.empty()) break;
            Batch batch;
            batch.facilities = std::move(rows.items);
            queue.push(std::move(batch));
            report(false);
            if (!rows.nextAfterId) break;
            page.afterId = *rows.nextAfterId;
        }
        store::BurialSiteFilter siteFilter;
        siteFilter.district = run.district;
        store::BurialSiteRepository sites(_db);
        for (auto page = first; !shared.stop;) {
            auto rows = sites.list(siteFilter, page);
            if (rows.items.empty()) break;
            Batch batch;
            batch.sites = std::move(rows.items);
            queue.push(std::move(batch));
            report(false);
            if (!rows.nextAfterId) break;
            page.afterId = *rows.nextAfterId;
        }
    } catch (...) {
        std::lock_guard<std::mutex> lock(shared.mutex);
        if (!shared.error) shared.error = std::current_exception();
        shared.stop = true;
    }
    queue.close();
    for (auto& t : threads) t.join();

    try {
        if (!shared.error) report(true);
        if (shared.error || cancelled) {
            store::discardAuditFindings(_db, auditId);
            const auto status = shared.error ? domain::AuditStatus::Failed : domain::AuditStatus::Cancelled;
            const std::string why = shared.error ? describe(shared.error) : std::string();
            runs.finish(auditId, status, {}, "{}", why);
            if (shared.error)
                log.error("audit " + std::to_string(auditId) + " failed: " + domain::logSafe(why));
            else
                log.information("audit " + std::to_string(auditId) + " cancelled after " +
                                std::to_string(shared.checked.load()) + " records");
            return *runs.get(auditId);
        }
        // A plugin activated while the audit ran is recorded too: its findings name that version.
        if (const auto now = host.registry().current(); now->generation != pluginSet->generation)
            runs.setPlugins(auditId, pluginSetJson(*pluginSet, run.district, now.get()));
        if (run.dryRun()) {
            store::DryRunEnd end;
            end.run = run;
            end.plugin = *run.dryRunPlugin;
            end.version = run.dryRunVersion.value_or("");
            end.activeVersion = replaces;
            end.skipped = pluginRun.skipped(end.plugin);
            end.recordsPerDistrict = shared.perDistrict;
            const auto counts = store::finishDryRun(_db, end);
            if (!counts) {
                store::discardAuditFindings(_db, auditId);
                runs.finish(auditId, domain::AuditStatus::Cancelled, {}, "{}", "");
                return *runs.get(auditId);
            }
            log.information("dry run " + std::to_string(auditId) + " of " + end.plugin + " " + end.version +
                            " succeeded: " + std::to_string(shared.checked.load()) + " records, " +
                            std::to_string(counts->findingsNew) + " findings would be new, " +
                            std::to_string(counts->findingsResolved) + " no longer reported, " +
                            std::to_string(counts->pluginErrors) + " plugin errors");
            return *runs.get(auditId);
        }
        store::AuditMerge merge;
        merge.run = run;
        for (const auto& plugin : host.plugins())
            if (pluginRun.skipped(plugin.name)) merge.skippedPlugins.push_back(plugin.name);
        merge.recordsPerDistrict = shared.perDistrict;
        if (const auto previous = runs.previousSucceeded(run)) merge.previousAuditId = previous->id;
        if (const Alerts* alerts = _settings.alerts)
            merge.alert = [alerts, auditId](const std::string& district, long long count) {
                return alerts->auditViolations(auditId, district, count);
            };
        const auto mergeAt = Clock::now();
        const auto counts = store::mergeAuditFindings(_db, merge);
        if (!counts) { // cancelled while it merged
            store::discardAuditFindings(_db, auditId);
            runs.finish(auditId, domain::AuditStatus::Cancelled, {}, "{}", "");
            log.information("audit " + std::to_string(auditId) + " cancelled at the end, after " +
                            std::to_string(shared.checked.load()) + " records");
            return *runs.get(auditId);
        }
        if (_settings.alerts) _settings.alerts->wake();
        log.information("audit " + std::to_string(auditId) + " succeeded: " + std::to_string(shared.checked.load()) +
                        " records, " + std::to_string(counts->findingsNew) + " new findings, " +
                        std::to_string(counts->findingsResolved) + " resolved, " +
                        std::to_string(counts->pluginErrors) + " plugin errors; checks " +
                        seconds(mergeAt - startedAt) + " s, merge " + seconds(Clock::now() - mergeAt) + " s");
    } catch (const std::exception& e) {
        // The merge is one transaction: it either happened whole or not at all.
        log.error("audit " + std::to_string(auditId) + " failed at the end: " + domain::logSafe(e.what()));
        try {
            store::discardAuditFindings(_db, auditId);
            runs.finish(auditId, domain::AuditStatus::Failed, {}, "{}", e.what());
        } catch (const std::exception& again) {
            log.error("audit " + std::to_string(auditId) + ": cannot record its failure: " + domain::logSafe(again.what()));
        }
    }
    return *runs.get(auditId);
}

} // namespace registry::service
