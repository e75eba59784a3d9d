#include "codec/RecordJson.h"

#include "codec/RecordFields.h"

#include <Poco/JSONString.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>

#include <sstream>

namespace registry::codec {

using Poco::JSON::Object;
using namespace registry::domain;

namespace {

template <class T> void setOptional(Object& o, const std::string& key, const std::optional<T>& value) {
    if (value)
        o.set(key, *value);
    else
        o.set(key, Poco::Dynamic::Var());
}

template <class E> void setOptionalEnum(Object& o, const std::string& key, const std::optional<E>& value) {
    if (value)
        o.set(key, toString(*value));
    else
        o.set(key, Poco::Dynamic::Var());
}

/// The sink of RecordFields.h that fills a Poco::JSON object (key order kept).
class JsonSink {
public:
    explicit JsonSink(Object& object) : _object(object) {}
    void text(const char* key, std::string_view value) { _object.set(key, std::string(value)); }
    void integer(const char* key, std::int64_t value) { _object.set(key, static_cast<Poco::Int64>(value)); }
    void number(const char* key, double value) { _object.set(key, value); }
    void boolean(const char* key, bool value) { _object.set(key, value); }
    void null(const char* key) { _object.set(key, Poco::Dynamic::Var()); }
    template <class F> void object(const char* key, F&& fields) {
        Object::Ptr inner = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
        JsonSink sink(*inner);
        fields(sink);
        _object.set(key, inner);
    }
    void textList(const char* key, const std::vector<std::string_view>& values) {
        Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
        for (auto v : values) array->add(std::string(v));
        _object.set(key, array);
    }

private:
    Object& _object;
};

/// A sink that writes JSON text: the same bytes as Poco's Stringifier makes of the JsonSink's object
/// (strings through Poco::toJSON, numbers through Var's conversion, as the Stringifier does).
class JsonTextSink {
public:
    explicit JsonTextSink(std::string& out) : _out(out) { _out += '{'; }
    void close() { _out += '}'; }
    void text(const char* key, std::string_view value) {
        name(key);
        _out += Poco::toJSON(std::string(value), Poco::JSON_WRAP_STRINGS);
    }
    void integer(const char* key, std::int64_t value) {
        name(key);
        _out += std::to_string(value);
    }
    void number(const char* key, double value) {
        name(key);
        _out += Poco::Dynamic::Var(value).convert<std::string>();
    }
    void boolean(const char* key, bool value) {
        name(key);
        _out += value ? "true" : "false";
    }
    void null(const char* key) {
        name(key);
        _out += "null";
    }
    template <class F> void object(const char* key, F&& fields) {
        name(key);
        JsonTextSink inner(_out);
        fields(inner);
        inner.close();
    }
    void textList(const char* key, const std::vector<std::string_view>& values) {
        name(key);
        _out += '[';
        for (std::size_t i = 0; i < values.size(); ++i) {
            if (i) _out += ',';
            _out += Poco::toJSON(std::string(values[i]), Poco::JSON_WRAP_STRINGS);
        }
        _out += ']';
    }

private:
    void name(const char* key) {
        if (!_first) _out += ',';
        _first = false;
        _out += Poco::toJSON(key, Poco::JSON_WRAP_STRINGS);
        _out += ':';
    }
    std::string& _out;
    bool _first = true;
};

template <class Record> std::string fieldsText(const Record& record) {
    std::string out;
    out.reserve(1024);
    JsonTextSink sink(out);
    writeFields(record, sink);
    sink.close();
    return out;
}

template <class Record> Object::Ptr fieldsObject(const Record& record) {
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    JsonSink sink(*o);
    writeFields(record, sink);
    return o;
}

} // namespace

Object::Ptr toJson(const Facility& f) { return fieldsObject(f); }
std::string toJsonText(const Facility& f) { return fieldsText(f); }

Object::Ptr toJson(const BurialSite& s) { return fieldsObject(s); }
std::string toJsonText(const BurialSite& s) { return fieldsText(s); }

namespace {
Poco::JSON::Array::Ptr attachmentsJson(const std::vector<domain::Attachment>& attachments) {
    Poco::JSON::Array::Ptr files = new Poco::JSON::Array;
    for (const auto& a : attachments) files->add(toJson(a));
    return files;
}
} // namespace

Object::Ptr toJson(const ProgressEntry& e) {
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("id", e.id);
    o->set("site_id", e.siteId);
    o->set("date", e.date);
    o->set("graves_handled", e.gravesHandled);
    setOptionalEnum(*o, "status", e.status);
    o->set("note", e.note);
    o->set("recorded_by", e.recordedBy);
    o->set("created_at", e.createdAt);
    o->set("attachments", attachmentsJson(e.attachments));
    return o;
}

Object::Ptr toJson(const PriceRecord& p) { return fieldsObject(p); }
std::string toJsonText(const PriceRecord& p) { return fieldsText(p); }

Object::Ptr toJson(const ReferencePrice& r) {
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("id", r.id);
    o->set("item", r.item);
    setOptional(*o, "district", r.district);
    o->set("cap_fen", r.capFen);
    o->set("effective_from", r.effectiveFrom);
    setOptional(*o, "effective_to", r.effectiveTo);
    o->set("basis", r.basis);
    o->set("version", r.version);
    o->set("created_at", r.createdAt);
    o->set("updated_at", r.updatedAt);
    return o;
}

Object::Ptr toJson(const Inspection& i) {
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("id", i.id);
    o->set("subject_type", toString(i.subjectType));
    o->set("subject_id", i.subjectId);
    o->set("district", i.district);
    o->set("date", i.date);
    o->set("result", toString(i.result));
    Poco::JSON::Parser parser;
    o->set("checklist", parser.parse(i.checklistJson.empty() ? "{}" : i.checklistJson));
    o->set("notes", i.notes);
    o->set("inspector", i.inspector);
    o->set("created_at", i.createdAt);
    o->set("version", i.version);
    o->set("attachments", attachmentsJson(i.attachments));
    return o;
}

Object::Ptr toJson(const domain::Attachment& a) {
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("id", a.id);
    o->set("sha256", a.sha256);
    o->set("content_type", a.contentType);
    o->set("bytes", a.bytes);
    o->set("file_name", a.fileName);
    o->set("uploaded_by", a.uploadedBy);
    o->set("uploaded_at", a.uploadedAt);
    setOptionalEnum(*o, "purpose", a.purpose);
    return o;
}

Object::Ptr toJson(const Notice& n) {
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("id", n.id);
    o->set("number", n.number);
    o->set("district", n.district);
    o->set("subject_type", toString(n.subjectType));
    o->set("subject_id", n.subjectId);
    Poco::JSON::Array::Ptr findings = new Poco::JSON::Array;
    for (const auto id : n.findingIds) findings->add(static_cast<Poco::Int64>(id));
    o->set("finding_ids", findings);
    o->set("requirements", n.requirements);
    o->set("deadline", n.deadline);
    o->set("status", toString(n.status));
    o->set("overdue", n.isOverdue);
    o->set("issued_by", n.issuedBy);
    o->set("issued_on", n.issuedOn);
    o->set("response_text", n.responseText);
    o->set("responded_by", n.respondedBy);
    setOptional(*o, "responded_at", n.respondedAt);
    setOptionalEnum(*o, "result", n.result);
    o->set("verification_note", n.verificationNote);
    o->set("verified_by", n.verifiedBy);
    setOptional(*o, "verified_at", n.verifiedAt);
    o->set("attachments", attachmentsJson(n.attachments));
    o->set("version", n.version);
    o->set("created_at", n.createdAt);
    o->set("updated_at", n.updatedAt);
    return o;
}

Object::Ptr toJson(const User& u) {
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("id", u.id);
    o->set("username", u.username);
    o->set("display_name", u.displayName);
    o->set("role", toString(u.role));
    setOptional(*o, "district", u.district);
    setOptional(*o, "facility_id", u.facilityId);
    setOptional(*o, "email", u.email);
    o->set("active", u.active);
    o->set("version", u.version);
    o->set("created_at", u.createdAt);
    o->set("updated_at", u.updatedAt);
    return o;
}

Object::Ptr toJson(const AuditRun& r) {
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("id", r.id);
    o->set("trigger", toString(r.trigger));
    setOptional(*o, "district", r.district);
    o->set("status", toString(r.status));
    o->set("records_total", r.recordsTotal);
    o->set("records_checked", r.recordsChecked);
    o->set("findings_new", r.findingsNew);
    o->set("findings_resolved", r.findingsResolved);
    o->set("plugin_errors", r.pluginErrors);
    setOptional(*o, "started_at", r.startedAt);
    setOptional(*o, "finished_at", r.finishedAt);
    setOptional(*o, "scheduled_for", r.scheduledFor);
    o->set("audit_date", r.auditDate);
    o->set("requested_by", r.requestedBy);
    o->set("runner", r.runner);
    o->set("created_at", r.createdAt);
    o->set("cancel_requested", r.cancelRequested);
    o->set("error", r.error);
    o->set("dry_run", r.dryRun());
    setOptional(*o, "dry_run_plugin", r.dryRunPlugin);
    setOptional(*o, "dry_run_version", r.dryRunVersion);
    Poco::Dynamic::Var plugins;
    try {
        plugins = parseStored(r.pluginsJson.empty() ? "[]" : r.pluginsJson);
    } catch (const Poco::Exception&) {
        plugins = Poco::JSON::Array::Ptr(new Poco::JSON::Array);
    }
    o->set("plugins", plugins);
    return o;
}

Object::Ptr toJson(const Finding& f) {
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("id", f.id);
    o->set("plugin", f.plugin);
    o->set("plugin_version", f.pluginVersion);
    o->set("rule", f.rule);
    o->set("severity", toString(f.severity));
    o->set("subject_type", toString(f.subjectType));
    o->set("subject_id", f.subjectId);
    setOptional(*o, "district", f.district);
    o->set("message", f.message);
    Poco::Dynamic::Var details;
    try {
        details = parseStored(f.detailsJson.empty() ? "{}" : f.detailsJson);
    } catch (const Poco::Exception&) {
        details = f.detailsJson; // stored by an older version as plain text: shown as it is
    }
    o->set("details", details);
    o->set("status", toString(f.status));
    o->set("status_note", f.statusNote);
    o->set("status_by", f.statusBy);
    o->set("first_seen_at", f.firstSeenAt);
    o->set("last_seen_at", f.lastSeenAt);
    setOptional(*o, "audit_id", f.auditId);
    setOptional(*o, "resolved_by_audit_id", f.resolvedByAuditId);
    o->set("version", f.version);
    return o;
}

Object::Ptr toJson(const FieldError& e, bool english) {
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("field", e.field);
    o->set("code", e.code);
    o->set("message", english ? e.messageEn : e.messageZh);
    return o;
}

std::string stringify(const Object::Ptr& object) {
    std::ostringstream out;
    object->stringify(out);
    return out.str();
}

Poco::Dynamic::Var parseStored(const std::string& text) {
    Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true)); // keys in their stored order
    return parser.parse(text);
}

} // namespace registry::codec
