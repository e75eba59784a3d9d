// Yuan to fen: the one parser behind the web's price form and the price list import's amount_yuan column.

#include "domain/Money.h"

#include <boost/test/unit_test.hpp>

using registry::domain::parseYuan;

BOOST_AUTO_TEST_SUITE(money)

BOOST_AUTO_TEST_CASE(yuan_as_a_price_list_writes_them) {
    BOOST_TEST(*parseYuan("12.5") == 1250);
    BOOST_TEST(*parseYuan("12.05") == 1205);
    BOOST_TEST(*parseYuan(" 3800 ") == 380000); // a cell with spaces around
    BOOST_TEST(*parseYuan("\t80\r\n") == 8000);
    BOOST_TEST(*parseYuan("12.") == 1200);
    BOOST_TEST(*parseYuan("0.01") == 1);
    BOOST_TEST(*parseYuan("123456789012.34") == 12345678901234);
}

BOOST_AUTO_TEST_CASE(yuan_as_people_type_them) {
    BOOST_TEST(*parseYuan("1,234.50") == 123450);
    BOOST_TEST(*parseYuan("¥1,234.50") == 123450);
    BOOST_TEST(*parseYuan("￥80") == 8000);
    BOOST_TEST(*parseYuan(" ¥ 80.05") == 8005);
}

BOOST_AUTO_TEST_CASE(what_is_not_an_amount) {
    for (const char* bad : {"", " ", "¥", ".5", "1.234", "-5", "+5", "1e3", "12,5.0.1", "abc", "5元", "¥¥5",
                            "1234567890123456", "0x10"})
        BOOST_TEST(!parseYuan(bad).has_value(), "'" << bad << "'");
}

BOOST_AUTO_TEST_SUITE_END()
