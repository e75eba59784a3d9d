#pragma once
// The rows of attachments (the bytes are in AttachmentFiles). An upload is a row without an owner, its
// uploader's alone; the write that names it (a notice's answer or verification) attaches it in its own
// transaction, once: an attachment belongs to one record for good.

#include "domain/Attachment.h"
#include "store/Database.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace registry::store {

class AttachmentRepository {
public:
    explicit AttachmentRepository(Database& db) : _db(db) {}

    /// Stores the row of an upload whose bytes are stored already; returns it with its id.
    domain::Attachment create(domain::Attachment attachment);
    std::optional<domain::Attachment> get(long long id);
    /// How many uploads of `user` no write has named yet.
    long long pendingOf(const std::string& user);
    /// Forgets the uploads no write named within the cutoff (uploaded_at before it); returns the SHA-256
    /// of the contents no row names any more, for their files to be removed.
    std::vector<std::string> forgetPendingBefore(const std::string& cutoffTimestamp);

    /// Attaches `ids` to the record (`ownerType`, `ownerId`) of `district` for `purpose`, inside the caller's
    /// transaction. Each must be an upload of `actor` that no write has named: otherwise ValidationFailed
    /// (field attachment_ids) and nothing is attached.
    static void attachIn(soci::session& sql, const std::vector<std::int64_t>& ids, const std::string& ownerType,
                         long long ownerId, const std::string& district, domain::AttachmentPurpose purpose,
                         const std::string& actor);
    /// The attachments of each of `ownerIds` (records of `ownerType`), in upload order.
    static std::map<long long, std::vector<domain::Attachment>> ownedBy(soci::session& sql, const std::string& ownerType,
                                                                        const std::vector<long long>& ownerIds);

private:
    Database& _db;
};

} // namespace registry::store
