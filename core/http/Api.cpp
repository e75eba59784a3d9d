#include "http/Api.h"

namespace registry::http {

std::shared_ptr<Router> buildRouter(ApiContext& context) {
    auto router = std::make_shared<Router>();
    addOperationRoutes(*router, context);
    addAuthRoutes(*router, context);
    addReferenceRoutes(*router, context);
    addFacilityRoutes(*router, context);
    addBurialSiteRoutes(*router, context);
    addPriceRoutes(*router, context);
    addInspectionRoutes(*router, context);
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
