#pragma once
// Price lists imported from CSV (UTF-8 or GBK as Excel saves it): every row checked, the district's
// validate hooks included, then all rows stored or none. The API, the web form and `import prices` all
// come here, so a rule that refuses a row refuses it everywhere.

#include "codec/Csv.h"
#include "service/Context.h"
#include "service/Refusal.h"
#include "store/PriceImport.h"

#include <functional>
#include <optional>
#include <string>

namespace registry::service {

using store::ImportProblem;
using store::ImportReport;

struct ImportRequest {
    std::string bytes; // the file as uploaded
    std::optional<codec::TextEncoding> encoding; // nullopt: detected (bytes that are not UTF-8 are GBK)
    bool dryRun = false;
    std::function<void(std::size_t done, std::size_t total)> progress;
};

struct ImportResult {
    ImportReport report; // without problems
    std::string text;    // the file as UTF-8 (what a confirmation step sends back)
};

/// The file had bad rows: nothing was stored; `report().problems` lists them (line, field, message).
class ImportRefused : public Refusal {
public:
    explicit ImportRefused(ImportReport report)
        : Refusal(RefusalKind::Invalid, "价格表有误,未导入任何数据", "The price list has errors; nothing was imported"),
          _report(std::move(report)) {}
    const ImportReport& report() const { return _report; }

private:
    ImportReport _report;
};

class Imports {
public:
    explicit Imports(Context context) : _c(std::move(context)) {}

    /// Throws NotAllowed, Invalid (the file cannot be read in its encoding) or ImportRefused. `request`
    /// is asked for once the principal may import at all (so the file is not read for nothing).
    ImportResult importPrices(const Principal& who, const std::function<ImportRequest()>& request);
    /// NotAllowed unless `who` may import prices at all: a role that writes records, or an operator (whose
    /// rows are then its own facility's self-reports).
    static void requireMayImport(const Principal& who);

private:
    Context _c;
};

} // namespace registry::service
