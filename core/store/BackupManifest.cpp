#include "store/BackupManifest.h"

#include "store/AttachmentFiles.h"

#include <Poco/DigestStream.h>
#include <Poco/Exception.h>
#include <Poco/FileStream.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Path.h>
#include <Poco/SHA2Engine.h>
#include <Poco/StreamCopier.h>
#include <Poco/TeeStream.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sstream>
#include <unistd.h>

namespace registry::store {

namespace {

// Only the two kinds of file a backup holds, so that a hand-edited manifest cannot make restore read (or
// write) anything outside the backup's layout.
bool isBackupPath(const BackupFile& file) {
    if (file.path == BackupManifest::databaseFile) return true;
    const std::string prefix = std::string(BackupManifest::attachmentsFolder) + "/";
    return AttachmentFiles::isContentName(file.sha256) &&
           file.path == prefix + file.sha256.substr(0, 2) + "/" + file.sha256;
}

BackupFile finish(Poco::SHA2Engine& engine, const std::string& relative, Poco::UInt64 bytes) {
    return BackupFile{relative, bytes, Poco::DigestEngine::digestToHex(engine.digest())};
}

} // namespace

long long BackupManifest::rows() const {
    long long n = 0;
    for (const auto& [table, count] : tables)
        n += count;
    return n;
}

Poco::UInt64 BackupManifest::bytes() const {
    Poco::UInt64 n = 0;
    for (const auto& file : files)
        n += file.bytes;
    return n;
}

std::string BackupManifest::toJson() const {
    Poco::JSON::Object root(Poco::JSON_PRESERVE_KEY_ORDER);
    root.set("format", "funeral-registry backup");
    root.set("format_version", format);
    root.set("program_version", programVersion);
    root.set("backend", backend);
    root.set("schema_version", schemaVersion);
    root.set("created_at", createdAt);
    root.set("source", source);
    Poco::JSON::Object::Ptr rowsByTable = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    for (const auto& [table, count] : tables)
        rowsByTable->set(table, static_cast<Poco::Int64>(count));
    root.set("tables", rowsByTable);
    Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
    for (const auto& file : files) {
        Poco::JSON::Object::Ptr entry = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        entry->set("path", file.path);
        entry->set("bytes", file.bytes);
        entry->set("sha256", file.sha256);
        list->add(entry);
    }
    root.set("files", list);
    Poco::JSON::Array::Ptr missing = new Poco::JSON::Array;
    for (const auto& sha : missingAttachments)
        missing->add(sha);
    root.set("missing_attachments", missing);
    std::ostringstream out;
    root.stringify(out, 2);
    out << "\n";
    return out.str();
}

BackupManifest BackupManifest::parse(const std::string& json, const std::string& where) {
    BackupManifest m;
    try {
        const auto root = Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
        if (root->optValue<std::string>("format", "") != "funeral-registry backup")
            throw BackupRefused(where + " is not a funeral-registry backup manifest");
        m.format = root->getValue<int>("format_version");
        if (m.format > currentFormat)
            throw BackupRefused(where + " is in backup format " + std::to_string(m.format) +
                                ", newer than this program reads (" + std::to_string(currentFormat) +
                                "): restore it with a newer funeral-registry");
        m.programVersion = root->getValue<std::string>("program_version");
        m.backend = root->getValue<std::string>("backend");
        m.schemaVersion = root->getValue<int>("schema_version");
        m.createdAt = root->getValue<std::string>("created_at");
        m.source = root->getValue<std::string>("source");
        const auto tables = root->getObject("tables");
        if (!tables) throw BackupRefused(where + " has no tables");
        for (const auto& [name, value] : *tables)
            m.tables.emplace_back(name, value.convert<Poco::Int64>());
        const auto files = root->getArray("files");
        if (!files) throw BackupRefused(where + " has no files");
        for (std::size_t i = 0; i < files->size(); ++i) {
            const auto entry = files->getObject(static_cast<unsigned>(i));
            if (!entry) throw BackupRefused(where + ": files[" + std::to_string(i) + "] is not an object");
            BackupFile file{entry->getValue<std::string>("path"), entry->getValue<Poco::UInt64>("bytes"),
                            entry->getValue<std::string>("sha256")};
            if (!isBackupPath(file) || !AttachmentFiles::isContentName(file.sha256))
                throw BackupRefused(where + " names a file outside a backup's layout: '" +
                                    file.path.substr(0, 120) + "'");
            m.files.push_back(std::move(file));
        }
        if (m.files.empty() || m.files.front().path != databaseFile)
            throw BackupRefused(where + " does not list " + databaseFile + " first");
        if (const auto missing = root->getArray("missing_attachments"))
            for (std::size_t i = 0; i < missing->size(); ++i)
                m.missingAttachments.push_back(missing->getElement<std::string>(static_cast<unsigned>(i)));
    } catch (const BackupRefused&) {
        throw;
    } catch (const Poco::Exception& e) {
        throw BackupRefused(where + " is not a readable backup manifest: " + e.displayText());
    }
    return m;
}

std::string pathIn(const std::string& folder, const std::string& relative) {
    return Poco::Path(folder).append(Poco::Path(relative, Poco::Path::PATH_UNIX)).toString();
}

BackupFile describeFile(const std::string& path, const std::string& relative) {
    Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
    Poco::DigestOutputStream digest(engine);
    Poco::FileInputStream in(path);
    const auto bytes = Poco::StreamCopier::copyStream64(in, digest);
    digest.flush();
    if (in.bad()) throw std::runtime_error("cannot read " + path);
    return finish(engine, relative, bytes);
}

BackupFile copyFile(const std::string& from, const std::string& to, const std::string& relative) {
    Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
    Poco::DigestOutputStream digest(engine);
    Poco::FileInputStream in(from);
    Poco::FileOutputStream out(to);
    Poco::TeeOutputStream both(out);
    both.addStream(digest);
    const auto bytes = Poco::StreamCopier::copyStream64(in, both);
    both.flush();
    digest.flush();
    out.close();
    if (in.bad()) throw std::runtime_error("cannot read " + from);
    if (!out.good()) throw std::runtime_error("cannot write " + to);
    return finish(engine, relative, bytes);
}

void syncPath(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
    const int rc = ::fsync(fd);
    const int saved = errno;
    ::close(fd);
    if (rc != 0) throw std::runtime_error("cannot sync " + path + ": " + std::strerror(saved));
}

} // namespace registry::store
