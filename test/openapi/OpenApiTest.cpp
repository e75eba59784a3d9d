// The OpenAPI document built into the server against the server itself: every route of the router is
// documented and every documented operation is routed, sign-in as the router requires it, the enumerations,
// record fields and request bodies as the domain and the codecs have them, and the document served at
// GET /api/v1/openapi.json without a token. (openapi.lint runs a real OpenAPI validator over the same text.)

#include "service/Authenticator.h"
#include "codec/RecordDecode.h"
#include "codec/RecordJson.h"
#include "domain/District.h"
#include "domain/PriceItem.h"
#include "http/Api.h"
#include "http/OpenApi.h"
#include "http/RequestHandlerFactory.h"
#include "support/TestDatabase.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>

#include <boost/test/unit_test.hpp>

#include <functional>
#include <set>
#include <string>

using namespace registry;
using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

const char* const kMethods[] = {"get", "put", "post", "delete", "patch", "head", "options", "trace"};

Object::Ptr document() {
    static const Object::Ptr doc = Poco::JSON::Parser().parse(http::openApiDocument()).extract<Object::Ptr>();
    return doc;
}

Object::Ptr child(const Object::Ptr& o, const std::string& key) {
    BOOST_REQUIRE_MESSAGE(o && o->has(key) && o->isObject(key), "missing object member " << key);
    return o->getObject(key);
}

Object::Ptr schema(const std::string& name) { return child(child(child(document(), "components"), "schemas"), name); }

/// A `$ref` to "#/components/<kind>/<name>" resolved; any other object as it is.
Object::Ptr resolve(const Object::Ptr& o) {
    if (!o->has("$ref")) return o;
    const std::string ref = o->getValue<std::string>("$ref");
    const std::string prefix = "#/components/";
    BOOST_REQUIRE_MESSAGE(ref.rfind(prefix, 0) == 0, "unexpected $ref " << ref);
    const auto slash = ref.find('/', prefix.size());
    return child(child(child(document(), "components"), ref.substr(prefix.size(), slash - prefix.size())),
                 ref.substr(slash + 1));
}

std::set<std::string> keys(const Object::Ptr& o) {
    std::set<std::string> out;
    for (const auto& [key, value] : *o) out.insert(key);
    return out;
}

std::set<std::string> strings(const Array::Ptr& a) {
    std::set<std::string> out;
    if (a)
        for (const auto& v : *a) out.insert(v.convert<std::string>());
    return out;
}

std::string join(const std::set<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
    return out;
}

std::string upper(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

struct Operation {
    std::string method; // GET, POST, ...
    std::string path;
    Object::Ptr pathItem;
    Object::Ptr op;
    std::string key() const { return method + " " + path; }
};

std::vector<Operation> operations() {
    std::vector<Operation> out;
    for (const auto& [path, item] : *child(document(), "paths")) {
        const auto pathItem = item.extract<Object::Ptr>();
        for (const char* m : kMethods)
            if (pathItem->has(m)) out.push_back({upper(m), path, pathItem, pathItem->getObject(m)});
    }
    return out;
}

/// The names of the parameters of an operation (its own and its path's), resolved.
std::set<std::string> parameterNames(const Operation& o, const std::string& in) {
    std::set<std::string> out;
    for (const auto& holder : {o.pathItem, o.op})
        if (auto list = holder->getArray("parameters"))
            for (const auto& p : *list) {
                const auto param = resolve(p.extract<Object::Ptr>());
                if (param->getValue<std::string>("in") == in) out.insert(param->getValue<std::string>("name"));
            }
    return out;
}

bool hasJsonBody(const Operation& o) {
    if (!o.op->has("requestBody")) return false;
    return child(resolve(o.op->getObject("requestBody")), "content")->has("application/json");
}

// The context's other members keep their defaults (no plugins), whatever members it grows.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
http::ApiContext makeContext(store::Database& db, service::Authenticator& authenticator) {
    return http::ApiContext{db, authenticator, domain::PlanWindow{}};
}
#pragma GCC diagnostic pop

/// A router over a fresh database of the test backend, as `serve` builds it (without plugins).
struct RouterFixture {
    test::TestDatabase database;
    service::Authenticator authenticator{database.db(), service::AuthSettings{}};
    http::ApiContext context = makeContext(database.db(), authenticator);
    std::shared_ptr<http::Router> router = http::buildRouter(context);

    const http::Route* route(const Operation& o) const {
        for (const auto& r : router->routes())
            if (r.method == o.method && r.pattern == o.path) return &r;
        return nullptr;
    }
};

template <class E> std::set<std::string> domainValues() {
    std::set<std::string> out;
    for (auto v : domain::allEnumValues<E>()) out.insert(domain::toString(v));
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(openapi)

BOOST_AUTO_TEST_CASE(is_an_openapi_3_1_document_with_bearer_sign_in) {
    const auto doc = document();
    BOOST_TEST(doc->getValue<std::string>("openapi").rfind("3.1.", 0) == 0);
    BOOST_TEST(!child(doc, "info")->getValue<std::string>("title").empty());
    const auto bearer = child(child(child(doc, "components"), "securitySchemes"), "bearerAuth");
    BOOST_TEST(bearer->getValue<std::string>("type") == "http");
    BOOST_TEST(bearer->getValue<std::string>("scheme") == "bearer");
    // Signed in unless an operation says otherwise.
    const auto security = doc->getArray("security");
    BOOST_REQUIRE(security && security->size() == 1);
    BOOST_TEST(security->getObject(0)->has("bearerAuth"));
}

BOOST_FIXTURE_TEST_CASE(documents_every_route_of_the_router_and_nothing_else, RouterFixture) {
    std::set<std::string> routed, documented;
    for (const auto& r : router->routes()) routed.insert(r.method + " " + r.pattern);
    for (const auto& o : operations()) documented.insert(o.key());
    BOOST_REQUIRE_GT(routed.size(), 30u);
    for (const auto& r : routed)
        BOOST_CHECK_MESSAGE(documented.count(r), "the router serves " << r << " but core/http/openapi.json does not describe it");
    for (const auto& d : documented)
        BOOST_CHECK_MESSAGE(routed.count(d), "core/http/openapi.json describes " << d << " but the router does not serve it");
    BOOST_TEST(routed.count("GET /api/v1/openapi.json") == 1u);
}

BOOST_FIXTURE_TEST_CASE(sign_in_and_error_answers_as_the_router_and_the_handlers_give_them, RouterFixture) {
    for (const auto& o : operations()) {
        const auto* r = route(o);
        if (!r) continue; // reported by the test above
        const auto responses = child(o.op, "responses");
        const bool publicOp = o.op->has("security") && o.op->getArray("security")->size() == 0;
        BOOST_CHECK_MESSAGE(publicOp == !r->signedIn, o.key() << ": security: [] must be set exactly on the routes "
                                                                 "that answer without a token");
        if (r->signedIn) {
            BOOST_CHECK_MESSAGE(responses->has("401"), o.key() << " needs a token: document 401");
            BOOST_CHECK_MESSAGE(responses->has("503"), o.key() << " checks the token in the database: document 503");
        }
        if (hasJsonBody(o))
            for (const char* status : {"400", "413", "415", "422"})
                BOOST_CHECK_MESSAGE(responses->has(status), o.key() << " reads a JSON body: document " << status);
        if (o.method == "PUT") {
            BOOST_CHECK_MESSAGE(parameterNames(o, "header").count("If-Match"), o.key() << ": document If-Match");
            for (const char* status : {"404", "409", "428"})
                BOOST_CHECK_MESSAGE(responses->has(status), o.key() << ": document " << status);
        }
        for (const auto& [status, value] : *responses) {
            const auto response = resolve(value.extract<Object::Ptr>());
            if (status[0] == '4' || status[0] == '5') {
                BOOST_CHECK_MESSAGE(response->has("content") &&
                                        child(response, "content")->has("application/problem+json"),
                                    o.key() << " " << status << " must be application/problem+json");
            }
        }
        // Every {name} of the path is a documented path parameter.
        for (const auto& segment : r->segments)
            if (segment.size() > 2 && segment.front() == '{')
                BOOST_CHECK_MESSAGE(parameterNames(o, "path").count(segment.substr(1, segment.size() - 2)),
                                    o.key() << ": document the path parameter " << segment);
    }
}

BOOST_AUTO_TEST_CASE(enumerations_are_the_domains) {
    const std::vector<std::pair<std::string, std::set<std::string>>> enums{
        {"FacilityKind", domainValues<domain::FacilityKind>()},
        {"FacilityStatus", domainValues<domain::FacilityStatus>()},
        {"PlanAction", domainValues<domain::PlanAction>()},
        {"PlanPhase", domainValues<domain::PlanPhase>()},
        {"BurialSiteKind", domainValues<domain::BurialSiteKind>()},
        {"Zone", domainValues<domain::Zone>()},
        {"Measure", domainValues<domain::Measure>()},
        {"BurialSiteStatus", domainValues<domain::BurialSiteStatus>()},
        {"PriceCategory", domainValues<domain::PriceCategory>()},
        {"PriceRegime", domainValues<domain::PriceRegime>()},
        {"PriceSource", domainValues<domain::PriceSource>()},
        {"SubjectType", domainValues<domain::SubjectType>()},
        {"InspectionResult", domainValues<domain::InspectionResult>()},
        {"Role", domainValues<domain::Role>()},
        {"Severity", domainValues<domain::Severity>()},
        {"FindingStatus", domainValues<domain::FindingStatus>()},
        {"NoticeStatus", domainValues<domain::NoticeStatus>()},
        {"VerificationResult", domainValues<domain::VerificationResult>()},
    };
    for (const auto& [name, values] : enums)
        BOOST_CHECK_MESSAGE(strings(schema(name)->getArray("enum")) == values,
                            name << ": documented [" << join(strings(schema(name)->getArray("enum")))
                                 << "], the domain has [" << join(values) << "]");
    std::set<std::string> districts, items;
    for (const auto& d : domain::districts()) districts.insert(d.code);
    for (const auto& i : domain::priceItems()) items.insert(i.code);
    BOOST_TEST(strings(schema("DistrictCode")->getArray("enum")) == districts);
    BOOST_TEST(strings(schema("PriceItemCode")->getArray("enum")) == items);
}

BOOST_AUTO_TEST_CASE(record_schemas_have_every_field_the_server_sends) {
    const std::vector<std::pair<std::string, Object::Ptr>> records{
        {"Facility", codec::toJson(domain::Facility{})},
        {"BurialSite", codec::toJson(domain::BurialSite{})},
        {"ProgressEntry", codec::toJson(domain::ProgressEntry{})},
        {"PriceRecord", codec::toJson(domain::PriceRecord{})},
        {"ReferencePrice", codec::toJson(domain::ReferencePrice{})},
        {"Inspection", codec::toJson(domain::Inspection{})},
        {"User", codec::toJson(domain::User{})},
        {"Finding", codec::toJson(domain::Finding{})},
        {"AuditRun", codec::toJson(domain::AuditRun{})},
        {"Notice", codec::toJson(domain::Notice{})},
        {"FieldError", codec::toJson(domain::FieldError{}, false)},
    };
    for (const auto& [name, sent] : records) {
        const auto s = schema(name);
        BOOST_CHECK_MESSAGE(keys(child(s, "properties")) == keys(sent),
                            name << ": documented {" << join(keys(child(s, "properties"))) << "}, the server sends {"
                                 << join(keys(sent)) << "}");
        BOOST_CHECK_MESSAGE(strings(s->getArray("required")) == keys(sent),
                            name << ": every field the server always sends is required");
    }
}

BOOST_AUTO_TEST_CASE(request_schemas_are_what_the_decoders_accept_and_require) {
    using Decode = std::function<void(const Object&, domain::Validator&)>;
    std::optional<std::string> password;
    const std::vector<std::pair<std::string, Decode>> inputs{
        {"FacilityInput", [](const Object& b, domain::Validator& e) { codec::decodeFacility(b, e); }},
        {"BurialSiteInput", [](const Object& b, domain::Validator& e) { codec::decodeBurialSite(b, e); }},
        {"ProgressEntryInput", [](const Object& b, domain::Validator& e) { codec::decodeProgressEntry(b, e); }},
        {"PriceInput", [](const Object& b, domain::Validator& e) { codec::decodePriceRecord(b, e); }},
        {"ReferencePriceInput", [](const Object& b, domain::Validator& e) { codec::decodeReferencePrice(b, e); }},
        {"InspectionInput", [](const Object& b, domain::Validator& e) { codec::decodeInspection(b, e); }},
        {"UserCreate", [&](const Object& b, domain::Validator& e) { codec::decodeUser(b, e, true, password); }},
        {"UserUpdate", [&](const Object& b, domain::Validator& e) { codec::decodeUser(b, e, false, password); }},
        {"NoticeInput", [](const Object& b, domain::Validator& e) { codec::decodeNotice(b, e); }},
        {"NoticeResponseInput", [](const Object& b, domain::Validator& e) { codec::decodeNoticeResponse(b, e); }},
        {"NoticeVerificationInput", [](const Object& b, domain::Validator& e) { codec::decodeNoticeVerification(b, e); }},
    };
    const auto fieldsWith = [](const domain::FieldErrors& errors, const std::string& code) {
        std::set<std::string> out;
        for (const auto& e : errors)
            if (e.code == code) out.insert(e.field);
        return out;
    };
    for (const auto& [name, decode] : inputs) {
        const auto s = schema(name);
        BOOST_TEST_CONTEXT(name) {
            BOOST_CHECK_MESSAGE(s->has("additionalProperties") && !s->getValue<bool>("additionalProperties"),
                                "the decoders refuse unknown fields: additionalProperties must be false");
            // An empty body: the decoder's required fields are the schema's.
            domain::Validator empty;
            decode(Object(), empty);
            BOOST_TEST(fieldsWith(empty.errors(), "required") == strings(s->getArray("required")),
                       "required by the decoder {" << join(fieldsWith(empty.errors(), "required")) << "}");
            // Every documented field (null: as if absent) is known to the decoder; anything else is not.
            Object every;
            for (const auto& field : keys(child(s, "properties"))) every.set(field, Poco::Dynamic::Var());
            every.set("no_such_field", 1);
            domain::Validator known;
            decode(every, known);
            BOOST_TEST(fieldsWith(known.errors(), "unknown") == std::set<std::string>{"no_such_field"},
                       "refused as unknown {" << join(fieldsWith(known.errors(), "unknown")) << "}");
        }
    }
}

BOOST_FIXTURE_TEST_CASE(is_served_without_sign_in_as_json, RouterFixture) {
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
    Poco::Net::HTTPServer server(new http::RequestHandlerFactory(router, authenticator, http::HttpLimits{}), socket,
                                 new Poco::Net::HTTPServerParams);
    server.start();
    Poco::Net::HTTPClientSession session("127.0.0.1", socket.address().port());
    session.setTimeout(Poco::Timespan(10, 0));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, "/api/v1/openapi.json",
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::string body;
    Poco::StreamCopier::copyToString(session.receiveResponse(response), body);
    server.stop();
    BOOST_TEST(response.getStatus() == Poco::Net::HTTPResponse::HTTP_OK);
    const std::string type = response.getContentType();
    BOOST_TEST(type.substr(0, type.find(';')) == "application/json");
    BOOST_TEST(body == http::openApiDocument());
}

BOOST_AUTO_TEST_SUITE_END()
