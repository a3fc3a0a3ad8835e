#pragma once

// The settings table: every AUTOMATION_* setting the service reads, in the order and under the
// section headings they are documented in. Adding a setting means adding a row here (and its
// field in config.hpp); the reference in docs/configuration.md, packaging/automation.env and the
// man page are generated from this table, and a test fails while they disagree with it.

#include <string_view>
#include <vector>

#include "automation/config/setting.hpp"

namespace automation::config {

// Every setting, grouped by section, in documentation order.
const std::vector<Setting>& setting_table();

// The row of `key`, or nullptr for a key the service does not know.
const Setting* find_setting(std::string_view key);

// Keys with this prefix belong to the test suites (AUTOMATION_TEST_PG_HOST, ...), not to the
// service: never reported as unknown.
inline constexpr std::string_view kTestSettingPrefix = "AUTOMATION_TEST_";

}  // namespace automation::config
