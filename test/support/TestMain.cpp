#define BOOST_TEST_MODULE funeral_registry
#include <boost/test/unit_test.hpp>
