// Operators (API.md, the `operator` role): staff of one facility. Accounts are made by admins (a district
// admin only for facilities of its district); an operator reads its own facility, its prices and findings,
// files prices that are always self-reports (one by one, or a CSV without facility columns), and learns
// nothing of any other facility. The permission matrix walks every route; here, what an operator sees.

#include "api/ApiSupport.h"

#include <boost/test/unit_test.hpp>

using namespace registry::apitest;
using Poco::Dynamic::Var;

namespace {

int counter = 0;
std::string unique(const std::string& prefix) { return prefix + std::to_string(++counter); }

JsonObject operatorBody(const std::string& name, Var facility) {
    return object({{"username", name}, {"display_name", "价格员 " + name}, {"role", "operator"},
                   {"facility_id", facility}, {"password", kPassword}});
}

/// A new operator of `facility`, signed in.
Client newOperator(long long facility) {
    const auto name = unique("op");
    const auto r = as("admin").post("/api/v1/users", operatorBody(name, facility));
    BOOST_REQUIRE_MESSAGE(r.status == 201, r.describe());
    const auto token = Server::instance().signIn(name);
    BOOST_REQUIRE(!token.empty());
    return Client(token);
}

std::vector<long long> ids(const std::vector<JsonObject>& items, const std::string& key = "id") {
    std::vector<long long> out;
    for (const auto& item : items) out.push_back(item->getValue<long long>(key));
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(Operators)

BOOST_AUTO_TEST_CASE(accounts_belong_to_one_facility_and_its_district) {
    const auto facility = createFacility("admin", kOwn, "账户测试殡仪馆").id();
    const auto admin = as("admin");
    const auto made = admin.post("/api/v1/users", operatorBody(unique("op"), facility));
    BOOST_REQUIRE_MESSAGE(made.status == 201, made.describe());
    BOOST_TEST(made.str("role") == "operator");
    BOOST_TEST(made.num("facility_id") == facility);
    BOOST_TEST(made.str("district") == kOwn, "an operator's district is its facility's");

    const auto noFacility = admin.post("/api/v1/users", without(operatorBody(unique("op"), facility), {"facility_id"}));
    BOOST_TEST(noFacility.status == 422, noFacility.describe());
    BOOST_TEST(noFacility.body.find("facility_id") != std::string::npos);
    const auto unknown = admin.post("/api/v1/users", operatorBody(unique("op"), 99999999));
    BOOST_TEST(unknown.status == 422, unknown.describe());
    const auto elsewhere = admin.post("/api/v1/users", with(operatorBody(unique("op"), facility), {{"district", kOther}}));
    BOOST_TEST(elsewhere.status == 422, elsewhere.describe());
    BOOST_TEST(elsewhere.body.find(kOwn) != std::string::npos, "the error names the facility's district");
    const auto inspector = admin.post("/api/v1/users", with(operatorBody(unique("op"), facility), {{"role", "inspector"}}));
    BOOST_TEST(inspector.status == 422, "only an operator belongs to a facility: " << inspector.describe());

    // A district admin makes operators of its district's facilities only.
    const auto otherFacility = createFacility("admin", kOther, "外区账户测试殡仪馆").id();
    BOOST_TEST(as("adminh").post("/api/v1/users", operatorBody(unique("op"), facility)).status == 201);
    // Another district's facility is, to a district admin, no facility at all: it learns nothing of it.
    const auto outside = as("adminh").post("/api/v1/users", operatorBody(unique("op"), otherFacility));
    const auto nowhere = as("adminh").post("/api/v1/users", operatorBody(unique("op"), 99999999));
    BOOST_TEST(outside.status == 422, outside.describe());
    BOOST_TEST(outside.body.find(kOther) == std::string::npos, "the other district is not named");
    BOOST_TEST(nowhere.status == 422);
    for (const auto* r : {&outside, &nowhere}) {
        const bool says = r->body.find("本区没有这个单位") != std::string::npos;
        BOOST_TEST(says, r->body);
    }

    // An operator is never citywide (a district left out is its facility's), and keeps its facility only
    // as long as it is an operator.
    const auto path = pathOf("users", made.id());
    const auto current = admin.get(path);
    const auto citywide = admin.put(path, with(current.obj(), {{"district", Var()}}), current.etag());
    BOOST_TEST(citywide.status == 200, citywide.describe());
    BOOST_TEST(citywide.str("district") == kOwn);
    const auto promoted = admin.put(path, with(citywide.obj(), {{"role", "inspector"}}), citywide.etag());
    BOOST_TEST(promoted.status == 422, promoted.describe());
}

BOOST_AUTO_TEST_CASE(an_operator_reads_only_its_own_facility) {
    const auto own = createFacility("admin", kOwn, "本单位殡仪馆").id();
    const auto sibling = createFacility("admin", kOwn, "同区另一殡仪馆").id();
    const auto ownPrice = as("admin").post("/api/v1/prices", priceBody(own, "basic.transport", 30000, "2024-01-01"));
    const auto siblingPrice = as("admin").post("/api/v1/prices", priceBody(sibling, "basic.transport", 31000, "2024-01-01"));
    BOOST_REQUIRE(ownPrice.status == 201 && siblingPrice.status == 201);
    const auto op = newOperator(own);

    const auto me = op.get("/api/v1/me");
    BOOST_TEST(me.num("facility_id") == own);
    BOOST_TEST(op.get(pathOf("facilities", own)).status == 200);
    BOOST_TEST(op.get(pathOf("facilities", sibling)).status == 404, "another facility of its district is not found");
    BOOST_TEST(op.get(pathOf("prices", ownPrice.id())).status == 200);
    BOOST_TEST(op.get(pathOf("prices", siblingPrice.id())).status == 404);

    BOOST_TEST(ids(op.all("/api/v1/facilities")) == std::vector<long long>{own}, "its list is its facility");
    for (const auto& p : op.all("/api/v1/prices")) BOOST_TEST(p->getValue<long long>("facility_id") == own);
    BOOST_TEST(op.count("/api/v1/prices?current=true") == 1);
    BOOST_TEST(op.get("/api/v1/prices?facility_id=" + std::to_string(sibling)).status == 404);
    BOOST_TEST(op.get("/api/v1/facilities?district=" + std::string(kOther)).status == 404);
    BOOST_TEST(op.get("/api/v1/burial-sites").status == 403);
    BOOST_TEST(op.get("/api/v1/inspections").status == 403);
    BOOST_TEST(op.get("/api/v1/users").status == 403);
    BOOST_TEST(op.get("/api/v1/export/prices").status == 403);
}

BOOST_AUTO_TEST_CASE(an_operators_prices_are_self_reports_and_it_sees_their_findings) {
    const auto own = createFacility("admin", kOwn, "自报价格殡仪馆").id();
    const auto sibling = createFacility("admin", kOwn, "自报价格邻馆").id();
    const auto op = newOperator(own);

    // Left out, source is self_report (and the facility its own); an inspection it is not.
    auto body = without(priceBody(own, "basic.storage", 5000, "2024-02-01"), {"source", "facility_id"});
    const auto filed = op.post("/api/v1/prices", body);
    BOOST_REQUIRE_MESSAGE(filed.status == 201, filed.describe());
    BOOST_TEST(filed.str("source") == "self_report");
    BOOST_TEST(filed.num("facility_id") == own);
    const auto claimed = op.post("/api/v1/prices", priceBody(own, "basic.cremation", 5000, "2024-02-01"));
    BOOST_TEST(claimed.status == 422, "a body saying source inspection: " << claimed.describe());
    BOOST_TEST(claimed.body.find("self_report") != std::string::npos);
    BOOST_TEST(op.post("/api/v1/prices", with(priceBody(own, "basic.cremation", 5000, "2024-02-01"), {{"source", "self_report"}}))
                   .status == 201);
    const auto elsewhere = op.post("/api/v1/prices", without(priceBody(sibling, "basic.storage", 5000, "2024-02-01"), {"source"}));
    BOOST_TEST(elsewhere.status == 403, elsewhere.describe());
    BOOST_TEST(as("admin").count("/api/v1/prices?facility_id=" + std::to_string(sibling)) == 0, "nothing stored");

    // Not displayed: Haidian's test rule calls it a violation, said at once and kept as a finding it sees.
    const auto hidden = op.post("/api/v1/prices", with(without(priceBody(own, "goods.urn", 80000, "2024-02-01"), {"source"}),
                                                       {{"displayed", false}}));
    BOOST_REQUIRE_MESSAGE(hidden.status == 201, hidden.describe());
    BOOST_TEST(hidden.body.find("price.not_displayed") != std::string::npos, hidden.body);
    const auto siblingHidden = as("admin").post(
        "/api/v1/prices", with(priceBody(sibling, "goods.urn", 80000, "2024-02-01"), {{"displayed", false}}));
    BOOST_REQUIRE_EQUAL(siblingHidden.status, 201);

    const auto findings = op.all("/api/v1/findings");
    bool seesOwn = false;
    for (const auto& f : findings) {
        const auto subject = f->getValue<long long>("subject_id");
        BOOST_TEST(subject != siblingHidden.id(), "another facility's finding: " << stringify(f));
        seesOwn = seesOwn || (subject == hidden.id() && f->getValue<std::string>("rule") == "price.not_displayed");
    }
    BOOST_TEST(seesOwn, "its own price's finding is in its list");
    const auto siblingFinding =
        as("admin").all("/api/v1/findings?subject_type=price&subject_id=" + std::to_string(siblingHidden.id()));
    BOOST_REQUIRE(!siblingFinding.empty());
    BOOST_TEST(op.get(pathOf("findings", siblingFinding.front()->getValue<long long>("id"))).status == 404);
    const auto ownFinding = as("admin").all("/api/v1/findings?subject_type=price&subject_id=" + std::to_string(hidden.id()));
    BOOST_REQUIRE(!ownFinding.empty());
    const auto findingPath = pathOf("findings", ownFinding.front()->getValue<long long>("id"));
    BOOST_TEST(op.get(findingPath).status == 200);
    BOOST_TEST(op.post(findingPath + "/status", object({{"status", "resolved"}, {"note", "已改"}})).status == 403,
               "an operator does not close its own findings");
}

BOOST_AUTO_TEST_CASE(an_operator_imports_its_price_list_without_facility_columns) {
    const auto own = createFacility("admin", kOwn, "导入价格表殡仪馆").id();
    const auto sibling = createFacility("admin", kOwn, "导入价格表邻馆").id();
    const auto op = newOperator(own);
    const auto good = op.postRaw("/api/v1/import/prices",
                                 "item,amount_yuan,effective_from,displayed,bundled\n"
                                 "basic.transport,300,2024-03-01,true,false\next.cosmetic,200.5,2024-03-01,是,否\n",
                                 "text/csv");
    BOOST_TEST(good.status == 200, good.describe());
    const auto stored = as("admin").all("/api/v1/prices?facility_id=" + std::to_string(own));
    BOOST_TEST(stored.size() == 2u);
    for (const auto& p : stored) BOOST_TEST(p->getValue<std::string>("source") == "self_report");

    // A row naming another facility, existing or not, is refused alike; nothing of the file is stored.
    const std::string header = "facility_id,item,amount_fen,effective_from,displayed,bundled,source\n";
    for (const auto& row : {std::to_string(sibling) + ",basic.storage,100,2024-04-01,true,false,\n",
                            std::string("99999999,basic.storage,100,2024-04-01,true,false,\n")}) {
        const auto r = op.postRaw("/api/v1/import/prices",
                                  header + std::to_string(own) + ",basic.storage,100,2024-04-01,true,false,\n" + row,
                                  "text/csv");
        BOOST_TEST(r.status == 422, r.describe());
        const bool says = r.body.find("本单位") != std::string::npos;
        BOOST_TEST(says, r.body);
    }
    // Both facility cells given: both must name its own.
    const auto mixed = op.postRaw("/api/v1/import/prices",
                                  "facility_id,facility_code,item,amount_fen,effective_from,displayed,bundled\n" +
                                      std::to_string(own) + "," + as("admin").get(pathOf("facilities", sibling)).str("code") +
                                      ",basic.storage,100,2024-04-01,true,false\n",
                                  "text/csv");
    BOOST_TEST(mixed.status == 422, mixed.describe());
    const auto inspected = op.postRaw("/api/v1/import/prices",
                                      header + std::to_string(own) + ",basic.storage,100,2024-04-01,true,false,inspection\n",
                                      "text/csv");
    BOOST_TEST(inspected.status == 422, inspected.describe());
    BOOST_TEST(as("admin").count("/api/v1/prices?facility_id=" + std::to_string(own)) == 2, "nothing more stored");
    BOOST_TEST(as("admin").count("/api/v1/prices?facility_id=" + std::to_string(sibling)) == 0);
}

BOOST_AUTO_TEST_CASE(a_facility_that_moves_takes_its_operators_along) {
    const auto facility = createFacility("admin", kOwn, "迁址殡仪馆");
    const auto op = newOperator(facility.id());
    // A finding seen while it was in Haidian (an undisplayed price: Haidian's test rule).
    const auto hidden = as("admin").post("/api/v1/prices", with(priceBody(facility.id(), "goods.urn", 80000, "2024-02-01"),
                                                               {{"displayed", false}}));
    BOOST_REQUIRE_EQUAL(hidden.status, 201);
    BOOST_REQUIRE(op.count("/api/v1/findings") >= 1);
    const auto before = op.count("/api/v1/findings");
    BOOST_TEST(op.get("/api/v1/me").str("district") == kOwn, "read once: its principal may be kept now");
    const auto current = as("admin").get(pathOf("facilities", facility.id()));
    const auto moved = as("admin").put(pathOf("facilities", facility.id()), with(current.obj(), {{"district", kOther}}),
                                       current.etag());
    BOOST_REQUIRE_MESSAGE(moved.status == 200, moved.describe());
    const auto me = op.get("/api/v1/me");
    BOOST_TEST(me.str("district") == kOther, me.describe());
    BOOST_TEST(me.num("version") == 2, "a new version of the user");
    BOOST_TEST(op.get(pathOf("facilities", facility.id())).status == 200, "still its own facility");
    BOOST_TEST(op.count("/api/v1/findings") == before, "its findings from before the move are still its");
    BOOST_TEST(as("admin").count("/api/v1/changes?entity=user&entity_id=" + std::to_string(me.id())) >= 2,
               "the move is in the user's change log");
}

BOOST_AUTO_TEST_SUITE_END()
