#include "store/CodeSequence.h"

#include <cstdio>

namespace registry::store {

std::string nextCode(soci::session& sql, const std::string& prefix, int width) {
    // UPDATE first: it takes the row lock on MySQL, so the read that follows is ours alone.
    soci::statement update = (sql.prepare << "UPDATE code_sequences SET next_value = next_value + 1 WHERE scope = :s",
                              soci::use(prefix));
    update.execute(true);
    if (update.get_affected_rows() == 0)
        sql << "INSERT INTO code_sequences (scope, next_value) VALUES (:s, 2)", soci::use(prefix);
    long long next = 0;
    sql << "SELECT next_value FROM code_sequences WHERE scope = :s", soci::use(prefix), soci::into(next);
    char number[32];
    std::snprintf(number, sizeof number, "%0*lld", width, next - 1);
    return prefix + "-" + number;
}

void advanceCode(soci::session& sql, const std::string& prefix, long long used) {
    long long next = 0;
    soci::indicator ind = soci::i_null;
    sql << "SELECT next_value FROM code_sequences WHERE scope = :s", soci::use(prefix), soci::into(next, ind);
    if (ind != soci::i_ok || !sql.got_data())
        sql << "INSERT INTO code_sequences (scope, next_value) VALUES (:s, :n)", soci::use(prefix),
            soci::use(used + 1);
    else if (next <= used)
        sql << "UPDATE code_sequences SET next_value = :n WHERE scope = :s", soci::use(used + 1), soci::use(prefix);
}

} // namespace registry::store
