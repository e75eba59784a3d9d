#pragma once
// Inside core/service only: a repository's exceptions as the use cases' refusals.

#include "service/Refusal.h"
#include "store/Errors.h"

namespace registry::service {

/// Runs `write` and turns ValidationFailed, Conflict<Record> and NotFound into Invalid, Conflict<Record>
/// and NotFound.
template <class Record, class F> auto storeWrite(F&& write) -> decltype(write()) {
    try {
        return write();
    } catch (const store::ValidationFailed& e) {
        throw Invalid(e.errors());
    } catch (const store::Conflict<Record>& e) {
        throw Conflict<Record>(e.current());
    } catch (const store::NotFound& e) {
        throw NotFound(e.what());
    }
}

} // namespace registry::service
