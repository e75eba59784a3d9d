#pragma once
// What a store operation can fail with, besides success. Callers (HTTP handlers, CLI verbs) turn each into
// the answer a person expects: 404, 409 with the current record, 422 with every field error, 503.

#include "domain/FieldError.h"

#include <stdexcept>
#include <string>

namespace registry::store {

/// The record asked for does not exist.
class NotFound : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The write was refused because of its fields; nothing was stored.
class ValidationFailed : public std::runtime_error {
public:
    explicit ValidationFailed(domain::FieldErrors errors)
        : std::runtime_error("validation failed"), _errors(std::move(errors)) {}
    const domain::FieldErrors& errors() const { return _errors; }

private:
    domain::FieldErrors _errors;
};

/// An update carried a stale version; `current` is the record as it now stands.
template <class Record> class Conflict : public std::runtime_error {
public:
    explicit Conflict(Record current)
        : std::runtime_error("the record was changed by someone else"), _current(std::move(current)) {}
    const Record& current() const { return _current; }

private:
    Record _current;
};

/// The database cannot be reached or opened (or answered with a connection-level error). Nothing was
/// written; the caller may retry later.
class Unavailable : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// True when `error` is a database error that says "not now" rather than "not this" (Database::isTransient:
/// unreachable, busy or locked past the timeout, a deadlock victim): the caller answers 503 and the same
/// request may succeed later. False for every other exception. Lets callers outside core/store recognise
/// those errors without knowing the database library.
bool isTransient(const std::exception& error);

/// The database's schema is newer than this program, or otherwise not one this program can use.
class SchemaMismatch : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

} // namespace registry::store
