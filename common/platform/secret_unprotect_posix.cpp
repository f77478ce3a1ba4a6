#include "platform/secret_unprotect.hpp"

namespace psguard {

Result<std::string> unprotect_secret(const std::string&) {
    return fail("the secret is DPAPI-protected, which only Windows can read");
}

Result<std::string> protect_secret(const std::string&) {
    return fail("DPAPI protection is only available on Windows; restrict the file's mode instead");
}

}  // namespace psguard
