// The whole permission table (service/Permissions.h) walked from outside: every role (admin citywide and
// with a district, inspector citywide and with a district, district_it, auditor) × every route of API.md
// × a record of the user's own district, of another district, and a citywide one (a citywide audit, a
// citywide reference price, a user without a district), through the HTTP API, and the pages of the web
// forms that change something; rectification notices and their evidence too, and an operator apart. The
// expectations are written here from API.md, not read from the product's table, so that a wrong row there
// fails here.

#include "api/ApiSupport.h"
#include "support/XlsxRead.h"

#include <boost/test/unit_test.hpp>

#include <functional>
#include <set>

using namespace registry::apitest;

namespace {

enum class Role { Admin, Inspector, DistrictIt, Auditor };

struct Who {
    std::string user;
    Role role;
    bool hasDistrict; // of kOwn
};

const std::vector<Who>& everyone() {
    static const std::vector<Who> all{{"admin", Role::Admin, false},  {"adminh", Role::Admin, true},
                                      {"inspcity", Role::Inspector, false}, {"insp", Role::Inspector, true},
                                      {"it", Role::DistrictIt, true}, {"aud", Role::Auditor, false}};
    return all;
}

enum class Target { Own, Other, City };
const char* name(Target t) { return t == Target::Own ? "own" : t == Target::Other ? "other" : "citywide"; }

// What API.md says, one function per kind of action. `district`: the target is a district's record.
bool writesRecords(const Who& w) { return w.role == Role::Admin || w.role == Role::Inspector; }
bool runsAudits(const Who& w) { return w.role != Role::Inspector; }
bool managesUsers(const Who& w) { return w.role == Role::Admin; }
bool managesPlugins(const Who& w) { return w.role == Role::Admin || w.role == Role::DistrictIt; }
/// A district user reaches its own district only: never another district, never the city as a whole.
bool reaches(const Who& w, Target t) { return !w.hasDistrict || t == Target::Own; }

/// The answer to a read of a record: another district's is 404 for a district user.
int readStatus(const Who& w, Target t) { return w.hasDistrict && t == Target::Other ? 404 : 200; }
/// A write that `may` allows: `ok`; otherwise 403.
int writeStatus(bool may, int ok) { return may ? ok : 403; }

// Rectification notices (API.md): issued by an "inspector or admin of the district"; answered by "the
// facility's operator, or an inspector on its behalf"; verified by an "inspector"; an admin does all.
bool issuesNotices(const Who& w) {
    return w.role == Role::Admin || w.role == Role::Inspector;
}
bool answersNotices(const Who& w) {
    return w.role == Role::Admin || w.role == Role::Inspector;
}
bool verifiesNotices(const Who& w) {
    return w.role == Role::Admin || w.role == Role::Inspector;
}
/// Evidence is "attached to inspections, progress entries, notice responses and verifications": whoever
/// writes one of those uploads it (an operator too, for its answers).
bool uploadsEvidence(const Who& w) {
    return writesRecords(w);
}
/// A step on a notice: another district's notice is not found for a district user, as its read is.
int noticeStepStatus(const Who& w, Target t, bool may, int ok) {
    return readStatus(w, t) == 404 ? 404 : may && reaches(w, t) ? ok : 403;
}

// Records of both districts and of the city, made once by the citywide admin.
struct Records {
    long long facility = 0, site = 0, price = 0, inspection = 0, finding = 0, audit = 0, reference = 0, user = 0;
    // The site's own finding, and an issued notice to the facility (its price's finding) and to the site.
    long long siteFinding = 0, notice = 0, siteNotice = 0;
};
struct World {
    Records own, other, city;
};

/// What both districts' test plugins flag (test/api/plugins): a price's note, a site's responsible unit.
constexpr const char* kMarker = "permission-matrix";

long long findingOf(const std::string& subjectType, long long subjectId) {
    const auto items = as("admin").all("/api/v1/findings?subject_type=" + subjectType +
                                       "&subject_id=" + std::to_string(subjectId));
    BOOST_REQUIRE_MESSAGE(!items.empty(), "no finding of " << subjectType << " " << subjectId);
    return items.front()->getValue<long long>("id");
}

JsonObject noticeBody(const std::string& subjectType, long long subjectId, long long finding) {
    return object({{"subject_type", subjectType},
                   {"subject_id", subjectId},
                   {"finding_ids", array({finding})},
                   {"requirements", "权限矩阵:限期公示收费标准"},
                   {"deadline", daysAhead(60)}});
}
/// A notice issued by the citywide admin: its id.
long long newNotice(const std::string& subjectType, long long subjectId, long long finding) {
    const auto r = as("admin").post("/api/v1/notices", noticeBody(subjectType, subjectId, finding));
    BOOST_REQUIRE_MESSAGE(r.status == 201, r.describe());
    return r.id();
}
long long newFacilityNotice(const Records& r) {
    return newNotice("facility", r.facility, r.finding);
}
long long newSiteNotice(const Records& r) {
    return newNotice("burial_site", r.site, r.siteFinding);
}

JsonArray idsOf(std::initializer_list<long long> ids) {
    JsonArray out = new Poco::JSON::Array;
    for (const auto id : ids)
        out->add(id);
    return out;
}
JsonObject answerBody(std::initializer_list<long long> attachments = {}) {
    return object({{"text", "已整改,见附件。"}, {"attachment_ids", idsOf(attachments)}});
}
/// Not rectified, with a new deadline: the notice is issued again and its findings stay open for the next.
JsonObject verdictBody(std::initializer_list<long long> attachments = {}) {
    return object({{"result", "not_rectified"},
                   {"note", "复查未合格"},
                   {"deadline", daysAhead(90)},
                   {"attachment_ids", idsOf(attachments)}});
}

long long newUser(const std::string& name, const std::optional<std::string>& district) {
    const auto r = as("admin").post("/api/v1/users", object({{"username", name},
                                                           {"display_name", name},
                                                           {"role", "inspector"},
                                                           {"district", district ? Poco::Dynamic::Var(*district) : Poco::Dynamic::Var()},
                                                           {"password", kPassword}}));
    BOOST_REQUIRE_MESSAGE(r.status == 201, r.describe());
    return r.id();
}

long long newAudit(const std::optional<std::string>& district) {
    const auto r = district ? as("admin").post("/api/v1/audits", object({{"district", *district}}))
                            : as("admin").postRaw("/api/v1/audits", "{}");
    BOOST_REQUIRE_MESSAGE(r.status == 202, r.describe());
    return r.id();
}

long long newReference(const std::optional<std::string>& district) {
    auto body = referencePriceBody("basic.cremation", 60000);
    body->set("district", district ? Poco::Dynamic::Var(*district) : Poco::Dynamic::Var());
    const auto r = as("admin").post("/api/v1/reference-prices", body);
    BOOST_REQUIRE_MESSAGE(r.status == 201, r.describe());
    return r.id();
}

Records makeRecords(const std::string& district, const std::string& tag) {
    Records r;
    r.facility = createFacility("admin", district, "矩阵设施 " + tag).id();
    // A marked site, and a price undisplayed (Haidian's test rule flags it) and marked (Chaoyang's): a
    // finding of each in each district.
    const auto site = as("admin").post("/api/v1/burial-sites",
                                       with(burialSiteBody(district, 1000), {{"responsible_unit", kMarker}}));
    BOOST_REQUIRE_MESSAGE(site.status == 201, site.describe());
    r.site = site.id();
    r.siteFinding = findingOf("burial_site", r.site);
    auto price = with(priceBody(r.facility, "basic.cremation", 50000, "2024-01-01"),
                      {{"displayed", false}, {"note", kMarker}});
    const auto p = as("admin").post("/api/v1/prices", price);
    BOOST_REQUIRE_MESSAGE(p.status == 201, p.describe());
    r.price = p.id();
    r.finding = findingOf("price", r.price);
    r.notice = newFacilityNotice(r);
    r.siteNotice = newSiteNotice(r);
    const auto i = as("admin").post("/api/v1/inspections", inspectionBody("facility", r.facility));
    BOOST_REQUIRE_EQUAL(i.status, 201);
    r.inspection = i.id();
    r.audit = newAudit(district);
    r.reference = newReference(district);
    r.user = newUser("mx_" + tag, district);
    return r;
}

const World& world() {
    static const World w = [] {
        World out{makeRecords(kOwn, "own"), makeRecords(kOther, "other"), {}};
        out.city.audit = newAudit(std::nullopt);
        out.city.reference = newReference(std::nullopt);
        out.city.user = newUser("mx_city", std::nullopt);
        return out;
    }();
    return w;
}

const Records& of(Target t) {
    const auto& w = world();
    return t == Target::Own ? w.own : t == Target::Other ? w.other : w.city;
}
std::string districtOf(Target t) { return t == Target::Own ? kOwn : kOther; }
Poco::Dynamic::Var districtValue(Target t) {
    return t == Target::City ? Poco::Dynamic::Var() : Poco::Dynamic::Var(districtOf(t));
}

int counter = 0;
std::string unique(const std::string& prefix) { return prefix + std::to_string(++counter); }

void expectStatus(const Who& w, const std::string& route, Target t, const Response& r, std::initializer_list<int> ok) {
    bool matched = false;
    for (int s : ok) matched = matched || r.status == s;
    BOOST_TEST(matched, w.user << " " << route << " (" << name(t) << "): " << r.describe());
    if (r.status >= 400 && route.rfind("web ", 0) != 0) BOOST_TEST(r.isProblem(), w.user << " " << route << ": a problem document");
}
void expectStatus(const Who& w, const std::string& route, Target t, const Response& r, int ok) {
    expectStatus(w, route, t, r, {ok});
}

Response putCurrent(const Client& client, const std::string& path,
                    std::initializer_list<std::pair<std::string, Poco::Dynamic::Var>> changes) {
    const auto current = as("admin").get(path);
    return client.put(path, with(current.obj(), changes), current.etag());
}
Response putCurrent(const Who& w, const std::string& path,
                    std::initializer_list<std::pair<std::string, Poco::Dynamic::Var>> changes) {
    return putCurrent(as(w.user), path, changes);
}


// --- managed plugins -------------------------------------------------------------------------------------

/// The plugin name of a target: Haidian's, Chaoyang's, or the city's.
std::string pluginOf(Target t) {
    return t == Target::Own ? "haidian.matrix-rule" : t == Target::Other ? "chaoyang.matrix-rule" : "common.matrix-rule";
}

/// A version that never reports anything (no price has this item), with one passing case.
Poco::JSON::Object::Ptr pluginSubmission(Target t, const std::string& version) {
    const std::string source = "return {\n  name = \"" + pluginOf(t) + "\",\n  version = \"" + version +
                               "\",\n  description = \"权限矩阵测试\",\n  checks = {\n    price = function(p, ctx)\n"
                               "      if p.item == \"matrix.none\" then\n"
                               "        ctx.finding{rule = \"price.matrix\", severity = \"info\", message = \"矩阵\"}\n"
                               "      end\n    end,\n  },\n}\n";
    const std::string tests = "return {\n  { name = \"什么都不报\", price = { item = \"basic.transport\", amount_fen = 100 },"
                              " expect = {} },\n}\n";
    return object({{"source", source}, {"tests", tests}});
}

/// A version of each target's plugin, submitted by the citywide admin, that every read below finds.
const std::string& baseVersion() {
    static const std::string version = [] {
        for (const auto t : {Target::Own, Target::Other, Target::City}) {
            const auto r = as("admin").post("/api/v1/plugins", pluginSubmission(t, "0.0.1"));
            BOOST_REQUIRE_MESSAGE(r.status == 201, r.describe());
        }
        return std::string("0.0.1");
    }();
    return version;
}

std::string versionPath(Target t, const std::string& version) {
    return "/api/v1/plugins/" + pluginOf(t) + "/versions/" + version;
}

// --- rectification notices and their evidence -------------------------------------------------------------

std::string numberOf(long long notice) {
    return as("admin").get(pathOf("notices", notice)).str("number");
}

std::set<long long> idsIn(const std::vector<JsonObject>& items) {
    std::set<long long> out;
    for (const auto& item : items)
        out.insert(item->getValue<long long>("id"));
    return out;
}

/// A 1×1 grey PNG, as a phone's photo would start (signature, IHDR first).
const std::string& png() {
    static const unsigned char bytes[] = {
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00,
        0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x3a, 0x7e, 0x9b, 0x55, 0x00,
        0x00, 0x00, 0x0a, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01,
        0x48, 0xaf, 0xa4, 0x71, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
    static const std::string text(reinterpret_cast<const char*>(bytes), sizeof bytes);
    return text;
}
const std::string scanPdf = "%PDF-1.4\n%permission matrix\n";

/// An upload by `by`, checked to be stored: its id.
long long upload(const Client& by, const std::string& content, const std::string& type) {
    const auto r = by.postRaw("/api/v1/attachments?name=matrix", content, type);
    BOOST_REQUIRE_MESSAGE(r.status == 201, r.describe());
    return r.id();
}
std::string attachmentPath(long long id) {
    return "/api/v1/attachments/" + std::to_string(id);
}

/// A photo that `by` uploads and names in its answer to `notice`: the photo's id.
long long answeredWithPhoto(const Client& by, long long notice) {
    const auto photo = upload(by, png(), "image/png");
    const auto r = by.post(pathOf("notices", notice) + "/response", answerBody({photo}));
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.describe());
    return photo;
}

/// Evidence on a target's notices, attached by the citywide admin: a photo with the answer to a facility's
/// notice and a scan with its verdict, a photo with the answer to the burial site's notice.
struct Evidence {
    long long answer = 0, verdict = 0, site = 0;
};
Evidence evidenceFor(const Records& r) {
    Evidence out;
    const auto admin = as("admin");
    const auto notice = newFacilityNotice(r);
    out.answer = answeredWithPhoto(admin, notice);
    out.verdict = upload(admin, scanPdf, "application/pdf");
    const auto v = admin.post(pathOf("notices", notice) + "/verify", verdictBody({out.verdict}));
    BOOST_REQUIRE_MESSAGE(v.status == 200, v.describe());
    out.site = answeredWithPhoto(admin, newSiteNotice(r));
    return out;
}
const Evidence& evidenceOf(Target t) {
    static const Evidence own = evidenceFor(of(Target::Own));
    static const Evidence other = evidenceFor(of(Target::Other));
    return t == Target::Own ? own : other;
}

/// An operator (API.md: the `operator` role) of the own district's facility, and a neighbour facility in its
/// own district with a price, its finding and a notice of its own: made once, for the operator cases.
struct OperatorWorld {
    Records sibling;
    Who who{"mx_operator", Role::Auditor, true}; // its role for the messages only
    Client client;
};
const OperatorWorld& operatorWorld() {
    static const OperatorWorld ow = [] {
        OperatorWorld out;
        out.sibling.facility = createFacility("admin", kOwn, "矩阵邻馆").id();
        const auto price = as("admin").post(
            "/api/v1/prices", with(priceBody(out.sibling.facility, "basic.cremation", 50000, "2024-01-01"),
                                   {{"displayed", false}}));
        BOOST_REQUIRE_EQUAL(price.status, 201);
        out.sibling.price = price.id();
        out.sibling.finding = findingOf("price", out.sibling.price);
        out.sibling.notice = newFacilityNotice(out.sibling);
        const auto made = as("admin").post("/api/v1/users", object({{"username", out.who.user},
                                                                    {"role", "operator"},
                                                                    {"facility_id", of(Target::Own).facility},
                                                                    {"password", kPassword}}));
        BOOST_REQUIRE_MESSAGE(made.status == 201, made.describe());
        const auto token = Server::instance().signIn(out.who.user);
        BOOST_REQUIRE(!token.empty());
        out.client = Client(token);
        return out;
    }();
    return ow;
}

/// What the operator cases name: both districts' records, the neighbour, the operator and its client.
struct OperatorCase {
    const Records& own = of(Target::Own);
    const Records& other = of(Target::Other);
    const Records& sibling = operatorWorld().sibling;
    const Who w = operatorWorld().who;
    const Client& op = operatorWorld().client;
    const Target t = Target::Own;
};

} // namespace

BOOST_AUTO_TEST_SUITE(PermissionMatrix)

BOOST_AUTO_TEST_CASE(record_reads_and_writes) {
    for (const auto& w : everyone()) {
        const auto client = as(w.user);
        for (const auto t : {Target::Own, Target::Other}) {
            const auto& r = of(t);
            const std::string d = districtOf(t);
            for (const auto& path : {pathOf("facilities", r.facility), pathOf("burial-sites", r.site),
                                     pathOf("burial-sites", r.site) + "/progress", pathOf("prices", r.price),
                                     pathOf("inspections", r.inspection), pathOf("findings", r.finding),
                                     pathOf("audits", r.audit), pathOf("reference-prices", r.reference)}) {
                const bool global = path.find("reference-prices") != std::string::npos;
                expectStatus(w, "GET " + path, t, client.get(path), global ? 200 : readStatus(w, t));
            }
            for (const char* list : {"/api/v1/facilities", "/api/v1/burial-sites", "/api/v1/prices",
                                     "/api/v1/inspections", "/api/v1/findings", "/api/v1/audits"})
                expectStatus(w, std::string("GET ") + list + "?district=", t,
                             client.get(std::string(list) + "?district=" + d), reaches(w, t) ? 200 : 403);
            const bool may = writesRecords(w) && reaches(w, t);
            expectStatus(w, "POST /facilities", t, client.post("/api/v1/facilities", facilityBody(d, unique("矩阵新设施"))),
                         writeStatus(may, 201));
            expectStatus(w, "POST /burial-sites", t, client.post("/api/v1/burial-sites", burialSiteBody(d)),
                         writeStatus(may, 201));
            expectStatus(w, "POST /prices", t,
                         client.post("/api/v1/prices", with(priceBody(r.facility, "basic.storage", 1000, "2024-01-01"),
                                                            {{"note", unique("矩阵")}})),
                         writeStatus(may, 201));
            expectStatus(w, "POST /inspections", t,
                         client.post("/api/v1/inspections", inspectionBody("burial_site", r.site)), writeStatus(may, 201));
            expectStatus(w, "PUT /facilities/{id}", t,
                         putCurrent(w, pathOf("facilities", r.facility), {{"notes", unique("改")}}), writeStatus(may, 200));
            expectStatus(w, "PUT /burial-sites/{id}", t,
                         putCurrent(w, pathOf("burial-sites", r.site), {{"village", unique("改")}}), writeStatus(may, 200));
            expectStatus(w, "POST /burial-sites/{id}/progress", t,
                         client.post(pathOf("burial-sites", r.site) + "/progress",
                                     object({{"date", "2024-05-01"}, {"graves_handled", 1}, {"note", w.user}})),
                         writeStatus(may, 201));
            expectStatus(w, "POST /findings/{id}/status", t,
                         client.post(pathOf("findings", r.finding) + "/status",
                                     object({{"status", "acknowledged"}, {"note", w.user}})),
                         writeStatus(may, 200));
        }
    }
}

BOOST_AUTO_TEST_CASE(reference_prices) {
    for (const auto& w : everyone()) {
        const auto client = as(w.user);
        expectStatus(w, "GET /reference-prices", Target::Own, client.get("/api/v1/reference-prices"), 200);
        for (const auto t : {Target::Own, Target::Other, Target::City}) {
            const bool may = w.role == Role::Admin && reaches(w, t);
            auto body = referencePriceBody("basic.storage", 9000);
            body->set("district", districtValue(t));
            expectStatus(w, "POST /reference-prices", t, client.post("/api/v1/reference-prices", body), writeStatus(may, 201));
            expectStatus(w, "PUT /reference-prices/{id}", t,
                         putCurrent(w, pathOf("reference-prices", of(t).reference), {{"basis", unique("依据")}}),
                         writeStatus(may, 200));
        }
    }
}

// API.md: an admin with a district manages only users of that district and can never create, change or
// promote a user outside it, or a user without a district.
BOOST_AUTO_TEST_CASE(users) {
    for (const auto& w : everyone()) {
        const auto client = as(w.user);
        expectStatus(w, "GET /users", Target::Own, client.get("/api/v1/users"), managesUsers(w) ? 200 : 403);
        for (const auto t : {Target::Own, Target::Other, Target::City}) {
            const bool may = managesUsers(w) && reaches(w, t);
            const auto path = pathOf("users", of(t).user);
            expectStatus(w, "GET /users/{id}", t, client.get(path), may ? 200 : managesUsers(w) ? 404 : 403);
            expectStatus(w, "POST /users", t,
                         client.post("/api/v1/users", object({{"username", unique("mxnew")},
                                                              {"role", "admin"},
                                                              {"district", districtValue(t)},
                                                              {"password", kPassword}})),
                         writeStatus(may, 201));
            expectStatus(w, "PUT /users/{id}", t, putCurrent(w, path, {{"display_name", unique("改名")}}),
                         writeStatus(may, 200));
        }
        // Promoting a user of one's own district to citywide is a change outside it.
        if (w.user == "adminh") {
            const auto r = putCurrent(w, pathOf("users", of(Target::Own).user), {{"district", Poco::Dynamic::Var()}});
            expectStatus(w, "PUT /users/{id} district=null", Target::Own, r, 403);
            BOOST_TEST(!as("admin").get(pathOf("users", of(Target::Own).user)).isNull("district"));
            expectStatus(w, "PUT /users/{id} password of a citywide user", Target::City,
                         putCurrent(w, pathOf("users", of(Target::City).user), {{"password", "another-password-9"}}), 403);
        }
    }
    // What a district admin lists is its district's users only.
    for (const auto& u : as("adminh").all("/api/v1/users"))
        BOOST_TEST((!u->isNull("district") && u->getValue<std::string>("district") == kOwn), stringify(u));
}

// A citywide audit is started and cancelled only by those who may run citywide audits.
BOOST_AUTO_TEST_CASE(audits) {
    for (const auto& w : everyone()) {
        const auto client = as(w.user);
        for (const auto t : {Target::Own, Target::Other, Target::City}) {
            const bool may = runsAudits(w) && reaches(w, t);
            // A district user's audit without a district is of its own district: it cannot ask for the city.
            if (!(t == Target::City && w.hasDistrict)) {
                const auto start = t == Target::City ? client.postRaw("/api/v1/audits", "{}")
                                                     : client.post("/api/v1/audits", object({{"district", districtOf(t)}}));
                expectStatus(w, "POST /audits", t, start, writeStatus(may, 202));
            }
            const auto run = pathOf("audits", of(t).audit);
            expectStatus(w, "GET /audits/{id}", t, client.get(run), readStatus(w, t));
            // Allowed: cancelled (202) or already finished (409); another district's run is not found.
            const auto cancel = client.post(run + "/cancel", object({}));
            if (w.hasDistrict && t == Target::Other)
                expectStatus(w, "POST /audits/{id}/cancel", t, cancel, 404);
            else if (may)
                expectStatus(w, "POST /audits/{id}/cancel", t, cancel, {202, 409});
            else
                expectStatus(w, "POST /audits/{id}/cancel", t, cancel, 403);
            const auto report = client.get(run + "/report");
            if (w.hasDistrict && t == Target::Other)
                expectStatus(w, "GET /audits/{id}/report", t, report, 404);
            else
                expectStatus(w, "GET /audits/{id}/report", t, report, {200, 409});
        }
    }
}

BOOST_AUTO_TEST_CASE(plugins_changes_transfers_and_the_rest) {
    for (const auto& w : everyone()) {
        const auto client = as(w.user);
        const auto t = Target::Own;
        expectStatus(w, "GET /plugins", t, client.get("/api/v1/plugins"), 200);
        expectStatus(w, "POST /plugins/reload", t, client.post("/api/v1/plugins/reload", object({})),
                     managesPlugins(w) ? 200 : 403);
        expectStatus(w, "GET /changes", t, client.get("/api/v1/changes"),
                     !w.hasDistrict && (w.role == Role::Admin || w.role == Role::Auditor) ? 200 : 403);
        expectStatus(w, "GET /me", t, client.get("/api/v1/me"), 200);
        for (const char* path : {"/api/v1/districts", "/api/v1/price-items", "/api/v1/openapi.json", "/healthz", "/readyz"})
            expectStatus(w, std::string("GET ") + path, t, client.get(path), 200);
        for (const auto target : {Target::Own, Target::Other}) {
            const std::string csv = "facility_id,item,amount_fen,effective_from,displayed,bundled\n" +
                                    std::to_string(of(target).facility) + ",basic.storage,1200,2030-01-01,true,false\n";
            const auto r = client.postRaw("/api/v1/import/prices?dry_run=true", csv, "text/csv");
            // Another district's facility is a bad row of the file (422, every row listed), not a 403.
            expectStatus(w, "POST /import/prices", target, r,
                         !writesRecords(w) ? 403 : reaches(w, target) ? 200 : 422);
            for (const char* kind : {"facilities", "burial-sites", "prices", "findings"})
                expectStatus(w, std::string("GET /export/") + kind, target,
                             client.get(std::string("/api/v1/export/") + kind + "?district=" + districtOf(target)),
                             reaches(w, target) ? 200 : 403);
        }
        // Signing out ends the token used, nobody else's: a fresh one here.
        const auto token = Server::instance().signIn(w.user);
        BOOST_REQUIRE(!token.empty());
        expectStatus(w, "DELETE /auth/token", t, Client(token).del("/api/v1/auth/token"), 204);
        expectStatus(w, "GET /me after sign-out", t, Client(token).get("/api/v1/me"), 401);
    }
}

// The same table through the web forms: pages that change something answer as the API does.
BOOST_AUTO_TEST_CASE(web_forms) {
    for (const auto& w : everyone()) {
        WebSession web(w.user);
        for (const auto t : {Target::Own, Target::Other}) {
            const auto& r = of(t);
            const bool may = writesRecords(w) && reaches(w, t);
            const int hidden = readStatus(w, t);
            expectStatus(w, "web GET /facilities/{id}", t, web.get("/facilities/" + std::to_string(r.facility)), hidden);
            expectStatus(w, "web GET /burial-sites/{id}", t, web.get("/burial-sites/" + std::to_string(r.site)), hidden);
            expectStatus(w, "web GET /facilities/{id}/edit", t, web.get("/facilities/" + std::to_string(r.facility) + "/edit"),
                         may ? 200 : 403);
            expectStatus(w, "web GET /facilities/{id}/prices/new", t,
                         web.get("/facilities/" + std::to_string(r.facility) + "/prices/new"), may ? 200 : 403);
            expectStatus(w, "web POST /findings/status", t,
                         web.post("/findings/status", "ids=" + std::to_string(r.finding) +
                                                          "&action_status=acknowledged&action_note=web&back=%2Ffindings"),
                         may ? 303 : 403);
        }
        expectStatus(w, "web GET /facilities/new", Target::Own, web.get("/facilities/new"), writesRecords(w) ? 200 : 403);
        expectStatus(w, "web GET /users", Target::Own, web.get("/users"), managesUsers(w) ? 200 : 403);
        for (const auto t : {Target::Own, Target::Other, Target::City}) {
            const bool mayUser = managesUsers(w) && reaches(w, t);
            const std::string district = t == Target::City ? "" : districtOf(t);
            expectStatus(w, "web POST /users", t,
                         web.post("/users", "username=" + unique("webmx") + "&role=admin&district=" + district +
                                                "&password=" + WebSession::encode(kPassword)),
                         mayUser ? 303 : 403);
            const bool mayCancel = runsAudits(w) && reaches(w, t);
            const auto cancel = web.post("/audits/" + std::to_string(of(t).audit) + "/cancel", "");
            expectStatus(w, "web POST /audits/{id}/cancel", t, cancel,
                         w.hasDistrict && t == Target::Other ? 404 : mayCancel ? 303 : 403);
        }
        expectStatus(w, "web POST /plugins/reload", Target::Own, web.post("/plugins/reload", ""),
                     managesPlugins(w) ? 200 : 403);
    }
}

// Managed plugins: district IT and admins manage their own district's plugins (an admin without a district,
// also the city's); a district user never reaches another district's, nor the city's. Reads follow the
// records' rule: another district's plugin is not found for a district user.
BOOST_AUTO_TEST_CASE(managed_plugin_versions) {
    const auto base = baseVersion();
    for (const auto& w : everyone()) {
        const auto client = as(w.user);
        for (const auto t : {Target::Own, Target::Other, Target::City}) {
            const bool may = managesPlugins(w) && reaches(w, t);
            const int read = w.hasDistrict && t == Target::Other ? 404 : 200;
            const std::string list = "/api/v1/plugins/" + pluginOf(t) + "/versions";
            expectStatus(w, "GET /plugins/{name}/versions", t, client.get(list), read);
            expectStatus(w, "GET /plugins/{name}/versions/{version}", t, client.get(versionPath(t, base)), read);
            const std::string version = unique("1.0.");
            expectStatus(w, "POST /plugins", t, client.post("/api/v1/plugins", pluginSubmission(t, version)),
                         writeStatus(may, 201));
            // What was refused was not stored.
            BOOST_TEST(as("admin").get(versionPath(t, version)).status == (may ? 200 : 404), w.user << " " << version);
            const auto tried = may ? version : base;
            const auto dry = client.postRaw(versionPath(t, tried) + "/dry-run", "");
            expectStatus(w, "POST /plugins/{name}/versions/{version}/dry-run", t, dry, writeStatus(may, 202));
            if (dry.status == 202) BOOST_TEST(finishedAudit(client, dry.id()).str("status") == "succeeded");
            expectStatus(w, "POST /plugins/{name}/versions/{version}/activate", t,
                         client.postRaw(versionPath(t, tried) + "/activate", ""), writeStatus(may, 200));
            expectStatus(w, "POST /plugins/{name}/deactivate", t,
                         client.postRaw("/api/v1/plugins/" + pluginOf(t) + "/deactivate", ""), writeStatus(may, 204));
        }
    }
}

// The same through the plugin workbench's forms.
BOOST_AUTO_TEST_CASE(managed_plugin_pages) {
    const auto base = baseVersion();
    for (const auto& w : everyone()) {
        WebSession web(w.user);
        expectStatus(w, "web GET /plugins", Target::Own, web.get("/plugins"), 200);
        for (const auto t : {Target::Own, Target::Other, Target::City}) {
            const bool may = managesPlugins(w) && reaches(w, t);
            const std::string page = "/plugins/" + pluginOf(t);
            expectStatus(w, "web GET /plugins/{name}", t, web.get(page), w.hasDistrict && t == Target::Other ? 404 : 200);
            const std::string version = unique("2.0.");
            const auto body = pluginSubmission(t, version);
            const auto submitted = web.post("/plugins/versions",
                                            "source=" + WebSession::encode(body->getValue<std::string>("source")) +
                                                "&tests=" + WebSession::encode(body->getValue<std::string>("tests")));
            expectStatus(w, "web POST /plugins/versions", t, submitted, may ? 303 : 403);
            BOOST_TEST(as("admin").get(versionPath(t, version)).status == (may ? 200 : 404), w.user << " " << version);
            const auto tried = may ? version : base;
            const std::string at = page + "/versions/" + tried;
            expectStatus(w, "web POST /plugins/{name}/versions/{version}/dry-run", t, web.post(at + "/dry-run", ""),
                         may ? 303 : 403);
            expectStatus(w, "web POST /plugins/{name}/versions/{version}/activate", t, web.post(at + "/activate", ""),
                         may ? 303 : 403);
            expectStatus(w, "web POST /plugins/{name}/deactivate", t, web.post(page + "/deactivate", ""), may ? 303 : 403);
        }
    }
    // Every dry run those forms started is finished before the next suite looks at audits.
    for (const auto& run : as("admin").all("/api/v1/audits"))
        if (run->getValue<std::string>("status") == "queued" || run->getValue<std::string>("status") == "running")
            finishedAudit(as("admin"), run->getValue<long long>("id"));
}

// An operator (API.md: the `operator` role) of the own district's facility: its facility, its prices and
// their findings, filing prices for it; every other route of the matrix is 403 or 404, for the records of
// a facility beside it in its own district as for another district's.
BOOST_FIXTURE_TEST_CASE(operators, OperatorCase) {
    const auto each = [&](const std::function<void(const Records&, const std::string&)>& check) {
        check(sibling, "sibling");
        check(other, "other district");
    };

    // Its own: facility, price, the price's finding (the price is undisplayed: Haidian's rule flags it).
    expectStatus(w, "GET own facility", t, op.get(pathOf("facilities", own.facility)), 200);
    expectStatus(w, "GET own price", t, op.get(pathOf("prices", own.price)), 200);
    expectStatus(w, "GET own finding", t, op.get(pathOf("findings", own.finding)), 200);
    expectStatus(w, "GET /reference-prices/{id}", t, op.get(pathOf("reference-prices", own.reference)), 200);
    expectStatus(w, "POST own price", t,
                 op.post("/api/v1/prices", with(without(priceBody(own.facility, "basic.storage", 1000, "2024-01-01"),
                                                        {"source"}),
                                                {{"note", unique("矩阵")}})),
                 201);
    // Records of its district that are not its facility's, and of the other district.
    for (const auto* records : {&own, &other})
        for (const auto& path : {pathOf("burial-sites", records->site), pathOf("burial-sites", records->site) + "/progress",
                                 pathOf("inspections", records->inspection), pathOf("audits", records->audit),
                                 pathOf("audits", records->audit) + "/report"})
            expectStatus(w, "GET " + path, t, op.get(path), {403, 404});
    each([&](const Records& r, const std::string& which) {
        expectStatus(w, "GET " + which + " facility", t, op.get(pathOf("facilities", r.facility)), 404);
        expectStatus(w, "GET " + which + " price", t, op.get(pathOf("prices", r.price)), 404);
        expectStatus(w, "GET " + which + " finding", t, op.get(pathOf("findings", r.finding)), 404);
        expectStatus(w, "GET /prices?facility_id= " + which, t,
                     op.get("/api/v1/prices?facility_id=" + std::to_string(r.facility)), 404);
        expectStatus(w, "POST " + which + " price", t,
                     op.post("/api/v1/prices", without(priceBody(r.facility, "basic.storage", 1000, "2024-01-01"), {"source"})),
                     403);
        expectStatus(w, "POST /findings/{id}/status " + which, t,
                     op.post(pathOf("findings", r.finding) + "/status", object({{"status", "acknowledged"}, {"note", "x"}})),
                     {403, 404});
        const std::string csv = "facility_id,item,amount_fen,effective_from,displayed,bundled\n" +
                                std::to_string(r.facility) + ",basic.storage,1200,2030-01-01,true,false\n";
        expectStatus(w, "POST /import/prices " + which, t,
                     op.postRaw("/api/v1/import/prices?dry_run=true", csv, "text/csv"), 422);
    });
    expectStatus(w, "POST /findings/{id}/status own", t,
                 op.post(pathOf("findings", own.finding) + "/status", object({{"status", "acknowledged"}, {"note", "x"}})),
                 403);
    expectStatus(w, "POST /import/prices own", t,
                 op.postRaw("/api/v1/import/prices?dry_run=true",
                            "facility_id,item,amount_fen,effective_from,displayed,bundled\n" +
                                std::to_string(own.facility) + ",basic.storage,1200,2030-01-01,true,false\n",
                            "text/csv"),
                 200);
    // Lists: its own facility's, or refused.
    const auto facilities = op.all("/api/v1/facilities");
    BOOST_TEST(facilities.size() == 1u);
    for (const auto& f : facilities) BOOST_TEST(f->getValue<long long>("id") == own.facility);
    BOOST_TEST(!op.all("/api/v1/prices").empty());
    for (const auto& p : op.all("/api/v1/prices")) BOOST_TEST(p->getValue<long long>("facility_id") == own.facility);
    const auto findings = op.all("/api/v1/findings");
    BOOST_TEST(!findings.empty());
    for (const auto& f : findings) {
        const auto subject = f->getValue<long long>("subject_id");
        const auto type = f->getValue<std::string>("subject_type");
        const long long facility =
            type == "price" ? as("admin").get(pathOf("prices", subject)).num("facility_id") : type == "facility" ? subject : 0;
        BOOST_TEST(facility == own.facility, stringify(f));
    }
    for (const auto& f : op.all("/api/v1/findings")) BOOST_TEST(f->getValue<long long>("id") != sibling.finding);
    for (const char* list : {"/api/v1/burial-sites", "/api/v1/inspections", "/api/v1/audits", "/api/v1/users",
                             "/api/v1/changes", "/api/v1/plugins"})
        expectStatus(w, std::string("GET ") + list, t, op.get(list), 403);
    for (const char* kind : {"facilities", "burial-sites", "prices", "findings"})
        expectStatus(w, std::string("GET /export/") + kind, t, op.get(std::string("/api/v1/export/") + kind), 403);
    // Every write that is not a price of its own.
    for (const auto target : {Target::Own, Target::Other}) {
        const std::string d = districtOf(target);
        const auto& r = of(target);
        expectStatus(w, "POST /facilities", target, op.post("/api/v1/facilities", facilityBody(d, unique("矩阵新设施"))), 403);
        expectStatus(w, "POST /burial-sites", target, op.post("/api/v1/burial-sites", burialSiteBody(d)), 403);
        expectStatus(w, "POST /inspections", target, op.post("/api/v1/inspections", inspectionBody("facility", r.facility)),
                     403);
        expectStatus(w, "PUT /facilities/{id}", target,
                     putCurrent(op, pathOf("facilities", r.facility), {{"notes", unique("改")}}), 403);
        expectStatus(w, "PUT /burial-sites/{id}", target,
                     putCurrent(op, pathOf("burial-sites", r.site), {{"village", unique("改")}}), 403);
        expectStatus(w, "POST /burial-sites/{id}/progress", target,
                     op.post(pathOf("burial-sites", r.site) + "/progress",
                             object({{"date", "2024-05-01"}, {"graves_handled", 1}, {"note", "x"}})),
                     403);
        expectStatus(w, "POST /audits", target, op.post("/api/v1/audits", object({{"district", d}})), 403);
        expectStatus(w, "POST /audits/{id}/cancel", target, op.post(pathOf("audits", r.audit) + "/cancel", object({})),
                     {403, 404});
        auto reference = referencePriceBody("basic.storage", 9000);
        reference->set("district", d);
        expectStatus(w, "POST /reference-prices", target, op.post("/api/v1/reference-prices", reference), 403);
        expectStatus(w, "PUT /users/{id}", target, putCurrent(op, pathOf("users", r.user), {{"display_name", "x"}}), 403);
        expectStatus(w, "POST /users", target,
                     op.post("/api/v1/users", object({{"username", unique("mxop")}, {"role", "operator"},
                                                      {"facility_id", own.facility}, {"password", kPassword}})),
                     403);
    }
    expectStatus(w, "POST /plugins/reload", t, op.post("/api/v1/plugins/reload", object({})), 403);
    expectStatus(w, "POST /plugins", t, op.post("/api/v1/plugins", pluginSubmission(Target::Own, unique("3.0."))), 403);
    expectStatus(w, "GET /plugins/{name}/versions", t, op.get("/api/v1/plugins/" + pluginOf(Target::Own) + "/versions"),
                 {403, 404});

    // The web forms: its facility and price list; nothing else.
    WebSession web(w.user);
    const auto page = [](long long id, const std::string& rest = "") { return "/facilities/" + std::to_string(id) + rest; };
    expectStatus(w, "web GET /", t, web.get("/"), 303);
    expectStatus(w, "web GET own facility", t, web.get(page(own.facility)), 200);
    expectStatus(w, "web GET own price list", t, web.get(page(own.facility, "/price-list")), 200);
    expectStatus(w, "web GET own price", t, web.get("/prices/" + std::to_string(own.price)), 200);
    expectStatus(w, "web GET /import", t, web.get("/import"), 200);
    expectStatus(w, "web GET /findings", t, web.get("/findings"), 200);
    expectStatus(w, "web GET own facility edit", t, web.get(page(own.facility, "/edit")), 403);
    expectStatus(w, "web GET own price form", t, web.get(page(own.facility, "/prices/new")), 403);
    expectStatus(w, "web GET own inspection form", t, web.get(page(own.facility, "/inspections/new")), 403);
    each([&](const Records& r, const std::string& which) {
        expectStatus(w, "web GET " + which + " facility", t, web.get(page(r.facility)), 404);
        expectStatus(w, "web GET " + which + " price list", t, web.get(page(r.facility, "/price-list")), 404);
        expectStatus(w, "web POST " + which + " price list", t,
                     web.post(page(r.facility, "/price-list"), "effective_from=2031-01-01&amount_basic.storage=10"), 404);
        expectStatus(w, "web GET " + which + " price", t, web.get("/prices/" + std::to_string(r.price)), 404);
    });
    const auto list = web.get("/facilities");
    expectStatus(w, "web GET /facilities", t, list, 200);
    BOOST_TEST(list.body.find("矩阵设施 own") != std::string::npos);
    BOOST_TEST(list.body.find("矩阵邻馆") == std::string::npos, "its list is its own facility");
    for (const char* path : {"/burial-sites", "/audits", "/exports", "/users", "/plugins", "/facilities/new"})
        expectStatus(w, std::string("web GET ") + path, t, web.get(path), 403);
    expectStatus(w, "web POST /findings/status", t,
                 web.post("/findings/status", "ids=" + std::to_string(own.finding) +
                                                  "&action_status=acknowledged&action_note=web&back=%2Ffindings"),
                 403);
}

// Rectification notices: read as every record of a district is (another district's is not found for a
// district user), issued, answered and verified as API.md gives each step; a district user's list and export
// hold its district's notices only. A notice is always of its subject's district: the citywide target is the
// list and the export without a district.
BOOST_AUTO_TEST_CASE(notices) {
    const auto& own = of(Target::Own);
    const auto& other = of(Target::Other);
    const auto ownNumber = numberOf(own.notice), otherNumber = numberOf(other.notice);
    for (const auto& w : everyone()) {
        const auto client = as(w.user);
        for (const auto t : {Target::Own, Target::Other}) {
            const auto& r = of(t);
            const std::string d = districtOf(t);
            expectStatus(w, "GET /notices/{id}", t, client.get(pathOf("notices", r.notice)),
                         readStatus(w, t));
            expectStatus(w, "GET /notices/{id} (burial site)", t, client.get(pathOf("notices", r.siteNotice)),
                         readStatus(w, t));
            const auto list = "/api/v1/notices?district=" + d;
            expectStatus(w, "GET /notices?district=", t, client.get(list), reaches(w, t) ? 200 : 403);
            if (reaches(w, t)) {
                const auto ids = idsIn(client.all(list));
                BOOST_TEST((ids.count(r.notice) == 1 && ids.count(r.siteNotice) == 1),
                           w.user << " lists " << name(t));
            }
            const bool mayIssue = issuesNotices(w) && reaches(w, t);
            const auto before = as("admin").count(list);
            expectStatus(w, "POST /notices (facility)", t,
                         client.post("/api/v1/notices", noticeBody("facility", r.facility, r.finding)),
                         writeStatus(mayIssue, 201));
            expectStatus(w, "POST /notices (burial site)", t,
                         client.post("/api/v1/notices", noticeBody("burial_site", r.site, r.siteFinding)),
                         writeStatus(mayIssue, 201));
            BOOST_TEST(as("admin").count(list) == before + (mayIssue ? 2 : 0),
                       w.user << ": what was refused was not stored");
            for (const auto notice : {newFacilityNotice(r), newSiteNotice(r)}) {
                const auto path = pathOf("notices", notice);
                const int answered = noticeStepStatus(w, t, answersNotices(w), 200);
                expectStatus(w, "POST /notices/{id}/response", t,
                             client.post(path + "/response", answerBody()), answered);
                const int verified = noticeStepStatus(w, t, verifiesNotices(w), 200);
                expectStatus(w, "POST /notices/{id}/verify", t, client.post(path + "/verify", verdictBody()),
                             verified);
                const auto after = as("admin").get(path);
                BOOST_TEST(after.num("version") == 1 + (answered == 200) + (verified == 200),
                           w.user << " " << path << ": a refused step changed nothing: " << after.describe());
            }
        }
        // The citywide target: the list and the exports without a district.
        const auto listed = client.all("/api/v1/notices");
        const auto ids = idsIn(listed);
        BOOST_TEST(ids.count(own.notice) == 1u, w.user << " lists its own district's notice");
        BOOST_TEST(ids.count(other.notice) == (w.hasDistrict ? 0u : 1u),
                   w.user << " and another district's?");
        if (w.hasDistrict)
            for (const auto& n : listed)
                BOOST_TEST(n->getValue<std::string>("district") == kOwn, stringify(n));
        for (const std::string format : {"csv", "xlsx", "json"}) {
            const auto path = "/api/v1/export/notices?format=" + format;
            for (const auto t : {Target::Own, Target::Other})
                expectStatus(w, "GET /export/notices?format=" + format + "&district=", t,
                             client.get(path + "&district=" + districtOf(t)), reaches(w, t) ? 200 : 403);
            const auto exported = client.get(path);
            expectStatus(w, "GET /export/notices?format=" + format, Target::City, exported, 200);
            if (exported.status != 200) continue;
            const auto text = format == "xlsx" ? registry::testing::xlsxSheet(exported.body) : exported.body;
            BOOST_TEST(text.find(ownNumber) != std::string::npos, w.user << " " << format);
            BOOST_TEST((text.find(otherNumber) != std::string::npos) == !w.hasDistrict,
                       w.user << " " << format);
        }
    }
}

// The same through the notice pages: the list, a notice's page and the one to print, the form to issue one
// from ticked findings, the answer's and the verdict's forms, and the export the list links to.
BOOST_AUTO_TEST_CASE(notice_pages) {
    const auto ownNumber = numberOf(of(Target::Own).notice), otherNumber = numberOf(of(Target::Other).notice);
    for (const auto& w : everyone()) {
        WebSession web(w.user);
        for (const auto t : {Target::Own, Target::Other}) {
            const auto& r = of(t);
            const auto number = t == Target::Own ? ownNumber : otherNumber;
            const auto list =
                web.get("/notices?limit=500&subject_type=facility&subject_id=" + std::to_string(r.facility));
            expectStatus(w, "web GET /notices?subject_id=", t, list, 200);
            BOOST_TEST((list.body.find(number) != std::string::npos) == reaches(w, t),
                       w.user << " lists " << name(t));
            for (const auto notice : {r.notice, r.siteNotice}) {
                const auto page = "/notices/" + std::to_string(notice);
                expectStatus(w, "web GET /notices/{id}", t, web.get(page), readStatus(w, t));
                expectStatus(w, "web GET /notices/{id}/print", t, web.get(page + "/print"), readStatus(w, t));
            }
            const bool mayIssue = issuesNotices(w) && reaches(w, t);
            const auto ticked = "subject_type=facility&subject_id=" + std::to_string(r.facility) +
                                "&finding_ids=" + std::to_string(r.finding);
            expectStatus(w, "web POST /notices/new (the form)", t, web.post("/notices/new", ticked),
                         mayIssue ? 200 : 403);
            expectStatus(w, "web POST /notices/new (issue)", t,
                         web.post("/notices/new",
                                  ticked + "&step=issue&requirements=" + WebSession::encode("网页整改要求") +
                                      "&deadline=" + daysAhead(45)),
                         mayIssue ? 303 : 403);
            const auto page = "/notices/" + std::to_string(newFacilityNotice(r));
            expectStatus(w, "web POST /notices/{id}/response", t,
                         web.post(page + "/response", "text=" + WebSession::encode("网页答复")),
                         noticeStepStatus(w, t, answersNotices(w), 303));
            expectStatus(
                w, "web POST /notices/{id}/verify", t,
                web.post(page + "/verify", "result=not_rectified&note=" + WebSession::encode("网页复查") +
                                               "&deadline=" + daysAhead(90)),
                noticeStepStatus(w, t, verifiesNotices(w), 303));
            expectStatus(w, "web GET /exports/notices?district=", t,
                         web.get("/exports/notices?format=csv&district=" + districtOf(t)),
                         reaches(w, t) ? 200 : 403);
        }
        const auto exported = web.get("/exports/notices?format=csv");
        expectStatus(w, "web GET /exports/notices", Target::City, exported, 200);
        BOOST_TEST(exported.body.find(ownNumber) != std::string::npos, w.user);
        BOOST_TEST((exported.body.find(otherNumber) != std::string::npos) == !w.hasDistrict, w.user);
    }
}

// Evidence (API.md: "GET /api/v1/attachments/{id} for users who may read its subject"): until an answer or a
// verdict names it, its uploader's alone; then exactly the readers of the notice it is attached to.
BOOST_AUTO_TEST_CASE(notice_evidence) {
    const auto pending = upload(as("admin"), png(), "image/png");
    for (const auto& w : everyone()) {
        const auto client = as(w.user);
        expectStatus(w, "GET /attachments/{id} (the admin's, not attached)", Target::City,
                     client.get(attachmentPath(pending)), w.user == "admin" ? 200 : 404);
        for (const auto t : {Target::Own, Target::Other}) {
            const auto& e = evidenceOf(t);
            for (const auto id : {e.answer, e.verdict, e.site})
                expectStatus(w, "GET /attachments/{id}", t, client.get(attachmentPath(id)), readStatus(w, t));
        }
        const auto mine = client.postRaw("/api/v1/attachments?name=matrix.png", png(), "image/png");
        expectStatus(w, "POST /attachments", Target::Own, mine, writeStatus(uploadsEvidence(w), 201));
        if (mine.status != 201) continue;
        expectStatus(w, "GET /attachments/{id} (its own)", Target::Own, client.get(attachmentPath(mine.id())),
                     200);
        // "aud" reads everything and uploads nothing: not another's upload before it is attached.
        expectStatus(w, "GET /attachments/{id} (read by aud)", Target::Own,
                     as("aud").get(attachmentPath(mine.id())), 404);
    }
}

// The operator's notices (API.md: it "reads only its own facility, its prices, findings and notices; ...
// answers notices. Nothing else."): its facility's notices it reads, lists, exports and answers with its
// evidence; a neighbour facility's, a burial site's and another district's are not found; it issues and
// verifies nothing.
BOOST_FIXTURE_TEST_CASE(operator_notices_and_evidence, OperatorCase) {
    const auto mine = newFacilityNotice(own);
    const auto path = pathOf("notices", mine);

    expectStatus(w, "GET its notice", t, op.get(path), 200);
    expectStatus(w, "GET its facility's first notice", t, op.get(pathOf("notices", own.notice)), 200);
    expectStatus(w, "GET own district's burial site notice", t, op.get(pathOf("notices", own.siteNotice)),
                 404);
    expectStatus(w, "POST own district's burial site notice response", t,
                 op.post(pathOf("notices", own.siteNotice) + "/response", answerBody()), 404);
    const std::vector<std::pair<const Records*, std::string>> elsewhere{{&sibling, "sibling"},
                                                                        {&other, "other district"}};
    for (const auto& [r, which] : elsewhere) {
        const auto theirs = pathOf("notices", r->notice);
        expectStatus(w, "GET " + which + " notice", t, op.get(theirs), 404);
        expectStatus(w, "POST " + which + " notice response", t, op.post(theirs + "/response", answerBody()),
                     404);
        expectStatus(w, "POST " + which + " notice verify", t, op.post(theirs + "/verify", verdictBody()),
                     404);
        expectStatus(w, "POST /notices " + which, t,
                     op.post("/api/v1/notices", noticeBody("facility", r->facility, r->finding)), 403);
    }
    expectStatus(w, "POST /notices own facility", t,
                 op.post("/api/v1/notices", noticeBody("facility", own.facility, own.finding)), 403);
    expectStatus(w, "POST /notices own district's burial site", t,
                 op.post("/api/v1/notices", noticeBody("burial_site", own.site, own.siteFinding)), 403);
    expectStatus(w, "POST its notice verify", t, op.post(path + "/verify", verdictBody()), 403);

    // Its evidence: its own until its answer names it, then the notice's readers'.
    const auto photo = upload(op, png(), "image/png");
    expectStatus(w, "GET its upload", t, op.get(attachmentPath(photo)), 200);
    expectStatus(w, "GET its upload as insp", t, as("insp").get(attachmentPath(photo)), 404);
    expectStatus(w, "POST its notice response", t, op.post(path + "/response", answerBody({photo})), 200);
    for (const auto& reader : everyone())
        expectStatus(reader, "GET the operator's evidence", t, as(reader.user).get(attachmentPath(photo)),
                     200);
    expectStatus(w, "GET the operator's evidence as insp105", Target::Other,
                 as("insp105").get(attachmentPath(photo)), 404);
    // Evidence on notices: its facility's it reads; a burial site's, a neighbour's, another district's not.
    expectStatus(w, "GET its facility's notice's evidence", t,
                 op.get(attachmentPath(evidenceOf(Target::Own).answer)), 200);
    expectStatus(w, "GET its facility's verdict's evidence", t,
                 op.get(attachmentPath(evidenceOf(Target::Own).verdict)), 200);
    expectStatus(w, "GET own district's burial site evidence", t,
                 op.get(attachmentPath(evidenceOf(Target::Own).site)), 404);
    for (const auto id : {evidenceOf(Target::Other).answer, evidenceOf(Target::Other).verdict,
                          evidenceOf(Target::Other).site})
        expectStatus(w, "GET other district's evidence", t, op.get(attachmentPath(id)), 404);
    const auto siblings = answeredWithPhoto(as("admin"), newFacilityNotice(sibling));
    expectStatus(w, "GET sibling's evidence", t, op.get(attachmentPath(siblings)), 404);

    // Its list and exports: its facility's notices, nothing else.
    const auto listed = op.all("/api/v1/notices");
    const auto ids = idsIn(listed);
    BOOST_TEST((ids.count(mine) == 1 && ids.count(own.notice) == 1));
    for (const auto& n : listed) {
        BOOST_TEST(n->getValue<std::string>("subject_type") == "facility", stringify(n));
        BOOST_TEST(n->getValue<long long>("subject_id") == own.facility, stringify(n));
    }
    expectStatus(w, "GET /notices?district=own", t, op.get("/api/v1/notices?district=" + std::string(kOwn)),
                 200);
    // Another district's list is another facility's for an operator: not found, as its other lists answer
    // (API.md: "another district's record is 404 for reads"; GET /prices?facility_id= of a neighbour in
    // `operators`).
    expectStatus(w, "GET /notices?district=other", Target::Other,
                 op.get("/api/v1/notices?district=" + std::string(kOther)), 404);
    const auto ownNumber = numberOf(own.notice), siblingNumber = numberOf(sibling.notice),
               otherNumber = numberOf(other.notice);
    for (const std::string format : {"csv", "xlsx", "json"}) {
        const auto exported = op.get("/api/v1/export/notices?format=" + format);
        expectStatus(w, "GET /export/notices?format=" + format, t, exported, 200);
        if (exported.status != 200) continue;
        const auto text = format == "xlsx" ? registry::testing::xlsxSheet(exported.body) : exported.body;
        BOOST_TEST(text.find(ownNumber) != std::string::npos, format);
        BOOST_TEST(text.find(siblingNumber) == std::string::npos, format);
        BOOST_TEST(text.find(otherNumber) == std::string::npos, format);
    }

    // The pages: its facility's notices; a neighbour's and another district's are not found.
    WebSession web(w.user);
    const auto list = web.get("/notices?limit=500");
    expectStatus(w, "web GET /notices", t, list, 200);
    BOOST_TEST(list.body.find(ownNumber) != std::string::npos);
    BOOST_TEST(list.body.find(siblingNumber) == std::string::npos);
    expectStatus(w, "web GET its notice", t, web.get("/notices/" + std::to_string(own.notice)), 200);
    expectStatus(w, "web GET its notice print", t,
                 web.get("/notices/" + std::to_string(own.notice) + "/print"), 200);
    for (const auto notice : {sibling.notice, other.notice, own.siteNotice})
        expectStatus(w, "web GET /notices/{id}/print not its own", t,
                     web.get("/notices/" + std::to_string(notice) + "/print"), 404);
    expectStatus(w, "web POST /notices/new", t,
                 web.post("/notices/new", "subject_type=facility&subject_id=" + std::to_string(own.facility) +
                                              "&finding_ids=" + std::to_string(own.finding)),
                 403);
    const auto second = "/notices/" + std::to_string(newFacilityNotice(own));
    expectStatus(w, "web POST its notice verify", t,
                 web.post(second + "/verify", "result=not_rectified&note=x&deadline=" + daysAhead(90)), 403);
    expectStatus(w, "web POST its notice response", t,
                 web.post(second + "/response", "text=" + WebSession::encode("网页答复")), 303);
    expectStatus(w, "web POST sibling notice response", t,
                 web.post("/notices/" + std::to_string(sibling.notice) + "/response", "text=x"), 404);
}

BOOST_AUTO_TEST_SUITE_END()
