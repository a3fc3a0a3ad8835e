// `automation manpage` (hidden): writes automation(1) in roff, from the tool's own command
// tree (CLI11: every command, its options and example) and the settings table, so the manual
// cannot drift from what the binary accepts. The build runs it to make the installed page.

#include <iostream>
#include <string>

#include "automation/cli/commands.hpp"
#include "automation/config/reference.hpp"

namespace automation::cli {
namespace {

using config::roff_text;

// "--port VALUE" in bold and italics; positional options by their name.
std::string option_heading(const CLI::Option& option) {
  std::string names = option.get_name(false, true);
  std::string heading;
  std::size_t start = 0;
  while (start <= names.size()) {
    auto comma = names.find(',', start);
    if (comma == std::string::npos) comma = names.size();
    if (!heading.empty()) heading += ", ";
    heading += "\\fB" + roff_text(names.substr(start, comma - start)) + "\\fR";
    start = comma + 1;
  }
  if (option.get_type_size() != 0 && !option.get_type_name().empty()) {
    heading += " \\fI" + roff_text(option.get_type_name()) + "\\fR";
  }
  return heading;
}

void write_options(const CLI::App& command, std::string& out) {
  for (const CLI::Option* option : command.get_options()) {
    if (option->get_group().empty()) continue;  // hidden
    const std::string name = option->get_name();
    if (name == "--help" || name == "-h" || name == "--version") continue;
    out += ".TP\n" + option_heading(*option) + "\n" + roff_text(option->get_description()) + "\n";
  }
}

// Each command under its full name ("automation user create"), its options and example.
void write_commands(const CLI::App& command, const std::string& path, std::string& out) {
  for (const CLI::App* sub : command.get_subcommands([](const CLI::App* app) {
         return !app->get_group().empty();  // hidden commands (this one) are left out
       })) {
    const std::string name = path + " " + sub->get_name();
    const auto nested = sub->get_subcommands([](const CLI::App*) { return true; });
    if (!nested.empty() && sub->get_require_subcommand_min() > 0) {
      write_commands(*sub, name, out);
      continue;
    }
    out += ".SS \"" + roff_text(name) + "\"\n" + roff_text(sub->get_description()) + "\n";
    write_options(*sub, out);
    std::string footer = sub->get_footer();
    if (!footer.empty()) {
      out += ".PP\n.nf\n";
      for (std::size_t start = 0; start < footer.size();) {
        auto end = footer.find('\n', start);
        if (end == std::string::npos) end = footer.size();
        out += roff_text(footer.substr(start, end - start)) + "\n";
        start = end + 1;
      }
      out += ".fi\n";
    }
  }
}

std::string manual_page(const CLI::App& cli) {
  std::string out = ".TH AUTOMATION 1 \"\" \"automation " + std::string(AUTOMATION_VERSION) +
                    "\" \"User Commands\"\n";
  out += ".SH NAME\nautomation \\- users and authentication service for industrial automation\n";
  out +=
      ".SH SYNOPSIS\n.B automation\n[\\fIglobal options\\fR] \\fIcommand\\fR "
      "[\\fIoptions\\fR]\n";
  out += ".SH DESCRIPTION\n" +
         roff_text(
             "A self-hosted user-management and authentication service that speaks the REST API "
             "of PyAutomation's users module. `automation serve` runs the HTTP/JSON server; the "
             "other commands administer users, roles, sessions, third-party tokens, the audit "
             "trail and the database, on the same database as running servers (what they "
             "change is enforced by every server from its next request).") +
         "\n";
  out += ".SH GLOBAL OPTIONS\n";
  write_options(cli, out);
  out += ".SH COMMANDS\n";
  write_commands(cli, "automation", out);
  out += ".SH ENVIRONMENT\n" + config::roff_environment();
  out += ".SH EXIT STATUS\n.TP\n.B 0\ndone\n.TP\n.B 1\n" +
         roff_text("the operation was refused or failed (one line on standard error says why)") +
         "\n.TP\n.B 2\n" +
         roff_text(
             "bad usage or configuration: an unknown command or flag, a bad setting, an "
             "unreachable or refused database; nothing changed") +
         "\n";
  out += ".SH FILES\n.TP\n.I /etc/automation/automation.env\n" +
         roff_text("settings of the packaged service (systemd unit automation)") +
         "\n.TP\n.I /var/lib/automation/app.db\n" +
         roff_text("the packaged service's SQLite database") + "\n";
  out += ".SH SEE ALSO\n" +
         roff_text(
             "The HTTP API is described at /api/docs on a running server; the "
             "documentation is in /usr/share/doc/automation and the project's docs/ "
             "folder.") +
         "\n";
  return out;
}

}  // namespace

void add_manual_page_command(CLI::App& cli) {
  auto* page = cli.add_subcommand("manpage", "Write the manual page automation(1) in roff");
  page->group("");  // hidden: for the build, which installs the page
  page->callback([&cli] { std::cout << manual_page(cli); });
}

}  // namespace automation::cli
