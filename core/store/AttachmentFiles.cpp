#include "store/AttachmentFiles.h"

#include <Poco/DigestEngine.h>
#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/SHA2Engine.h>
#include <Poco/UUIDGenerator.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace registry::store {

namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path) {
    throw std::runtime_error("attachments: cannot " + what + " " + path + ": " + std::strerror(errno));
}

void syncFolder(const std::string& folder) {
    const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) fail("open folder", folder);
    const int rc = ::fsync(fd);
    ::close(fd);
    if (rc != 0) fail("sync folder", folder);
}

} // namespace

std::string AttachmentFiles::sha256(const std::string& content) {
    Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
    engine.update(content.data(), static_cast<unsigned>(content.size()));
    return Poco::DigestEngine::digestToHex(engine.digest());
}

bool AttachmentFiles::isContentName(const std::string& s) {
    if (s.size() != 64) return false;
    for (const char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

std::string AttachmentFiles::pathOf(const std::string& sha256) const {
    // The name is ours (hex), never the client's: nothing else may reach the path.
    if (!isContentName(sha256)) throw std::invalid_argument("attachments: not a SHA-256 name: " + sha256.substr(0, 80));
    return Poco::Path(_dir).append(sha256.substr(0, 2)).append(sha256).toString();
}

bool AttachmentFiles::has(const std::string& sha256) const { return Poco::File(pathOf(sha256)).exists(); }

void AttachmentFiles::put(const std::string& sha256, const std::string& content) const {
    const std::string path = pathOf(sha256);
    if (Poco::File(path).exists()) return; // the same bytes: content-addressed, written once
    const std::string folder = Poco::Path(path).parent().toString();
    try {
        Poco::File(folder).createDirectories();
    } catch (const Poco::Exception& e) {
        throw std::runtime_error("attachments: cannot create " + folder + ": " + e.displayText());
    }
    const std::string temp = folder + "/." + Poco::UUIDGenerator::defaultGenerator().createRandom().toString() + ".part";
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd < 0) fail("create", temp);
    std::size_t done = 0;
    while (done < content.size()) {
        const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int saved = errno;
            ::close(fd);
            ::unlink(temp.c_str());
            errno = saved;
            fail("write", temp);
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        const int saved = errno;
        ::unlink(temp.c_str());
        errno = saved;
        fail("sync", temp);
    }
    if (::rename(temp.c_str(), path.c_str()) != 0) {
        const int saved = errno;
        ::unlink(temp.c_str());
        errno = saved;
        fail("rename into", path);
    }
    syncFolder(folder);
}

std::string AttachmentFiles::read(const std::string& sha256) const {
    const std::string path = pathOf(sha256);
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail("open", path);
    std::string content;
    struct stat st {};
    if (::fstat(fd, &st) == 0 && st.st_size > 0) content.reserve(static_cast<std::size_t>(st.st_size));
    char buffer[65536];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int saved = errno;
            ::close(fd);
            errno = saved;
            fail("read", path);
        }
        if (n == 0) break;
        content.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fd);
    // A file changed behind our back (a disk error, a hand edit) is not served as evidence.
    if (AttachmentFiles::sha256(content) != sha256)
        throw std::runtime_error("attachments: " + path + " does not match its SHA-256");
    return content;
}

void AttachmentFiles::remove(const std::string& sha256) const { ::unlink(pathOf(sha256).c_str()); }

} // namespace registry::store
