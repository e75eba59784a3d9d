#include "http/Api.h"

#include "domain/Dates.h"

namespace registry::http {

std::string ApiContext::todayDate() const { return today ? today() : domain::todayUtc(); }

std::shared_ptr<Router> buildRouter(ApiContext& context) {
    auto router = std::make_shared<Router>();
    addOperationRoutes(*router, context);
    addAuthRoutes(*router, context);
    addReferenceRoutes(*router, context);
    addFacilityRoutes(*router, context);
    addBurialSiteRoutes(*router, context);
    addPriceRoutes(*router, context);
    addInspectionRoutes(*router, context);
    addNoticeRoutes(*router, context);
    addAttachmentRoutes(*router, context);
    addFindingRoutes(*router, context);
    addUserRoutes(*router, context);
    addTransferRoutes(*router, context);
    addPluginRoutes(*router, context);
    addAuditRoutes(*router, context);
    addOpenApiRoutes(*router, context);
    addPublicRoutes(*router, context);
    return router;
}

} // namespace registry::http
