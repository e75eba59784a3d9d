#include "service/Refusal.h"

namespace registry::service {

domain::FieldErrors mergeErrors(domain::FieldErrors decodeErrors, const domain::FieldErrors& validationErrors) {
    for (const auto& e : validationErrors) {
        bool seen = false;
        for (const auto& d : decodeErrors) seen = seen || d.field == e.field;
        if (!seen) decodeErrors.push_back(e);
    }
    return decodeErrors;
}

void failIfInvalid(const domain::FieldErrors& errors) {
    if (!errors.empty()) throw Invalid(errors);
}

} // namespace registry::service
