#include "ns/ns_status.hpp"

#include <array>
#include <utility>

#include "core/ascii.hpp"

namespace psguard {
namespace {

constexpr std::array<std::pair<std::string_view, NsPackageStatus>, 9> kStatusWords{{
    {"Ready", NsPackageStatus::ready},
    {"Codebase Enabled", NsPackageStatus::ready},
    {"Invalid", NsPackageStatus::invalid},
    {"Pending", NsPackageStatus::pending},
    {"Download Pending", NsPackageStatus::download_pending},
    {"Retrying Download", NsPackageStatus::retrying_download},
    {"Not Ready", NsPackageStatus::not_ready},
    {"Waiting to retry", NsPackageStatus::waiting_to_retry},
    {"Deleted", NsPackageStatus::deleted},
}};

std::string_view trim_blanks(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) {
        return {};
    }
    return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

}  // namespace

NsPackageStatus classify_ns_status(std::string_view status) {
    const std::string_view word = trim_blanks(status);
    for (const auto& [text, value] : kStatusWords) {
        if (ascii_iequals(word, text)) {
            return value;
        }
    }
    return NsPackageStatus::unrecognised;
}

bool is_transitional(NsPackageStatus status) {
    switch (status) {
        case NsPackageStatus::pending:
        case NsPackageStatus::download_pending:
        case NsPackageStatus::retrying_download:
        case NsPackageStatus::not_ready:
        case NsPackageStatus::waiting_to_retry:
            return true;
        default:
            return false;
    }
}

}  // namespace psguard
