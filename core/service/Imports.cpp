#include "service/Imports.h"

#include "service/RecordChecks.h"
#include "service/Permissions.h"

namespace registry::service {

void Imports::requireMayImport(const Principal& who) {
    if (isOperator(who)) // its own facility's prices only (store::ImportOptions::facilityId)
        requireFacility(who, Action::WriteRecord, who.facilityId.value_or(0), who.district.value_or(""));
    else
        requireOwn(who, Action::WriteRecord);
}

ImportResult Imports::importPrices(const Principal& who, const std::function<ImportRequest()>& source) {
    requireMayImport(who);
    auto request = source();
    ImportResult result;
    try {
        const auto encoding = request.encoding.value_or(codec::detectEncoding(request.bytes));
        result.text = codec::toUtf8(std::move(request.bytes), encoding);
    } catch (const std::invalid_argument& e) {
        throw Invalid({{"file", "encoding", "文件编码无法识别:请另存为 UTF-8 或 GBK 编码的 CSV",
                        std::string("the file cannot be read: ") + e.what()}});
    }
    store::ImportOptions options;
    options.dryRun = request.dryRun;
    options.actor = who.username;
    options.district = who.district; // only its own district's facilities may be priced
    if (isOperator(who)) options.facilityId = who.facilityId;
    options.strategy = _c.bulkStrategy;
    options.progress = request.progress;
    if (_c.checks) {
        options.validate = _c.checks->priceValidator(); // reads each facility once for the whole file
    }
    result.report = store::importPrices(_c.db, result.text, options);
    if (!result.report.problems.empty()) throw ImportRefused(std::move(result.report));
    return result;
}

} // namespace registry::service
