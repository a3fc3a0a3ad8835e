#pragma once

// Who may sign what (AUTOMATION_SIGNATURE_* settings; docs/signatures.md).

#include <algorithm>
#include <string>
#include <vector>

namespace automation {

// A meaning a signature may carry (§11.50(a)(3)) and the least privileged role that may sign
// with it: roles of level <= max_level.
struct SignatureMeaning {
  std::string name;
  int max_level = 0;
};

struct SignatureSettings {
  // Empty: nobody may sign (signing is off; stored signatures are still read and verified).
  std::vector<SignatureMeaning> meanings = {
      {"performed", 10}, {"reviewed", 2}, {"approved", 2}, {"verified", 2}};
  std::vector<std::string> comment_required;       // meanings whose signatures need a comment
  std::vector<std::string> verification_required;  // meanings that need a second person

  const SignatureMeaning* find(const std::string& meaning) const {
    const auto found = std::find_if(meanings.begin(), meanings.end(),
                                    [&](const SignatureMeaning& m) { return m.name == meaning; });
    return found == meanings.end() ? nullptr : &*found;
  }
  bool needs_comment(const std::string& meaning) const {
    return std::find(comment_required.begin(), comment_required.end(), meaning) !=
           comment_required.end();
  }
  bool needs_verification(const std::string& meaning) const {
    return std::find(verification_required.begin(), verification_required.end(), meaning) !=
           verification_required.end();
  }
};

}  // namespace automation
