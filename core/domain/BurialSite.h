#pragma once
// Historical burial sites and scattered graves under the three-year rectification plan, and the
// append-only log of their progress.

#include "domain/Attachment.h"
#include "domain/Enums.h"
#include "domain/FieldError.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace registry::domain {

struct BurialSite {
    std::int64_t id = 0;
    std::string code; // server-assigned, "B-110108-00042"
    BurialSiteKind kind = BurialSiteKind::HistoricalBurialPoint;
    std::string district;
    std::string township; // 乡镇/街道
    std::string village;
    std::string location; // description
    std::optional<double> lat;
    std::optional<double> lon;
    std::int64_t graveCount = 0;
    std::int64_t gravesHandled = 0; // read-only: sum of the progress log
    std::vector<Zone> zones;
    bool protectedRelic = false;
    std::optional<Measure> measure;
    BurialSiteStatus status = BurialSiteStatus::Surveyed;
    std::string targetDate; // YYYY-MM-DD, inside the plan window
    std::string responsibleUnit;
    std::int64_t version = 0;
    std::string createdAt;
    std::string updatedAt;
};

struct ProgressEntry {
    std::int64_t id = 0;
    std::int64_t siteId = 0;
    std::string date;
    std::int64_t gravesHandled = 0; // handled in this entry
    std::optional<BurialSiteStatus> status; // the status the site moved to with this entry, if any
    std::string note;
    std::string recordedBy;
    std::string createdAt;
    /// Photos of the work (graves moved, the ground restored): named by id when the entry is appended,
    /// listed when it is read.
    std::vector<std::int64_t> attachmentIds;
    std::vector<Attachment> attachments;
};

/// The three-year rectification window; a setting (default 2022-01-01 to 2024-12-31).
struct PlanWindow {
    std::string start = "2022-01-01";
    std::string end = "2024-12-31";
};

FieldErrors validate(const BurialSite& site, const PlanWindow& window);

/// A status may stay as it is or move forward exactly one step; nullopt when `from → to` is allowed.
std::optional<FieldError> checkStatusChange(BurialSiteStatus from, BurialSiteStatus to);

/// Checks an entry against the site it is appended to (whose gravesHandled is the total so far).
FieldErrors validate(const ProgressEntry& entry, const BurialSite& site);

/// Text form of the zones list as stored ("farmland,forest") and back; parse skips nothing: nullopt on an
/// unknown zone.
std::string joinZones(const std::vector<Zone>& zones);
std::optional<std::vector<Zone>> splitZones(const std::string& text);

} // namespace registry::domain
