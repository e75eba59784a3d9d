// Managed plugin versions: a name+version is stored once (the same text again is no change, another text
// a conflict), one version of a name is active at a time, and every activation and deactivation bumps
// the generation that other instances watch, with a change-log entry each.

#include "StoreTestSupport.h"

#include "store/ChangeLog.h"
#include "store/Errors.h"
#include "store/PluginVersionRepository.h"

using namespace registry;
using namespace registry::test;
using domain::PluginVersion;
using domain::PluginVersionStatus;

namespace {

PluginVersion draft(const std::string& version, const std::string& text = "return {}") {
    PluginVersion v;
    v.name = "haidian.cap-check";
    v.version = version;
    v.folder = "haidian";
    v.districts = {"110108"};
    v.source = text + " -- " + version;
    v.sha256 = std::string(63, 'a') + version.substr(0, 1);
    v.testsSource = "return {}";
    v.testsJson = R"({"passed":1,"failed":0,"cases":[]})";
    v.note = "第一版";
    return v;
}

} // namespace

BOOST_AUTO_TEST_SUITE(plugin_version_repository)

BOOST_AUTO_TEST_CASE(a_version_is_stored_once_and_another_text_under_its_number_conflicts) {
    TestDatabase t;
    store::PluginVersionRepository repo(t.db());
    const auto first = repo.create(draft("1.0.0"), "hd_it");
    BOOST_TEST(!first.existed);
    BOOST_TEST(first.version.id > 0);
    BOOST_TEST(domain::toString(first.version.status) == std::string("draft"));
    BOOST_TEST(first.version.submittedBy == "hd_it");

    const auto again = repo.create(draft("1.0.0"), "someone_else");
    BOOST_TEST(again.existed);
    BOOST_TEST(again.version.id == first.version.id);
    BOOST_TEST(again.version.submittedBy == "hd_it");

    PluginVersion changed = draft("1.0.0");
    changed.sha256 = std::string(64, 'f');
    BOOST_CHECK_THROW(repo.create(changed, "hd_it"), store::Conflict<PluginVersion>);

    const auto stored = repo.find("haidian.cap-check", "1.0.0");
    BOOST_TEST_REQUIRE(stored.has_value());
    BOOST_TEST(stored->source == draft("1.0.0").source);
    BOOST_TEST(stored->districts == std::vector<std::string>{"110108"});
    BOOST_TEST(stored->note.value_or("") == "第一版");
    BOOST_TEST(stored->file() == "haidian/cap-check@1.0.0.lua");
    BOOST_TEST(!repo.find("haidian.cap-check", "9.9.9").has_value());
}

BOOST_AUTO_TEST_CASE(one_version_is_active_and_each_change_bumps_the_generation) {
    TestDatabase t;
    store::PluginVersionRepository repo(t.db());
    repo.create(draft("1.0.0"), "hd_it");
    repo.create(draft("1.1.0"), "hd_it");
    const long long g0 = repo.generation();
    BOOST_TEST(repo.active().empty());

    const auto one = repo.activate("haidian.cap-check", "1.0.0", "hd_it");
    BOOST_TEST(domain::toString(one.status) == std::string("active"));
    BOOST_TEST(one.activatedBy.value_or("") == "hd_it");
    BOOST_TEST(repo.generation() == g0 + 1);
    repo.activate("haidian.cap-check", "1.0.0", "hd_it"); // already active: no change
    BOOST_TEST(repo.generation() == g0 + 1);

    repo.activate("haidian.cap-check", "1.1.0", "hd_it");
    BOOST_TEST(repo.generation() == g0 + 2);
    auto active = repo.active();
    BOOST_TEST_REQUIRE(active.size() == 1u);
    BOOST_TEST(active.front().version == "1.1.0");
    const auto versions = repo.versions("haidian.cap-check");
    BOOST_TEST_REQUIRE(versions.size() == 2u);
    BOOST_TEST(versions[0].version == "1.1.0"); // newest first
    BOOST_TEST(domain::toString(versions[1].status) == std::string("retired"));

    // Rolling back is activating the older one.
    repo.activate("haidian.cap-check", "1.0.0", "admin");
    BOOST_TEST(repo.active().front().version == "1.0.0");
    BOOST_TEST(repo.deactivate("haidian.cap-check", "admin"));
    BOOST_TEST(repo.active().empty());
    BOOST_TEST(!repo.deactivate("haidian.cap-check", "admin"));
    BOOST_TEST(repo.generation() == g0 + 4);
    BOOST_CHECK_THROW(repo.activate("haidian.cap-check", "3.0.0", "admin"), store::NotFound);

    store::ChangeFilter filter;
    filter.entity = "plugin_version";
    const auto log = store::ChangeLog(t.db()).list(filter, {500, 0});
    int activations = 0, retirements = 0;
    for (const auto& e : log.items) {
        activations += e.action == "activate";
        retirements += e.action == "retire";
    }
    BOOST_TEST(activations == 3);
    BOOST_TEST(retirements == 3);
}

BOOST_AUTO_TEST_SUITE_END()
