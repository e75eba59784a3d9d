// Rectification notices (API.md, Rectification notices) over HTTP: issued from a facility's findings with a
// number per district and year, answered by the facility's operator, sent back with a new deadline, answered
// again by an inspector on its behalf, verified (its findings resolved); every step refused where it must be.

#include "api/ApiSupport.h"

#include <boost/test/unit_test.hpp>

#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>

#include <regex>

using namespace registry::apitest;
using Poco::Dynamic::Var;

namespace {

int counter = 0;
std::string unique(const std::string& prefix) { return prefix + std::to_string(++counter); }

/// A facility of `district` with an undisplayed price: the test plugins make a finding of it in Haidian.
struct Flagged {
    long long facility = 0, price = 0, finding = 0;
};
Flagged flagged(const std::string& name) {
    Flagged out;
    out.facility = createFacility("admin", kOwn, name).id();
    const auto p = as("admin").post("/api/v1/prices", with(priceBody(out.facility, "goods.urn", 80000, "2024-01-01"),
                                                           {{"displayed", false}}));
    BOOST_REQUIRE_MESSAGE(p.status == 201, p.describe());
    out.price = p.id();
    const auto findings = as("admin").all("/api/v1/findings?subject_type=price&subject_id=" + std::to_string(out.price));
    BOOST_REQUIRE(!findings.empty());
    out.finding = findings.front()->getValue<long long>("id");
    return out;
}

JsonObject noticeBody(long long facility, std::initializer_list<long long> findings, const std::string& deadline = daysAhead(60)) {
    JsonArray ids = new Poco::JSON::Array;
    for (const auto f : findings) ids->add(f);
    return object({{"subject_type", "facility"}, {"subject_id", facility}, {"finding_ids", ids},
                   {"requirements", "限期整改：在服务大厅公示全部收费项目和标准。"}, {"deadline", deadline}});
}

/// A new operator of `facility`; its user name.
std::string newOperator(long long facility) {
    const auto name = unique("nop");
    const auto r = as("admin").post("/api/v1/users", object({{"username", name}, {"role", "operator"},
                                                            {"facility_id", facility}, {"password", kPassword}}));
    BOOST_REQUIRE_MESSAGE(r.status == 201, r.describe());
    return name;
}

Client operatorOf(long long facility) { return Client(Server::instance().signIn(newOperator(facility))); }

/// A PNG's signature and its first chunk's header (IHDR), then anything.
std::string png(std::size_t size = 1500) {
    std::string bytes("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR", 16);
    bytes.resize(size, 'p');
    return bytes;
}

/// How many files the server keeps under attachments.dir.
std::size_t storedFiles() {
    Poco::File root(Server::instance().workDir() + "/data/attachments");
    if (!root.exists()) return 0;
    std::size_t n = 0;
    std::vector<std::string> folders;
    root.list(folders);
    for (const auto& f : folders) {
        std::vector<std::string> files;
        Poco::File(root.path() + "/" + f).list(files);
        for (const auto& name : files)
            if (name.size() == 64) ++n; // not a half-written ".part"
    }
    return n;
}

} // namespace

BOOST_AUTO_TEST_SUITE(Notices)

BOOST_AUTO_TEST_CASE(a_notice_walks_from_issued_to_verified) {
    const auto f = flagged("整改通知殡仪馆");
    const auto insp = as("insp");
    const auto issued = insp.post("/api/v1/notices", noticeBody(f.facility, {f.finding}));
    BOOST_REQUIRE_MESSAGE(issued.status == 201, issued.describe());
    BOOST_TEST(issued.header("Location") == pathOf("notices", issued.id()));
    const auto number = issued.str("number");
    BOOST_TEST(std::regex_match(number, std::regex("京民殡整〔20[0-9]{2}〕110108-[0-9]{4}号")), number);
    BOOST_TEST(issued.str("status") == "issued");
    BOOST_TEST(issued.str("district") == kOwn);
    BOOST_TEST(issued.str("issued_by") == "insp");
    BOOST_TEST(!issued.obj()->getValue<bool>("overdue"));
    BOOST_TEST(issued.obj()->getArray("finding_ids")->getElement<long long>(0) == f.finding);
    // The next one of the district and year has the next number.
    const auto second = insp.post("/api/v1/notices", noticeBody(f.facility, {f.finding}));
    BOOST_REQUIRE_EQUAL(second.status, 201);
    const auto sequence = [](const std::string& n) { return std::stoi(n.substr(n.find('-') + 1, 4)); };
    BOOST_TEST(sequence(second.str("number")) == sequence(number) + 1);

    // The facility's operator answers.
    const auto op = operatorOf(f.facility);
    const auto path = pathOf("notices", issued.id());
    BOOST_TEST(op.get(path).status == 200, "an operator reads its facility's notice");
    const auto answered = op.post(path + "/response", object({{"text", "已在大厅张贴价目表，照片见附件。"}}));
    BOOST_REQUIRE_MESSAGE(answered.status == 200, answered.describe());
    BOOST_TEST(answered.str("status") == "responded");
    BOOST_TEST(answered.str("response_text") == "已在大厅张贴价目表，照片见附件。");
    const auto twice = op.post(path + "/response", object({{"text", "再次答复"}}));
    BOOST_TEST(twice.status == 409, twice.describe());

    // Re-inspected: not rectified, back to the unit with a new deadline (which it needs).
    const auto noDeadline = insp.post(path + "/verify", object({{"result", "not_rectified"}, {"note", "仍未公示骨灰盒价格"}}));
    BOOST_TEST(noDeadline.status == 422, noDeadline.describe());
    BOOST_TEST(noDeadline.body.find("deadline") != std::string::npos);
    BOOST_TEST(op.post(path + "/verify", object({{"result", "rectified"}})).status == 403, "an operator does not verify");
    const auto rejected = insp.post(path + "/verify", object({{"result", "not_rectified"}, {"note", "仍未公示骨灰盒价格"},
                                                             {"deadline", daysAhead(90)}}));
    BOOST_REQUIRE_MESSAGE(rejected.status == 200, rejected.describe());
    BOOST_TEST(rejected.str("status") == "issued");
    BOOST_TEST(rejected.str("deadline") == daysAhead(90));
    BOOST_TEST(rejected.str("result") == "not_rectified");
    BOOST_TEST(as("admin").get(pathOf("findings", f.finding)).str("status") != "resolved", "not yet");

    // An inspector answers on the unit's behalf; then it is rectified and its finding resolved.
    BOOST_TEST(insp.post(path + "/response", object({{"text", "现场复查：已补齐公示。"}})).status == 200);
    const auto verified = insp.post(path + "/verify", object({{"result", "rectified"}, {"note", "复查合格"}}));
    BOOST_REQUIRE_MESSAGE(verified.status == 200, verified.describe());
    BOOST_TEST(verified.str("status") == "verified");
    BOOST_TEST(verified.str("verified_by") == "insp");
    BOOST_TEST(as("admin").get(pathOf("findings", f.finding)).str("status") == "resolved");
    BOOST_TEST(insp.post(path + "/verify", object({{"result", "rectified"}})).status == 409);
    BOOST_TEST(insp.post(path + "/response", object({{"text", "晚了"}})).status == 409);

    // Every step is in the change log.
    std::vector<std::string> actions;
    for (const auto& c : as("admin").all("/api/v1/changes?entity=notice&entity_id=" + std::to_string(issued.id())))
        actions.push_back(c->getValue<std::string>("action"));
    BOOST_TEST(actions == (std::vector<std::string>{"issue", "respond", "verify", "respond", "verify"}));
}

BOOST_AUTO_TEST_CASE(what_a_notice_names_is_checked) {
    const auto f = flagged("通知校验殡仪馆");
    const auto other = flagged("通知校验邻馆");
    const auto insp = as("insp");
    const auto expectInvalid = [&](const JsonObject& body, const std::string& field) {
        const auto r = insp.post("/api/v1/notices", body);
        BOOST_TEST(r.status == 422, field << ": " << r.describe());
        BOOST_TEST(r.body.find("\"" + field + "\"") != std::string::npos, field << ": " << r.body);
    };
    expectInvalid(noticeBody(f.facility, {}), "finding_ids");
    expectInvalid(noticeBody(f.facility, {other.finding}), "finding_ids");
    expectInvalid(noticeBody(f.facility, {99999999}), "finding_ids");
    expectInvalid(noticeBody(f.facility, {f.finding}, "2020-01-01"), "deadline");
    expectInvalid(noticeBody(f.facility, {f.finding}, "明天"), "deadline");
    expectInvalid(with(noticeBody(f.facility, {f.finding}), {{"requirements", ""}}), "requirements");
    expectInvalid(with(noticeBody(f.facility, {f.finding}), {{"subject_id", 99999999}}), "subject_id");
    // Facilities and burial sites are numbered apart: a facility's id may well be some burial site's (one of
    // another district's, after the BurialSites suite), so an unknown site is named by an id none has.
    expectInvalid(with(noticeBody(f.facility, {f.finding}),
                       {{"subject_type", "burial_site"}, {"subject_id", 99999999}}),
                  "subject_id");
    // A site that exists is the subject then, and the facility's finding is not one of its.
    const auto site = createBurialSite("admin", kOwn).id();
    expectInvalid(
        with(noticeBody(f.facility, {f.finding}), {{"subject_type", "burial_site"}, {"subject_id", site}}),
        "finding_ids");
    expectInvalid(with(noticeBody(f.facility, {f.finding}), {{"colour", "red"}}), "colour");
    // A resolved finding is not ordered corrected again.
    BOOST_REQUIRE_EQUAL(as("admin").post(pathOf("findings", other.finding) + "/status",
                                         object({{"status", "resolved"}, {"note", "已改"}})).status, 200);
    expectInvalid(noticeBody(other.facility, {other.finding}), "finding_ids");
}

BOOST_AUTO_TEST_CASE(notices_stay_in_their_district_and_facility) {
    const auto f = flagged("通知权限殡仪馆");
    const auto sibling = flagged("通知权限邻馆");
    const auto issued = as("insp").post("/api/v1/notices", noticeBody(f.facility, {f.finding}));
    BOOST_REQUIRE_EQUAL(issued.status, 201);
    const auto path = pathOf("notices", issued.id());
    BOOST_TEST(as("insp105").get(path).status == 404, "another district's inspector");
    BOOST_TEST(as("insp105").post("/api/v1/notices", noticeBody(f.facility, {f.finding})).status == 403);
    BOOST_TEST(as("insp105").post(path + "/verify", object({{"result", "rectified"}})).status == 404);
    BOOST_TEST(as("aud").post("/api/v1/notices", noticeBody(f.facility, {f.finding})).status == 403);
    BOOST_TEST(as("aud").get(path).status == 200, "an auditor reads");
    BOOST_TEST(as("it").post(path + "/response", object({{"text", "x"}})).status == 403);
    const auto neighbour = operatorOf(sibling.facility);
    BOOST_TEST(neighbour.get(path).status == 404, "another facility's operator");
    BOOST_TEST(neighbour.post(path + "/response", object({{"text", "x"}})).status == 404);
    BOOST_TEST(neighbour.post("/api/v1/notices", noticeBody(sibling.facility, {sibling.finding})).status == 403,
               "an operator issues nothing");
    for (const auto& n : neighbour.all("/api/v1/notices"))
        BOOST_TEST(n->getValue<long long>("subject_id") == sibling.facility);
    BOOST_TEST(operatorOf(f.facility).all("/api/v1/notices").size() == 1u);

    // Lists: by district, status; none of these is overdue (their deadlines are far ahead).
    bool listed = false;
    for (const auto& n : as("insp").all("/api/v1/notices?status=issued")) {
        BOOST_TEST(n->getValue<std::string>("district") == kOwn);
        listed = listed || n->getValue<long long>("id") == issued.id();
    }
    BOOST_TEST(listed);
    for (const auto& n : as("admin").all("/api/v1/notices?overdue=true"))
        BOOST_TEST(n->getValue<long long>("id") != issued.id());
    BOOST_TEST(as("insp").get("/api/v1/notices?overdue=maybe").status == 400);
    BOOST_TEST(as("insp").get("/api/v1/notices?district=" + std::string(kOther)).status == 403);
}

BOOST_AUTO_TEST_CASE(evidence_is_checked_stored_attached_and_served_only_to_readers) {
    const auto f = flagged("附件殡仪馆");
    const auto issued = as("insp").post("/api/v1/notices", noticeBody(f.facility, {f.finding}));
    BOOST_REQUIRE_EQUAL(issued.status, 201);
    const auto path = pathOf("notices", issued.id());
    const auto op = operatorOf(f.facility);
    const auto before = storedFiles();

    // Refused, with nothing stored: a type that is not allowed, a content that is not its declared type,
    // an empty file, one over attachments.max_mb (1 in the tests).
    const auto html = op.postRaw("/api/v1/attachments", "<html><script>alert(1)</script></html>", "text/html");
    BOOST_TEST(html.status == 415, html.describe());
    BOOST_TEST(html.body.find("JPEG") != std::string::npos, "says what is accepted");
    const auto disguised = op.postRaw("/api/v1/attachments", "<html>not a picture</html>", "image/jpeg");
    BOOST_TEST(disguised.status == 415, disguised.describe());
    const auto mismatch = op.postRaw("/api/v1/attachments", jpeg(), "application/pdf");
    BOOST_TEST(mismatch.status == 415, mismatch.describe());
    BOOST_TEST(mismatch.body.find("image/jpeg") != std::string::npos, "names the content's type");
    BOOST_TEST(op.postRaw("/api/v1/attachments", "", "image/png").status == 415);
    const auto big = op.postRaw("/api/v1/attachments", jpeg(1024 * 1024 + 1), "image/jpeg");
    BOOST_TEST(big.status == 413, big.describe());
    BOOST_TEST(big.body.find("1 MB") != std::string::npos, "says the limit");
    BOOST_TEST(as("aud").postRaw("/api/v1/attachments", jpeg(), "image/jpeg").status == 403, "an auditor uploads nothing");
    BOOST_TEST(Server::instance().anonymous().postRaw("/api/v1/attachments", jpeg(), "image/jpeg").status == 401);
    BOOST_TEST(storedFiles() == before, "no refused upload left a file");

    // The operator's photo: stored with its SHA-256, its own until an answer names it.
    const auto photo = op.postRaw("/api/v1/attachments?name=" + std::string("%E5%A4%A7%E5%8E%85.jpg"), jpeg(3000), "image/jpeg");
    BOOST_REQUIRE_MESSAGE(photo.status == 201, photo.describe());
    BOOST_TEST(photo.str("content_type") == "image/jpeg");
    BOOST_TEST(photo.obj()->getValue<Poco::Int64>("bytes") == 3000);
    BOOST_TEST(photo.str("sha256").size() == 64u);
    BOOST_TEST(photo.str("file_name") == "大厅.jpg");
    BOOST_TEST(storedFiles() == before + 1);
    const auto file = "/api/v1/attachments/" + std::to_string(photo.id());
    BOOST_TEST(op.get(file).status == 200, "its uploader reads it");
    BOOST_TEST(as("insp").get(file).status == 404, "nobody else, before it is attached");
    // Another user cannot attach it; a made-up id is refused; nothing changes.
    const auto stolen = as("insp").post(path + "/response", with(object({{"text", "x"}}), {{"attachment_ids", [&] {
        JsonArray ids = new Poco::JSON::Array;
        ids->add(photo.id());
        return ids;
    }()}}));
    BOOST_TEST(stolen.status == 422, stolen.describe());
    BOOST_TEST(as("insp").get(path).str("status") == "issued");

    JsonArray ids = new Poco::JSON::Array;
    ids->add(photo.id());
    const auto answered = op.post(path + "/response", with(object({{"text", "已张贴价目表,见照片。"}}), {{"attachment_ids", ids}}));
    BOOST_REQUIRE_MESSAGE(answered.status == 200, answered.describe());
    const auto listed = answered.obj()->getArray("attachments");
    BOOST_REQUIRE_EQUAL(listed->size(), 1u);
    BOOST_TEST(listed->getObject(0)->getValue<long long>("id") == photo.id());
    BOOST_TEST(listed->getObject(0)->getValue<std::string>("purpose") == "notice_response");
    BOOST_TEST(as("insp").get(path).obj()->getArray("attachments")->size() == 1u, "read back with the notice");

    // Now whoever reads the notice reads it, as what it is, never as a page of the site.
    const auto served = as("insp").get(file);
    BOOST_REQUIRE_EQUAL(served.status, 200);
    BOOST_TEST(served.body == jpeg(3000));
    BOOST_TEST(served.header("Content-Type") == "image/jpeg");
    BOOST_TEST(served.header("X-Content-Type-Options") == "nosniff");
    BOOST_TEST(served.header("Content-Disposition").find("inline; filename=") == 0u);
    BOOST_TEST(served.header("Content-Disposition").find("UTF-8''%E5%A4%A7%E5%8E%85.jpg") != std::string::npos);
    BOOST_TEST(served.header("Content-Security-Policy").find("sandbox") != std::string::npos);
    BOOST_TEST(as("insp").get(file + "?download=true").header("Content-Disposition").find("attachment;") == 0u);
    // No cache keeps it without asking (who may read it can change); asked again unchanged: 304, no body.
    BOOST_TEST(served.header("Cache-Control") == "private, no-cache");
    Request revalidate;
    revalidate.path = file;
    revalidate.headers.emplace_back("If-None-Match", served.header("ETag"));
    const auto unchanged = as("insp").send(revalidate);
    BOOST_TEST(unchanged.status == 304, unchanged.describe());
    BOOST_TEST(unchanged.body.empty());
    BOOST_TEST(as("insp105").send(revalidate).status == 404, "the ETag opens nothing");
    BOOST_TEST(as("aud").get(file).status == 200, "an auditor reads every district");
    BOOST_TEST(as("insp105").get(file).status == 404, "another district's inspector");
    BOOST_TEST(operatorOf(flagged("附件邻馆").facility).get(file).status == 404, "another facility's operator");
    BOOST_TEST(as("insp").get("/api/v1/attachments/99999999").status == 404);
    // Attached once for good: a second answer cannot take it again.
    const auto again = as("insp").post(path + "/verify", with(object({{"result", "not_rectified"}, {"note", "复查"},
                                                                      {"deadline", daysAhead(30)}}),
                                                               {{"attachment_ids", ids}}));
    BOOST_TEST(again.status == 422, again.describe());

    // A scan of the re-inspection (a PDF) goes with the verdict and is always a download.
    const auto scan = as("insp").postRaw("/api/v1/attachments?name=scan.pdf", "%PDF-1.4\n%fake but typed\n", "application/pdf");
    BOOST_REQUIRE_MESSAGE(scan.status == 201, scan.describe());
    JsonArray scanIds = new Poco::JSON::Array;
    scanIds->add(scan.id());
    const auto verified = as("insp").post(path + "/verify", with(object({{"result", "rectified"}}), {{"attachment_ids", scanIds}}));
    BOOST_REQUIRE_MESSAGE(verified.status == 200, verified.describe());
    BOOST_TEST(verified.obj()->getArray("attachments")->size() == 2u);
    const auto pdf = op.get("/api/v1/attachments/" + std::to_string(scan.id()));
    BOOST_TEST(pdf.status == 200, "the unit sees the verdict's evidence");
    BOOST_TEST(pdf.header("Content-Disposition").find("attachment;") == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

// The same evidence through the web forms: a form's files go through the API's upload (its checks, its
// limits), the answer or verdict names them, and /attachments/{id} serves them to the notice's readers.
BOOST_AUTO_TEST_SUITE(NoticePages)

namespace {
/// The ids of a notice's attachments with `purpose`, as the API lists them.
std::vector<long long> attachmentsOf(const std::string& notice, const std::string& purpose) {
    std::vector<long long> out;
    const auto listed = as("admin").get(notice).obj()->getArray("attachments");
    for (std::size_t i = 0; listed && i < listed->size(); ++i)
        if (listed->getObject(i)->getValue<std::string>("purpose") == purpose)
            out.push_back(listed->getObject(i)->getValue<long long>("id"));
    return out;
}
} // namespace

BOOST_AUTO_TEST_CASE(an_answer_with_photos_attaches_them_and_the_page_shows_them) {
    const auto f = flagged("网页附件殡仪馆");
    const auto issued = as("insp").post("/api/v1/notices", noticeBody(f.facility, {f.finding}));
    BOOST_REQUIRE_EQUAL(issued.status, 201);
    const auto page = "/notices/" + std::to_string(issued.id());
    WebSession op(newOperator(f.facility));
    const auto form = op.get(page);
    BOOST_REQUIRE_EQUAL(form.status, 200);
    BOOST_TEST(form.body.find("action=\"" + page + "/response\" enctype=\"multipart/form-data\"") != std::string::npos);
    // (mstch writes a slash in an attribute as &#x2F;, which the browser reads as "/".)
    BOOST_TEST(form.body.find("type=\"file\" id=\"f-response_files\" name=\"response_files\" multiple "
                              "accept=\"image&#x2F;jpeg,image&#x2F;png,application&#x2F;pdf\"") != std::string::npos);

    const auto before = storedFiles();
    const auto answered = op.postFiles(page + "/response", {{"text", "价目表已张贴,见照片。"}},
                                       {{"response_files", "大厅.png", "image/png", png(2048)},
                                        {"response_files", "门口.jpg", "image/jpeg", jpeg(4000, 'w')}});
    BOOST_REQUIRE_MESSAGE(answered.status == 303, answered.describe().substr(0, 2000));
    BOOST_TEST(answered.header("Location") == page + "?msg=answered");
    BOOST_TEST(storedFiles() == before + 2);
    const auto ids = attachmentsOf(pathOf("notices", issued.id()), "notice_response");
    BOOST_REQUIRE_EQUAL(ids.size(), 2u);

    const auto shown = op.get(page);
    const auto photo = "/attachments/" + std::to_string(ids[0]);
    BOOST_TEST(shown.body.find("<img src=\"" + photo + "\" alt=\"\" loading=\"lazy\">") != std::string::npos, shown.body);
    BOOST_TEST(shown.body.find("大厅.png(2 KB)") != std::string::npos);

    // Served from the web as from the API: the same check, the same headers.
    WebSession insp("insp");
    const auto served = insp.get(photo);
    BOOST_REQUIRE_EQUAL(served.status, 200);
    BOOST_TEST(served.body == png(2048));
    BOOST_TEST(served.header("Content-Type") == "image/png");
    BOOST_TEST(served.header("X-Content-Type-Options") == "nosniff");
    BOOST_TEST(served.header("Content-Security-Policy").find("sandbox") != std::string::npos);
    BOOST_TEST(served.header("Content-Disposition").find("inline; filename=") == 0u);
    BOOST_TEST(served.header("ETag").size() == 66u);
    BOOST_TEST(insp.get(photo + "?download=true").header("Content-Disposition").find("attachment;") == 0u);
    // Asked for again each time, so that a browser shows it to nobody signed in after; unchanged: 304.
    BOOST_TEST(served.header("Cache-Control") == "private, no-cache");
    Request again;
    again.path = photo;
    again.headers = {{"Cookie", "registry_session=" + insp.sessionCookie()}, {"If-None-Match", served.header("ETag")}};
    const auto unchanged = send(again);
    BOOST_TEST(unchanged.status == 304, unchanged.describe().substr(0, 300));
    BOOST_TEST(unchanged.body.empty());

    // The inspector's verdict with a scan; the print page names every file.
    const auto verified = insp.postFiles(page + "/verify", {{"result", "rectified"}},
                                         {{"verification_files", "复查.pdf", "application/pdf", "%PDF-1.4\n%scan\n"}});
    BOOST_REQUIRE_MESSAGE(verified.status == 303, verified.describe().substr(0, 2000));
    const auto scans = attachmentsOf(pathOf("notices", issued.id()), "notice_verification");
    BOOST_REQUIRE_EQUAL(scans.size(), 1u);
    const auto after = insp.get(page).body;
    BOOST_TEST(after.find("<a href=\"/attachments/" + std::to_string(scans[0]) + "?download=true\">复查.pdf</a>") != std::string::npos);
    const auto print = insp.get(page + "/print").body;
    for (const std::string name : {"大厅.png", "门口.jpg", "复查.pdf"})
        BOOST_TEST(print.find(name) != std::string::npos, name << " on the printed notice");
}

BOOST_AUTO_TEST_CASE(a_refused_file_stores_nothing_and_the_form_says_why) {
    const auto f = flagged("网页拒收殡仪馆");
    const auto issued = as("insp").post("/api/v1/notices", noticeBody(f.facility, {f.finding}));
    BOOST_REQUIRE_EQUAL(issued.status, 201);
    const auto notice = pathOf("notices", issued.id());
    const auto page = "/notices/" + std::to_string(issued.id());
    WebSession op(newOperator(f.facility));
    const auto before = storedFiles();

    // A text file named .jpg beside a good photo, and a photo over attachments.max_mb (1 in the tests):
    // each named with its reason, neither file stored, the notice unanswered.
    const auto refused = op.postFiles(page + "/response", {{"text", "已整改。"}},
                                      {{"response_files", "好照片.jpg", "image/jpeg", jpeg()},
                                       {"response_files", "说明.jpg", "image/jpeg", "这不是照片\n"},
                                       {"response_files", "大图.jpg", "image/jpeg", jpeg(1024 * 1024 + 1)}});
    BOOST_TEST(refused.status == 422, refused.describe().substr(0, 300));
    BOOST_TEST(refused.body.find("说明.jpg:只接受 JPEG、PNG 或 PDF 文件") != std::string::npos, refused.body);
    BOOST_TEST(refused.body.find("大图.jpg:文件不能超过 1 MB") != std::string::npos);
    BOOST_TEST(refused.body.find("好照片.jpg:") == std::string::npos, "the good one is not blamed");
    BOOST_TEST(refused.body.find("name=\"response_files\" multiple accept=\"image&#x2F;jpeg,image&#x2F;png,application&#x2F;pdf\" "
                                 "aria-describedby=\"h-response_files e-response_files\" aria-invalid=\"true\"") != std::string::npos);
    BOOST_TEST(refused.body.find("已整改。") != std::string::npos, "the text typed is kept");
    BOOST_TEST(storedFiles() == before, "no file of a refused form is stored");
    BOOST_TEST(as("insp").get(notice).str("status") == "issued");
    BOOST_TEST(attachmentsOf(notice, "notice_response").empty());

    // A good file with an answer that is refused (no text): stored but attached to nothing, and offered
    // again ticked, so that the next try sends it without choosing it again.
    const auto noText = op.postFiles(page + "/response", {{"text", ""}}, {{"response_files", "整改后.png", "image/png", png()}});
    BOOST_TEST(noText.status == 422, noText.describe().substr(0, 300));
    BOOST_TEST(as("insp").get(notice).str("status") == "issued");
    BOOST_TEST(attachmentsOf(notice, "notice_response").empty(), "a refused answer attaches nothing");
    const std::regex kept(R"re(name="attachment_ids" value="([0-9]+)" checked> <label for="[^"]+">整改后\.png)re");
    std::smatch m;
    BOOST_REQUIRE_MESSAGE(std::regex_search(noText.body, m, kept), noText.body);
    const auto again = op.postFiles(page + "/response", {{"text", "已整改,照片见上次上传。"}, {"attachment_ids", m[1]}}, {});
    BOOST_REQUIRE_MESSAGE(again.status == 303, again.describe().substr(0, 2000));
    BOOST_TEST(attachmentsOf(notice, "notice_response") == std::vector<long long>{std::stoll(m[1])});
    BOOST_TEST(storedFiles() == before + 1);
}

BOOST_AUTO_TEST_CASE(a_web_attachment_is_not_found_for_another_district_and_needs_a_session) {
    const auto f = flagged("网页邻区殡仪馆");
    const auto issued = as("insp").post("/api/v1/notices", noticeBody(f.facility, {f.finding}));
    BOOST_REQUIRE_EQUAL(issued.status, 201);
    const auto page = "/notices/" + std::to_string(issued.id());
    WebSession insp("insp");
    const auto answered = insp.postFiles(page + "/response", {{"text", "代为答复。"}},
                                         {{"response_files", "现场.jpg", "image/jpeg", jpeg()}});
    BOOST_REQUIRE_MESSAGE(answered.status == 303, answered.describe().substr(0, 2000));
    const auto ids = attachmentsOf(pathOf("notices", issued.id()), "notice_response");
    BOOST_REQUIRE_EQUAL(ids.size(), 1u);
    const auto file = "/attachments/" + std::to_string(ids[0]);
    BOOST_TEST(insp.get(file).status == 200);
    const auto other = WebSession("insp105").get(file);
    BOOST_TEST(other.status == 404, other.describe().substr(0, 300));
    BOOST_TEST(other.body.find(jpeg()) == std::string::npos);
    // Knowing its ETag does not help: who may read it is decided before any 304.
    Request guess;
    guess.path = file;
    guess.headers = {{"Cookie", "registry_session=" + WebSession("insp105").sessionCookie()},
                     {"If-None-Match", insp.get(file).header("ETag")}};
    BOOST_TEST(send(guess).status == 404);
    BOOST_TEST(WebSession("insp105").get(page).status == 404, "nor its notice");
    Request anonymous;
    anonymous.path = file;
    const auto signedOut = send(anonymous);
    BOOST_TEST(signedOut.status == 303);
    BOOST_TEST(signedOut.header("Location").rfind("/login?next=", 0) == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
