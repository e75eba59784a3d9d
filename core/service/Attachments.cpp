#include "service/Attachments.h"

#include "domain/Dates.h"
#include "service/BurialSites.h"
#include "service/Inspections.h"
#include "service/Notices.h"
#include "service/Refusal.h"
#include "service/Permissions.h"
#include "store/AttachmentFiles.h"
#include "store/AttachmentRepository.h"

#include <Poco/File.h>
#include <Poco/Logger.h>
#include <Poco/String.h>
#include <Poco/Timestamp.h>

#include <atomic>
#include <mutex>

namespace registry::service {

namespace {

// Storing an upload and forgetting abandoned ones take turns in this process, so a file is never removed
// between an upload finding it there and its row committing (see forgetAbandoned).
std::mutex filesMutex;
std::atomic<long long> lastSweep{0};

std::string mediaType(const std::string& header) {
    std::string type = Poco::toLower(Poco::trim(header.substr(0, header.find(';'))));
    if (type == "image/jpg" || type == "image/pjpeg") type = "image/jpeg";
    return type;
}

std::string megabytes(std::size_t bytes) { return std::to_string(bytes / (1024 * 1024)) + " MB"; }

} // namespace

std::string Attachments::check(const Principal& who, const std::string& declaredType, const std::string& content) const {
    if (isOperator(who)) {
        if (!who.facilityId) requireOwn(who, Action::AnswerNotice); // refuses
    } else {
        requireOwn(who, Action::AnswerNotice);
    }
    const std::string allowed = "JPEG、PNG 或 PDF", allowedEn = "JPEG, PNG or PDF";
    const std::size_t max = _c.attachments.maxBytes;
    if (content.size() > max)
        throw UploadRefused(RefusalKind::TooLarge,
                            {"content", "too_large", "文件不能超过 " + megabytes(max) + "(此文件 " + megabytes(content.size()) + ")",
                             "a file may be at most " + megabytes(max) + " (this one is " + megabytes(content.size()) + ")"});
    if (content.empty())
        throw UploadRefused(RefusalKind::UnsupportedMedia,
                            {"content", "empty", "文件是空的", "the file is empty"});
    const std::string declared = mediaType(declaredType);
    const auto sniffed = domain::sniffContentType(content);
    if (!sniffed)
        throw UploadRefused(RefusalKind::UnsupportedMedia,
                            {"content", "unsupported_type", "只接受 " + allowed + " 文件,此文件的内容不是其中之一",
                             "only " + allowedEn + " files are accepted; this file's content is none of them"});
    if (declared != *sniffed)
        throw UploadRefused(RefusalKind::UnsupportedMedia,
                            {"content", "type_mismatch",
                             "文件声明的类型(" + (declared.empty() ? std::string("无") : declared) + ")与其内容(" + *sniffed +
                                 ")不符",
                             "the declared type (" + (declared.empty() ? std::string("none") : declared) +
                                 ") does not match the content (" + *sniffed + ")"});
    return *sniffed;
}

domain::Attachment Attachments::upload(const Principal& who, const std::string& declaredType,
                                       const std::string& fileName, const std::string& content) {
    const std::string sniffed = check(who, declaredType, content);
    store::AttachmentRepository rows(_c.db);
    forgetAbandoned();
    if (rows.pendingOf(who.username) >= kMaxPendingPerUser)
        throw Invalid({{"content", "too_many_pending",
                        "您已有 " + std::to_string(kMaxPendingPerUser) + " 个上传尚未用于任何记录,请先提交或等待一天后再上传",
                        "you have " + std::to_string(kMaxPendingPerUser) +
                            " uploads no record names yet; use them, or upload again after a day"}});

    domain::Attachment a;
    a.sha256 = store::AttachmentFiles::sha256(content);
    a.contentType = sniffed;
    a.bytes = static_cast<std::int64_t>(content.size());
    a.fileName = domain::cleanFileName(fileName, sniffed);
    a.uploadedBy = who.username;
    a.uploadedAt = domain::nowTimestamp();
    const store::AttachmentFiles files(_c.attachments.dir);
    std::lock_guard lock(filesMutex);
    try {
        files.put(a.sha256, content);
        // Content stored before is kept a day longer from now (forgetAbandoned spares recent files).
        Poco::File(files.pathOf(a.sha256)).setLastModified(Poco::Timestamp());
    } catch (const std::exception& e) {
        Poco::Logger::get("registry.attachments").error("%s", std::string(e.what()));
        throw Unavailable("附件暂时无法保存,请稍后再试", "the attachment cannot be stored now; try again later");
    }
    return rows.create(std::move(a));
}

void Attachments::forgetAbandoned() {
    const long long now = Poco::Timestamp().epochTime();
    long long last = lastSweep.load();
    if (now - last < 3600 || !lastSweep.compare_exchange_strong(last, now)) return; // once an hour a process
    const Poco::Timestamp cutoff = Poco::Timestamp() - Poco::Timestamp::TimeDiff(kPendingHours) * 3600 * 1000000;
    try {
        const auto orphaned = store::AttachmentRepository(_c.db).forgetPendingBefore(domain::formatTimestamp(cutoff.epochMicroseconds() / 1000));
        const store::AttachmentFiles files(_c.attachments.dir);
        std::lock_guard lock(filesMutex);
        for (const auto& sha : orphaned) {
            Poco::File file(files.pathOf(sha));
            // Another instance may have stored the same content again since: a recent file stays.
            if (file.exists() && file.getLastModified() < cutoff) files.remove(sha);
        }
    } catch (const std::exception& e) {
        Poco::Logger::get("registry.attachments").warning("forgetting abandoned uploads: %s", std::string(e.what()));
    }
}

domain::Attachment Attachments::describe(const Principal& who, long long id) {
    auto a = store::AttachmentRepository(_c.db).get(id);
    if (!a) throw NotFound("attachment");
    if (!a->ownerType) {
        if (a->uploadedBy != who.username) throw NotFound("attachment");
    } else {
        // Whoever reads the record it is attached to reads it; anyone else is told it does not exist.
        try {
            if (*a->ownerType == "notice")
                Notices(_c, "").get(who, a->ownerId);
            else if (*a->ownerType == "inspection")
                Inspections(_c).get(who, a->ownerId);
            else if (const auto site = *a->ownerType == "progress"
                                           ? store::BurialSiteRepository(_c.db, _c.window).siteOfProgress(a->ownerId)
                                           : std::nullopt)
                BurialSites(_c).get(who, *site);
            else
                throw NotFound("attachment");
        } catch (const NotFound&) {
            throw NotFound("attachment");
        } catch (const NotAllowed&) {
            throw NotFound("attachment");
        }
    }
    return *a;
}

StoredAttachment Attachments::get(const Principal& who, long long id) {
    const auto a = describe(who, id);
    try {
        return {a, store::AttachmentFiles(_c.attachments.dir).read(a.sha256)};
    } catch (const std::exception& e) {
        Poco::Logger::get("registry.attachments").error("attachment %Ld: %s", static_cast<long long>(id),
                                                         std::string(e.what()));
        throw Unavailable("附件文件暂时无法读取,请联系管理员", "the attachment's file cannot be read now; tell an administrator");
    }
}

} // namespace registry::service
